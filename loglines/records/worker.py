"""The records worker's step: a batch of records from the records queue,
stored in one transaction, then acknowledged; and the retention pass.

A record that cannot be read is dead-lettered with the reason. While the
store cannot be written the batch is held and tried again with one
warning, as the stats worker does.
"""

from __future__ import annotations

import time

from sqlalchemy.exc import InterfaceError, OperationalError

from ..errors import StoreUnavailable
from ..queue import Failure
from ..runtime.retrying import until_done
from ..store.engine import reason, writing
from . import item, store

RETRY_EVERY = 5.0
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
        done = []

        def attempt():
            with writing(self.engine) as conn:
                done.append(store.keep(conn, batch))

        if not until_done(self.ctx, attempt, (OperationalError, InterfaceError, StoreUnavailable),
                          RETRY_EVERY,
                          lambda err: f"the store cannot be written "
                                      f"({reason(err, self.engine.url)})",
                          lambda s: f"the store is written again after {s:.0f} s"):
            self.ctx.call(self.queue.release, self.ctx.consumer_id, ids)
            return
        # Only now: the transaction that stored them has committed.
        self.ctx.call(self.queue.ack, self.ctx.consumer_id, ids)
        stored, repeated = done[-1]
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
        except (OperationalError, InterfaceError, StoreUnavailable) as err:
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
