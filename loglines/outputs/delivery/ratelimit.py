"""A requests-per-second limit for a process' deliveries.

A next-slot scheduler: each request reserves the next free instant, at least
``1 / rate`` after the previous one, and sleeps until then. Time left unused
while idle is not saved up, so a quiet period never turns into a burst the
tracker would see as abuse. The clock and the sleep are injectable so tests
check the schedule without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate: float,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not rate > 0:
            raise ValueError(f"rate must be > 0 requests per second, got {rate!r}")
        self.interval = 1.0 / rate
        self._now = now
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next slot; return how long to wait for it (0 if it is now)."""
        with self._lock:
            now = self._now()
            slot = max(now, self._next)
            self._next = slot + self.interval
        return slot - now

    def take(self) -> float:
        """Take the next slot, as an instant of this limiter's clock, for a
        caller that waits for it in its own way (the sending loop)."""
        return self._now() + self.reserve()

    def left(self, slot: float) -> float:
        """How long until ``slot``."""
        return slot - self._now()

    def pause(self, seconds: float) -> None:
        self._sleep(seconds)

    def wait(self) -> None:
        """Block until this caller may send (the sleep is outside the lock)."""
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
