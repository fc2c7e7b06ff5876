"""The dashboard's load time on a year of data for 10,000 items.

    .venv/bin/python bench/dashboard.py [--items N] [--events N] [--store sqlite|postgresql]
                                        [--loads N] [--screenshot PNG]

Fills a fresh store through the stats ingest (as the stats worker does)
with a year of usage: ``--events`` downloads and abstract views of
``--items`` items, their popularity skewed as a repository's is (a few
items most used), excluded lines besides (robots, 404s, HEAD), and three
days in June with no line at all (the gap report has one to show). Then
serves it with the API, password set, over a Redis holding a delivery
state, and loads the page in headless Chromium (Debian's, through its
chromedriver) ``--loads`` times, after one load that is not counted.

Prints, per load, the time from navigation to every panel drawn (the
page's own ``loglines-ready`` mark, on the browser's clock) and the same
seen from outside (driver included); the median and worst; the time to
redraw the tables for another month; and each API request the page made.
Nothing is asserted; the issue's target (under a second) is printed
beside the figures. Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.servers import BenchRedis  # noqa: E402
from loglines.api.app import create_app  # noqa: E402
from loglines.api.server import ApiServer  # noqa: E402
from loglines.config.model import QueueSettings  # noqa: E402
from loglines.metrics.counter_store import CounterStore  # noqa: E402
from loglines.metrics.observed import observed_store  # noqa: E402
from loglines.queue import Failure  # noqa: E402
from loglines.stats.builtin import BUILTIN  # noqa: E402
from loglines.stats.ingest import Ingest  # noqa: E402
from loglines.store.engine import open_engine, writing  # noqa: E402
from loglines.store.migrate import upgrade  # noqa: E402
from tests.support.browser import Browser, find_chromium  # noqa: E402
from tests.support.waiting import wait_for  # noqa: E402

YEAR = int(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp())
DAYS = 365
GAP = (int(datetime(2025, 6, 10, tzinfo=timezone.utc).timestamp()), 3 * 86400)
BATCH = 20_000  # the stats worker's batch_size
EXCLUDED_SHARE = 0.2
SAME_VISIT = 0.3  # events that are the previous user's next look at the same item
REASONS = (("robot", 0.7), ("status_404", 0.2), ("method_HEAD", 0.1))
USER, PASSWORD = "loglines", "bench-dashboard-password"
TARGETS = [("worker_pirus2", "irus", "pirus2", False),
           ("worker_openaire", "matomo", "openaire", False)]
READY = 'return performance.getEntriesByName("loglines-ready").map((e) => e.startTime)'
RESOURCES = """return performance.getEntriesByType("resource")
    .map((e) => [new URL(e.name).pathname + new URL(e.name).search, e.duration]);"""


def in_year(t):
    """Whether ``t`` is in the year and not in its gap."""
    return YEAR <= t < YEAR + DAYS * 86400 and not GAP[0] <= t < GAP[0] + GAP[1]


def when(rng):
    """A second of the year, never inside the gap."""
    while True:
        t = YEAR + rng.randrange(DAYS * 86400)
        if in_year(t):
            return t


def records(items: int, events: int, seed=1):
    """The year's stats records, in time order, as pirus2 hands them on."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(items)]  # Zipf-like popularity
    chosen = rng.choices(range(1, items + 1), weights=weights, k=events)
    out = []
    t = client = None
    for n, item in enumerate(chosen):
        kind = "R" if rng.random() < 0.7 else "I"
        url = f"/{item}/1/paper_{item}.pdf" if kind == "R" else f"/{item}/"
        later = t + rng.randrange(60, 600) if n else None
        if n and rng.random() < SAME_VISIT and in_year(later):
            # The previous user again, minutes later, on the same item.
            item, t = chosen[n - 1], later
            chosen[n] = item
            url = f"/{item}/1/paper_{item}.pdf" if kind == "R" else f"/{item}/"
        else:
            t, client = when(rng), f"198.18.{rng.randrange(100)}.{rng.randrange(1, 250)}"
        out.append({"k": f"{n:032x}", "s": "repo.example.ac.uk", "t": t, "m": "GET",
                    "st": 200, "u": url, "a": "Mozilla/5.0", "c": client,
                    "i": f"oai:repo.example.ac.uk:{item}", "kd": kind})
    reasons, shares = zip(*REASONS, strict=True)
    for n in range(int(events * EXCLUDED_SHARE)):
        reason = rng.choices(reasons, shares)[0]
        record = {"k": f"{events + n:032x}", "s": "repo.example.ac.uk", "t": when(rng),
                  "r": reason}
        if not reason.startswith(("method_", "status_")):
            record.update(m="GET", st=200, u="/1/1/paper_1.pdf", a="Googlebot/2.1",
                          c="198.18.200.1")
        out.append(record)
    out.sort(key=lambda r: r["t"])
    return out


