"""Servers for the benchmarks: a fast local tracker in its own process, and Redis.

The tracker is the cheapest keep-alive HTTP/1.1 server asyncio allows
(http.server tops out near 2k requests/s here and would measure itself, not
the clients). It answers every GET with 200 and an empty body, and every
POST (a Matomo bulk) with ``{"status": "success", "tracked": N}``, after
``latency`` seconds if set. It counts the events it accepted and the time of
the first and the last one; with recording on, it keeps the arrival time of
every request whose URL holds ``lat_<n>`` (the latency probe lines). Control
requests (``GET /__stats``, ``/__reset``, ``/__record``) are answered at once
and not counted.

It also stands in for the one call of Matomo's reporting API that the Matomo
log importer (matomo-org/matomo-log-analytics, the baseline of figure 5)
makes before it tracks when given ``--idsite`` and ``--token-auth``:
``SitesManager.getSiteFromId``, answered with the site's ``main_url``. Any
other API method gets Matomo's error answer, so the importer stops with its
name instead of being served something made up. API calls are counted by
method, apart from the events.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import re
import tempfile
import time
import urllib.parse
import urllib.request

from bench.workload import SERVICE

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.I)
_PROBE = re.compile(rb"lat_(\d+)")
_API = b"module=API"
MAIN_URL = f"https://{SERVICE}"


def _reply(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


class State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.count, self.first, self.last = 0, None, None
        self.record, self.records = False, []
        self.api = {}

    def accepted(self, n: int, head: bytes) -> None:
        now = time.time()
        self.count += n
        self.first = self.first or now
        self.last = now
        if self.record:
            self.records += [(int(m), now) for m in _PROBE.findall(head)]

    def control(self, head: bytes) -> bytes:
        if head.startswith(b"GET /__reset"):
            self.reset()
        elif head.startswith(b"GET /__record"):
            self.record = True
        return _reply(json.dumps({"count": self.count, "first": self.first, "last": self.last,
                                  "records": self.records, "api": self.api}).encode())

    def api_call(self, head: bytes, body: bytes) -> bytes:
        """Matomo's reporting API, as little of it as the log importer needs."""
        query = head.split(b" ", 2)[1].partition(b"?")[2] if head.startswith(b"GET") else body
        args = {k: v[-1] for k, v in urllib.parse.parse_qs(query.decode("latin-1")).items()}
        method = args.get("method", "")
        self.api[method] = self.api.get(method, 0) + 1
        if method == "SitesManager.getSiteFromId":
            answer = {"idsite": args.get("idSite", "1"), "name": SERVICE, "main_url": MAIN_URL}
        else:
            answer = {"result": "error",
                      "message": f"the bench's stand-in tracker does not serve {method!r}"}
        return _reply(json.dumps(answer).encode())


class Tracker(asyncio.Protocol):
    latency = 0.0
    state = State()

    def connection_made(self, transport):
        self.transport = transport
        self.pending = b""

    def data_received(self, data):
        self.pending += data
        answers = []
        while True:
            end = self.pending.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.pending[:end]
            length = 0
            if head.startswith(b"POST"):
                match = _LENGTH.search(head)
                length = int(match[1]) if match else 0
                if len(self.pending) < end + 4 + length:
                    break
            body = self.pending[end + 4:end + 4 + length]
            self.pending = self.pending[end + 4 + length:]
            if head.startswith(b"GET /__"):
                self.transport.write(self.state.control(head))
                continue
            answers.append(self.handle(head, body))
        if not answers:
            return
        out = b"".join(answers)
        if self.latency:
            asyncio.get_running_loop().call_later(self.latency, self.answer, out)
        else:
            self.answer(out)

    def handle(self, head: bytes, body: bytes) -> bytes:
        if _API in body[:200] or _API in head.partition(b"\r\n")[0]:
            return self.state.api_call(head, body)
        if not head.startswith(b"POST"):
            self.state.accepted(1, head)
            return RESPONSE
        try:
            requests = json.loads(body).get("requests", [])
        except ValueError:
            requests = []
        self.state.accepted(len(requests), body)
        return _reply(json.dumps({"status": "success", "tracked": len(requests),
                                  "invalid": 0}).encode())

    def answer(self, data):
        if not self.transport.is_closing():
            self.transport.write(data)


def serve(port_queue, latency: float) -> None:
    async def run():
        Tracker.latency = latency
        server = await asyncio.get_running_loop().create_server(
            Tracker, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(run())


class TrackerProcess:
    """The tracker in a process of its own, so it does not share the client's GIL."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.process = None
        self.port = None

    def __enter__(self) -> TrackerProcess:
        ports = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=serve, args=(ports, self.latency),
                                               daemon=True)
        self.process.start()
        self.port = ports.get(timeout=20)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(10)
            self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/counter/"

    def _control(self, what: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__{what}", timeout=30) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        return self._control("stats")

    def reset(self) -> dict:
        return self._control("reset")

    def record(self) -> dict:
        return self._control("record")


class BenchRedis:
    """A redis-server on a free port in a temporary folder (the tests' RedisServer)."""

    def __enter__(self):
        from tests.support.redis_server import RedisServer

        self.tmp = tempfile.TemporaryDirectory(prefix="loglines-bench-redis-")
        self.server = RedisServer(self.tmp.name).start()
        self.client = self.server.client()
        return self

    def __exit__(self, *exc):
        try:
            self.client.close()
            self.server.stop()
        finally:
            self.tmp.cleanup()
