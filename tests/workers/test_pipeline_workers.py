"""broker, pirus2 and logfromqueue in-process against a real Redis and a
local tracker."""

import json

from loglines.queue import bundle
from tests.support.waiting import wait_for
from tests.workers.conftest import Background, run_worker, worker_context


def message(line, service="repo.example.ac.uk"):
    return json.dumps({"service": service, "logline": line, "source": "/x.log", "offset": 1})


def lines_in(queue):
    """The lines of a queue's messages, those of bundles (a logger's queue) too."""
    payloads = []
    for item in queue.fetch("reader", 1000).items:
        payloads += bundle.split(item.payload) if bundle.is_bundle(item.payload) else [item.payload]
    return [json.loads(p)["logline"] for p in payloads]


def test_broker_copies_every_line_into_every_fanout_queue(instance):
    config = instance()
    ctx = worker_context(config, "worker_broker")
    ctx.queue("loglines").push([message(f"GET /{i} 200") for i in range(2500)])
    run_worker(config, "worker_broker")
    for name in ("pirus2", "copy"):
        got = ctx.queue(name).fetch("c", 1000).items
        assert len(got) == 1000
    assert ctx.queue("pirus2").stats().ready == 1500
    assert ctx.store.counts("worker_broker")["moved"] == 2500


def test_pirus2_delivers_events_and_routes_the_rest(instance, tracker):
    config = instance()
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message("GET /1/1/a.pdf 200"), message("GET /2/ 206"), message("RAISE"),
            b"{not json", b"\xff\xfe", json.dumps({"no": "logline"}),
            message("GET /3/1/b.pdf 200")])
    run_worker(config, "worker_pirus2")
    # Several requests are in flight at once: the tracker sees them in any order.
    assert sorted(tracker.accepted, key=lambda p: p["svc_dat"]) == [
        {"url_ver": "Z39.88-2004-test", "rfr_id": "repo.example.ac.uk", "svc_dat": "/1/1/a.pdf"},
        {"url_ver": "Z39.88-2004-test", "rfr_id": "repo.example.ac.uk", "svc_dat": "/3/1/b.pdf"},
    ]
    assert sorted(lines_in(ctx.queue("articlelog"))) == ["GET /1/1/a.pdf 200",
                                                          "GET /3/1/b.pdf 200"]
    assert lines_in(ctx.queue("otherlog")) == ["GET /2/ 206"]
    dead = {d.payload: d.error for d in q.dead_items()}
    assert len(dead) == 4
    assert dead[message("RAISE").encode()].startswith(
        "plugin raised RuntimeError: plugin exploded on purpose (at ")
    assert "simple.py" in dead[message("RAISE").encode()]
    assert dead[b"{not json"].startswith("payload is not JSON")
    assert dead[b"\xff\xfe"].startswith("payload is not UTF-8")
    assert "not a loglines message" in dead[json.dumps({"no": "logline"}).encode()]
    counts = ctx.store.counts("worker_pirus2")
    assert counts["delivered"] == 2 and counts["not_events"] == 1
    assert counts["failed_permanent"] == 4
    assert q.stats().ready == q.stats().inflight == 0


def test_a_400_dead_letters_that_event_only(instance, tracker):
    config = instance()
    tracker.status = lambda params: 400 if params["svc_dat"] == "/bad" else 200
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message("GET /good1 200"), message("GET /bad 200"), message("GET /good2 200")])
    run_worker(config, "worker_pirus2")
    assert sorted(p["svc_dat"] for p in tracker.accepted) == ["/good1", "/good2"]
    [dead] = q.dead_items()
    assert json.loads(dead.payload)["logline"] == "GET /bad 200"
    assert dead.error.startswith("tracker answered HTTP 400")


def test_a_redirecting_tracker_keeps_every_event_and_is_told_once(instance, tracker, caplog):
    """A moved endpoint is a configuration error: one warning naming the new
    address, and the events wait for a retry instead of being dead-lettered."""
    config = instance(queues="retry_delay = 30")
    tracker.status = 301
    q = worker_context(config, "worker_pirus2").queue("pirus2")
    q.push([message(f"GET /{i} 200") for i in range(10)])
    with caplog.at_level("WARNING", logger="loglines"):
        run_worker(config, "worker_pirus2")
    assert len(tracker.refused) == 10
    stats = q.stats()
    assert (stats.delayed, stats.dead) == (10, 0)
    told = [r.getMessage() for r in caplog.records
            if r.getMessage().startswith("tracker answered HTTP 301, a redirect to")]
    assert len(told) == 1 and "https://moved.example/counter/" in told[0]


