"""Which months a report may give: the reporting period from begin_date
and end_date, and the complete-month rule.

A month is reported once it has ended and the store has its lines: every
hour of it has at least one line stored (of any service; see
``read.stored_hours``). Otherwise, by appendix D: a period that begins in
the current month or later is 3020; one that ends there is cut at the
last month ended, with 3031; a month the store has not reached yet is
3031; one before the first line stored is 3032; a month with hours that
have nothing stored (loglines was down, or the logs were lost) is
reported as far as it goes, with 3040 naming it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ...stats.read import stored_hours
from .exceptions import Notice, SushiError

DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?\Z")


def parse(name: str, text: str) -> tuple[int, int]:
    """(year, month) of a YYYY-MM or YYYY-MM-DD date; 3020 otherwise."""
    match = DATE.match(text)
    try:
        if not match:
            raise ValueError
        year, month = int(match[1]), int(match[2])
        if match[3] is not None:
            datetime(year, month, int(match[3]))  # a real day of a real month
        elif not 1 <= month <= 12 or year < 1:
            raise ValueError
    except ValueError:
        raise SushiError(3020, f"{name} must be yyyy-mm or yyyy-mm-dd, not {text[:40]!r}") from None
    return year, month


def text(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def last_day(month: tuple[int, int]) -> str:
    return f"{text(month)}-{calendar.monthrange(*month)[1]:02d}"


def following(month: tuple[int, int]) -> tuple[int, int]:
    year, m = month
    return (year + 1, 1) if m == 12 else (year, m + 1)


def preceding(month: tuple[int, int]) -> tuple[int, int]:
    year, m = month
    return (year - 1, 12) if m == 1 else (year, m - 1)


def hours(month: tuple[int, int]) -> tuple[int, int]:
    """The month's first hour and the hour after its last (hours since the epoch)."""
    def start(m):
        return int(datetime(m[0], m[1], 1, tzinfo=timezone.utc).timestamp()) // 3600
    return start(month), start(following(month))


def spans(months: list[tuple[int, int]]) -> str:
    """'2025-01 to 2025-03, 2025-06': months in order, runs joined."""
    runs: list[list] = []
    for m in months:
        if runs and following(runs[-1][1]) == m:
            runs[-1][1] = m
        else:
            runs.append([m, m])
    return ", ".join(text(a) if a == b else f"{text(a)} to {text(b)}" for a, b in runs)


@dataclass
class Period:
    begin: tuple[int, int]
    end: tuple[int, int]  # cut at the last month ended
    unended: list[tuple[int, int]] = field(default_factory=list)  # asked for, cut off
    reported: list[tuple[int, int]] = field(default_factory=list)  # complete or partial
    notices: list[Notice] = field(default_factory=list)

    @property
    def begin_date(self) -> str:
        return f"{text(self.begin)}-01"

    @property
    def end_date(self) -> str:
        return last_day(self.end)

    def months(self) -> list[tuple[int, int]]:
        out, m = [], self.begin
        while m <= self.end:
            out.append(m)
            m = following(m)
        return out


def period(begin_text: str, end_text: str, now: float) -> Period:
    """The reporting period asked for, cut at the month before ``now``'s."""
    begin, end = parse("begin_date", begin_text), parse("end_date", end_text)
    if end < begin:
        raise SushiError(3020, "end_date is before begin_date")
    current = datetime.fromtimestamp(now, timezone.utc)
    current = (current.year, current.month)
    if begin >= current:
        raise SushiError(3020, f"begin_date is in {text(current)} or later; the last month "
                               f"that can be reported is {text(preceding(current))}")
    p = Period(begin, min(end, preceding(current)))
    if end >= current:
        p.unended = Period(current, end).months()
    return p


def classify(conn, p: Period) -> Period:
    """Fill in the months of ``p`` that may be reported and the notices of
    those that may not, from the hours the store has lines for."""
    since, until = hours(p.begin)[0], hours(p.end)[1]
    stored = stored_hours(conn, since, until)
    counted: dict[tuple[int, int], int] = {}
    for h in stored.hours:
        moment = datetime.fromtimestamp(h * 3600, timezone.utc)
        counted[moment.year, moment.month] = counted.get((moment.year, moment.month), 0) + 1
    waiting, before, partial = [], [], []
    for month in p.months():
        start, stop = hours(month)
        if stored.last is None or stored.last < stop - 1:
            waiting.append(month)  # the store has not got to its end yet
        elif stop <= stored.first:
            before.append(month)
        else:
            p.reported.append(month)
            if counted.get(month, 0) < stop - start:
                partial.append((month, stop - start - counted.get(month, 0)))
    if before:
        first = datetime.fromtimestamp(stored.first * 3600, timezone.utc)
        p.notices.append(Notice(3032, f"{spans(before)}: usage is available from "
                                      f"{first:%Y-%m-%d} on"))
    if waiting or p.unended:
        said = ([f"{spans(waiting)} not processed yet"] if waiting else []) + (
            [f"{spans(p.unended)} not ended, so End_Date is {p.end_date}"] if p.unended else [])
        p.notices.append(Notice(3031, ", ".join(said)))
    if partial:
        p.notices.append(Notice(3040, "hours with nothing stored: " + ", ".join(
            f"{text(m)} ({n})" for m, n in partial)))
    return p


def available(conn, now: float) -> tuple[str, str]:
    """The first and last month with usage processed, as the report list
    gives them: from the month of the first line stored to the last month
    ended that the store has reached the end of. With none yet, the month
    before ``now``'s for both (the schema has no way to say none)."""
    moment = datetime.fromtimestamp(now, timezone.utc)
    last = preceding((moment.year, moment.month))
    stored = stored_hours(conn, 0, 0)
    if stored.last is None:
        return text(last), text(last)
    ended = datetime.fromtimestamp(stored.last * 3600, timezone.utc)
    reached = (ended.year, ended.month)
    if stored.last < hours(reached)[1] - 1:  # the store is inside that month still
        reached = preceding(reached)
    last = min(last, reached)
    begun = datetime.fromtimestamp(stored.first * 3600, timezone.utc)
    first = min((begun.year, begun.month), last)
    return text(first), text(last)
