"""What was received and not yet in Redis: the hand-over from the asyncio
loop (which must never wait on Redis) to the pusher thread.

``capacity`` is the number of events held in memory before backpressure:
``full`` says so to the server, which stops reading. Events being pushed
still count until Redis has them, so a queue at its cap or a Redis outage
keeps the outbox full and the sockets paused. Counters of the loop thread
travel here too, under the same lock, so no count is lost between threads.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import NamedTuple


class Entry(NamedTuple):
    counter: str  # counted once Redis has it: "lines", or the dead-letter reason
    payload: str
    error: str | None  # set: dead-letter it with this reason


class Outbox:
    def __init__(self, capacity, batch_size):
        self.capacity = capacity
        self.batch_size = batch_size
        self._cond = threading.Condition()
        self._entries = deque()
        self._taken = 0  # handed to the pusher, not yet in Redis
        self._counts = Counter()
        self._closed = False

    def __len__(self):
        return len(self._entries) + self._taken

    def full(self):
        return len(self) >= self.capacity

    def has_room(self):
        """Room enough to read on: half empty, so reading does not flap."""
        return len(self) <= self.capacity // 2

    def put(self, entry):
        with self._cond:
            self._entries.append(entry)
            # Wake the pusher only when it has something new to do.
            if len(self._entries) in (1, self.batch_size):
                self._cond.notify()

    def count(self, name, n=1):
        with self._cond:
            self._counts[name] += n

    def close(self):
        """No more entries will come; ``take`` returns None once it is empty."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def take(self, linger, wait):
        """Up to ``batch_size`` entries and the counts gathered so far.

        Waits up to ``wait`` seconds for a first entry, then up to ``linger``
        more for the batch to fill (fewer round trips under load, little
        delay when quiet). None when closed and empty.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._entries or self._closed, wait)
            if self._entries and not self._closed:
                self._cond.wait_for(lambda: len(self._entries) >= self.batch_size
                                    or self._closed, linger)
            if self._closed and not self._entries:
                return None
            n = min(self.batch_size, len(self._entries))
            batch = [self._entries.popleft() for _ in range(n)]
            self._taken += n
            counts, self._counts = self._counts, Counter()
            return batch, counts

    def take_counts(self):
        """The counts gathered so far (for a pusher waiting on Redis)."""
        with self._cond:
            counts, self._counts = self._counts, Counter()
            return counts

    def done(self, n):
        """``n`` taken entries are in Redis (or given up)."""
        with self._cond:
            self._taken -= n

    def drop_all(self):
        """Forget what is left (Redis stayed away past the stop deadline)."""
        with self._cond:
            n = len(self._entries) + self._taken
            self._entries.clear()
            self._taken = 0
            return n
