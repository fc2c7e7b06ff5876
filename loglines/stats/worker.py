"""The stats worker's step: a batch of records from pirus2's stats_queue,
stored with every statistic in one transaction, then acknowledged.

A record that cannot be read is dead-lettered with the reason. While the
store cannot be written (PostgreSQL down, SQLite busy for long) the batch
is held and tried again with one warning: the queue keeps the rest, so
nothing is missing once the store is back.
"""

import re

from .. import json_codec
from ..errors import BadItem
from ..queue import Failure
from ..runtime.committing import commit_then_ack
from .ingest import Ingest

#: The most records a pirus2 bundle holds (its batch_size at most).
BUNDLE_MAX = 1000
# Every record field the ingest reads, with its type: a record from another
# version or a hand-pushed item is refused whole, not half stored.
_REQUIRED = {"k": str, "s": str, "t": int}
_KEY = re.compile(r"[0-9a-f]{32}\Z")


class BadRecord(BadItem):
    """A stats queue item that is not a record: dead-lettered."""


def decode(payload) -> list[dict]:
    """The records of a queue payload (pirus2's bundle, a JSON array, or one
    record), or BadRecord saying why not: a bundle is refused whole, so
    that its dead letter can be replayed as it is once the cause is fixed."""
    try:
        value = json_codec.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BadRecord(f"not a stats record (not JSON: {err})") from None
    if isinstance(value, dict):
        _check(value, "")
        return [value]
    if not isinstance(value, list):
        raise BadRecord("not a stats record (neither an object nor a list of them)")
    for n, record in enumerate(value, 1):
        _check(record, f"record {n} of {len(value)}: ")
    return value


def _check(record, where):
    if not isinstance(record, dict):
        raise BadRecord(f"{where}not a stats record (not an object)")
    for key, kind in _REQUIRED.items():
        if not isinstance(record.get(key), kind):
            raise BadRecord(f"{where}not a stats record ({key!r} missing or not {kind.__name__})")
    if not _KEY.match(record["k"]):
        raise BadRecord(f"{where}not a stats record ('k' is not a 32-digit hex key)")


def records_in(item) -> int:
    """How many records an item brings, for the batch size, without
    decoding it: a record's ``"k":`` cannot occur inside a JSON string."""
    return item.payload.count(b'"k":') or 1


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
                records += decode(item.payload)
                ids.append(item.id)
            except BadRecord as err:
                failures.append(Failure(item, str(err), permanent=True))
        if failures:
            self.ctx.call(self.queue.fail, self.ctx.consumer_id, failures)
            self.ctx.counters.add("rejected_records", sum(records_in(f.item) for f in failures))
        if not records:
            return
        stored, done = commit_then_ack(self.ctx, self.engine, self.queue, ids,
                                       lambda conn: self.ingest.apply(conn, records))
        if not stored:
            return
        c = self.ctx.counters
        c.add("stored_lines", done.lines)
        c.add("repeated_lines", done.repeats)
        c.add("stored_events", done.events)
        c.add("double_clicks", done.events - done.counted + done.stopped)

