"""Figure 9: events/s the stats worker's ingest stores, into SQLite and a
real PostgreSQL, against one INSERT and commit per event (the baseline),
on a fresh migrated database each run.

The records are what pirus2 hands the stats worker: event lines of the
workload evaluated by the eprints plugin (every one a download by its own
client, 2,000 items), stored in batches of the stats worker's default
``batch_size``.
"""

from __future__ import annotations

import contextlib
import time

from bench import workload
from loglines.config import PluginConfigView
from loglines.stats.builtin import BUILTIN
from loglines.stats.ingest import Ingest
from loglines.store.engine import open_engine, writing
from loglines.store.migrate import upgrade
from loglines.store.schema import hits
from loglines.usage import plugin as plugins
from loglines.usage.item import evaluate
from loglines.usage.record import stats_record

BATCH = 20_000  # the stats worker's batch_size


def records(inst, count: int, start: int = 0) -> list[dict]:
    """``count`` stats records of distinct event lines, as pirus2 makes them."""
    config = inst.config
    plugin = plugins.load(config, "worker_parse", "eprints")
    view = PluginConfigView(config.raw)
    out = []
    for n in range(start, start + count):
        result = evaluate(plugin, view, "worker_parse",
                          workload.message(workload.event_line(n)).encode())
        out.append(stats_record(result.fields, result.parsed, result.params))
    return out


@contextlib.contextmanager
def database(make_url):
    """A fresh migrated store from ``make_url()``; its engine."""
    url, drop = make_url()
    engine = open_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop()


def store_eps(make_url, recs: list[dict]) -> float:
    with database(make_url) as engine:
        ingest = Ingest(list(BUILTIN.values()))
        start = time.perf_counter()
        for at in range(0, len(recs), BATCH):
            with writing(engine) as conn:
                ingest.apply(conn, recs[at:at + BATCH])
        return len(recs) / (time.perf_counter() - start)


def baseline_eps(make_url, recs: list[dict]) -> float:
    """One INSERT of the line and one commit per event, nothing counted."""
    with database(make_url) as engine:
        rows = [{"key": bytes.fromhex(r["k"]), "service": r["s"], "t": r["t"], "item": r["i"],
                 "kind": 2, "target": r["u"], "client": r["c"], "counted": True} for r in recs]
        start = time.perf_counter()
        for row in rows:
            with engine.begin() as conn:
                conn.execute(hits.insert(), row)
        return len(rows) / (time.perf_counter() - start)


def sqlite_urls(folder):
    runs = iter(range(1_000_000))

    def make():
        path = folder / f"store-{next(runs)}.sqlite3"
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in
                                             folder.glob(f"{path.name}*")]
    return make


def postgres_urls(server):
    def make():
        name = server.create_database()
        return server.url(name), lambda: server.drop_database(name)
    return make
