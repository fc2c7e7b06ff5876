"""Waiting out a tracker that answers late, with fewer requests in flight.

An answer that comes after the client gave up is an event the tracker
counted and the queue sends again: with a tracker answering in 8 s to a
5 s timeout, one event in ten reached it twice, minutes apart, where its
30-second double-click rule does not fold them. So a request is given up
only at the ceiling (``timeout_ceiling``, twice ``timeout`` unless set):
an answer between the two is late, not lost, and is waited for.

Every request in flight when a worker is killed is sent again by the
next one, counted or not; while answers are late each request stays in
flight for seconds, so a late answer halves the requests allowed in
flight (once per spell: the answers of requests sent together come late
together), down to one, and each answer within ``timeout`` allows one
more again, up to ``concurrency``. The sending loop (pooled.py) starts a
request only while fewer than ``allowed`` are in flight.
"""

import math
import time


class LateAnswers:
    def __init__(self, timeout, ceiling, concurrency=1, now=time.monotonic):
        self.timeout = timeout
        self.ceiling = max(timeout, ceiling)
        self.concurrency = concurrency
        self.allowed = concurrency
        self.slowest = 0.0  # the latest late answer's time (ceiling: none came)
        self._now = now
        self._cut_at = -math.inf

    @property
    def read_timeout(self):
        """How long a request waits for its answer."""
        return self.ceiling

    def answered(self, seconds):
        """An answer came after ``seconds``."""
        if seconds > self.timeout:
            self.slowest = seconds
            self._cut(seconds)
        elif self.allowed < self.concurrency:
            self.allowed += 1

    def timed_out(self):
        """No answer within the ceiling."""
        self.slowest = self.ceiling
        self._cut(self.ceiling)

    @property
    def holding_back(self):
        """Whether fewer than ``concurrency`` requests may be in flight."""
        return self.allowed < self.concurrency

    def _cut(self, seconds):
        now = self._now()
        if now - self._cut_at >= seconds:
            self.allowed = max(1, self.allowed // 2)
            self._cut_at = now
