"""The pusher thread: moves the outbox into Redis in batches.

It alone talks to Redis, so the asyncio loop never blocks on it. A Redis
outage is waited out with the reconnect backoff while the outbox stays full
and the server keeps its sockets paused. A queue at its cap is waited on
too, the batch held, until the worker is asked to stop: then what is held
in memory is pushed past the cap (by at most ``queued_events``), because
syslog senders cannot be asked to send it again. After a stop, Redis gets
``flush_timeout`` seconds to take it all; what it did not take is logged
as lost.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from ...queue import reconnect
from ...runtime.producer import Producer

WAIT = 0.5  # longest wait for an entry; also how often counters are flushed
FULL_WAIT = 0.2  # between pushes into a queue at its cap


class Pusher(threading.Thread):
    def __init__(self, ctx, queue, outbox, batch_timeout, flush_timeout=5.0):
        super().__init__(name=f"{ctx.section.name}-pusher", daemon=True)
        self.ctx = ctx
        self.queue = queue
        self.outbox = outbox
        self.batch_timeout = batch_timeout
        self.flush_timeout = flush_timeout
        self.stop_deadline = None
        self.lost = 0
        self.producer = Producer(
            queue, ctx.stop, ctx.log, paused="not reading the sockets until it has room",
            resumed="reading on", full_wait=FULL_WAIT, give_up=self._give_up, sleep=self._sleep,
            while_full=lambda: self._count(self.outbox.take_counts()),  # drops show meanwhile
        )

    def run(self):
        try:
            while (taken := self.outbox.take(self.batch_timeout, WAIT)) is not None:
                batch, counts = taken
                self._deliver(batch)
                self.outbox.done(len(batch))
                self._count(counts + Counter(e.counter for e in batch))
        except reconnect.Stopped:
            self.lost = self.outbox.drop_all()
            self.ctx.log.error("Redis still unreachable %.0f s after the stop: %d received "
                               "events lost", self.flush_timeout, self.lost)

    def _count(self, counts):
        for name, n in counts.items():
            self.ctx.counters.add(name, n)
        self.ctx.counters.flush()

    def _deliver(self, batch):
        messages = [e.payload for e in batch if e.error is None]
        rejects = [(e.payload, e.error) for e in batch if e.error is not None]
        if messages:
            self.producer.push(messages, past_cap_at_stop=True)
        if rejects:
            self.producer.bury(rejects)
            self.ctx.log.warning("%d messages dead-lettered (%s); see `loglines dead list %s`",
                                 len(rejects), rejects[0][1], self.queue.name)

    def _sleep(self, seconds):
        """The reconnect backoff, cut short by a stop and by the flush deadline."""
        if self.stop_deadline is None:
            self.ctx.stop.wait(seconds)  # a stop ends it: the flush deadline starts
        else:
            time.sleep(max(0.0, min(seconds, self.stop_deadline - time.monotonic())))

    def _give_up(self):
        """Past the flush deadline after a stop: Redis is not coming back in time."""
        if not self.ctx.stop.is_set():
            return False
        if self.stop_deadline is None:
            self.stop_deadline = time.monotonic() + self.flush_timeout
        return time.monotonic() > self.stop_deadline
