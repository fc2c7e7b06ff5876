"""COUNTER's double-click filtering and unique counting, on hits in any order.

Hits on one URL by one user (a chain: client, user agent, URL) within 30
seconds of each other count once: the later is kept, and this chains, so
a hit is counted when no later hit of its chain comes within 30 seconds.
Hits arrive in any order (two pirus2 processes, retries, a backfill of an
older archive); a new hit can only make the hit just before it in its
chain stop counting, never make one count, so what is counted follows
from each new hit and its neighbours, whatever the order.

A Unique metric counts an item once per session (client, user agent,
date, hour) in which at least one of its hits counts; every Request is
also an Investigation.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import NamedTuple

from ..store.schema import INVESTIGATION, REQUEST

#: Seconds within which a repeat on one URL by one user is a double click.
DOUBLE_CLICK = 30


class Hit(NamedTuple):
    key: bytes
    chain: bytes
    t: int
    service: str
    item: str
    kind: int  # INVESTIGATION or REQUEST
    session: bytes
    counted: bool = False


class Change(NamedTuple):
    """A hit that now counts (``delta`` 1) or no longer counts (-1), with
    what it changes in the Unique metrics of its item and day."""

    hit: Hit
    delta: int
    unique_investigations: int = 0
    unique_requests: int = 0


def settle(new: list[Hit], stored: list[Hit]) -> tuple[set[bytes], list[Hit]]:
    """Which ``new`` hits count, and which ``stored`` hits stop counting.

    ``stored`` holds the hits already kept of the new hits' chains from 30
    seconds before the earliest new hit to 30 seconds after the latest
    (more does no harm); the new hits must not be among them.
    """
    by_chain: dict[bytes, list[tuple[int, bytes, bool, Hit]]] = defaultdict(list)
    for hit in new:
        by_chain[hit.chain].append((hit.t, hit.key, True, hit))
    for hit in stored:
        if hit.chain in by_chain:
            by_chain[hit.chain].append((hit.t, hit.key, False, hit))
    counted, stopped = set(), []
    for hits in by_chain.values():
        hits.sort(key=lambda entry: (entry[0], entry[1]))
        for (t, _, is_new, hit), following in zip(hits, [*hits[1:], None], strict=True):
            keeps = following is None or following[0] - t > DOUBLE_CLICK
            if is_new and keeps:
                counted.add(hit.key)
            elif not is_new and hit.counted and not keeps and following[2]:
                stopped.append(hit)  # its next hit is a new one, close behind
    return counted, stopped


def day_of(t: int) -> int:
    """The UTC day of ``t`` as YYYYMMDD."""
    days = t // 86400
    # Civil date from a day count (Howard Hinnant's algorithm), without
    # building a datetime per hit.
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (m <= 2)
    return y * 10000 + m * 100 + d


def _sid(hit: Hit, group: int) -> bytes:
    # The session already names its date and hour.
    return hashlib.blake2b(b"%b\x1f%b\x1f%d" % (hit.session, hit.item.encode(), group),
                           digest_size=8).digest()


def session_ids(hit: Hit) -> list[tuple[int, bytes]]:
    """(group, session row id) of each Unique metric group a hit counts in:
    Investigations always, Requests for a Request."""
    ids = [(INVESTIGATION, _sid(hit, INVESTIGATION))]
    if hit.kind == REQUEST:
        ids.append((REQUEST, _sid(hit, REQUEST)))
    return ids


def changes(deltas: list[tuple[Hit, int]], session_hits: dict[bytes, int]) -> list[Change]:
    """The Changes of hits that start (1) or stop (-1) counting.

    ``session_hits`` maps the session row id of each of these hits to its
    stored count of counted hits (absent: 0); it is updated in place to
    the new counts, for the caller to store.
    """
    out = []
    for hit, delta in deltas:
        unique = {INVESTIGATION: 0, REQUEST: 0}
        for group, sid in session_ids(hit):
            before = session_hits.get(sid, 0)
            after = before + delta
            session_hits[sid] = after
            if (before > 0) != (after > 0):
                unique[group] = 1 if after > 0 else -1
        out.append(Change(hit, delta, unique[INVESTIGATION], unique[REQUEST]))
    return out
