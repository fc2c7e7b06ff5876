"""Storing a batch of line records and updating every statistic, in the
caller's transaction (docs/design.md, Local statistics).

Each record's line is stored under its key; a key already there is a line
seen before and changes nothing, so the queue's repeats, a replay and a
backfill run twice leave the figures as they were. Then COUNTER's
filtering is settled for the new hits (counting.py) and the statistics'
counters move by what changed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ..store.bulk import (
    add_to,
    chunks,
    existing,
    insert_missing,
    insert_values,
    lock_for_writing,
    rows_in,
)
from ..store.schema import INVESTIGATION, REQUEST, agents, hits, lines_hourly, sessions
from .counters import add_counts, set_counted
from .counting import DOUBLE_CLICK, Change, Hit, changes, day_of, session_id, settle
from .statistic import Line, Statistic, bucket

KINDS = {"I": INVESTIGATION, "R": REQUEST}
AGENT_CACHE = 100_000
_HIT_COLUMNS = ("key", "chain", "t", "service", "item", "kind", "session", "counted")
# A new line's row, as a tuple: tens of thousands a second, so no dicts.
_HIT_ROW = ("key", "service", "t", "reason", "method", "status", "target", "agent_id",
            "client", "item", "kind", "chain", "session", "counted")
_KEY, _SERVICE, _T, _REASON, _ITEM, _KIND, _CHAIN, _SESSION = (
    _HIT_ROW.index(c) for c in ("key", "service", "t", "reason", "item", "kind", "chain",
                                "session"))


@dataclass
class Applied:
    lines: int = 0  # new lines stored
    repeats: int = 0  # lines already stored: counted before
    events: int = 0  # new hits that are usage events
    counted: int = 0  # of those, kept by double-click filtering
    stopped: int = 0  # stored hits that a new one made a double click


def _hash8(*parts: str) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=8).digest()


def chain_and_session(client: str, agent: str, target: str, t: int) -> tuple[bytes, bytes]:
    """The double-click chain (client, agent, URL) and the COUNTER session
    (client, agent, date, hour) of an event, hashed."""
    return (_hash8(client, agent, target),
            _hash8(client, agent, str(day_of(t)), str(t // 3600 % 24)))


class Ingest:
    def __init__(self, statistics: list[Statistic]):
        self.statistics = statistics
        self._agents: dict[str, int] = {}

    def apply(self, conn, records: list[dict]) -> Applied:
        """Store ``records`` (decoded stats records, usage/record.py) on ``conn``."""
        try:
            with _no_cycle_collection():
                return self._apply(conn, records)
        except BaseException:
            # The transaction is lost: agent ids learnt in it may not exist.
            self._agents.clear()
            raise

    def _apply(self, conn, records):
        lock_for_writing(conn)
        unique = list({r["k"]: r for r in records}.values())
        agent_ids = self._agent_ids(conn, {r["a"] for r in unique if r.get("a") is not None})
        row = self._row
        rows = [row(r, agent_ids) for r in unique]
        new_hits = _hits_of(rows)
        # Read before the batch is stored: its own rows would only be read back.
        stored = self._neighbours(conn, new_hits)
        kept, stopped = settle(new_hits, stored)
        if not _store_if_all_new(conn, rows, kept):
            seen = existing(conn, hits.c.key, [r[_KEY] for r in rows])
            rows = [r for r in rows if r[_KEY] not in seen]
            new_hits = _hits_of(rows)
            kept, stopped = settle(new_hits, stored)  # the repeats are among the stored
            insert_values(conn, hits, _HIT_ROW, [(*r, r[_KEY] in kept) for r in rows])
        set_counted(conn, [hit.key for hit in stopped], False)
        applied = Applied(lines=len(rows), repeats=len(records) - len(rows),
                          events=len(new_hits), counted=len(kept), stopped=len(stopped))
        totals: Counter = Counter()
        self._count_lines(conn, rows, totals)
        deltas = [(hit, 1) for hit in new_hits if hit.key in kept] + [(h, -1) for h in stopped]
        if deltas:
            self._count_usage(conn, deltas, totals)
        add_counts(conn, totals)
        return applied

    # -- rows ------------------------------------------------------------

    def _agent_ids(self, conn, texts: set[str]) -> dict[str, int]:
        missing = [t for t in texts if t not in self._agents]
        if missing:
            if len(self._agents) + len(missing) > AGENT_CACHE:
                self._agents.clear()  # a bot farm's random agents must not grow memory
            insert_missing(conn, agents, [{"text": t} for t in missing])
            for chunk in chunks(missing):
                for agent_id, text in conn.execute(
                        select(agents.c.id, agents.c.text).where(agents.c.text.in_(chunk))):
                    self._agents[text] = agent_id
        return self._agents

    @staticmethod
    def _row(record: dict, agent_ids: dict[str, int]) -> tuple:
        """A line's row of ``hits`` in ``_HIT_ROW`` order, but for ``counted``
        (known once the batch is settled)."""
        t = int(record["t"])
        get = record.get
        kind = KINDS.get(get("kd")) if get("i") else None
        agent = get("a")
        client, target = get("c") or "", get("u")
        line = (bytes.fromhex(record["k"]), get("s") or "", t)
        seen = (get("m"), get("st"), target, agent_ids.get(agent) if agent is not None else None,
                client if target is not None else None)
        if kind is None:
            return (*line, get("r"), *seen, None, None, None, None)
        chain, session = chain_and_session(client, agent or "", target or "", t)
        return (*line, None, *seen, get("i"), kind, chain, session)

    # -- lines -----------------------------------------------------------

    def _count_lines(self, conn, rows: list[tuple], totals: Counter) -> None:
        per_hour = Counter((row[_SERVICE], row[_T] // 3600) for row in rows)
        add_to(conn, lines_hourly, [{"service": s, "hour": h, "lines": n}
                                    for (s, h), n in per_hour.items()], add=["lines"])
        groups = None
        for statistic in self.statistics:
            if statistic.lines is None:
                continue
            if statistic.grouped:
                groups = groups or _line_groups(rows)
                lines = ((line, day_of(line.t), n) for line, n in groups)
            else:
                lines = ((Line(row[_T], row[_SERVICE], row[_REASON]), day_of(row[_T]), 1)
                         for row in rows)
            for line, day, n in lines:
                b = bucket(statistic.period, day)
                for key, field, amount in statistic.lines(line):
                    totals[statistic.name, b, str(key), field] += amount * n

    # -- usage -----------------------------------------------------------

    @staticmethod
    def _neighbours(conn, new_hits: list[Hit]) -> list[Hit]:
        """The stored hits of the new hits' chains from 30 seconds before the
        earliest to 30 seconds after the latest: what settling them needs."""
        if not new_hits:
            return []
        low = min(hit.t for hit in new_hits) - DOUBLE_CLICK
        high = max(hit.t for hit in new_hits) + DOUBLE_CLICK
        return [Hit(*row) for row in rows_in(
            conn, "chains", lambda v: select(*(hits.c[c] for c in _HIT_COLUMNS)).where(
                hits.c.chain.in_(v), hits.c.t.between(bindparam("low"), bindparam("high"))),
            sorted({hit.chain for hit in new_hits}), low=low, high=high)]

    def _count_usage(self, conn, deltas: list[tuple[Hit, int]], totals: Counter) -> None:
        ids = [session_id(hit) for hit, _ in deltas]
        days = [day_of(hit.t) for hit, _ in deltas]
        day_of_sid = dict(zip(ids, days, strict=True))
        current = {sid: (i, r) for sid, i, r in rows_in(
            conn, "sessions", lambda v: select(sessions.c.sid, sessions.c.investigations,
                                               sessions.c.requests).where(sessions.c.sid.in_(v)),
            list(day_of_sid))}
        before = dict(current)
        found = changes(deltas, current, ids)
        rows = []
        for sid, (i, r) in current.items():
            i0, r0 = before.get(sid, (0, 0))
            if (i, r) != (i0, r0):
                rows.append({"sid": sid, "day": day_of_sid[sid], "investigations": i - i0,
                             "requests": r - r0})
        add_to(conn, sessions, rows, add=["investigations", "requests"])
        grouped = _grouped(found, days)
        for statistic in self.statistics:
            if statistic.usage is None:
                continue
            pairs = grouped if statistic.grouped else zip(found, days, strict=True)
            for change, day in pairs:
                b = bucket(statistic.period, day)
                for key, field, amount in statistic.usage(change):
                    totals[statistic.name, b, key if type(key) is str else str(key),
                           field] += amount


def _hits_of(rows: list[tuple]) -> list[Hit]:
    return [Hit(r[_KEY], r[_CHAIN], r[_T], r[_SERVICE], r[_ITEM], r[_KIND], r[_SESSION])
            for r in rows if r[_KIND]]


def _store_if_all_new(conn, rows: list[tuple], counted: set[bytes]) -> bool:
    """Store ``rows`` (``counted``: the keys of those that count) if none is
    there yet; False, with nothing stored, if some are. Repeats are rare (a
    redelivery, a replay), so most batches spare the query for them."""
    if not rows:
        return True
    savepoint = conn.begin_nested()
    stored = insert_missing(conn, hits, [(*r, r[_KEY] in counted) for r in rows], _HIT_ROW)
    if stored == len(rows):
        savepoint.commit()
        return True
    savepoint.rollback()
    return False


@contextlib.contextmanager
def _no_cycle_collection():
    """The cycle collector off for one batch: a batch makes hundreds of
    thousands of rows, hits and changes that live until it ends and form no
    cycles, and the collector scanned them again and again (a sixth of the
    ingest's time in figure 9). What a statistic's code leaves in cycles is
    collected once the batch is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _line_groups(rows: list[tuple]) -> list[tuple[Line, int]]:
    """One Line per service, reason and day (the first of them) and how
    many lines it stands for, for the statistics that read no more of a line."""
    groups: dict[tuple, list] = {}
    for row in rows:
        key = (row[_SERVICE], row[_REASON], day_of(row[_T]))
        group = groups.get(key)
        if group is None:
            groups[key] = [Line(row[_T], row[_SERVICE], row[_REASON]), 1]
        else:
            group[1] += 1
    return [(line, n) for line, n in groups.values()]


def _grouped(found: list[Change], days: list[int]) -> list[tuple[Change, int]]:
    """One change per item, service, kind and day, its amounts summed (for
    the statistics that read no more of a hit)."""
    groups: dict[tuple, list] = {}
    for change, day in zip(found, days, strict=True):
        hit = change.hit
        group = groups.get((hit.item, hit.service, hit.kind, day))
        if group is None:
            groups[hit.item, hit.service, hit.kind, day] = [hit, change.delta,
                                                            change.unique_investigations,
                                                            change.unique_requests, day]
        else:
            group[1] += change.delta
            group[2] += change.unique_investigations
            group[3] += change.unique_requests
    return [(Change(hit, d, ui, ur), day) for hit, d, ui, ur, day in groups.values()]
