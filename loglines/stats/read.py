"""Reading the statistics back: one statistic's rows, the top items, the
span each covers and the hours with no lines at all (what the API and
``loglines stats`` print)."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from ..errors import LoglinesError
from ..store.schema import lines_hourly, stat_counts
from .builtin import METRICS
from .statistic import Statistic

DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?\Z")
MAX_GAP_HOURS = 1000  # listed; more are only counted


class BadQuery(LoglinesError):
    """A parameter that cannot be used; ``name`` is the parameter's."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


def period_text(statistic: Statistic, name: str, text: str | None, end: bool) -> str | None:
    """A YYYY-MM or YYYY-MM-DD bound as the statistic's buckets spell it."""
    if text is None:
        return None
    match = DATE.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or (match[3] and not 1 <= int(match[3]) <= 31):
        raise BadQuery(name, f"{name} must be YYYY-MM or YYYY-MM-DD, not {text!r}")
    if statistic.period == "all":
        return None
    if statistic.period == "month":
        return text[:7]
    if match[3] is None:
        return text + ("-31" if end else "-01")
    return text


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    total: int  # rows of every page
    page: int
    per_page: int


def rows(conn, statistic: Statistic, after=None, before=None, key=None, page=1, per_page=100):
    """One page of a statistic: a row per bucket and key, a column per field."""
    if not 1 <= page <= 1_000_000_000:
        raise BadQuery("page", "page must be between 1 and 1000000000")
    if not 1 <= per_page <= 10000:
        raise BadQuery("per_page", "per_page must be between 1 and 10000")
    low = period_text(statistic, "after", after, end=False)
    high = period_text(statistic, "before", before, end=True)
    where = [stat_counts.c.stat == statistic.name]
    if low is not None:
        where.append(stat_counts.c.bucket >= low)
    if high is not None:
        where.append(stat_counts.c.bucket <= high)
    if key is not None:
        where.append(stat_counts.c.key == key)
    pairs = (select(stat_counts.c.bucket, stat_counts.c.key).where(*where)
             .group_by(stat_counts.c.bucket, stat_counts.c.key))
    total = conn.execute(select(func.count()).select_from(pairs.subquery())).scalar_one()
    chosen = pairs.order_by(stat_counts.c.bucket, stat_counts.c.key).limit(per_page).offset(
        (page - 1) * per_page).subquery()
    query = (select(stat_counts.c.bucket, stat_counts.c.key, stat_counts.c.field,
                    stat_counts.c.value)
             .join(chosen, and_(chosen.c.bucket == stat_counts.c.bucket,
                                chosen.c.key == stat_counts.c.key))
             .where(stat_counts.c.stat == statistic.name)
             .order_by(stat_counts.c.bucket, stat_counts.c.key))
    out: dict[tuple[str, str], dict] = {}
    for bucket, k, field, value in conn.execute(query):
        row = out.setdefault((bucket, k), {"period": bucket, statistic.key: k,
                                           **dict.fromkeys(statistic.fields, 0)})
        if field in row:
            row[field] = value
    return Page(list(out.values()), total, page, per_page)


def top(conn, month: str | None, order: str = "Total_Item_Requests", limit: int = 10,
        stat: str = "item_metrics_monthly"):
    """The items with the most ``order`` in ``month`` (YYYY-MM; all months
    when None), each with its four metrics summed, most first."""
    if order not in METRICS:
        raise BadQuery("order", f"order must be one of {', '.join(METRICS)}")
    if not 1 <= limit <= 1000:
        raise BadQuery("limit", "limit must be between 1 and 1000")
    where = [stat_counts.c.stat == stat]
    if month is not None:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise BadQuery("month", f"month must be YYYY-MM, not {month!r}")
        where.append(stat_counts.c.bucket == month)
    ranked = (select(stat_counts.c.key, func.sum(stat_counts.c.value).label("n"))
              .where(*where, stat_counts.c.field == order).group_by(stat_counts.c.key)
              .order_by(func.sum(stat_counts.c.value).desc(), stat_counts.c.key).limit(limit))
    items = [k for k, _ in conn.execute(ranked)]
    figures = {k: dict.fromkeys(METRICS, 0) for k in items}
    if items:
        for k, field, value in conn.execute(
                select(stat_counts.c.key, stat_counts.c.field, func.sum(stat_counts.c.value))
                .where(*where, stat_counts.c.key.in_(items))
                .group_by(stat_counts.c.key, stat_counts.c.field)):
            if field in figures[k]:
                figures[k][field] = int(value)
    return [{"item": k, **figures[k]} for k in items]


