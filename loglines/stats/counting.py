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

import functools
import hashlib
from collections import defaultdict
from typing import NamedTuple

from ..store.schema import REQUEST

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
    return _civil(t // 86400)


@functools.lru_cache(maxsize=4096)
def _civil(days: int) -> int:
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


def session_id(hit: Hit) -> bytes:
    """The row id of a hit's item and session (which names its date and hour)."""
    return hashlib.blake2b(b"%b\x1f%b" % (hit.session, hit.item.encode()),
                           digest_size=8).digest()


def changes(deltas: list[tuple[Hit, int]], session_hits: dict[bytes, tuple[int, int]],
            ids: list[bytes] | None = None) -> list[Change]:
    """The Changes of hits that start (1) or stop (-1) counting.

    ``session_hits`` maps the session row id of each of these hits to its
    stored counts of counted hits (investigations, requests; absent: 0, 0);
    it is updated in place to the new counts, for the caller to store.
    ``ids``: each delta's ``session_id``, when the caller has them already.
    """
    out = []
    for (hit, delta), sid in zip(deltas, ids or [session_id(h) for h, _ in deltas],
                                 strict=True):
        investigations, requests = session_hits.get(sid, (0, 0))
        unique_i = unique_r = 0
        after = investigations + delta
        if (investigations > 0) != (after > 0):
            unique_i = 1 if after > 0 else -1
        investigations = after
        if hit.kind == REQUEST:
            after = requests + delta
            if (requests > 0) != (after > 0):
                unique_r = 1 if after > 0 else -1
            requests = after
        session_hits[sid] = (investigations, requests)
        out.append(Change(hit, delta, unique_i, unique_r))
    return out
