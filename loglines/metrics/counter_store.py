"""Writing what the workers counted and timed into Redis, per program section.

Every process adds to the same keys, so the totals, rates and histograms
that ``loglines status`` and the Prometheus endpoint read cover every host.
"""

from ..redis_connection import translated_errors
from .rates import add_to_buckets


class CounterStore:
    def __init__(self, client, keyspace):
        self.client = client
        self.keyspace = keyspace

    def add_counts(self, section, counts):
        """Add ``counts`` ({name: n}) to the totals of ``section`` and to its
        current rate bucket, in one round trip."""
        if not counts:
            return
        key = self.keyspace.counts(section)
        with translated_errors():
            pipe = self.client.pipeline(transaction=False)
            for name, n in counts.items():
                pipe.hincrby(key, name, n)
            add_to_buckets(pipe, self.keyspace, section, counts)
            pipe.execute()

    def add_observations(self, section, pending):
        """Add histograms ({name: histogram.Pending}) of ``section``."""
        with translated_errors():
            pipe = self.client.pipeline(transaction=False)
            for name, p in pending.items():
                p.add_to(pipe, self.keyspace.hist(section, name))
            pipe.execute()