def test_an_outage_is_retried_with_backoff_until_every_event_is_delivered(instance, tracker):
    config = instance(queues="retry_delay = 0.05\nretry_max_delay = 0.3")
    tracker.status = 503
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message(f"GET /{i} 200") for i in range(20)])
    with Background(config, "worker_pirus2"):
        assert wait_for(lambda: len(tracker.refused) >= 40, timeout=30)
        assert q.stats().dead == 0
        tracker.status = 200
        assert wait_for(lambda: len(tracker.accepted) == 20, timeout=30)
    assert sorted(p["svc_dat"] for p in tracker.accepted) == sorted(f"/{i}" for i in range(20))
    stats = q.stats()
    assert (stats.ready, stats.inflight, stats.delayed, stats.dead) == (0, 0, 0, 0)
    assert ctx.store.counts("worker_pirus2")["failed_temporary"] >= 40


def test_a_hanging_tracker_is_a_temporary_failure(instance, tracker):
    config = instance(extra="timeout = 0.3", queues="retry_delay = 0.05\nretry_max_delay = 0.1")
    tracker.hang = 1.0
    ctx = worker_context(config, "worker_pirus2")
    ctx.queue("pirus2").push([message("GET /slow 200")])
    with Background(config, "worker_pirus2"):
        assert wait_for(lambda: ctx.store.counts("worker_pirus2").get("failed_temporary"),
                        timeout=30)
        tracker.hang = 0
        assert wait_for(lambda: any(p["svc_dat"] == "/slow" for p in tracker.accepted),
                        timeout=30)
    assert ctx.queue("pirus2").stats().dead == 0


def test_a_slow_answer_does_not_hold_back_the_events_after_it(instance, tracker):
    """Requests are kept in flight continuously, not a chunk at a time: while
    one connection waits for the slow answer, the other sends the rest."""
    config = instance(extra="concurrency = 2")

    def hang(params):
        # Answered once the other twenty were, or after 10 s: a client that
        # sends a chunk at a time never sends them meanwhile. (A fixed 1 s
        # wait failed on a loaded machine, the twenty taking longer.)
        if params["svc_dat"] == "/slow":
            wait_for(lambda: len(tracker.accepted) >= 20, timeout=10)
        return 0

    tracker.hang = hang
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message("GET /slow 200")] + [message(f"GET /{i} 200") for i in range(20)])
    run_worker(config, "worker_pirus2")
    assert len(tracker.accepted) == 21
    assert tracker.accepted[-1]["svc_dat"] == "/slow"
    assert ctx.store.counts("worker_pirus2")["delivered"] == 21
    assert q.stats().inflight == q.stats().ready == 0


def test_a_stop_mid_batch_gives_the_unsent_events_back_untouched(instance, tracker):
    config = instance(extra="concurrency = 2")
    tracker.hang = 0.2
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message(f"GET /{i} 200") for i in range(40)])  # one batch
    with Background(config, "worker_pirus2"):
        assert wait_for(lambda: len(tracker.accepted) >= 2, timeout=30)
    delivered = len(tracker.accepted)
    assert delivered < 40  # stopped without sending the rest of the batch
    stats = q.stats()
    assert (stats.ready, stats.inflight, stats.delayed) == (40 - delivered, 0, 0)
    assert ctx.store.counts("worker_pirus2")["delivered"] == delivered
    # Released, not failed: their attempt is given back.
    assert {item.attempts for item in q.fetch("reader", 100).items} == {1}


def test_dry_run_writes_the_urls_and_sends_nothing(instance, tracker, tmp_path):
    config = instance(extra="dry_run = true\ndry_run_file = var/dry.log")
    ctx = worker_context(config, "worker_pirus2")
    ctx.queue("pirus2").push([message("GET /1/1/a.pdf 200")])
    run_worker(config, "worker_pirus2")
    assert tracker.accepted == []
    lines = (tmp_path / "var/dry.log").read_text().splitlines()
    assert lines == [f"{tracker.url}?url_ver=Z39.88-2004-test&rfr_id=repo.example.ac.uk"
                     "&svc_dat=%2F1%2F1%2Fa.pdf"]


