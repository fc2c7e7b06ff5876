"""Counting statistics again from the stored hits, without the logs: a
statistic new to the store (from its ``backlog``), one whose version
changed, and ``loglines stats rebuild`` after the robots list or the
plugin's rules changed.

One pass over the hits in time order. A rebuild also settles double
clicks again as it goes (a hit is final once 30 seconds of hits after it
have been seen), so hits that stopped or started being events move the
figures; the session counts are rebuilt with them.
"""

from __future__ import annotations

import calendar
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, select, tuple_, update

from ..store.bulk import add_to, lock_for_writing
from ..store.schema import REQUEST, hits, sessions, stat_counts, stat_state
from .counters import add_counts, set_counted
from .counting import DOUBLE_CLICK, Change, Hit, day_of, session_id
from .statistic import Line, Statistic, bucket

PAGE = 20_000
_COLUMNS = ("key", "chain", "t", "service", "item", "kind", "session", "counted")


def month_start(t: int) -> int:
    """The first second of the UTC month of ``t``."""
    day = day_of(t)
    return calendar.timegm((day // 10000, day // 100 % 100, 1, 0, 0, 0))


@dataclass
class Recounted:
    hits: int = 0
    counted: int = 0
    changed_flags: int = 0


def in_time_order(conn, columns, since: int, *where, joined=None) -> Iterator:
    """Rows of ``at`` (the time), ``key`` and ``columns`` of every stored
    line from ``since`` on that meets ``where``, oldest first, read a page
    at a time (``joined``: the tables to select from, when more than hits).
    The time is labelled: a Row's ``t`` is a method of its own."""
    after = (since - 1, b"\xff" * 16)
    while True:
        query = select(hits.c.t.label("at"), hits.c.key, *columns)
        if joined is not None:
            query = query.select_from(joined)
        page = conn.execute(query.where(tuple_(hits.c.t, hits.c.key) > after, *where)
                            .order_by(hits.c.t, hits.c.key).limit(PAGE)).all()
        yield from page
        if len(page) < PAGE:
            return
        after = (page[-1].at, page[-1].key)


def stored_rows(conn, since: int) -> Iterator[tuple[Hit, str | None]]:
    """Every stored line from ``since`` on, oldest first, with its reason."""
    for row in in_time_order(conn, [*(hits.c[c] for c in _COLUMNS), hits.c.reason], since):
        yield Hit(*row[2:-1]), row[-1]


def settled(rows: Iterator[tuple[Hit, str | None]]) -> Iterator[tuple[Hit, str | None, bool]]:
    """The rows with whether double-click filtering keeps each, decided
    again from the rows themselves; each comes out once the 30 seconds
    after it have been read."""
    waiting: deque[list] = deque()  # [hit, reason, counted], in time order
    last: dict[bytes, list] = {}
    for hit, reason in rows:
        while waiting and waiting[0][0].t < hit.t - DOUBLE_CLICK:
            done = waiting.popleft()
            if last.get(done[0].chain) is done:
                del last[done[0].chain]
            yield done[0], done[1], done[2]
        entry = [hit, reason, hit.kind is not None]
        if hit.kind is not None:
            before = last.get(hit.chain)
            if before is not None and hit.t - before[0].t <= DOUBLE_CLICK:
                before[2] = False
            last[hit.chain] = entry
        waiting.append(entry)
    for done in waiting:
        yield done[0], done[1], done[2]


def recount(conn, statistics: list[Statistic], since: int, refilter: bool = False) -> Recounted:
    """Count ``statistics`` again from the month of ``since`` (all time for
    an ``all`` statistic); with ``refilter``, settle double clicks again and
    rebuild the session counts over the same span."""
    counting = _Recount(statistics, month_start(max(0, since)), refilter)
    counting.clear(conn)
    first = 0 if any(s.period == "all" for s in statistics) else counting.start
    rows = stored_rows(conn, first)
    for hit, reason, counted in (settled(rows) if refilter
                                 else ((h, r, h.counted) for h, r in rows)):
        counting.add(hit, reason, counted)
    return counting.write(conn)


class _Recount:
    def __init__(self, statistics, start, refilter):
        self.statistics, self.start, self.refilter = statistics, start, refilter
        self.done = Recounted()
        self.totals: Counter = Counter()
        self.session_hits: dict[bytes, tuple[int, int, int]] = {}  # sid: day, inv., req.
        self.flips: dict[bool, list[bytes]] = {True: [], False: []}
        self.seen_day, self.seen = None, set()

    def clear(self, conn):
        for statistic in self.statistics:
            query = delete(stat_counts).where(stat_counts.c.stat == statistic.name)
            if statistic.period != "all":
                query = query.where(stat_counts.c.bucket >= bucket(statistic.period,
                                                                   day_of(self.start)))
            conn.execute(query)
        if self.refilter:
            conn.execute(delete(sessions).where(sessions.c.day >= day_of(self.start)))

    def _takes(self, statistic, hit):
        return statistic.period == "all" or hit.t >= self.start

    def add(self, hit, reason, counted):
        self.done.hits += 1
        if hit.t < self.start:
            counted = hit.counted  # before the span: as it was counted then
        elif self.refilter and counted != hit.counted:
            self.flips[counted].append(hit.key)
        day = day_of(hit.t)
        line = Line(hit.t, hit.service, reason)
        for statistic in self.statistics:
            if statistic.lines is not None and self._takes(statistic, hit):
                self._add(statistic, day, statistic.lines(line))
        if counted and hit.kind is not None:
            self._usage(hit, day)

    def _usage(self, hit, day):
        self.done.counted += 1
        if day != self.seen_day:  # sessions are within an hour: a new day starts afresh
            self.seen_day, self.seen = day, set()
        sid = session_id(hit)
        request = hit.kind == REQUEST
        unique_i = 0 if (sid, False) in self.seen else 1
        unique_r = 0 if not request or (sid, True) in self.seen else 1
        self.seen.update([(sid, False), *([(sid, True)] if request else [])])
        if self.refilter and hit.t >= self.start:
            counts = self.session_hits.get(sid, (day, 0, 0))
            self.session_hits[sid] = (day, counts[1] + 1, counts[2] + request)
        change = Change(hit, 1, unique_i, unique_r)
        for statistic in self.statistics:
            if statistic.usage is not None and self._takes(statistic, hit):
                self._add(statistic, day, statistic.usage(change))

    def _add(self, statistic, day, updates):
        b = bucket(statistic.period, day)
        for key, field, amount in updates:
            self.totals[statistic.name, b, str(key), field] += amount

    def write(self, conn):
        for value, keys in self.flips.items():
            self.done.changed_flags += len(keys)
            set_counted(conn, keys, value)
        add_to(conn, sessions, [{"sid": sid, "day": day, "investigations": i, "requests": r}
                                for sid, (day, i, r) in self.session_hits.items()],
               add=["investigations", "requests"])
        add_counts(conn, self.totals)
        return self.done


def catch_up(conn, statistics: list[Statistic], now: int) -> list[tuple[Statistic, int, int]]:
    """Count the statistics new to the store, or whose version changed,
    from the stored hits of their ``backlog`` (days); record what each
    covers. Returns (statistic, since, hits counted) for each one counted."""
    lock_for_writing(conn)
    known = {row.stat: row for row in conn.execute(select(stat_state))}
    first = conn.execute(select(func.min(hits.c.t))).scalar()
    done = []
    for statistic in statistics:
        row = known.get(statistic.name)
        if row is not None and row.version == statistic.version:
            continue
        # Figures of another version, or left by a statistic of this name
        # that was dropped: none of them is this one's.
        conn.execute(delete(stat_counts).where(stat_counts.c.stat == statistic.name))
        since = max(now - statistic.backlog * 86400, first if first is not None else now)
        counted = recount(conn, [statistic], since) if first is not None else Recounted()
        values = {"version": statistic.version, "since": month_start(since), "until": None}
        if row is None:
            conn.execute(stat_state.insert().values(stat=statistic.name, **values))
        else:
            conn.execute(update(stat_state).where(stat_state.c.stat == statistic.name)
                         .values(**values))
        done.append((statistic, month_start(since), counted.hits))
    return done
