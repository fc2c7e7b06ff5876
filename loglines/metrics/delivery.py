"""Where each delivery target stands: events delivered, waiting and
dead-lettered.

A target is a pirus2 program: the tracker it sends to and the queue it
reads. Delivered is its ``delivered`` counter (every process, since the
first start), except for a target in dry run, which sends nothing: what
it counted is ``written_dry_run`` (URLs written to its dry-run file) and
delivered is 0; waiting is what its queue holds ready, in flight or delayed
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
    dry_run: bool = False
    written_dry_run: int = 0


def delivery_state(store, targets) -> list[TargetState]:
    """The state of each of ``targets`` ((section, tracker, queue, dry_run))
    in the queue ``store``; raises QueueUnavailable when Redis cannot be
    reached."""
    out = []
    for section, tracker, queue, dry_run in targets:
        q = store.queue(queue).stats()
        counted = store.counts(section).get("delivered", 0)
        out.append(TargetState(section, tracker, queue,
                               delivered=0 if dry_run else counted,
                               waiting=q.ready + q.inflight + q.delayed, dead=q.dead,
                               dry_run=dry_run, written_dry_run=counted if dry_run else 0))
    return out