def test_logfromqueue_appends_lines_and_survives_rotation(instance, tmp_path):
    config = instance()
    ctx = worker_context(config, "logger_articlelogger")
    q = ctx.queue("articlelog")
    q.push([message("line one"), message("line two")])
    run_worker(config, "logger_articlelogger")
    log = tmp_path / "logs/articles.log"
    assert log.read_text() == "line one\nline two\n"
    log.rename(tmp_path / "logs/articles.log.1")
    q.push([message("line three"), b"junk"])
    run_worker(config, "logger_articlelogger")
    assert log.read_text() == "line three\n"
    assert q.dead_items()[0].payload == b"junk"


def test_a_missing_plugin_is_one_clear_line(instance, capsys, tmp_path):
    from loglines.cli.main import main

    config = instance(extra="")
    text = config.path.read_text().replace(
        config.program("worker_pirus2").options.repository_plugin, "nosuchplugin")
    config.path.write_text(text)
    code = main(["--config", str(config.path), "worker", "worker_pirus2"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.strip() == (f"{config.path}: [worker_pirus2] repository_plugin: no plugin file "
                           f"{tmp_path / 'plugins/nosuchplugin.py'}")


def test_a_temporary_plugin_error_is_retried_and_exclusions_are_counted(instance):
    config = instance()
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message("LATER"), message("GET /x 206"), message("GET /y 206"),
            message("POST /z 200")])
    run_worker(config, "worker_pirus2")
    stats = q.stats()
    assert (stats.delayed, stats.dead) == (1, 0)
    [later] = q.fetch("c", 1, now_ms=ctx.store.now_ms() + 10**7).items
    assert later.attempts == 2  # the plugin's lookup failed once, and the item came back
    counts = ctx.store.counts("worker_pirus2")
    assert counts["excluded_status_206"] == 2 and counts["excluded_not_a_get"] == 1
    assert counts["failed_temporary"] == 1


def test_a_plugin_refusing_its_settings_stops_the_worker_at_start(instance, capsys):
    from loglines.cli.main import main

    config = instance(extra="plugin_refuse = yes")
    code = main(["--config", str(config.path), "worker", "worker_pirus2"])
    assert code == 3
    err = capsys.readouterr().err
    assert err == "test.cfg: [worker_pirus2] plugin_refuse: refused on purpose\n"


