"""A report's JSON, as the COUNTER_SUSHI API's schema shapes it: the
Report_Header, and the Report_Items from the store's monthly figures of
the months that may be reported (``months``).

Zero usage is left out as the Code of Practice says (3.3, Zero Usage):
no month with 0, no metric without a month, no item without a metric.
With Granularity=Total each metric has one count, under the first month
of the reporting period (the schema keys every count by a month).
"""

from __future__ import annotations

from datetime import datetime, timezone

from ...stats.read import monthly_sums
from .definitions import COUNTED_ACCESS_METHOD, HELD, Definition
from .exceptions import Notice
from .months import Period, text
from .request import Asked

RELEASE = "5.1"
CREATED_BY = "loglines"


def _metrics(definition: Definition, asked: Asked) -> list[str]:
    wanted = definition.fixed.get("Metric_Type") or asked.metrics or definition.metrics
    return [m for m in HELD if m in wanted]


def _nothing_matches(settings, asked: Asked) -> bool:
    """Whether a filter rules out everything the store has."""
    return bool((asked.data_types and settings.data_type not in asked.data_types)
                or (asked.access_methods and COUNTED_ACCESS_METHOD not in asked.access_methods)
                or (asked.item_id is not None and "\x00" in asked.item_id))


def _item_key(settings, item_id: str) -> str:
    """The store's key of an item named by its Proprietary ID or by the key itself."""
    return item_id.removeprefix(f"{settings.platform_id}:")


def figures(conn, definition, settings, period: Period, asked: Asked) -> dict:
    """{key: {metric: {month: count}}} of the months that may be reported;
    the platform's figures under the key None."""
    metrics = _metrics(definition, asked)
    if not period.reported or not metrics or _nothing_matches(settings, asked):
        return {}
    keys = None if asked.item_id is None else [_item_key(settings, asked.item_id)]
    out: dict = {}
    for month, key, metric, value in monthly_sums(
            conn, definition.stat, text(period.reported[0]), text(period.reported[-1]),
            metrics, keys, by_key=definition.by_item):
        if value > 0:
            out.setdefault(key, {}).setdefault(metric, {})[month] = value
    return out


def _performance(counts: dict, asked: Asked, period: Period) -> dict:
    if asked.granularity == "Total":
        return {m: {text(period.begin): sum(c.values())} for m, c in sorted(counts.items())}
    return {m: dict(sorted(c.items())) for m, c in sorted(counts.items())}


def _attribute_performance(definition, settings, asked, counts, period) -> list[dict]:
    one = {"Data_Type": settings.data_type}
    if "Access_Method" in asked.shown:
        one["Access_Method"] = COUNTED_ACCESS_METHOD
    one["Performance"] = _performance(counts, asked, period)
    return [one]


def item_ids(settings, key: str) -> dict:
    """An item's Item_ID: its store key (an OAI identifier, or a URL) as a
    proprietary ID of the platform, and as the URI when it is a URL."""
    ids = {"Proprietary": f"{settings.platform_id}:{key}"}
    if key.startswith(("http://", "https://")):
        ids["URI"] = key
    return ids


def items(definition, settings, asked, found, period) -> list[dict]:
    if not definition.by_item:
        if None not in found:
            return []
        return [{"Platform": settings.platform, "Attribute_Performance": _attribute_performance(
            definition, settings, asked, found[None], period)}]
    listed = [{"Item": "", "Publisher": settings.publisher, "Platform": settings.platform,
               "Item_ID": item_ids(settings, key),
               "Attribute_Performance": _attribute_performance(
                   definition, settings, asked, counts, period)}
              for key, counts in sorted(found.items())]
    return [{"Items": listed}] if listed else []


def _filters(definition, asked: Asked, period: Period) -> dict:
    out = {"Begin_Date": period.begin_date, "End_Date": period.end_date}
    if asked.platform:
        out["Platform"] = asked.platform
    if definition.view:
        return out | definition.fixed
    for name, value in (("Metric_Type", asked.metrics), ("Data_Type", asked.data_types),
                        ("Access_Method", asked.access_methods), ("Item_ID", asked.item_id)):
        if value:
            out[name] = value
    return out


def _attributes(asked: Asked) -> dict:
    out = {}
    if asked.shown:
        out["Attributes_To_Show"] = asked.shown
    if asked.granularity != "Month":
        out["Granularity"] = asked.granularity
    if asked.parent_details:
        out["Include_Parent_Details"] = "True"
    return out


def header(definition, settings, customer, asked, period, notices, now) -> dict:
    out = {"Report_Name": definition.name, "Report_ID": definition.id, "Release": RELEASE,
           "Institution_Name": settings.customers[customer],
           "Institution_ID": settings.institution_id(customer),
           "Report_Filters": _filters(definition, asked, period)}
    if not definition.view and _attributes(asked):
        out["Report_Attributes"] = _attributes(asked)
    if notices:
        out["Exceptions"] = [n.json() for n in notices]
    out["Created"] = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out["Created_By"] = CREATED_BY
    out["Registry_Record"] = settings.registry_record
    return out


def build(conn, definition, settings, customer, asked: Asked, period: Period, now) -> dict:
    """The report as JSON, its exceptions in the header."""
    found = figures(conn, definition, settings, period, asked)
    body = items(definition, settings, asked, found, period)
    notices = [*period.notices, *asked.notices]
    if period.reported and not body:
        notices.append(Notice(3030, f"nothing counted from {period.begin_date} to "
                                    f"{period.end_date} with the filters asked for"))
    notices.sort(key=lambda n: n.code)
    return {"Report_Header": header(definition, settings, customer, asked, period, notices, now),
            "Report_Items": body}
