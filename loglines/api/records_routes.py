"""Chronologer's record resource, read side: ``HEAD /api/v1/record`` (the
count, or with ``group`` the timeline), ``GET /api/v1/record`` (a page,
by offsets or by cursor) and ``GET /api/v1/record/{id}``.

With record users configured (``users``/``users_file`` of the api
section) every request here needs a user with the ``reader`` role, and
``query=`` the ``query`` role too; the API's own credential may do all.
Without, these paths are as open or closed as the rest of the API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Response

from ..errors import LoglinesError
from ..records import read
from ..records.filters import BadFilter, Filters
from ..records.query import QuerySyntaxError
from .failures import NotFound, bad_parameter, error
from .models import BadParameter, Error, QueryError, RecordFull, RecordListed
from .params import NO_NUL
from .reading import reading

PREFIX = "/api/v1/record"
CHALLENGE = 'Basic realm="loglines", charset="UTF-8"'
router = APIRouter(prefix=PREFIX, tags=["records"])

_COMMON = {
    400: {"model": QueryError | BadParameter, "description": "a parameter that cannot be used"},
    401: {"model": Error, "description": "no credentials, or wrong ones"},
    403: {"model": Error, "description": "the user lacks the reader (or query) role"},
    503: {"model": Error, "description": "the store cannot be read just now"},
}
_COUNT_HEADERS = {
    "X-Record-Count": {"description": "the count; with group, one per group, comma-separated",
                       "schema": {"type": "string"}},
    "X-Record-Group": {"description": "with group: each group's start (ISO 8601 in the time "
                                      "zone), comma-separated", "schema": {"type": "string"}},
}
_NEXT = {"X-Record-Next": {"description": "the cursor of the next page, when there may be one",
                           "schema": {"type": "string"}}}


def _text(description, max_length=None):
    # PostgreSQL text cannot hold NUL: refused here, not a 500 from the store.
    return Query(pattern=NO_NUL, max_length=max_length, description=description)


After = Annotated[str | None, _text("records at or after this time (ISO 8601; UTC unless it "
                                    "has an offset)")]
Before = Annotated[str | None, _text("records before this time (ISO 8601)")]
Level = Annotated[str | None, _text("at least this level (a number or a name)")]
Name = Annotated[str | None, _text("comma-separated logger names; each takes its children too")]
QueryText = Annotated[str | None, _text(
    "a filter over the record's fields, e.g. `data.status = 206 and meta.lineno > 20` "
    "(needs the query role)", max_length=4000)]
Words = Annotated[str | None, _text("words the message must all hold (full-text search)",
                                    max_length=500)]


class Refused(LoglinesError):
    """401 or 403 for a record request."""

    def __init__(self, status, text):
        self.status, self.text = status, text


def _allowed(request: Request, wants_query: bool):
    users = request.app.state.record_users
    if users is None:
        return  # the API's own password (or none, on loopback) has decided
    header = request.headers.get("authorization")
    if request.app.state.api_credentials is not None and \
            request.app.state.api_credentials.check(header):
        return
    user = users.check_header(header, "reader")
    if user is None:
        raise Refused(401, "authentication required (a user with the reader role)")
    if wants_query and "query" not in user.roles:
        raise Refused(403, "query= needs the query role")


def _filters(request, after, before, level, name, query, q):
    _allowed(request, query is not None)
    return Filters.read(after, before, level, name, query, q)


@router.head("", response_class=Response,
             responses={200: {"description": "the count or the timeline",
                              "headers": _COUNT_HEADERS}, **_COMMON},
             summary="How many records, or how many per day or hour (the timeline)")
def count(request: Request, after: After = None, before: Before = None,
          level: Level = None, name: Name = None, query: QueryText = None, q: Words = None,
          group: Annotated[Literal["day", "hour"] | None, Query(
              description="count per day or per hour of the time zone")] = None,
          timezone: Annotated[str | None, _text(
              "an IANA time zone for group (UTC if absent)", max_length=64)] = None):
    filters = _filters(request, after, before, level, name, query, q)
    tz = read.zone(timezone)
    with reading(request) as conn:
        if group is None:
            return Response(headers={"X-Record-Count": str(read.count(conn, filters))})
        groups = read.timeline(conn, filters, group, tz)
    return Response(headers={
        "X-Record-Group": ",".join(start.isoformat() for start, _ in groups),
        "X-Record-Count": ",".join(str(n) for _, n in groups)})


@router.get("", response_model=list[RecordListed],
            responses={200: {"description": "the records, newest first", "headers": _NEXT},
                       **_COMMON},
            summary="A page of records, newest first, by offsets or by cursor")
def records(request: Request, response: Response, after: After = None, before: Before = None,
            level: Level = None, name: Name = None, query: QueryText = None, q: Words = None,
            left: Annotated[int | None, Query(ge=0, le=10_000_000, description=(
                "the first record's offset (0 is the newest)"))] = None,
            right: Annotated[int | None, Query(ge=0, le=10_000_000, description=(
                "the offset after the last record"))] = None,
            cursor: Annotated[str | None, _text(
                "X-Record-Next of the page before: deep pages at the cost of the first",
                max_length=100)] = None,
            limit: Annotated[int, Query(ge=1, le=read.MAX_PAGE, description=(
                "records per page with cursor (or without left and right)"))] = 100):
    filters = _filters(request, after, before, level, name, query, q)
    if cursor is not None and (left is not None or right is not None):
        raise BadFilter("cursor", "give either cursor or left and right")
    with reading(request) as conn:
        if left is not None or right is not None:
            left = left or 0
            right = left + limit if right is None else right
            if not 0 < right - left <= read.MAX_PAGE:
                raise BadFilter("right", f"right must be above left by 1 to {read.MAX_PAGE}")
            rows, wanted = read.page(conn, filters, left, right), right - left
        else:
            start = read.read_cursor(cursor) if cursor else None
            rows, wanted = read.below(conn, filters, start, limit), limit
    if rows and len(rows) == wanted:
        response.headers["X-Record-Next"] = read.cursor_after(rows[-1])
    return [read.listed(row) for row in rows]


@router.get("/{record_id}", response_model=RecordFull,
            responses={404: {"model": Error, "description": "no such record (that passes the "
                                                           "filters)"}, **_COMMON},
            summary="One record with its logrec")
def record(request: Request, record_id: str, after: After = None, before: Before = None,
           level: Level = None, name: Name = None, query: QueryText = None, q: Words = None):
    filters = _filters(request, after, before, level, name, query, q)
    with reading(request) as conn:
        found = read.one(conn, filters, record_id[:64])
    if found is None:
        raise NotFound(f"no record {record_id[:64]!r} here")
    return found


def _bad_filter(request: Request, exc: BadFilter):
    return bad_parameter(exc.param, str(exc))


def _bad_query(request: Request, exc: QuerySyntaxError):
    return error(400, str(exc), parameter="query", column=exc.column)


def _refused(request: Request, exc: Refused):
    answer = error(exc.status, exc.text)
    if exc.status == 401:
        answer.headers["WWW-Authenticate"] = CHALLENGE
    return answer


def install(app: FastAPI, users, credentials):
    """The record routes on ``app``; ``users`` (records.users.Users or None)
    decide who may read, beside the API's own ``credentials``."""
    app.state.record_users = users
    app.state.api_credentials = credentials
    app.add_exception_handler(BadFilter, _bad_filter)
    app.add_exception_handler(QuerySyntaxError, _bad_query)
    app.add_exception_handler(Refused, _refused)
    app.include_router(router)
