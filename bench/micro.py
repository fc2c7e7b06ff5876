"""Figures 1-4: ingest, queue, parse and delivery, each with its baseline.

Every worker runs in this process, on a real redis-server (AOF on) on a free
port, from a loglines.cfg written into a temporary instance folder; the
trackers run in processes of their own. Each function returns one rate.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from pathlib import Path

import requests

from bench import workload
from bench.delivery_client import PARAMS
from loglines.config import load
from loglines.inputs.files.watcher import Watcher
from loglines.outputs.pirus2 import Pirus2
from loglines.runtime.consumer_loop import consume
from loglines.runtime.context import WorkerContext
from loglines.usage import robots

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """
[queues]
prefix = bench
[redis]
host = 127.0.0.1
port = {redis_port}
[logger_logfilewatcher]
logfile = logs/access.log
servicename = {service}
pushto = loglines
start_at = beginning
# Figure 1 measures the tailer alone, with no consumer taking the lines.
readahead = 0
[worker_parse]
kind = pirus2
listento = parse
repository_plugin = eprints
base_url = https://{service}
oai_prefix = {service}
dry_run = true
dry_run_file = var/dry_run_urls.log
batch_size = 1000
[worker_deliver]
kind = pirus2
listento = deliver
repository_plugin = eprints
base_url = https://{service}
oai_prefix = {service}
endpoint_url = {url}
[worker_deliver50]
kind = pirus2
listento = deliver50
repository_plugin = eprints
base_url = https://{service}
oai_prefix = {service}
endpoint_url = {url50}
concurrency = 64
batch_size = 1000
[logger_syslog]
kind = syslogd
port = {syslog_port}
protocols = tcp
servicename = {service}
pushto = syslog
max_connections = 200
[logger_http]
kind = httpingest
port = {http_port}
servicename = {service}
pushto = http
password = bench
"""


class Instance:
    """A loglines instance folder whose workers run in this process."""

    def __init__(self, home: Path, redis, url: str, url50: str):
        self.home = home
        self.redis = redis
        (home / "plugins").mkdir(parents=True)
        (home / "logs").mkdir()
        shutil.copy(ROOT / "plugins/eprints.py", home / "plugins/eprints.py")
        cfg = home / "loglines.cfg"
        from tests.support.redis_server import free_port

        self.syslog_port, self.http_port = free_port(), free_port()
        cfg.write_text(CONFIG.format(redis_port=redis.server.port, service=workload.SERVICE,
                                     url=url, url50=url50, syslog_port=self.syslog_port,
                                     http_port=self.http_port))
        self.config = load(cfg)

    def context(self, section: str) -> WorkerContext:
        return WorkerContext(self.config, self.config.programs[section], burst=True)

    def fresh(self) -> None:
        self.redis.client.flushall()
        shutil.rmtree(self.home / "var", ignore_errors=True)


def _fill(ctx: WorkerContext, name: str, payloads) -> None:
    queue = ctx.queue(name)
    batch = []
    for payload in payloads:
        batch.append(payload)
        if len(batch) == 1000:
            queue.push(batch)
            batch = []
    if batch:
        queue.push(batch)


# 1. ingest ---------------------------------------------------------------

def ingest(inst: Instance, log: Path, lines: int) -> float:
    """The real logfilewatcher, in burst mode, from the first read to the last push."""
    inst.fresh()
    ctx = inst.context("logger_logfilewatcher")
    try:
        watcher = Watcher(ctx)
        watcher.start()
        ctx.start_heartbeat([watcher.queue.name])
        start = end = time.perf_counter()
        while watcher.step():  # the last step waits for data that never comes
            end = time.perf_counter()
        watcher.close()
        pushed = ctx.queue("loglines").stats().ready
    finally:
        ctx.close()
    if pushed != lines:
        raise RuntimeError(f"ingest: {pushed} of {lines} lines reached the queue")
    return lines / (end - start)


def ingest_baseline(inst: Instance, log: Path, lines: int) -> float:
    """The 2010 way: one LPUSH round trip per line."""
    inst.fresh()
    client = inst.redis.client
    start = time.perf_counter()
    with open(log, encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if n == lines:
                break
            client.lpush("bench:2010:loglines", json.dumps(
                {"service": workload.SERVICE, "logline": line.rstrip("\n")}))
    return lines / (time.perf_counter() - start)


# 2. queue ----------------------------------------------------------------

def queue(inst: Instance, items: int) -> float:
    """RedisQueue.fetch + ack, 1000 per batch, one consumer."""
    inst.fresh()
    ctx = inst.context("worker_parse")
    try:
        q = ctx.queue("q")
        payload = workload.message(workload.event_line(0))
        _fill(ctx, "q", (payload for _ in range(items)))
        done = 0
        start = time.perf_counter()
        while done < items:
            fetched = q.fetch(ctx.consumer_id, 1000)
            if not fetched.items:
                break
            done += q.ack(ctx.consumer_id, [item.id for item in fetched.items])
        elapsed = time.perf_counter() - start
    finally:
        ctx.close()
    if done != items:
        raise RuntimeError(f"queue: {done} of {items} items acknowledged")
    return items / elapsed


def queue_baseline(inst: Instance, items: int) -> float:
    """The 2010 reliable pop: RPOPLPUSH into a processing list, then LREM, per item."""
    inst.fresh()
    client = inst.redis.client
    payload = workload.message(workload.event_line(0))
    pipe = client.pipeline(transaction=False)
    for _ in range(items):
        pipe.lpush("bench:2010:q", payload)
    pipe.execute()
    start = time.perf_counter()
    for _ in range(items):
        value = client.rpoplpush("bench:2010:q", "bench:2010:processing")
        client.lrem("bench:2010:processing", 1, value)
    return items / (time.perf_counter() - start)


# 3. parse, 4. delivery: the pirus2 worker --------------------------------

def run_pirus2(inst: Instance, section: str, payloads) -> tuple[float, dict]:
    """Fill the section's queue, then time the pirus2 worker (burst) emptying it."""
    inst.fresh()
    ctx = inst.context(section)
    try:
        name = ctx.section.options.listento
        _fill(ctx, name, payloads)
        worker = Pirus2(ctx)
        ctx.start_heartbeat([name])
        start = time.perf_counter()
        try:
            consume(ctx, worker.queue, worker.handle, ctx.section.options.batch_size,
                    before_fetch=worker.room_downstream)
        finally:
            worker.client.close()
        elapsed = time.perf_counter() - start
        ctx.counters.flush()
        counts = ctx.store.counts(section)
    finally:
        ctx.close()
    return elapsed, counts


