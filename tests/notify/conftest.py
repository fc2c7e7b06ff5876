"""Local stand-ins for the notification channels: an HTTP server as the
webhook, aiosmtpd as the mail server; and a configuration using them."""

import json
import textwrap
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from rq import Queue, SimpleWorker

from loglines.config import load
from loglines.notify import jobs
from tests.support.redis_server import free_port


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass  # keep the test output clean


@pytest.fixture
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.mailbox = mailbox
    yield controller
    controller.stop()


@pytest.fixture
def rq_queue_name(redis_client):
    """An rq queue of this test's own (rq's keys are not under our prefix)."""
    name = "notify-" + uuid.uuid4().hex[:8]
    yield name
    Queue(name, connection=redis_client).delete(delete_jobs=True)


@pytest.fixture
def notify_cfg(tmp_path, redis_server, prefix, rq_queue_name):
    def make(notify_lines, interval=300):
        path = tmp_path / "loglines.cfg"
        path.write_text(textwrap.dedent(f"""
            [redis]
            port = {redis_server.port}

            [queues]
            prefix = {prefix}

            [notify]
            queue = {rq_queue_name}
            notify_interval = {interval}
            """) + textwrap.dedent(notify_lines) + textwrap.dedent("""
            [worker_pirus2]
            listento = pirus2
            repository_plugin = eprints
            dry_run = true
            """))
        return path

    return make


@pytest.fixture
def run_jobs(redis_client):
    """Run the queued notify jobs in this process, as the notify worker would."""

    def run(config):
        jobs.configure(config.notify)
        queue = Queue(config.notify.queue, connection=redis_client)
        SimpleWorker([queue], connection=redis_client).work(burst=True)
        return queue

    yield run
    jobs.configure(None)


@pytest.fixture
def load_cfg():
    return lambda path: load(path, environ={})
