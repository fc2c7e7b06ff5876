"""Figure 10: log records. Records/s from POST to stored (NDJSON bodies of
100 records into httpingest, the records worker storing them into SQLite)
against one INSERT and commit per record in the same run; then, on one
million stored records, milliseconds at p50/p99 of ``HEAD /api/v1/record``
(the count) and of a filtered range, over HTTP from the real API service,
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from importlib import import_module

from sqlalchemy import func, select

from loglines.api.app import create_app
from loglines.api.server import ApiServer
from loglines.config import load
from loglines.records import item
from loglines.runtime.context import WorkerContext
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from loglines.store.schema import records

PER_POST = 100
MILLION = 1_000_000
START_MS = 1764547200000  # 2025-12-01T00:00:00Z
RANGE = "/api/v1/record?level=WARNING&name=bench.a&left=0&right=100"
REQUESTS = 50


def _config(home, redis, http_port, store_url):
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "loglines.cfg"
    cfg.write_text(textwrap.dedent(f"""
        [queues]
        prefix = benchrec
        [redis]
        port = {redis.server.port}
        [store]
        url = {store_url}
        [logger_http]
        kind = httpingest
        port = {http_port}
        servicename = bench
        pushto = http
        records_queue = records
        password = bench
        [worker_records]
        kind = records
        listento = records
    """))
    return load(cfg)


def _thread(config, section):
    ctx = WorkerContext(config, config.programs[section])
    module = import_module(f"loglines.workers.{ctx.section.kind}")
    thread = threading.Thread(target=module.run, args=(ctx,), daemon=True)
    thread.start()
    return ctx, thread


def _bodies(total):
    lines = [json.dumps({"name": "bench.app", "levelno": 30, "msg": "request %s took %d ms",
                         "args": [f"/items/{n}", n % 500], "created": 1764547200 + n / 1000,
                         "lineno": 10, "status": 200 + n % 7}) for n in range(total)]
    return ["\n".join(lines[at:at + PER_POST]).encode() for at in range(0, total, PER_POST)]


def post_to_stored(home, redis, total):
    """Records/s from the first POST until the last record is stored."""
    from tests.support.redis_server import free_port

    redis.client.flushall()
    port = free_port()
    path = home / "store.sqlite3"
    for old in home.glob("store.sqlite3*"):
        old.unlink()
    config = _config(home, redis, port, f"sqlite:///{path}")
    engine = open_engine(config.store.url)
    upgrade(engine)
    bodies = _bodies(total)
    # The records worker in a process of its own, as supervisord runs it: in
    # a thread it would share this process' GIL with the endpoint and client.
    worker = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(config.path),
                               "worker", "worker_records"], cwd=home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = [_thread(config, "logger_http")]
    try:
        _wait_listening(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        auth = {"Authorization": "Basic bG9nbGluZXM6YmVuY2g=",  # loglines:bench
                "Content-Type": "application/x-ndjson"}
        start = time.perf_counter()
        for body in bodies:
            conn.request("POST", "/api/v1/record", body=body, headers=auth)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"ingest answered {response.status}")
        conn.close()
        while _count(engine) < total:
            time.sleep(0.01)
        return total / (time.perf_counter() - start)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        for ctx, thread in running:
            ctx.stop.set()
            thread.join(timeout=30)
            ctx.close()
        engine.dispose()


def insert_each(home, total):
    """The baseline: the same records, one INSERT and one commit each."""
    path = home / "baseline.sqlite3"
    for old in home.glob("baseline.sqlite3*"):
        old.unlink()
    engine = open_engine(f"sqlite:///{path}")
    upgrade(engine)
    rows = [item.build(json.loads(line), "m", 0) for body in _bodies(total)
            for line in body.split(b"\n")]
    start = time.perf_counter()
    for row in rows:
        with engine.begin() as conn:
            conn.execute(records.insert(), row)
    took = time.perf_counter() - start
    engine.dispose()
    return total / took


def _count(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(records))


def _wait_listening(port):
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("httpingest did not listen")


def fill_million(engine):
    """A million records in one INSERT ... SELECT: a second apart, five
    levels, two loggers."""
    columns = "INSERT INTO records (id, t_ms, name, level, message, logrec) "
    if engine.dialect.name == "sqlite":
        sql = (f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
               f"WHERE i < {MILLION - 1}) {columns}"
               f"SELECT printf('%032x', i), {START_MS} + i * 1000, "
               "CASE i % 2 WHEN 0 THEN 'bench.a' ELSE 'bench.b' END, 10 + (i % 5) * 10, "
               "'message ' || i, '{\"data\":{},\"meta\":{}}' FROM s")
    else:
        sql = (f"{columns}SELECT lpad(to_hex(i), 32, '0'), {START_MS} + i::bigint * 1000, "
               "CASE mod(i, 2) WHEN 0 THEN 'bench.a' ELSE 'bench.b' END, 10 + mod(i, 5) * 10, "
               "'message ' || i, '{\"data\":{},\"meta\":{}}'::jsonb "
               f"FROM generate_series(0, {MILLION - 1}) i")
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE records")


def _times(url, method, path, n):
    host, port = url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request(method, path)
        response = conn.getresponse()
        response.read()
        out.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status}")
    conn.close()
    return out


def percentiles(values):
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.99 * len(values)))]


def million_reads(url):
    """(count p50, p99), (range p50, p99) in ms over HTTP on ``url``'s store."""
    engine = open_engine(url)
    try:
        upgrade(engine)
        fill_million(engine)
        with ApiServer(create_app(engine, [])) as api:
            count = percentiles(_times(api.url, "HEAD", "/api/v1/record", REQUESTS))
            ranged = percentiles(_times(api.url, "GET", RANGE, REQUESTS))
        return count, ranged
    finally:
        engine.dispose()
