"""The statistics: the list, one statistic by page, the top items, the
span of time the store covers (all read through ``loglines.stats.read``,
whose queries take every value from the request as a bound parameter).

Each parameter is declared with the bounds ``read`` enforces, so that the
OpenAPI document tells a client what is accepted, and a value outside them
is a 400 naming the parameter whichever side finds it first.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ..stats import read
from ..stats.statistic import Statistic
from .failures import NotFound
from .formats import CSV, PAGING_HEADERS, csv_answer, paging_headers, wants_csv
from .models import (
    BadParameter,
    Coverage,
    Error,
    Format,
    Gap,
    Metric,
    ServiceCoverage,
    StatisticInfo,
    StatisticList,
    StatisticPage,
    Top,
    TopRow,
)
from .params import DAY_OR_MONTH, MAX_LIMIT, MAX_PAGE, MAX_PER_PAGE, MONTH, NO_NUL
from .reading import reading

PREFIX = "/api/v1"
TOP_STATISTIC = "item_metrics_monthly"  # what read.top ranks
FORMAT = "csv or json; without it, the Accept header decides (JSON unless it prefers text/csv)"

router = APIRouter(prefix=PREFIX, tags=["statistics"])

UNAVAILABLE = {503: {"model": Error, "description": "the store cannot be read just now"}}
BAD = {400: {"model": BadParameter, "description": "a parameter that cannot be used"}}
MISSING = {404: {"model": Error, "description": "no such statistic here"}}


def _csv_too(description):
    return {200: {"description": description, "headers": PAGING_HEADERS,
                  "content": {CSV: {"schema": {"type": "string"}}}}}


def iso(t: int | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _coverage(conn) -> list[ServiceCoverage]:
    return [ServiceCoverage(service=c.service, since=iso(c.since), until=iso(c.until),
                            empty_hours=c.empty_hours,
                            gaps=[Gap(since=iso(a), until=iso(b)) for a, b in c.gaps])
            for c in read.coverage(conn)]


def _info(s: Statistic) -> StatisticInfo:
    return StatisticInfo(name=s.name, description=s.description, fields=list(s.fields),
                         period=s.period, key=s.key, formats=["json", "csv"],
                         url=f"{PREFIX}/stats/{s.name}")


def _statistic(request: Request, name: str) -> Statistic:
    found = request.app.state.statistics.get(name)
    if found is None:
        raise NotFound(f"no statistic named {name!r} here; GET {PREFIX}/stats/ lists them")
    return found


@router.get("/stats/", response_model=StatisticList, responses=UNAVAILABLE,
            summary="The statistics kept, and the span of time the store covers")
def statistics(request: Request):
    with reading(request) as conn:
        spans = _coverage(conn)
    return StatisticList(statistics=[_info(s) for s in request.app.state.statistics.values()],
                         coverage=spans)


@router.get("/stats/{name}", response_model=StatisticPage,
            responses={**_csv_too("one page of rows, oldest period first"),
                       **BAD, **MISSING, **UNAVAILABLE},
            summary="One statistic, a row per period and key")
def statistic(
    request: Request,
    response: Response,
    name: str,
    after: Annotated[str | None, Query(
        pattern=DAY_OR_MONTH, description="the first period, YYYY-MM or YYYY-MM-DD")] = None,
    before: Annotated[str | None, Query(
        pattern=DAY_OR_MONTH, description="the last period (included), YYYY-MM or YYYY-MM-DD",
    )] = None,
    item: Annotated[str | None, Query(
        pattern=NO_NUL, description="only the rows of this key")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 100,
    format: Annotated[Format | None, Query(description=FORMAT)] = None,
):
    s = _statistic(request, name)
    with reading(request) as conn:
        got = read.rows(conn, s, after, before, item, page, per_page)
    headers = paging_headers(request, got.page, got.per_page, got.total)
    if wants_csv(request, format):
        return csv_answer(["period", s.key, *s.fields], got.rows, s.name, headers)
    response.headers.update(headers)
    return StatisticPage(statistic=s.name, period=s.period, key=s.key, fields=list(s.fields),
                         page=got.page, per_page=got.per_page, total=got.total, rows=got.rows)


@router.get("/top", response_model=Top,
            responses={**_csv_too("the items, most first"), **BAD,
                       404: {"model": Error, "description": f"{TOP_STATISTIC} is not kept"},
                       **UNAVAILABLE},
            summary="The items with the most of a COUNTER metric")
def top(
    request: Request,
    response: Response,
    month: Annotated[str | None, Query(
        pattern=MONTH, description="YYYY-MM; all months if absent")] = None,
    order: Annotated[Metric, Query(description="the metric to rank by")] = "Total_Item_Requests",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    format: Annotated[Format | None, Query(description=FORMAT)] = None,
):
    if TOP_STATISTIC not in request.app.state.statistics:
        raise NotFound(f"the top items are ranked from {TOP_STATISTIC}, which the stats "
                       "worker here does not keep")
    with reading(request) as conn:
        rows = read.top(conn, month, order, limit, TOP_STATISTIC)
    headers = {"X-Total-Count": str(len(rows))}
    if wants_csv(request, format):
        return csv_answer(list(TopRow.model_fields), rows, "top", headers)
    response.headers.update(headers)
    return Top(month=month, order=order, limit=limit, rows=[TopRow(**r) for r in rows])


@router.get("/coverage", response_model=Coverage, responses=UNAVAILABLE,
            summary="Per service, the span of time the store has lines for, and its gaps")
def coverage(request: Request):
    with reading(request) as conn:
        return Coverage(services=_coverage(conn))
