"""What a queue allows: its cap, how often an item is tried, and how long a
dead item is kept (dead letters hold the IP addresses of their lines)."""

from dataclasses import dataclass, field

from .backoff import Backoff


@dataclass(frozen=True)
class QueuePolicy:
    cap: int = 1_000_000
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)
    dead_retention: float = 0.0  # seconds a dead item is kept; 0: until purged

    def __post_init__(self):
        if self.cap < 0:
            raise ValueError("cap must be >= 0 (0: no cap)")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.dead_retention < 0:
            raise ValueError("dead_retention must be >= 0 (0: kept until purged)")
