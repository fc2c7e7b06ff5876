"""The records worker's step: a batch of records from the records queue,
stored in one transaction, then acknowledged; and the retention pass.

A record that cannot be read is dead-lettered with the reason. While the
store cannot be written the batch is held and tried again with one
warning, as the stats worker does.
"""

from __future__ import annotations

import time

from ..queue import Failure
from ..runtime.committing import STORE_ERRORS, commit_then_ack
from ..store.engine import reason
from . import item, store

PURGE_BUDGET = 1.0  # seconds a retention pass may take before the queue is served again
DAY_MS = 86_400_000


class RecordsWorker:
    def __init__(self, ctx, engine, clock=time.time):
        self.ctx = ctx
        self.engine = engine
        self.options = ctx.section.options
        self.queue = ctx.queue(self.options.listento)
        self.clock = clock
        self._next_purge = 0.0  # monotonic time of the next retention pass

    def handle(self, items):
        batch, ids, failures = [], [], []
        for queued in items:
            try:
                batch.append(item.decode(queued.payload))
                ids.append(queued.id)
            except item.BadRecordItem as err:
                failures.append(Failure(queued, str(err), permanent=True))
        if failures:
            self.ctx.call(self.queue.fail, self.ctx.consumer_id, failures)
            self.ctx.counters.add("rejected_records", len(failures))
        if not batch:
            return
        kept, done = commit_then_ack(self.ctx, self.engine, self.queue, ids,
                                     lambda conn: store.keep(conn, batch))
        if not kept:
            return
        stored, repeated = done
        self.ctx.counters.add("stored_records", stored)
        self.ctx.counters.add("repeated_records", repeated)

    def retention(self):
        """Before each fetch: every ``purge_every`` seconds, delete the
        records past ``retention_days`` for at most PURGE_BUDGET seconds;
        a pass not done goes on at the next fetch. Always True (fetch)."""
        days = self.options.retention_days
        now = time.monotonic()
        if not days or now < self._next_purge:
            return True
        before = round(self.clock() * 1000) - round(days * DAY_MS)
        try:
            # A burst run (a test, a one-off) purges all before it ends.
            budget = None if self.ctx.burst else PURGE_BUDGET
            deleted, finished = store.purge(self.engine, before, self.options.purge_batch,
                                            budget, self.ctx.stop)
        except STORE_ERRORS as err:
            self.ctx.log.warning("purging old records failed (%s); trying again in %g s",
                                 reason(err, self.engine.url), self.options.purge_every)
            self._next_purge = now + self.options.purge_every
            return True
        if deleted:
            self.ctx.counters.add("purged_records", deleted)
            self.ctx.log.info("%d records older than %g days purged%s", deleted, days,
                              "" if finished else "; more to go")
        self._next_purge = now if not finished else now + self.options.purge_every
        return True