def hour_text(t: int) -> str:
    """An hour boundary of a Coverage, as messages show it."""
    return time.strftime("%Y-%m-%d %H:00 UTC", time.gmtime(t))


@dataclass(frozen=True)
class Coverage:
    service: str
    since: int | None  # the first hour with lines (seconds since the epoch)
    until: int | None  # the end of the last hour with lines
    empty_hours: int  # hours between them with no line at all
    gaps: list[tuple[int, int]]  # (start, end) of each run of empty hours, oldest first


def coverage(conn) -> list[Coverage]:
    """Per service, the span of time the store has lines for and its holes:
    an hour with no line at all is a stretch nothing was read for (the
    stats worker or the store was down for longer than the queue held,
    or the logs were missing), not a quiet hour of a repository."""
    out = []
    services = [s for (s,) in conn.execute(select(lines_hourly.c.service).distinct()
                                           .order_by(lines_hourly.c.service))]
    for service in services:
        hours = [h for (h,) in conn.execute(
            select(lines_hourly.c.hour).where(lines_hourly.c.service == service)
            .order_by(lines_hourly.c.hour))]
        gaps, empty = [], 0
        for before, after in itertools.pairwise(hours):
            if after - before > 1:
                empty += after - before - 1
                if len(gaps) < MAX_GAP_HOURS:
                    gaps.append(((before + 1) * 3600, after * 3600))
        out.append(Coverage(service, hours[0] * 3600, (hours[-1] + 1) * 3600, empty, gaps))
    return out



def monthly_sums(conn, stat: str, first: str, last: str, fields, keys=None, by_key=True):
    """``stat``'s figures from month ``first`` to ``last`` (YYYY-MM, both
    included) for ``fields``, only of ``keys`` when given: (month, key,
    field, value) rows ordered by month and key; with ``by_key`` false the
    keys are summed and each row's key is None."""
    where = [stat_counts.c.stat == stat, stat_counts.c.bucket >= first,
             stat_counts.c.bucket <= last, stat_counts.c.field.in_(list(fields))]
    if keys is not None:
        where.append(stat_counts.c.key.in_(list(keys)))
    grouped = [stat_counts.c.bucket, *([stat_counts.c.key] if by_key else []),
               stat_counts.c.field]
    query = (select(*grouped, func.sum(stat_counts.c.value)).where(*where)
             .group_by(*grouped).order_by(*grouped))
    for row in conn.execute(query):
        month, *key, field, value = row
        yield month, key[0] if key else None, field, int(value)


@dataclass(frozen=True)
class StoredHours:
    first: int | None  # the first hour any line was stored for (hours since the epoch)
    last: int | None  # the last one
    hours: list[int]  # the hours asked about that have lines, in order


def stored_hours(conn, since: int, until: int) -> StoredHours:
    """Which hours from ``since`` up to ``until`` (hours since the epoch,
    ``until`` excluded) have any line stored, of any service, and the
    first and last hour stored at all: an hour with none is one nothing
    was read for (see ``coverage``)."""
    first, last = conn.execute(select(func.min(lines_hourly.c.hour),
                                      func.max(lines_hourly.c.hour))).one()
    hours = [h for (h,) in conn.execute(
        select(lines_hourly.c.hour).where(lines_hourly.c.hour >= since,
                                          lines_hourly.c.hour < until)
        .group_by(lines_hourly.c.hour).order_by(lines_hourly.c.hour))]
    return StoredHours(first, last, hours)
