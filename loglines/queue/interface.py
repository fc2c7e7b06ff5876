"""The reliable queue as an interface; ``redis_queue.RedisQueue`` implements it.

Every item is in exactly one state: ready, in flight (held by one
consumer), delayed (failed, waiting for its retry) or dead. Items leave only
when acknowledged or purged.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import NamedTuple

MAX_BATCH = 1000


class Item(NamedTuple):
    # A named tuple: a fetch builds a thousand at a time, and a tuple is
    # built in a third of a frozen dataclass' time, with the same fields,
    # equality and immutability.
    id: str
    payload: bytes
    attempts: int


@dataclass(frozen=True)
class PushResult:
    accepted: bool
    depth: int  # items in the queue before the push (ready + in flight + delayed)
    ready: int = 0  # items ready after it (before it, when refused)


@dataclass(frozen=True)
class Fetched:
    items: list
    next_due: float | None  # seconds until a delayed item is due, None if none
    given_up: int  # items past max_attempts, dead-lettered by this fetch
    orphans: int  # ids that had no payload (manual edits), forgotten


@dataclass(frozen=True)
class Failure:
    item: Item
    error: str
    permanent: bool = False


@dataclass(frozen=True)
class DeadItem:
    id: str
    payload: bytes | None
    error: str | None
    attempts: int
    died_at: float  # Unix time, seconds


@dataclass(frozen=True)
class QueueStats:
    name: str
    ready: int
    inflight: int
    delayed: int
    dead: int
    inflight_by_consumer: dict


class Queue(ABC):
    """One named queue. Methods taking a consumer id act only on the items
    that consumer holds, so a consumer presumed dead cannot disturb items
    that were given to others."""

    name: str

    @abstractmethod
    def push(self, payloads, positions=None, past_cap=False) -> PushResult:
        """Add payloads (bytes or str) unless the queue is at its cap, and
        record ``positions`` ({field: value}, how far a producer got in its
        input) in the same step. ``past_cap``: add them even so (what a
        stopping producer holds and cannot get again)."""

    @abstractmethod
    def ready_count(self) -> int:
        """Items waiting for a consumer (not those in flight or delayed)."""

    @abstractmethod
    def has_room(self) -> bool:
        """Whether a push would be taken now: the queue is below its cap."""

    @abstractmethod
    def fetch(self, consumer_id, count) -> Fetched:
        """Hand up to ``count`` items to a consumer, counting an attempt."""

    @abstractmethod
    def wait(self, timeout) -> bool:
        """Block up to ``timeout`` seconds for a push; True when woken."""

    @abstractmethod
    def ack(self, consumer_id, ids, forward_to=(), bundle=False) -> int:
        """Done with these items; copy their payloads to ``forward_to`` queues,
        as one bundle item per queue with ``bundle`` (queue/bundle.py)."""

    @abstractmethod
    def fail(self, consumer_id, failures) -> tuple:
        """Delay (temporary) or dead-letter (permanent, or out of attempts)."""

    @abstractmethod
    def release(self, consumer_id, ids) -> int:
        """Give items back untouched, attempt not counted (graceful stop)."""

    @abstractmethod
    def reclaim(self, consumer_id, keep=()) -> int:
        """Release what the consumer holds but does not know of: the items of
        a fetch whose reply was lost. ``keep`` are the ids it does know."""

    @abstractmethod
    def bury(self, entries) -> int:
        """Dead-letter rejected input directly: ``entries`` of (payload, error)."""

    @abstractmethod
    def fanout(self, targets, count) -> tuple:
        """Move up to ``count`` items into every target: (moved, full target)."""

    @abstractmethod
    def recover(self, consumer_timeout, now_ms=None) -> tuple:
        """Requeue items of dead consumers: (requeued, dead-lettered)."""

    @abstractmethod
    def stats(self) -> QueueStats:
        """Depths by state and in-flight counts by consumer."""

    @abstractmethod
    def dead_items(self, limit=100, offset=0) -> list:
        """Dead items, oldest first, with payload, last error and attempts."""

    @abstractmethod
    def requeue_dead(self, ids) -> int:
        """Give dead items a fresh start; returns how many were dead."""

    @abstractmethod
    def purge_dead(self, ids) -> int:
        """Delete dead items for good; returns how many were dead."""