class Matomo:
    """A local Matomo bulk tracking endpoint that records the bulks it gets."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.bulks = []
        bulks = self.bulks

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                bulks.append(body)
                reply = json.dumps({"status": "success", "tracked": len(body["requests"]),
                                    "invalid": 0}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/piwik.php"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_matomo_target_sends_bulks_with_the_token_in_the_body(instance, monkeypatch):
    from urllib.parse import parse_qs

    matomo = Matomo()
    monkeypatch.setenv("TEST_TOKEN", "t0ken")
    config = instance(extra="target = matomo\nidsite = 7\ntoken_auth = ${TEST_TOKEN}\n"
                            "bulk_size = 2", endpoint=matomo.url)
    ctx = worker_context(config, "worker_pirus2")
    ctx.queue("pirus2").push([message(f"GET /{i} 200") for i in range(3)])
    run_worker(config, "worker_pirus2")
    matomo.server.shutdown()
    # Bulks go out in parallel: the server may see them in either order.
    assert sorted(len(b["requests"]) for b in matomo.bulks) == [1, 2]
    assert all(b["token_auth"] == "t0ken" for b in matomo.bulks)
    requests = [parse_qs(r.lstrip("?")) for b in matomo.bulks for r in b["requests"]]
    assert sorted(r["url"][0] for r in requests) == ["/0", "/1", "/2"]
    assert all(r["idsite"] == ["7"] and r["rec"] == ["1"] and "token_auth" not in r
               for r in requests)
    assert ctx.store.counts("worker_pirus2")["delivered"] == 3


def test_a_line_the_plugin_cannot_read_is_dead_lettered_with_the_reason(instance, tmp_path):
    plugin = tmp_path / "rejecting.py"
    plugin.write_text(
        "import json\n"
        "def parseline(jmsg):\n"
        "    line = json.loads(jmsg)['logline']\n"
        "    return {'rejected': 'truncated_line: no closing quote'} if 'junk' in line else {}\n"
        "def get_openurl_params(c, s, pl):\n    return {}\n")
    config = instance(plugin=plugin)
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")
    q.push([message("binary junk"), message("a fine line")])
    run_worker(config, "worker_pirus2")
    [dead] = q.dead_items()
    assert json.loads(dead.payload)["logline"] == "binary junk"
    assert dead.error == "unparseable line: truncated_line: no closing quote"
    assert lines_in(ctx.queue("otherlog")) == ["a fine line"]
    assert ctx.store.counts("worker_pirus2")["rejected_unparseable"] == 1


def test_the_worker_never_logs_the_endpoint_credentials(instance, tracker, caplog):
    import logging

    url = tracker.url.replace("http://", "http://someone:s3cr3t@")
    config = instance(endpoint=url + "?token_auth=t0k3n")
    with caplog.at_level(logging.INFO):
        run_worker(config, "worker_pirus2")
    assert "delivering events" in caplog.text
    assert "s3cr3t" not in caplog.text and "t0k3n" not in caplog.text


def test_events_dated_implausibly_are_dead_lettered_not_sent(instance, tracker):
    """A line from 1900 or from next year (a wrong clock) is kept with its
    reason and counted; the tracker gets only the plausible one."""
    import time
    from pathlib import Path

    eprints = Path(__file__).resolve().parents[2] / "plugins" / "eprints.py"
    config = instance(plugin=eprints, extra="base_url = https://repo.example.ac.uk")
    ctx = worker_context(config, "worker_pirus2")
    q = ctx.queue("pirus2")

    def line(stamp):
        return (f'1.2.3.4 - - [{stamp}] "GET /1234/1/paper.pdf HTTP/1.1" 200 100 "-" '
                '"Mozilla/5.0 (X11; Linux x86_64)"')

    now = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
    ahead = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(time.time() + 400 * 86400))
    q.push([message(line("01/Jan/1900:00:00:00 +0000")), message(line(now)),
            message(line(ahead))])
    run_worker(config, "worker_pirus2")
    assert len(tracker.accepted) == 1
    dead = sorted(d.error for d in q.dead_items())
    assert dead[0].startswith("event time 1900-01-01T00:00:00Z is before 1995")
    assert " h ahead of this host's clock" in dead[1]
    assert all("(earliest_event_year, future_tolerance)" in e for e in dead)
    assert ctx.store.counts("worker_pirus2")["rejected_implausible_time"] == 2


def test_pirus2_forwards_to_a_loggers_queue_in_bundles_and_every_line_is_written(instance,
                                                                                tracker,
                                                                                tmp_path):
    """articlelog is read by a logger only: it takes one bundle per
    acknowledgement, and the logger writes every line of them. otherlog has
    no reader in this file: it gets one item per line, as any reader takes."""
    config = instance()
    assert config.takes_bundles("articlelog") and not config.takes_bundles("otherlog")
    ctx = worker_context(config, "worker_pirus2")
    events = [f"GET /{i}/1/a.pdf 200" for i in range(40)]
    ctx.queue("pirus2").push([message(line) for line in events] +
                             [message(f"GET /{i}/ 206") for i in range(3)])
    run_worker(config, "worker_pirus2")
    articlelog = ctx.queue("articlelog")
    assert 1 <= articlelog.stats().ready < len(events)
    assert ctx.queue("otherlog").stats().ready == 3
    run_worker(config, "logger_articlelogger")
    written = (tmp_path / "logs/articles.log").read_text().splitlines()
    assert sorted(written) == sorted(events)
    assert articlelog.stats().ready == articlelog.stats().inflight == 0
    assert ctx.store.counts("logger_articlelogger")["written"] == len(events)


def test_a_bad_message_in_a_bundle_is_dead_lettered_alone(instance, tmp_path):
    config = instance()
    q = worker_context(config, "logger_articlelogger").queue("articlelog")
    whole = bundle.pack([message("line a").encode(), b"junk", message("line b").encode()])
    cut = bundle.pack([message("line c").encode()])[:-3]
    q.push([whole, cut, message("line d")])
    run_worker(config, "logger_articlelogger")
    assert (tmp_path / "logs/articles.log").read_text() == "line a\nline b\nline d\n"
    dead = {d.payload: d.error for d in q.dead_items()}
    assert dead[b"junk"].startswith("not a loglines message (in a bundle)")
    assert dead[cut].startswith("not a whole bundle: payload 1 of 1 is cut short")
    assert len(dead) == 2 and q.stats().ready == q.stats().inflight == 0
