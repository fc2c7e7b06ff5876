"""The reliable queue: Redis lists plus the few keys that make them reliable."""

from .backoff import Backoff
from .consumer import Heartbeat, new_consumer_id
from .interface import DeadItem, Failure, Fetched, Item, PushResult, Queue, QueueStats
from .observer import QueueObserver
from .policy import QueuePolicy
from .store import ConsumerInfo, QueueStore, RecoveryReport

__all__ = [
    "Backoff", "ConsumerInfo", "DeadItem", "Failure", "Fetched", "Heartbeat", "Item",
    "PushResult", "Queue", "QueueObserver", "QueuePolicy", "QueueStats", "QueueStore",
    "RecoveryReport", "new_consumer_id",
]
