"""What a statistic is: a name, its fields, and how lines and counted hits
update it (the model is statscache's plugins).

A statistic is a set of counters by bucket (its ``period``: a day, a month
or all time), key and field. The stats worker hands it, once per new line,
a ``Line`` and, whenever COUNTER's filtering changes what counts, a
``Change`` (counting.py); it answers with ``(key, field, amount)``
triples. loglines adds them up and writes them once a second in one
transaction, so a statistic holds no state and does no I/O.

A statistic file in ``plugins/`` (named in the stats worker's
``statistics``) defines at module level::

    name = "downloads_by_service"          # letters, digits, _ ; unique
    description = "File downloads per repository and day"
    fields = ("downloads",)
    period = "day"                          # "day", "month" or "all"
    key = "service"                         # what the key column holds
    backlog = 90                            # days of history it wants when new
    version = "1"                           # change it to have it rebuilt

    def usage(change):                      # and/or lines(line)
        if change.hit.kind == REQUEST:
            yield change.hit.service, "downloads", change.delta
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import LoglinesError

PERIODS = ("day", "month", "all")
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}\Z")


class Line(NamedTuple):
    """A line seen for the first time; ``reason`` is None for an event."""

    t: int
    service: str
    reason: str | None


Update = tuple[str, str, int]  # key, field, amount


class BadStatistic(LoglinesError):
    """A statistic that cannot be used, and why (its file is named by the caller)."""


@dataclass(frozen=True)
class Statistic:
    name: str
    description: str
    fields: tuple[str, ...]
    period: str
    key: str
    backlog: int  # days
    version: str
    usage: Callable[[object], Iterable[Update]] | None = None
    lines: Callable[[Line], Iterable[Update]] | None = None
    origin: str = "built in"
    # usage() reads only the item, service, kind and day of a change's hit,
    # and lines() only the service, reason and day of a line: each may be
    # handed one per such group (the changes' amounts summed; the line's
    # amounts are multiplied by the lines it stands for).
    grouped: bool = False

    def __post_init__(self):
        problems = []
        if not isinstance(self.name, str) or not NAME.match(self.name):
            problems.append(f"name {self.name!r} is not lower-case letters, digits and _")
        if self.period not in PERIODS:
            problems.append(f"period {self.period!r} is not one of {', '.join(PERIODS)}")
        if not self.fields or not all(isinstance(f, str) and f for f in self.fields):
            problems.append("fields must be a non-empty tuple of names")
        elif self.key in ("period", *self.fields):
            problems.append(f"key {self.key!r} is also the name of a column of its rows")
        if self.usage is None and self.lines is None:
            problems.append("it defines neither usage(change) nor lines(line)")
        for hook in ("usage", "lines"):
            if getattr(self, hook) is not None and not callable(getattr(self, hook)):
                problems.append(f"{hook} is not a function")
        if not isinstance(self.backlog, int) or self.backlog < 0:
            problems.append("backlog must be a whole number of days >= 0")
        if problems:
            raise BadStatistic("; ".join(problems))


@functools.lru_cache(maxsize=4096)
def bucket(period: str, day: int) -> str:
    """The bucket of a YYYYMMDD ``day``: 2026-12-01, 2026-12 or all."""
    if period == "day":
        return f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"
    if period == "month":
        return f"{day // 10000:04d}-{day // 100 % 100:02d}"
    return "all"