def fill(engine, found):
    ingest = Ingest(list(BUILTIN.values()))
    for start in range(0, len(found), BATCH):
        with writing(engine) as conn:
            ingest.apply(conn, found[start:start + BATCH])


def delivery_state(client, prefix):
    """IRUS: 412,000 delivered, 1,200 waiting, 3 dead; OpenAIRE all caught up."""
    queues = QueueSettings(prefix=prefix)
    store = observed_store(client, prefix, lambda name: queues.policy(name, {}))
    q = store.queue("pirus2")
    q.push([b"{}"] * 1200)
    for item in q.fetch("bench:1:0", 3).items:
        q.fail("bench:1:0", [Failure(item, "400 Bad Request", permanent=True)])
    counts = CounterStore(client, store.keyspace)
    counts.add_counts("worker_pirus2", {"delivered": 412_000})
    counts.add_counts("worker_openaire", {"delivered": 415_203})
    return store


@contextlib.contextmanager
def store_url(kind, folder):
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'loglines.sqlite3'}"
        return
    from tests.support.postgres import PostgresServer

    server = PostgresServer(durable=True).start()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()


def load(browser, url):
    """One page load: (ms on the page's clock, ms seen from outside)."""
    browser.driver.get("about:blank")
    started = time.perf_counter()
    browser.open(url, USER, PASSWORD)
    assert wait_for(lambda: browser.driver.execute_script(READY), timeout=60, interval=0.005)
    outside = (time.perf_counter() - started) * 1000
    return browser.driver.execute_script(READY)[0], outside


def other_month(browser):
    """ms from choosing another month to both tables redrawn."""
    from selenium.webdriver.support.ui import Select

    select = Select(browser.driver.find_element("id", "month"))
    started = time.perf_counter()
    select.select_by_index(len(select.options) // 2)
    assert wait_for(lambda: browser.driver.execute_script(
        "return document.body.dataset.state") == "ready", timeout=60, interval=0.005)
    return (time.perf_counter() - started) * 1000


def measure(args, url):
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no chromium and chromedriver: apt-get install chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="loglines-bench-chromium-") as profile:
        browser = Browser(profile, *chromium)
        try:
            load(browser, url)  # the first: chromium's own start, not counted
            loads = [load(browser, url) for _ in range(args.loads)]
            requests = browser.driver.execute_script(RESOURCES)
            month = [other_month(browser) for _ in range(3)]
            if args.screenshot:
                load(browser, url)
                browser.screenshot(args.screenshot)
        finally:
            browser.close()
    return loads, requests, month


def report(args, filled_s, rows, loads, requests, month):
    page = [p for p, _ in loads]
    outside = [o for _, o in loads]
    print(f"store: {args.store}, {args.items:,} items, {args.events:,} events and "
          f"{int(args.events * EXCLUDED_SHARE):,} excluded lines over {DAYS} days "
          f"({rows:,} counter rows), filled in {filled_s:.0f} s")
    print("page loads, ms to every panel drawn (page clock / from outside, driver included):")
    for n, (p, o) in enumerate(loads, 1):
        print(f"  {n}. {p:7.0f} / {o:7.0f}")
    print(f"dashboard load: median {statistics.median(page):.0f} ms, worst {max(page):.0f} ms "
          f"(from outside: median {statistics.median(outside):.0f}, worst {max(outside):.0f})"
          "  [target < 1000 ms]")
    print(f"another month: median {statistics.median(month):.0f} ms (both tables redrawn)")
    print("requests of the last load, ms:")
    for path, ms in requests:
        print(f"  {ms:7.1f}  {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, help="write a PNG of the last load here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="loglines-bench-dashboard-") as tmp, \
            store_url(args.store, Path(tmp)) as url, BenchRedis() as redis:
        engine = open_engine(url)
        try:
            upgrade(engine)
            started = time.perf_counter()
            fill(engine, records(args.items, args.events))
            filled_s = time.perf_counter() - started
            with engine.connect() as conn:
                rows = conn.exec_driver_sql("SELECT count(*) FROM stat_counts").scalar_one()
            queues = delivery_state(redis.client, "bench")
            app = create_app(engine, BUILTIN.values(), USER, PASSWORD, queues=queues,
                             targets=TARGETS)
            with ApiServer(app) as api:
                found = measure(args, api.url)
        finally:
            engine.dispose()
    report(args, filled_s, rows, *found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
