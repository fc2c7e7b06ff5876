"""Periods in whole seconds since the epoch (UTC), as the store keeps
time: the finished periods of a kind (month or day) and the slicing
functions that cut a period into intervals."""

from __future__ import annotations

from datetime import datetime, timezone

DAY = 86400


def utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def stamp(d: datetime) -> int:
    return int(d.replace(tzinfo=timezone.utc).timestamp()) if d.tzinfo is None \
        else int(d.timestamp())


def month_start(t: int) -> int:
    d = utc(t)
    return stamp(datetime(d.year, d.month, 1, tzinfo=timezone.utc))


def next_month(t: int) -> int:
    d = utc(month_start(t))
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return stamp(datetime(year, month, 1, tzinfo=timezone.utc))


def day_start(t: int) -> int:
    return t - t % DAY


def start_of(kind: str, t: int) -> int:
    return month_start(t) if kind == "month" else day_start(t)


def following(kind: str, t: int) -> int:
    return next_month(t) if kind == "month" else day_start(t) + DAY


def finished(kind: str, since: int, now: int, settle: float = 0) -> list:
    """The periods of ``kind`` from the one holding ``since`` to the last one
    that ended at least ``settle`` seconds before ``now``."""
    out, start = [], start_of(kind, since)
    while (end := following(kind, start)) + settle <= now:
        out.append((start, end))
        start = end
    return out


def by_day(since: int, until: int) -> list:
    """A slicing function: one interval per day (the first and last cut to the period)."""
    out, start = [], since
    while start < until:
        end = min(day_start(start) + DAY, until)
        out.append((start, end))
        start = end
    return out


def by_month(since: int, until: int) -> list:
    out, start = [], since
    while start < until:
        end = min(next_month(start), until)
        out.append((start, end))
        start = end
    return out


def text(t: int) -> str:
    d = utc(t)
    return d.strftime("%Y-%m-%d") if d.hour == d.minute == d.second == 0 \
        else d.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str, what: str) -> int:
    """A date (YYYY-MM-DD or YYYY-MM) as seconds since the epoch; ValueError names ``what``."""
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return stamp(datetime.strptime(value, fmt).replace(tzinfo=timezone.utc))
        except ValueError:
            continue
    raise ValueError(f"{what}: expected a date as YYYY-MM-DD or YYYY-MM, got {value!r}")
