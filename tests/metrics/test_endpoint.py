"""The Prometheus endpoint against a real Redis and a local tracker."""

import json
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.workers.conftest import run_worker, worker_context

METRICS = """
[worker_metrics]
kind = metrics
"""


def message(line):
    return json.dumps({"service": "repo.example.ac.uk", "logline": line, "source": "/x.log",
                       "offset": 1})


def scrape(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_scrape_agrees_with_what_the_tracker_received(instance, tracker):
    from loglines.workers import metrics

    config = with_metrics(instance())
    ctx = worker_context(config, "worker_pirus2")
    ctx.queue("pirus2").push([message(f"GET /{i}/1/a.pdf 200") for i in range(25)]
                             + [message("GET /x/ 206")])
    run_worker(config, "worker_pirus2")
    mctx = worker_context(config, "worker_metrics")
    server, _thread = metrics.serve(mctx, port=0)
    try:
        host, port = server.server_address[:2]
        got = scrape(f"http://{host}:{port}/metrics")
    finally:
        server.shutdown()
        mctx.close()
    assert got[("loglines_redis_up", ())] == 1
    delivered = got[("loglines_count_total", (("name", "delivered"), ("section", "worker_pirus2")))]
    assert delivered == len(tracker.accepted) == 25
    assert got[("loglines_queue_depth", (("queue", "pirus2"), ("state", "ready")))] == 0
    assert got[("loglines_queue_depth", (("queue", "otherlog"), ("state", "ready")))] == 1
    # One observation per request; every one falls in the +Inf bucket.
    count = got[("loglines_delivery_seconds_count", (("section", "worker_pirus2"),))]
    inf = got[("loglines_delivery_seconds_bucket", (("le", "+Inf"), ("section", "worker_pirus2")))]
    assert count == 25 and inf == count


def with_metrics(config):
    """The test configuration plus a [worker_metrics] section on the defaults."""
    from loglines.config import load

    path = config.path
    path.write_text(path.read_text() + METRICS)
    return load(path)


def test_metrics_section_defaults_to_loopback_9464(instance):
    cfg = with_metrics(instance()).program("worker_metrics")
    assert cfg.kind == "metrics"
    assert cfg.options.bind == "127.0.0.1" and cfg.options.port == 9464
