"""The health check: open without a password, so that a monitor or a load
balancer needs none, and so it says only what a monitor needs: whether the
store answers and is migrated, never where it is or why not."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..store.migrate import OK, UNREACHABLE, state
from .models import Health

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health", response_model=Health,
            responses={503: {"model": Health, "description": "the store is unreachable or "
                                                             "not migrated"}},
            summary="Whether the API can serve: the store reachable and migrated")
def health(request: Request, response: Response):
    current = state(request.app.state.engine)
    ok = current.status == OK
    response.status_code = 200 if ok else 503
    return Health(ok=ok, reachable=current.status != UNREACHABLE, migrated=ok,
                  store=current.status)
