"""Two months of a small repository, hand-built, and the api worker over
them (``tests/api/conftest.py``'s, on SQLite and PostgreSQL).

November 2025 is complete: a robot's line in every hour, so that no hour
is without a stored line, and these events:

- item 7: user A downloads it and opens its page in the same hour (two
  investigations, one request, each unique once); user B opens its page
  on another day (one more investigation, unique);
- item 8: user A downloads it twice within 30 s (a double click: one),
  user C downloads it in another hour.

So item 7 has 3, 2, 1, 1 and item 8 has 2, 2, 2, 2 (Total and Unique
Item Investigations, Total and Unique Item Requests); the platform 5, 4,
3, 3. December 2025 has item 7 downloaded once by A, and five hours with
no line at all: a partial month (3040). Nothing is stored before
November (3032) or after December (3031).
"""

from datetime import datetime, timezone

import pytest

from tests.api.conftest import fill
from tests.stats.records import event, excluded

from . import spec

NOV = int(datetime(2025, 11, 1, tzinfo=timezone.utc).timestamp())
DEC = int(datetime(2025, 12, 1, tzinfo=timezone.utc).timestamp())
JAN = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
HOUR, DAY = 3600, 86400
A, B, C = "192.0.2.1", "198.51.100.4", "203.0.113.7"
ITEM7, ITEM8 = "oai:repo:7", "oai:repo:8"
MISSING = {DEC + 10 * DAY + h * HOUR for h in range(5)}  # five hours of 11 December

EVENTS = [
    event(NOV + 2 * DAY + 10 * HOUR + 100, ITEM7, client=A),
    event(NOV + 2 * DAY + 10 * HOUR + 160, ITEM7, kind="I", client=A),
    event(NOV + 5 * DAY + 9 * HOUR, ITEM7, kind="I", client=B),
    event(NOV + 7 * DAY + 14 * HOUR + 5, ITEM8, client=A),
    event(NOV + 7 * DAY + 14 * HOUR + 15, ITEM8, client=A),
    event(NOV + 20 * DAY + 3 * HOUR, ITEM8, client=C),
    event(DEC + 3 * DAY + 12 * HOUR, ITEM7, client=A),
]
ROBOTS = [excluded(t + 1800, "robot") for t in range(NOV, JAN, HOUR) if t not in MISSING]


@pytest.fixture
def sushi(api, store_engine):
    """``sushi(api=...)``: the worker over the two months, with extra keys
    for its section; answers are ``.get(path)`` as in tests/api."""

    def start(api_keys=""):
        fill(store_engine, EVENTS + ROBOTS)
        return api(api=api_keys, filled=False)

    return start


def checked(a, path, status=200, query="", headers=None):
    """GET ``path?query``, assert its status, and hold its JSON to the
    spec's schema for that path and status; the JSON."""
    got = a.get(f"{path}?{query}" if query else path, headers)
    assert got.status == status, (got.status, got.text[:500])
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    spec.check(path, status, body)
    return body
