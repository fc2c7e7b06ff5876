"""A local HTTP server standing in for the tracker: records every GET it
accepts and answers what the test scripts (200, 503, 400, or hanging)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class Tracker:
    def __init__(self):
        self.accepted = []  # list of dicts of the query of each accepted GET
        self.refused = []
        self.status = 200  # or a callable(params) -> status
        self.hang = 0.0  # seconds to wait before answering, or a callable(params) -> seconds
        self.lock = threading.Lock()
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                hang = tracker.hang(params) if callable(tracker.hang) else tracker.hang
                if hang:
                    time.sleep(hang)
                status = tracker.status(params) if callable(tracker.status) else tracker.status
                with tracker.lock:
                    (tracker.accepted if status == 200 else tracker.refused).append(params)
                body = b"ok" if status == 200 else b"no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                if 300 <= status < 400:
                    self.send_header("Location", "https://moved.example/counter/")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/counter/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
