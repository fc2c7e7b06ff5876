"""Operating it under a real supervisord: a dead letter and a FATAL program
each reach the webhook through the generated listener and rq worker, and
the metrics program's counters agree with what the tracker received."""

import json
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.pipeline import Pipeline
from tests.support.redis_server import free_port
from tests.support.tracker import Tracker
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(300)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.posts = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def tracker():
    with Tracker() as t:
        yield t


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, tracker, webhook):
    metrics_port = free_port()
    p = Pipeline(tmp_path_factory.mktemp("operating"), tracker.url, extra=f"""
        [worker_metrics]
        kind = metrics
        port = {metrics_port}
        [process_broken]
        command = /bin/false
        startretries = 1
        [notify]
        webhook_url = http://127.0.0.1:{webhook.server_address[1]}/hook
        notify_interval = 60
    """)
    p.metrics_port = metrics_port
    p.start_allowing_fatal()
    yield p
    p.stop()


def kinds(webhook):
    return [post["kind"] for post in list(webhook.posts)]


def test_a_fatal_program_is_one_webhook_post(pipeline, webhook):
    assert wait_for(lambda: "process_fatal" in kinds(webhook), timeout=60)
    [fatal] = [p for p in webhook.posts if p["kind"] == "process_fatal"]
    assert "broken" in json.dumps(fatal)


def test_a_dead_letter_is_one_webhook_post(pipeline, webhook):
    pipeline.store().queue("pirus2").push([b"not json " + uuid.uuid4().hex.encode()])
    assert wait_for(lambda: "dead_letter" in kinds(webhook), timeout=60)
    assert kinds(webhook).count("dead_letter") == 1
    [dead] = [p for p in webhook.posts if p["kind"] == "dead_letter"]
    assert dead["queue"] == "pirus2" and "not JSON" in dead["error"]


def test_metrics_agree_with_the_tracker(pipeline, tracker):
    m = uuid.uuid4().hex[:8]
    pipeline.write(*(f"GET /{m}/{i} 200" for i in range(25)))
    assert wait_for(lambda: sum(q["svc_dat"].startswith(f"/{m}/")
                                for q in list(tracker.accepted)) == 25, timeout=60)

    def delivered():
        url = f"http://127.0.0.1:{pipeline.metrics_port}/metrics"
        try:
            text = urllib.request.urlopen(url, timeout=10).read().decode()
        except OSError:  # not listening yet: on a loaded machine it starts late
            return None
        for line in text.splitlines():
            if line.startswith("loglines_count_total{") and 'name="delivered"' in line \
                    and 'section="worker_pirus2"' in line:
                return float(line.rsplit(" ", 1)[1])
        return None

    assert wait_for(lambda: delivered() == len(tracker.accepted), timeout=30)


def test_a_replayed_archive_flows_through_the_running_pipeline(pipeline, tracker, tmp_path):
    import gzip

    m = uuid.uuid4().hex[:8]
    archive = tmp_path / "access.log.1.gz"
    with gzip.open(archive, "wt") as handle:
        handle.write("".join(f"GET /{m}/{i} 200\n" for i in range(40)))
    result = pipeline.loglines("replay", str(archive), "--quiet")
    assert "40 lines pushed" in result.stdout
    assert wait_for(lambda: sum(q["svc_dat"].startswith(f"/{m}/")
                                for q in list(tracker.accepted)) == 40, timeout=60)
    status = json.loads(pipeline.loglines("status", "--json").stdout)
    assert status["rates"]["events_out_per_s"] > 0
    assert {q["name"] for q in status["queues"]} >= {"loglines", "pirus2"}
