"""Records built as the ingest endpoint builds them, stored straight into
the store: five around the change to summer time in Europe/London (01:00
UTC on 30 March 2025)."""

import logging
from datetime import datetime

from loglines.records import item, store
from loglines.store.engine import writing


def ms(text):
    return round(datetime.fromisoformat(text).timestamp() * 1000)


def built(when, name, level, message, data=None, **meta):
    fields = {"name": name, "levelno": level, "created": ms(when) / 1000, **meta,
              **(data or {})}
    record = item.build({k: v for k, v in fields.items()}, message, 0)
    # data and meta split as the ingest does: meta keys are LogRecord's own.
    assert record["logrec"]["data"] == (data or {})
    return record


FIVE = [
    built("2025-03-29T23:30:00+00:00", "app", logging.INFO, "one", {"status": 200},
          lineno=10, threadName="MainThread"),
    built("2025-03-30T00:30:00+00:00", "app.db", logging.WARNING, "two", {"status": 206},
          lineno=25, threadName="Worker-1"),
    built("2025-03-30T01:30:00+00:00", "app.db.pool", logging.ERROR, "three", {"status": "206"},
          lineno=30, threadName="MainThread"),
    built("2025-03-30T22:30:00+00:00", "other", logging.CRITICAL, "four", {"flag": True},
          lineno=5),
    built("2025-03-30T23:30:00+00:00", "application", logging.DEBUG, "five", {},
          lineno=50, threadName="MainThread"),
]


def keep(engine, records=FIVE):
    with writing(engine) as conn:
        return store.keep(conn, records)
