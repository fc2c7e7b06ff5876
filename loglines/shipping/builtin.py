"""The collectors that come with loglines.

- ``config``: the instance (the shipping section's settings without any
  secret, the loglines version, the span of the store);
- ``counter_ir`` and ``counter_pr``, JSON and TSV, group ``counter``: the
  COUNTER R5.1 Item and Platform Reports of the period (whole months: the
  section's period is a month), made by the same code as the SUSHI API's
  answers;
- ``usage_events`` (CSV, group ``events``, sliced by day): the usage
  events stored, one row each;
- ``excluded_lines`` (CSV, group ``operations``): the lines found not to be
  usage events, counted by reason and day;
- ``delivery_state`` (JSON, group ``operations``): each tracker target's
  events delivered, waiting and dead.

The events hold each client as the pirus2 section's ``req_id`` stored it
(an address, or its hash): the ``events`` group is not shipped unless a
section names it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from ..api.sushi import months, reports, tsv
from ..api.sushi.definitions import REPORTS
from ..api.sushi.request import Asked
from ..errors import LoglinesError
from ..metrics.delivery import delivery_state
from ..stats.read import stored_hours
from ..store.schema import INVESTIGATION, REQUEST, hits
from . import periods
from .registry import Table, register
from .tarball import loglines_version

KINDS = {INVESTIGATION: "Investigation", REQUEST: "Request"}


class NotReady(LoglinesError):
    """The store has not read the logs to the end of the period yet."""


@register("config", "1", description="The instance: settings, loglines version, store span",
          config=True)
def config(g):
    span = {"first": None, "last": None}
    with g.connect() as conn:
        stored = stored_hours(conn, 0, 0)
    if stored.first is not None:
        span = {"first": periods.text(stored.first * 3600),
                "last": periods.text((stored.last + 1) * 3600)}
    return {"section": g.section, "loglines": loglines_version(), "settings": g.public_settings,
            "store": span}


def _months(g):
    """The months of the interval; a COUNTER report is of whole months."""
    first, last = periods.utc(g.since), periods.utc(g.until - 1)
    if periods.month_start(g.since) != g.since or periods.next_month(g.until - 1) != g.until:
        raise ValueError(f"COUNTER reports are of whole months, not {periods.text(g.since)} "
                         f"to {periods.text(g.until)}")
    return f"{first:%Y-%m}", f"{last:%Y-%m}"


def _report(g, report_id):
    begin, end = _months(g)
    # Made as if at the end of the reporting period, so that the same usage
    # reported again is the same file (and the package the same content).
    period = months.period(begin, end, g.until)
    settings = g.sushi
    with g.connect() as conn:
        months.classify(conn, period)
        if period.months() != period.reported:
            # Shipped now it would be empty for good; failed, it is gathered
            # again at the next look, once the store has got there.
            months_ = begin if begin == end else f"{begin} to {end}"
            raise NotReady(f"the store has not processed {months_} to its end yet")
        report = reports.build(conn, REPORTS[report_id], settings, next(iter(settings.customers)),
                               Asked(), period, g.until)
    return report, period


def _tabular(report, period):
    lines = [line.split("\t") for line in tsv.render(report, period).split("\n")[:-1]]
    cut = next(i for i, row in enumerate(lines) if row == [""] * len(row)) + 2
    return Table(header=lines[:cut], rows=lines[cut:])


@register("counter_ir", "5.1", description="COUNTER R5.1 Item Report, JSON",
          group="counter")
def counter_ir(g):
    return _report(g, "IR")[0]


@register("counter_pr", "5.1", description="COUNTER R5.1 Platform Report, JSON",
          group="counter")
def counter_pr(g):
    return _report(g, "PR")[0]


@register("counter_ir", "5.1", format="tsv", description="COUNTER R5.1 Item Report, TSV",
          group="counter")
def counter_ir_tsv(g):
    return _tabular(*_report(g, "IR"))


@register("counter_pr", "5.1", format="tsv", description="COUNTER R5.1 Platform Report, TSV",
          group="counter")
def counter_pr_tsv(g):
    return _tabular(*_report(g, "PR"))


def _iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@register("usage_events", "1", format="csv", description="The usage events, one row each",
          slicing=periods.by_day, group="events")
def usage_events(g):
    yield ["time", "service", "item", "kind", "counted", "client"]
    query = (select(hits.c.t, hits.c.service, hits.c.item, hits.c.kind, hits.c.counted,
                    hits.c.client)
             .where(hits.c.t >= g.since, hits.c.t < g.until, hits.c.kind.is_not(None))
             .order_by(hits.c.t, hits.c.key))
    with g.connect() as conn:
        for t, service, item, kind, counted, client in conn.execute(query):
            yield [_iso(t), service, item, KINDS.get(kind, kind), "1" if counted else "0",
                   client or ""]


@register("excluded_lines", "1", format="csv",
          description="Lines that are not usage events, by day and reason", group="operations")
def excluded_lines(g):
    yield ["day", "service", "reason", "lines"]
    day = (hits.c.t - hits.c.t % periods.DAY).label("day")
    query = (select(day, hits.c.service, hits.c.reason, func.count().label("n"))
             .where(hits.c.t >= g.since, hits.c.t < g.until, hits.c.reason.is_not(None))
             .group_by(day, hits.c.service, hits.c.reason)
             .order_by(day, hits.c.service, hits.c.reason))
    with g.connect() as conn:
        for r in conn.execute(query):
            yield [periods.text(int(r.day)), r.service, r.reason, r.n]


@register("delivery_state", "2",
          description="Each tracker target: delivered (or written, in dry run), waiting, dead",
          group="operations")
def delivery(g):
    return [{"section": s.section, "tracker": s.tracker, "queue": s.queue,
             "delivered": s.delivered, "waiting": s.waiting, "dead": s.dead,
             "dry_run": s.dry_run, "written_dry_run": s.written_dry_run}
            for s in delivery_state(g.queues, g.config.delivery_targets())]
