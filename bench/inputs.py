"""Figures of the network inputs: lines/s accepted into the queue by the
syslog receiver over one TCP connection and over 50, and by the HTTP ingest
endpoint; each against a plain loop doing the naive thing (a threaded
server that LPUSHes every line it reads, one round trip per line), fed by
the same senders."""

from __future__ import annotations

import base64
import http.client
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module

from tests.support.redis_server import free_port

LINE = ('192.0.2.{n} - - [17/May/2015:10:05:03 +0000] "GET /1234/1/paper.pdf HTTP/1.1" 200 '
        '280090 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"')


def _syslog_lines(count, first):
    return [f"<134>1 2015-05-17T10:05:03Z web nginx - - - {LINE.format(n=(first + i) % 250)}\n"
            .encode() for i in range(count)]


def _send_tcp(port, lines):
    with socket.create_connection(("127.0.0.1", port)) as s:
        for i in range(0, len(lines), 500):
            s.sendall(b"".join(lines[i:i + 500]))


def _wait_count(count_fn, total, timeout=300):
    deadline = time.monotonic() + timeout
    while count_fn() < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {count_fn()} of {total} lines arrived")
        time.sleep(0.01)


def _timed_senders(port, total, connections, count_fn):
    per = total // connections
    errors = []

    def send(lines):
        try:
            _send_tcp(port, lines)
        except OSError as err:  # said at once, rather than waiting for lines that never come
            errors.append(err)

    senders = [threading.Thread(target=send, args=(_syslog_lines(per, k * per),))
               for k in range(connections)]
    start = time.perf_counter()
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {connections} senders failed: {errors[0]}")
    _wait_count(count_fn, per * connections)
    return per * connections / (time.perf_counter() - start)


class Worker:
    """A loglines input worker running in a thread of this process."""

    def __init__(self, inst, section, port):
        self.ctx = inst.context(section)
        self.ctx.burst = False
        module = import_module(f"loglines.workers.{self.ctx.section.kind}")
        self.thread = threading.Thread(target=module.run, args=(self.ctx,), daemon=True)
        self.port = port

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.ctx.section.name} did not listen")

    def __exit__(self, *exc):
        self.ctx.stop.set()
        self.thread.join(timeout=30)
        self.ctx.close()


def syslog(inst, total, connections):
    inst.fresh()
    with Worker(inst, "logger_syslog", inst.syslog_port) as w:
        queue = w.ctx.queue("syslog")
        return _timed_senders(inst.syslog_port, total, connections,
                              lambda: queue.stats().ready)


def _lpush_server(client, key):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                client.lpush(key, line)

    class Server(socketserver.ThreadingTCPServer):
        # The default backlog of 5 overflows under 50 simultaneous connects,
        # and a connection the kernel gave up on loses its lines.
        request_queue_size = 128

    server = Server(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def syslog_baseline(inst, total, connections):
    inst.fresh()
    client = inst.redis.client
    server = _lpush_server(client, "bench:plain")
    try:
        port = server.server_address[1]
        return _timed_senders(port, total, connections, lambda: client.llen("bench:plain"))
    finally:
        server.shutdown()
        server.server_close()


def _post_lines(port, total, per_request, auth):
    body_lines = [LINE.format(n=i % 250) for i in range(per_request)]
    body = ("\n".join(body_lines) + "\n").encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": "Basic " + base64.b64encode(auth).decode()} if auth else {}
    for _ in range(total // per_request):
        conn.request("POST", "/api/v1/lines", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status >= 300:
            raise RuntimeError(f"ingest answered {response.status}")
    conn.close()
    return total // per_request * per_request


def http_ingest(inst, total, per_request=100):
    inst.fresh()
    with Worker(inst, "logger_http", inst.http_port) as w:
        queue = w.ctx.queue("http")
        start = time.perf_counter()
        sent = _post_lines(inst.http_port, total, per_request, b"loglines:bench")
        _wait_count(lambda: queue.stats().ready, sent)
        return sent / (time.perf_counter() - start)


def http_baseline(inst, total, per_request=100):
    inst.fresh()
    client = inst.redis.client

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            for line in body.splitlines():
                client.lpush("bench:plain", line)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.perf_counter()
        sent = _post_lines(server.server_address[1], total, per_request, None)
        return sent / (time.perf_counter() - start)
    finally:
        server.shutdown()
        server.server_close()
