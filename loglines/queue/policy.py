"""What a queue allows: its cap and how often an item is tried."""

from dataclasses import dataclass, field

from .backoff import Backoff


@dataclass(frozen=True)
class QueuePolicy:
    cap: int = 1_000_000
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self):
        if self.cap < 0:
            raise ValueError("cap must be >= 0 (0: no cap)")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
