"""Counters of what a worker did, kept in Redis per program section.

Counted in memory and added to Redis once per batch, so counting costs no
round trip per item; a count not yet flushed when Redis is down is kept
for the next flush.
"""

from collections import Counter

from ..errors import QueueUnavailable


class Counters:
    def __init__(self, store, section):
        self.store = store
        self.section = section
        self.pending = Counter()

    def add(self, name, n=1):
        if n:
            self.pending[name] += n

    def flush(self):
        if not self.pending:
            return
        try:
            self.store.add_counts(self.section, dict(self.pending))
        except QueueUnavailable:
            return  # kept for the next flush
        self.pending.clear()
