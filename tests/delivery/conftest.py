"""A real local HTTP server standing in for the tracker (docs/design.md, Tests
and benchmarks: no mocks).

The endpoint path scripts the answer: ``/status/<code>/`` answers that code
with a body echoing the request, ``/sleep/<ms>/`` answers 200 after a pause,
``/big/`` answers 500 with a 100 kB body; ``/hang-up/`` answers 200 as
keep-alive and then closes the connection (a tracker's idle timeout);
anything else answers 200. A test
may set ``server.script`` to choose the answer from the whole request path.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loglines.outputs.delivery import TrackerClient


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.client_ports: set[int] = set()
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_seen: list[int] = []  # in flight as each request came
        self.script = default_script
        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.recorder = self
        self.port = self.httpd.server_address[1]

    def url(self, path: str = "/counter/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def enter(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.paths.append(handler.path)
            self.client_ports.add(handler.client_address[1])
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.in_flight_seen.append(self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


def default_script(path: str) -> tuple[int, bytes, float]:
    """(status, body, seconds to wait before answering) for a request path."""
    parts = path.split("/")
    if path.startswith("/status/"):
        return int(parts[2]), f"answer {parts[2]} to {path}".encode(), 0.0
    if path.startswith("/sleep/"):
        return 200, b"", int(parts[2]) / 1000
    if path.startswith("/big/"):
        return 500, b"x" * 100_000, 0.0
    if path.startswith("/redirect/"):
        return int(parts[2]), b"moved", 0.0
    if path.startswith("/says-error/"):
        return 200, b"ERROR: the request could not be logged", 0.0
    return 200, b"", 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real tracker

    def do_GET(self):
        recorder = self.server.recorder
        recorder.enter(self)
        try:
            status, body, delay = recorder.script(self.path)
            time.sleep(delay)
        finally:
            # Out of flight before the answer leaves: a client quick to send
            # the next request once it has the answer is not counted as two.
            recorder.leave()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if 300 <= status < 400:
            self.send_header("Location", "https://new.tracker.example/counter/")
        self.end_headers()
        self.wfile.write(body)
        if self.path.startswith("/hang-up/"):
            self.close_connection = True

    def log_message(self, *args):
        pass  # keep test output clean


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is expected here


@pytest.fixture
def server():
    recorder = Recorder()
    thread = threading.Thread(target=recorder.httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield recorder
    recorder.httpd.shutdown()
    recorder.httpd.server_close()


@pytest.fixture
def make_client():
    """Clients closed after the test: ``make(endpoint, kind=TrackerClient, **kwargs)``."""
    clients = []

    def make(endpoint, kind=TrackerClient, **kwargs):
        client = kind(endpoint, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
