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
more again, up to ``concurrency``.
"""

import math
import threading
import time

# How often a sender waiting for its turn looks whether it should stop.
STOP_CHECK = 0.05


class LateAnswers:
    def __init__(self, timeout, ceiling, concurrency=1, now=time.monotonic):
        self.timeout = timeout
        self.ceiling = max(timeout, ceiling)
        self.concurrency = concurrency
        self.allowed = concurrency
        self.slowest = 0.0  # the latest late answer's time (ceiling: none came)
        self._now = now
        self._busy = 0
        self._cut_at = -math.inf
        self._turns = threading.Condition()

    @property
    def read_timeout(self):
        """How long a request waits for its answer."""
        return self.ceiling

    def answered(self, seconds):
        """An answer came after ``seconds``."""
        if seconds <= self.timeout and self.allowed >= self.concurrency:
            return  # the usual case, without the lock
        with self._turns:
            if seconds > self.timeout:
                self.slowest = seconds
                self._cut(seconds)
            elif self.allowed < self.concurrency:
                self.allowed += 1
                self._turns.notify()

    def timed_out(self):
        """No answer within the ceiling."""
        with self._turns:
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

    def enter(self, halted):
        """Wait for a turn to send; False (no turn taken) once ``halted()``."""
        with self._turns:
            while self._busy >= self.allowed:
                if halted():
                    return False
                self._turns.wait(STOP_CHECK)
            self._busy += 1
            return True

    def leave(self):
        with self._turns:
            self._busy -= 1
            self._turns.notify()
