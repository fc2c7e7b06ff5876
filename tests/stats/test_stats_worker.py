"""pirus2 (dry run) hands its records to the stats worker, which stores
them: figures exact on both databases, once per line however often the
line comes, and nothing missing after the store was down."""

import json
import logging
import textwrap
from pathlib import Path

from sqlalchemy import select

from loglines import message
from loglines.config import load
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from loglines.store.schema import stat_counts
from tests.stats.records import T0, event
from tests.support.postgres import PostgresServer
from tests.support.queues import drain
from tests.support.waiting import wait_for
from tests.workers.conftest import Background, run_worker, worker_context

EPRINTS = Path(__file__).resolve().parents[2] / "plugins" / "eprints.py"
UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


def line(ip, when, path, status=200, agent=UA):
    return (f'{ip} - - [{when} +0000] "GET {path} HTTP/1.1" {status} 5120 "-" "{agent}"')


LINES = [
    line("192.0.2.1", "01/Dec/2025:10:00:00", "/id/eprint/7/1/paper.pdf"),
    line("192.0.2.1", "01/Dec/2025:10:00:20", "/id/eprint/7/1/paper.pdf"),  # double click
    line("192.0.2.1", "01/Dec/2025:10:01:00", "/id/eprint/7/"),  # the abstract
    line("198.51.100.4", "01/Dec/2025:11:00:00", "/id/eprint/7/1/paper.pdf"),
    line("198.51.100.4", "02/Dec/2025:09:00:00", "/id/eprint/8/1/other.pdf"),
    line("192.0.2.5", "01/Dec/2025:10:00:00", "/id/eprint/7/1/paper.pdf", agent="Googlebot/2.1"),
    line("192.0.2.5", "01/Dec/2025:10:00:00", "/style/main.css"),
    line("192.0.2.5", "01/Dec/2025:10:00:00", "/id/eprint/7/1/paper.pdf", status=206),
]


def write_config(tmp_path, redis_server, prefix, store_url):
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        block_timeout = 0.2
        [redis]
        port = {redis_server.port}
        [store]
        url = {store_url}
        [worker_pirus2]
        listento = pirus2
        repository_plugin = {EPRINTS}
        dry_run = true
        dry_run_file = var/dry_run.log
        stats_queue = stats
        base_url = https://repo.example.ac.uk
        oai_prefix = repo.example.ac.uk
        [worker_stats]
        kind = stats
        listento = stats
        flush_interval = 0.05
    """))
    return load(cfg)


def push(config, lines):
    queue = worker_context(config, "worker_pirus2").queue("pirus2")
    queue.push([message.encode("repo.example.ac.uk", text) for text in lines])


def figures(store_url):
    engine = open_engine(store_url)
    try:
        with engine.connect() as conn:
            return {(r.stat, r.bucket, r.key, r.field): r.value
                    for r in conn.execute(select(stat_counts)) if r.value}
    finally:
        engine.dispose()


ITEM = "oai:repo.example.ac.uk:7"


def test_pirus2_records_become_exact_figures_once(tmp_path, redis_server, prefix,
                                                  store_engine, store_url):
    config = write_config(tmp_path, redis_server, prefix, store_url)
    push(config, LINES)
    run_worker(config, "worker_pirus2")
    stats_queue = worker_context(config, "worker_stats").queue("stats")
    assert stats_queue.stats().ready == 1  # one item for pirus2's batch, not one per line
    run_worker(config, "worker_stats")
    got = figures(store_url)
    day = {f: v for (s, b, k, f), v in got.items()
           if (s, b, k) == ("item_metrics_daily", "2025-12-01", ITEM)}
    assert day == {"Total_Item_Requests": 2, "Unique_Item_Requests": 2,
                   "Total_Item_Investigations": 3, "Unique_Item_Investigations": 2}
    assert got["item_metrics_monthly", "2025-12", "oai:repo.example.ac.uk:8",
               "Total_Item_Requests"] == 1
    assert got["platform_monthly", "2025-12", "repo.example.ac.uk", "Total_Item_Requests"] == 3
    assert got["excluded_daily", "2025-12-01", "robot", "lines"] == 1
    assert got["excluded_daily", "2025-12-01", "status_206", "lines"] == 1
    assert got["excluded_daily", "2025-12-01", "not_an_item_url", "lines"] == 1
    # The same lines again (a replay): the tracker would see them twice,
    # the statistics do not move.
    push(config, LINES)
    run_worker(config, "worker_pirus2")
    run_worker(config, "worker_stats")
    assert figures(store_url) == got
    assert len((tmp_path / "var/dry_run.log").read_text().splitlines()) == 10
    assert drain(worker_context(config, "worker_stats").queue("stats")) == []


def test_records_wait_in_the_queue_while_postgresql_is_down(tmp_path, redis_server, prefix,
                                                             caplog):
    server = PostgresServer(durable=True).start()
    try:
        url = server.url(server.create_database())
        engine = open_engine(url)
        upgrade(engine)
        engine.dispose()
        config = write_config(tmp_path, redis_server, prefix, url)
        push(config, LINES[:1])
        run_worker(config, "worker_pirus2")
        caplog.set_level(logging.INFO)
        with Background(config, "worker_stats"):
            assert wait_for(lambda: figures(url), timeout=20)
            server.kill()
            push(config, LINES[3:5])
            run_worker(config, "worker_pirus2")
            assert wait_for(lambda: "the store cannot be written" in caplog.text, timeout=30)
            server.restart()
            assert wait_for(lambda: len([k for k in figures(url) if k[3] ==
                                         "Total_Item_Requests" and k[0] ==
                                         "item_metrics_daily"]) == 2, timeout=30)
        got = figures(url)
        assert got["platform_monthly", "2025-12", "repo.example.ac.uk", "Total_Item_Requests"] == 3
        assert "the store is written again" in caplog.text
        assert server.password not in caplog.text
    finally:
        server.stop()


def test_an_item_that_is_not_records_is_dead_lettered_whole_and_the_rest_stored(
        tmp_path, redis_server, prefix, store_engine, store_url):
    """A bundle with one bad record is refused whole (its dead letter can be
    replayed as it is once fixed); the other items are stored."""
    config = write_config(tmp_path, redis_server, prefix, store_url)
    ctx = worker_context(config, "worker_stats")
    queue = ctx.queue("stats")
    good = [event(T0 + 10, "oai:repo:1"), event(T0 + 20, "oai:repo:2", client="192.0.2.7")]
    broken = [event(T0 + 30, "oai:repo:3"), {"k": "not hex", "s": "repo", "t": 1}]
    queue.push([json.dumps(good), json.dumps(good[0]), json.dumps(broken), b"{not json",
                json.dumps([good[1], "a string"])])
    run_worker(config, "worker_stats")
    got = figures(store_url)
    assert got["platform_monthly", "2025-12", "repo", "Total_Item_Requests"] == 2
    assert ("item_metrics_daily", "2025-12-01", "oai:repo:3", "Total_Item_Requests") not in got
    dead = {d.payload: d.error for d in queue.dead_items()}
    assert len(dead) == 3
    assert "record 2 of 2: not a stats record ('k' is not a 32-digit hex key)" in dead[
        json.dumps(broken).encode()]
    assert "not JSON" in dead[b"{not json"]
    assert "record 2 of 2: not a stats record (not an object)" in dead[
        json.dumps([good[1], "a string"]).encode()]
    # The records each held: two, one (not JSON: counted as one), one (a string is none).
    assert ctx.store.counts("worker_stats")["rejected_records"] == 4
    assert queue.stats().ready == 0
