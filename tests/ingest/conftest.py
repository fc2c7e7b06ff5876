"""An httpingest worker on a free port of 127.0.0.1, run in a thread with a
WorkerContext as under supervisord, and plain HTTP clients for it."""

import base64
import http.client
import json
import socket
import textwrap
import threading

import pytest
from loglines.workers import httpingest

from loglines.config import load
from loglines.queue import reconnect
from loglines.runtime.context import WorkerContext
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

USER = "app"
PASSWORD = "s3cret-for-tests"
ENV = {"INGEST_TEST_PASSWORD": PASSWORD}


def basic(user=USER, password=PASSWORD):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def write_config(tmp_path, prefix, redis_port, extra="", queues="", environ=ENV):
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent("""
        [queues]
        prefix = {prefix}
        block_timeout = 0.2
        {queues}
        [redis]
        port = {redis_port}
        connect_timeout = 1
        [logger_http]
        kind = httpingest
        pushto = loglines
        servicename = repo.example.ac.uk
        port = {port}
        username = app
        password = ${{INGEST_TEST_PASSWORD}}
        max_body = 4096
        max_line_size = 256
        read_timeout = 1
        {extra}
    """).format(prefix=prefix, redis_port=redis_port, port=free_port(),
                queues=textwrap.dedent(queues).strip(), extra=textwrap.dedent(extra).strip()))
    return load(cfg, environ=environ)


class Endpoint:
    """The worker in a thread; ``post`` and ``raw`` talk to it."""

    def __init__(self, config):
        self.config = config
        self.section = config.program("logger_http")
        self.port = self.section.options.port
        self.ctx = WorkerContext(config, self.section, redis_settings=config.redis_settings())
        self.queue = self.ctx.queue("loglines")
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            httpingest.run(self.ctx)
        except reconnect.Stopped:
            pass  # stopped while Redis was down, as `loglines worker` takes it
        except Exception as err:  # shown when the test stops it
            self.error = err

    def __enter__(self):
        self.thread.start()
        assert wait_for(self._listening, timeout=10), self.error
        return self

    def __exit__(self, *exc):
        if self.ctx.stop.is_set():
            return  # stopped already
        self.ctx.stop.set()
        self.thread.join(timeout=15)
        self.ctx.close()
        assert not self.thread.is_alive()
        assert self.error is None, self.error

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def post(self, path, body, headers=None, auth=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", path, body=body,
                         headers={**(basic() if auth else {}), **(headers or {})})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), json.loads(response.read())
        finally:
            conn.close()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)



@pytest.fixture
def endpoint(tmp_path, redis_server, prefix):
    """Start an endpoint; ``extra`` keys for [logger_http], ``queues`` for [queues]."""
    running = []

    def start(extra="", queues=""):
        e = Endpoint(write_config(tmp_path, prefix, redis_server.port, extra, queues))
        running.append(e.__enter__())
        return e

    yield start
    for e in running:
        e.__exit__(None, None, None)
