"""``/api/v1/delivery``: per delivery target (a pirus2 program), events
delivered, waiting and dead-lettered, read from Redis by the same code as
``loglines status`` (``metrics.delivery``).

Redis is not the store: when it cannot be reached the answer says so
(``reachable: false``) and stays a 200, so the dashboard shows that state
beside figures the store still serves.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from ...errors import QueueError
from ...metrics.delivery import delivery_state
from ..models import _Answer

router = APIRouter(prefix="/api/v1", tags=["delivery"])


class TargetDelivery(_Answer):
    section: str = Field(description="the pirus2 section that delivers")
    tracker: Literal["irus", "matomo"]
    queue: str = Field(description="the queue the section reads")
    delivered: int = Field(description="events the tracker took, every process together, "
                                       "since the first start")
    waiting: int = Field(description="items in the queue ready, in flight or delayed for a "
                                     "retry")
    dead: int = Field(description="items dead-lettered (``loglines dead list`` shows them)")
    dry_run: bool = Field(description="whether the section only writes its URLs to its dry-run "
                                      "file (delivered is then 0)")
    written_dry_run: int = Field(description="URLs written to the dry-run file, in dry run")


class Delivery(_Answer):
    reachable: bool = Field(description="whether Redis answered; when not, targets is empty")
    targets: list[TargetDelivery] = Field(description="in the configuration's order")


@router.get("/delivery", response_model=Delivery,
            summary="Per delivery target, events delivered, waiting and dead-lettered")
def delivery(request: Request):
    queues = request.app.state.queues
    if queues is None:
        return Delivery(reachable=False, targets=[])
    try:
        found = delivery_state(queues, request.app.state.targets)
    except QueueError:
        return Delivery(reachable=False, targets=[])
    return Delivery(reachable=True, targets=[TargetDelivery(**vars(t)) for t in found])
