"""`loglines status` rates, oldest ages, tailer lag and --watch, on a real Redis."""

import io
import json
import subprocess
import sys
import textwrap
import time

import pytest
from rich.console import Console

from loglines.cli.main import main
from loglines.inputs.files import GlobTailer
from loglines.inputs.files.lag import LagPublisher
from loglines.metrics import ages, rates
from loglines.metrics.counter_store import CounterStore
from loglines.metrics.watch import watch
from tests.workers.conftest import PLUGIN


@pytest.fixture
def cfg(tmp_path, redis_server, prefix):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {redis_server.port}
        [logger_watch]
        logfile = logs/access*.log
        servicename = repo.example.ac.uk
        pushto = loglines
        [worker_pirus2]
        listento = pirus2
        repository_plugin = {PLUGIN}
        dry_run = true
    """))
    return path


def status(capsys, cfg, *more):
    code = main(["--config", str(cfg), "status", *more])
    assert code == 0
    return capsys.readouterr().out


def test_rates_over_the_last_minute(capsys, cfg, store):
    now = time.time()
    # 600 lines and 300 deliveries, spread over the last minute's buckets.
    counters = CounterStore(store.client, store.keyspace)
    for back in range(0, 60, 10):
        counters.add_counts("logger_watch", {"lines": 100})  # the current bucket...
        pipe = store.client.pipeline()
        rates.add_to_buckets(pipe, store.keyspace, "worker_pirus2", {"delivered": 50},
                             now=now - back)  # ...and written for known times
        pipe.execute()
    report = json.loads(status(capsys, cfg, "--json"))
    # Divided by 60 to 70 seconds (the current bucket is partial).
    assert 600 / 70 <= report["rates"]["lines_in_per_s"] <= 600 / 60
    assert 300 / 70 <= report["rates"]["events_out_per_s"] <= 300 / 60
    assert report["counts"]["logger_watch"] == {"lines": 600}


def test_oldest_age_per_queue(capsys, cfg, store):
    q = store.queue("loglines")
    q.push([b"a", b"b"])
    q.push([b"c"])  # within a second of the first: not noted (throttled)
    now_ms = store.now_ms()
    key = store.keyspace.id_times
    # Date the first push 90 s back, as if it had been pushed then.
    [(member, first_id)] = store.client.zrange(key, 0, -1, withscores=True)
    store.client.zrem(key, member)
    store.client.zadd(key, {str(now_ms - 90_000): first_id})
    report = json.loads(status(capsys, cfg, "--json"))
    queues = {q["name"]: q for q in report["queues"]}
    assert 90 <= queues["loglines"]["oldest_age_s"] < 100
    assert queues["pirus2"]["oldest_age_s"] is None  # empty
    q.fetch("c", 3)
    queues = {q["name"]: q for q in json.loads(status(capsys, cfg, "--json"))["queues"]}
    assert queues["loglines"]["oldest_age_s"] is None


def test_a_fresh_push_is_young(store):
    q = store.queue("pirus2")
    q.push([b"x"] * 5)
    got = ages.oldest_ages(store.client, store.keyspace, ["pirus2"], store.now_ms())
    assert 0 <= got["pirus2"] < 5


def test_lag_of_a_file_written_but_not_yet_read(capsys, cfg, store, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "access.log"
    log.write_bytes(b"x" * 100 + b"\n")
    tailer = GlobTailer(str(logs / "access*.log"), tmp_path / "state", start_at="beginning")
    publisher = LagPublisher(store, "logger_watch", tailer)
    publisher.maybe_publish(force=True)
    report = json.loads(status(capsys, cfg, "--json"))
    assert report["files"] == [{"section": "logger_watch", "path": str(log), "lag_bytes": 101}]
    batch = tailer.read()
    tailer.commit(batch)
    with log.open("ab") as f:
        f.write(b"y" * 9 + b"\n")
    publisher.maybe_publish(force=True)
    [entry] = json.loads(status(capsys, cfg, "--json"))["files"]
    assert entry["lag_bytes"] == 10
    assert "10 bytes not yet read" in status(capsys, cfg)
    tailer.close()


def test_watch_draws_and_stops(cfg, store):
    from loglines.cli.context import Context
    from loglines.cli.main import parser
    from loglines.cli.status import collect

    store.queue("pirus2").push([b"a"])
    args = parser().parse_args(["--config", str(cfg), "status", "--watch"])
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    ctx = Context(args)
    assert watch(lambda: collect(ctx), iterations=2, console=console, sleep=lambda _: None) == 0
    out = screen.getvalue()
    assert "pirus2" in out and "lines/s" in out and "oldest" in out


def test_watch_writes_a_line_per_interval_into_a_pipe(cfg, store):
    store.queue("pirus2").push([b"a", b"b"])
    done = subprocess.run([sys.executable, "-m", "loglines", "--config", str(cfg), "status",
                           "--watch", "--watch-count", "3"], capture_output=True, text=True,
                          timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    assert all("pirus2=2/0/0/0" in line and "lines/s" in line for line in lines)
