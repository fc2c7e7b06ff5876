"""Where each delivery target stands: events delivered, waiting and
dead-lettered.

A target is a pirus2 program: the tracker it sends to and the queue it
reads. Delivered is its ``delivered`` counter (every process, since the
first start); waiting is what its queue holds ready, in flight or delayed
for a retry; dead is what its queue dead-lettered. Shared by ``loglines
status`` and the API's ``/api/v1/delivery``, so both say the same. The
callers read the configuration (``Config.delivery_targets``): this layer
is below it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TargetState:
    section: str
    tracker: str  # irus or matomo
    queue: str
    delivered: int
    waiting: int
    dead: int


def delivery_state(store, targets) -> list[TargetState]:
    """The state of each of ``targets`` ((section, tracker, queue)) in the
    queue ``store``; raises QueueUnavailable when Redis cannot be reached."""
    out = []
    for section, tracker, queue in targets:
        q = store.queue(queue).stats()
        out.append(TargetState(section, tracker, queue,
                               delivered=store.counts(section).get("delivered", 0),
                               waiting=q.ready + q.inflight + q.delayed, dead=q.dead))
    return out
