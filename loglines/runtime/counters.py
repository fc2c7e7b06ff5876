"""Counters of what a worker did, kept in Redis per program section.

Counted in memory and added to Redis at most once a second while a worker
is busy (``flush_due``), and whenever it goes idle or stops (``flush``):
a round trip per batch cost more than a small batch itself. A count not
yet flushed when Redis is down is kept for the next flush.
"""

import time
from collections import Counter

from ..errors import QueueUnavailable
from ..metrics.counter_store import CounterStore
from ..metrics.histogram import Pending

FLUSH_INTERVAL = 1.0  # seconds


class Counters:
    def __init__(self, store, section):
        """``store``: the QueueStore, whose Redis and keys the counters share."""
        self.counter_store = CounterStore(store.client, store.keyspace)
        self.section = section
        self.pending = Counter()
        self.observed = {}  # histogram name -> Pending, flushed with the counts
        self.flushed_at = time.monotonic()

    def add(self, name, n=1):
        if n:
            self.pending[name] += n

    def observe(self, name, seconds):
        """Record a duration in the histogram ``name`` (bucketed in memory)."""
        self.observed.setdefault(name, Pending()).observe(seconds)

    def flush_due(self):
        """Flush if the last flush is FLUSH_INTERVAL old."""
        if time.monotonic() - self.flushed_at >= FLUSH_INTERVAL:
            self.flush()

    def flush(self):
        self.flushed_at = time.monotonic()
        self._flush_observed()
        if not self.pending:
            return
        try:
            self.counter_store.add_counts(self.section, dict(self.pending))
        except QueueUnavailable:
            return  # kept for the next flush
        self.pending.clear()

    def _flush_observed(self):
        if not self.observed:
            return
        try:
            self.counter_store.add_observations(self.section, self.observed)
        except QueueUnavailable:
            return  # kept for the next flush
        self.observed = {}
