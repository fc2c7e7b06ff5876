"""The statistics that ship with loglines: COUNTER R5 item metrics by day
and month, platform totals by month, and the lines excluded by reason.

Top items are not a statistic of their own: they are the monthly item
metrics ordered by a metric (the API's and ``loglines stats top``'s
``order``)."""

from ..store.schema import REQUEST
from .statistic import Statistic

METRICS = ("Total_Item_Investigations", "Unique_Item_Investigations",
           "Total_Item_Requests", "Unique_Item_Requests")


def _metrics(key_of):
    def usage(change):
        hit = change.hit
        key = key_of(hit)
        yield key, "Total_Item_Investigations", change.delta
        if change.unique_investigations:
            yield key, "Unique_Item_Investigations", change.unique_investigations
        if hit.kind == REQUEST:
            yield key, "Total_Item_Requests", change.delta
            if change.unique_requests:
                yield key, "Unique_Item_Requests", change.unique_requests
    return usage


def _excluded(line):
    if line.reason is not None:
        yield line.reason, "lines", 1


_BY_ITEM = _metrics(lambda hit: hit.item)
_BY_SERVICE = _metrics(lambda hit: hit.service)

BUILTIN = {s.name: s for s in (
    Statistic("item_metrics_daily", "COUNTER R5 item metrics per item and day (UTC)",
              METRICS, "day", "item", 3650, "1", usage=_BY_ITEM, grouped=True),
    Statistic("item_metrics_monthly", "COUNTER R5 item metrics per item and month (UTC)",
              METRICS, "month", "item", 3650, "1", usage=_BY_ITEM, grouped=True),
    Statistic("platform_monthly", "COUNTER R5 item metrics summed per repository and month",
              METRICS, "month", "service", 3650, "1", usage=_BY_SERVICE, grouped=True),
    Statistic("excluded_daily", "Lines that are not usage events, per reason and day",
              ("lines",), "day", "reason", 3650, "1", lines=_excluded,
              grouped=True),
)}
