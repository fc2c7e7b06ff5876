"""The dashboard in a real browser: Debian's chromium, headless, driven
through its chromedriver by Selenium (tests/support/browser.py); one
browser per test module.

``served`` starts the api worker (tests/api/conftest.py's Api, over real
sockets) on a SQLite store filled with the months of ``RECORDS``, with a
password, a pirus2 target whose queue and counters are set in the real
Redis; ``browser.open(url)`` loads a page with the credentials in the URL,
as a person who typed them into the browser's prompt.
"""

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from loglines.config.model import QueueSettings
from loglines.metrics.counter_store import CounterStore
from loglines.metrics.observed import observed_store
from loglines.queue import Failure
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from tests.api.conftest import (
    PASSWORD,
    USER,
    Api,
    api,  # noqa: F401  (the fixture, for the plain HTTP tests here)
    fill,
    write_config,
)
from tests.stats.records import event, excluded
from tests.support.browser import Browser, find_chromium


def at(text):
    """Seconds since the epoch of 'YYYY-MM-DD HH:MM' (UTC)."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
               .timestamp())


# Three months with use and one without (February) between them, each
# month's lines within its first hour, so the gap report is two stretches.
# December: item 7 downloaded by three users, 8 by one, 9 looked at; two
# robots and a 404 excluded. January: 8 by two users, and an item whose key
# is markup (it must show as text). March: 9 downloaded once.
MARKUP = 'oai:repo:<img src="x" onerror="document.title=1">'
RECORDS = [
    event(at("2025-12-01 00:01"), "oai:repo:7", client="192.0.2.1"),
    event(at("2025-12-01 00:02"), "oai:repo:7", client="192.0.2.2"),
    event(at("2025-12-01 00:03"), "oai:repo:7", client="192.0.2.3"),
    event(at("2025-12-01 00:04"), "oai:repo:8", client="192.0.2.1"),
    event(at("2025-12-01 00:05"), "oai:repo:9", client="192.0.2.1", kind="I"),
    excluded(at("2025-12-01 00:06"), "robot"),
    excluded(at("2025-12-01 00:07"), "robot"),
    excluded(at("2025-12-01 00:08"), "status_404"),
    event(at("2026-01-01 00:01"), "oai:repo:8", client="192.0.2.1"),
    event(at("2026-01-01 00:02"), "oai:repo:8", client="192.0.2.2"),
    event(at("2026-01-01 00:03"), MARKUP, client="192.0.2.2"),
    excluded(at("2026-01-01 00:04"), "robot"),
    event(at("2026-03-01 00:01"), "oai:repo:9", client="192.0.2.4"),
]
MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03"]
REQUESTS = [4, 3, 0, 1]
INVESTIGATIONS = [5, 3, 0, 1]  # every Request is an Investigation too

TARGET = """
    [worker_pirus2]
    listento = pirus2
    repository_plugin = eprints
    endpoint_url = https://irus.example.org/counter/test/
    [worker_dry]
    listento = dry
    repository_plugin = eprints
    endpoint_url = https://irus.example.org/counter/test/
    dry_run = true
"""
SECURED = f"username = {USER}\npassword = ${{API_TEST_PASSWORD}}"


class Reader(Browser):
    """A browser whose person knows the API's user and password."""

    def open(self, url, user=USER, password=PASSWORD, path="/"):
        super().open(url, user, password, path)


def chromium():
    """Debian's chromium and chromedriver; CI must have them (.ci/run
    installs them), elsewhere the browser tests skip without."""
    found = find_chromium()
    if found is None:
        message = "no chromium and chromedriver: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Reader(tmp_path_factory.mktemp("chromium-profile"), *chromium())
    yield b
    b.close()


@dataclass
class Served:
    api: Api
    url: str
    store_url: str


def set_delivery(store):
    """The pirus2 target: 40 delivered, 5 pushed of which one dead and one
    held (so 4 waiting); the one in dry run: 7 URLs written."""
    q = store.queue("pirus2")
    q.push([b"1", b"2", b"3", b"4", b"5"])
    dead, _ = q.fetch("host:1:abcd", 2).items
    q.fail("host:1:abcd", [Failure(dead, "400 Bad Request", permanent=True)])
    CounterStore(store.client, store.keyspace).add_counts("worker_pirus2", {"delivered": 40})
    CounterStore(store.client, store.keyspace).add_counts("worker_dry", {"delivered": 7})


@pytest.fixture(scope="module")
def served(tmp_path_factory, redis_server):
    """The api worker over a store of RECORDS, with the password and the target."""
    folder = tmp_path_factory.mktemp("dashboard")
    prefix = "t" + uuid.uuid4().hex[:12]
    url = f"sqlite:///{folder / 'store' / 'loglines.sqlite3'}"
    engine = open_engine(url)
    upgrade(engine)
    fill(engine, RECORDS)
    client = redis_server.client()
    queues = QueueSettings(prefix=prefix)
    set_delivery(observed_store(client, prefix, lambda name: queues.policy(name, {})))
    config = write_config(folder, redis_server.port, prefix, url, api=SECURED, extra=TARGET)
    with Api(config) as running:
        yield Served(running, running.url, url)
    engine.dispose()
    keys = list(client.scan_iter(match="{" + prefix + "}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
