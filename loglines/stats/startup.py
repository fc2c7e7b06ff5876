"""Opening the store for a worker: waiting while it cannot be reached,
refusing to start while its schema is not this loglines' own."""

import time
from datetime import datetime, timezone

from ..errors import StoreError, StoreUnavailable
from ..runtime.retrying import until_done
from ..store.engine import connect, describe, open_engine, writing
from ..store.migrate import UNREACHABLE, state
from .read import coverage, hour_text
from .recount import catch_up

RETRY_EVERY = 5.0


def open_store(ctx):
    """The engine of the ``[store]``, once it answers; None when asked to
    stop first. StoreError (one line) when it is not migrated."""
    engine = open_engine(ctx.config.store.url, str(ctx.config.path))
    found = []

    def look():
        current = state(engine)
        if current.status == UNREACHABLE:
            raise StoreUnavailable(current.detail)
        found.append(current)

    if not until_done(ctx, look, (StoreUnavailable,), RETRY_EVERY,
                      lambda err: f"the store {describe(engine.url)} is unreachable ({err})",
                      lambda s: f"the store answers again after {s:.0f} s"):
        engine.dispose()
        return None
    if not found[-1].ok:
        engine.dispose()
        raise StoreError(f"{ctx.config.path}: [store] {describe(engine.url)}: "
                         f"{found[-1].describe()}")
    return engine


def _day(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d")


def take_up(ctx, engine, statistics):
    """Count each statistic new to the store (or of a new version) from the
    stored lines of its backlog, before the queue's records."""
    with writing(engine) as conn:
        done = catch_up(conn, statistics, int(time.time()))
    for statistic, since, hits in done:
        ctx.log.info("statistic %s (version %s) is new here: counted from the %d stored lines "
                     "since %s", statistic.name, statistic.version, hits, _day(since))


def report_coverage(ctx, engine):
    """The span the store has lines for, and every stretch with none."""
    with connect(engine) as conn:
        spans = coverage(conn)
    for c in spans:
        ctx.log.info("lines of %s stored from %s to %s", c.service, hour_text(c.since),
                     hour_text(c.until))
        if c.empty_hours:
            first = ", ".join(f"{hour_text(a)} to {hour_text(b)}" for a, b in c.gaps[:3])
            more = f" and {len(c.gaps) - 3} more" if len(c.gaps) > 3 else ""
            ctx.log.warning("%s: %d hours with no line at all (%s%s): the figures miss them "
                            "unless those hours were really quiet; `loglines stats backfill` "
                            "fills them from the logs", c.service, c.empty_hours, first, more)
