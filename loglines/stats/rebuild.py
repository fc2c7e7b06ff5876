"""``loglines stats rebuild``: decide again which stored lines are events,
with today's robots list and plugin rules, then count everything again
from those decisions, without reading the logs.

Each stored line that kept its fields (every GET answered 200 or 304) is
handed to the plugin again as the fields it parsed, with the client as it
was stored. What cannot be decided again is kept as it was: a line
excluded by its method or status (rules COUNTER fixes), a line excluded
by ``exclude_ips`` (the address itself is not stored, only the client as
``req_id`` keeps it), and a line a plugin refuses to decide now.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import update

from ..store.bulk import lock_for_writing
from ..store.schema import agents, hits
from ..usage.item import BadItem, RetryItem, evaluate_parsed
from ..usage.timestamps import unix_to_utc
from .ingest import KINDS, chain_and_session
from .recount import Recounted, in_time_order, month_start, recount

# Kept as decided: the address behind a hashed client is not stored.
_KEPT = ("excluded_ip",)


@dataclass
class Rebuilt:
    looked_at: int = 0
    changed: Counter = field(default_factory=Counter)  # "robot -> event", ...
    kept: int = 0  # lines the plugin would not decide again
    recounted: Recounted | None = None


def _verdict(plugin, view, section, log_format, service, row):
    """(reason, item, kind) the plugin gives the stored fields now."""
    pl = {"service": service, "log_format": log_format, "target": row.target,
          "method": row.method, "status": row.status, "utc": unix_to_utc(row.at),
          "host": None, "remote_addr": None, "x_forwarded_for": None, "referer": None,
          "user_agent": row.agent or ""}
    params = evaluate_parsed(plugin, view, section, pl)
    if params is None:
        reason = pl.get("excluded")
        return (reason if isinstance(reason, str) else "not_an_event"), None, None
    p = dict(params)
    return None, p.get("rft.artnum") or None, KINDS.get((p.get("rft_dat") or "I")[0], 1)


def reevaluate(conn, plugin, view, section, log_format, since, result):
    """Update the verdict of every stored line from ``since`` that the
    plugin can decide again."""
    columns = (hits.c.service, hits.c.reason, hits.c.method, hits.c.status, hits.c.target,
               hits.c.client, hits.c.item, hits.c.kind, agents.c.text.label("agent"))
    for row in in_time_order(conn, columns, since, hits.c.target.is_not(None),
                             joined=hits.outerjoin(agents, agents.c.id == hits.c.agent_id)):
        _reevaluate_row(conn, plugin, view, section, log_format, row, result)


def _reevaluate_row(conn, plugin, view, section, log_format, row, result):
    result.looked_at += 1
    if row.reason in _KEPT:
        result.kept += 1
        return
    try:
        reason, item, kind = _verdict(plugin, view, section, log_format, row.service, row)
    except (BadItem, RetryItem):
        result.kept += 1
        return
    if (reason, item, kind) == (row.reason, row.item, row.kind):
        return
    chain = session = None
    if kind is not None:
        chain, session = chain_and_session(row.client or "", row.agent or "", row.target,
                                           row.at)
    result.changed[f"{row.reason or 'event'} -> {reason or 'event'}"] += 1
    conn.execute(update(hits).where(hits.c.key == row.key).values(
        reason=reason, item=item, kind=kind, chain=chain, session=session, counted=False))


def rebuild(conn, plugin, view, section, log_format, statistics, since=0):
    """Decide again from the month of ``since``, then count again."""
    lock_for_writing(conn)  # the stats worker must not store while the figures are redone
    start = month_start(max(0, since))
    result = Rebuilt()
    reevaluate(conn, plugin, view, section, log_format, start, result)
    result.recounted = recount(conn, statistics, start, refilter=True)
    return result
