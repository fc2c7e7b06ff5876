"""At most one notification per kind per interval, across all processes.

A SET NX with an expiry is atomic in Redis, so of many processes
dead-lettering at once exactly one wins the interval; the others count
what they suppressed, and the next notification reports that count.
"""

from ..queue.keys import Keyspace


class Limiter:
    def __init__(self, client, prefix, interval):
        self.client = client
        self.keyspace = Keyspace(prefix)
        self.interval_ms = int(interval * 1000)

    def allow(self, kind):
        """(True, suppressed since the last one) or (False, 0)."""
        sent = self.keyspace.notify_sent(kind)
        suppressed = self.keyspace.notify_suppressed(kind)
        if self.interval_ms <= 0 or self.client.set(sent, b"1", nx=True, px=self.interval_ms):
            return True, int(self.client.getdel(suppressed) or 0)
        self.client.incr(suppressed)
        return False, 0
