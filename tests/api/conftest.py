"""The api worker on a free port of 127.0.0.1, run in a thread with a
WorkerContext as under supervisord (a real uvicorn over real sockets),
against a migrated store on SQLite and on PostgreSQL; figures filled from
hand-built records through the stats ingest; plain HTTP clients.
"""

import base64
import http.client
import json
import textwrap
import threading
from dataclasses import dataclass

import pytest
from loglines.workers import api as api_worker

from loglines.config import load
from loglines.queue import reconnect
from loglines.runtime.context import WorkerContext
from loglines.stats.builtin import BUILTIN
from loglines.stats.ingest import Ingest
from loglines.store.engine import writing
from tests.stats.records import T0, event, excluded
from tests.support.redis_server import free_port

USER = "reader"
PASSWORD = "s3cret-api-password"
ENV = {"API_TEST_PASSWORD": PASSWORD}

# Two days of a small repository. Day one: the first user downloads item 7
# and opens its abstract in the same session (two investigations, one
# unique), another user downloads item 8, a robot is excluded; day two:
# the other user downloads item 7. Nothing is stored for the 23 hours
# between the first hour and day two's.
RECORDS = [
    event(T0 + 100, "oai:repo:7"),
    event(T0 + 200, "oai:repo:7", kind="I"),
    event(T0 + 300, "oai:repo:8", client="198.51.100.4"),
    excluded(T0 + 400, "robot"),
    event(T0 + 86400 + 50, "oai:repo:7", client="198.51.100.4"),
]


def fill(engine, records=RECORDS):
    with writing(engine) as conn:
        Ingest(list(BUILTIN.values())).apply(conn, records)


def basic(user=USER, password=PASSWORD):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def write_config(tmp_path, redis_port, prefix, store_url, api="", stats="",
                 environ=ENV, port=None, extra=""):
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent("""
        [queues]
        prefix = {prefix}
        block_timeout = 0.2
        [redis]
        port = {redis_port}
        connect_timeout = 1
        [store]
        url = {store_url}
        [worker_stats]
        kind = stats
        listento = stats
        {stats}
        [worker_api]
        kind = api
        port = {port}
        {api}
        {extra}
    """).format(prefix=prefix, redis_port=redis_port, store_url=store_url,
                port=port or free_port(), api=textwrap.dedent(api).strip(),
                stats=textwrap.dedent(stats).strip(), extra=textwrap.dedent(extra).strip()))
    return load(cfg, environ=environ)


@dataclass
class Got:
    status: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


def get(url, path, headers=None):
    host, port = url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return Got(response.status, {k.lower(): v for k, v in response.getheaders()},
                   response.read().decode("utf-8"))
    finally:
        conn.close()


class Api:
    """The worker in a thread; ``get`` talks to it."""

    def __init__(self, config, section="worker_api"):
        self.section = config.program(section)
        self.url = f"http://127.0.0.1:{self.section.options.port}"
        self.ctx = WorkerContext(config, self.section, redis_settings=config.redis_settings())
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            api_worker.run(self.ctx)
        except reconnect.Stopped:
            pass
        except Exception as err:  # shown when the test stops it
            self.error = err

    def __enter__(self):
        self.thread.start()
        from tests.support.waiting import wait_for

        assert wait_for(self._serving, timeout=30), self.error
        return self

    def _serving(self):
        try:
            return get(self.url, "/api/v1/health").status in (200, 503)
        except OSError:
            return False

    def __exit__(self, *exc):
        self.ctx.stop.set()
        self.thread.join(timeout=20)
        self.ctx.close()
        assert not self.thread.is_alive()
        assert self.error is None, self.error

    def get(self, path, headers=None, auth=True):
        with_auth = basic() if auth and self.section.options.password else {}
        return get(self.url, path, {**with_auth, **(headers or {})})


@pytest.fixture
def api(tmp_path, redis_server, prefix, store_engine, store_url):
    """Start the API on this test's store (filled with RECORDS unless
    ``filled=False``); ``api`` and ``stats`` are extra keys of its sections,
    ``extra`` more sections."""
    running = []

    def start(api="", stats="", filled=True, extra=""):
        if filled:
            fill(store_engine)
        config = write_config(tmp_path, redis_server.port, prefix, store_url, api, stats,
                              extra=extra)
        running.append(Api(config).__enter__())
        return running[-1]

    yield start
    for a in running:
        a.__exit__(None, None, None)