def parse(inst: Instance, lines: list) -> float:
    elapsed, counts = run_pirus2(inst, "worker_parse", map(workload.message, lines))
    if counts.get("fetched") != len(lines):
        raise RuntimeError(f"parse: counts {counts}")
    return len(lines) / elapsed


@contextlib.contextmanager
def uncached_robots():
    """RobotFilter without its per-user-agent LRU cache: every line runs the matcher
    (each pirus2 worker builds its plugin's settings, so its RobotFilter, anew)."""
    original = robots.RobotFilter.__init__

    def init(self, *args, **kw):
        original(self, *args, **kw)
        self.agent_reason = self._agent_reason

    robots.RobotFilter.__init__ = init
    try:
        yield
    finally:
        robots.RobotFilter.__init__ = original


def parse_baseline(inst: Instance, lines: list) -> float:
    with uncached_robots():
        return parse(inst, lines)


def deliver(inst: Instance, section: str, events: int) -> float:
    payloads = (workload.message(workload.event_line(n)) for n in range(events))
    elapsed, counts = run_pirus2(inst, section, payloads)
    if counts.get("delivered") != events:
        raise RuntimeError(f"{section}: counts {counts}")
    return events / elapsed


def deliver_baseline(url: str, events: int) -> float:
    """The 2010 way: one requests.get (a new connection) per event, in sequence."""
    start = time.perf_counter()
    ok = sum(requests.get(url, params=PARAMS, timeout=(10, 60)).status_code == 200
             for _ in range(events))
    elapsed = time.perf_counter() - start
    if ok != events:
        raise RuntimeError(f"requests.get: {ok} of {events} accepted")
    return events / elapsed
