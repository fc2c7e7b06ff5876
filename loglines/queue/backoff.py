"""Exponential backoff with jitter, capped.

Used for the delay of a temporarily failed item and for reconnecting to
Redis. "Equal jitter": half the delay is fixed, half random, so retries of
many items failed at once spread out without ever retrying at once.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float = 1.0
    cap: float = 3600.0
    factor: float = 2.0

    def ceiling(self, attempt):
        """The delay before jitter after the ``attempt``-th failure (1-based)."""
        exponent = max(0, attempt - 1)
        # Past ~1000 doublings the float overflows; the cap applies long before.
        if exponent > 1000:
            return self.cap
        return min(self.cap, self.base * self.factor**exponent)

    def delay(self, attempt, rng=random):
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)
