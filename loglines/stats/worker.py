"""The stats worker's step: a batch of records from pirus2's stats_queue,
stored with every statistic in one transaction, then acknowledged.

A record that cannot be read is dead-lettered with the reason. While the
store cannot be written (PostgreSQL down, SQLite busy for long) the batch
is held and tried again with one warning: the queue keeps the rest, so
nothing is missing once the store is back.
"""

import json
import re

from sqlalchemy.exc import InterfaceError, OperationalError

from ..errors import BadItem, StoreUnavailable
from ..queue import Failure
from ..runtime.retrying import until_done
from ..store.engine import reason, writing
from .ingest import Ingest

RETRY_EVERY = 5.0
# Every record field the ingest reads, with its type: a record from another
# version or a hand-pushed item is refused whole, not half stored.
_REQUIRED = {"k": str, "s": str, "t": int}
_KEY = re.compile(r"[0-9a-f]{32}\Z")


class BadRecord(BadItem):
    """A stats queue item that is not a record: dead-lettered."""


def decode(payload):
    """A record from a queue payload, or BadRecord saying why not."""
    try:
        # The standard library's decoder: a record is read per line, and it
        # takes half simplejson's time on these small flat objects.
        record = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRecord(f"not a stats record (not JSON: {err})") from None
    if not isinstance(record, dict):
        raise BadRecord("not a stats record (not an object)")
    for key, kind in _REQUIRED.items():
        if not isinstance(record.get(key), kind):
            raise BadRecord(f"not a stats record ({key!r} missing or not {kind.__name__})")
    if not _KEY.match(record["k"]):
        raise BadRecord("not a stats record ('k' is not a 32-digit hex key)")
    return record


class StatsWorker:
    def __init__(self, ctx, engine, statistics):
        self.ctx = ctx
        self.engine = engine
        self.queue = ctx.queue(ctx.section.options.listento)
        self.ingest = Ingest(statistics)

    def handle(self, items):
        records, ids, failures = [], [], []
        for item in items:
            try:
                records.append(decode(item.payload))
                ids.append(item.id)
            except BadRecord as err:
                failures.append(Failure(item, str(err), permanent=True))
        if failures:
            self.ctx.call(self.queue.fail, self.ctx.consumer_id, failures)
            self.ctx.counters.add("rejected_records", len(failures))
        if not records:
            return
        applied = []

        def store():
            with writing(self.engine) as conn:
                applied.append(self.ingest.apply(conn, records))

        if not until_done(self.ctx, store, (OperationalError, InterfaceError, StoreUnavailable),
                          RETRY_EVERY,
                          lambda err: f"the store cannot be written "
                                     f"({reason(err, self.engine.url)})",
                          lambda s: f"the store is written again after {s:.0f} s"):
            self.ctx.call(self.queue.release, self.ctx.consumer_id, ids)
            return
        # Only now: the transaction that stored them has committed.
        self.ctx.call(self.queue.ack, self.ctx.consumer_id, ids)
        done = applied[-1]
        c = self.ctx.counters
        c.add("stored_lines", done.lines)
        c.add("repeated_lines", done.repeats)
        c.add("stored_events", done.events)
        c.add("double_clicks", done.events - done.counted + done.stopped)

