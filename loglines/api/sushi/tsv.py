"""The tabular form of a report (Code of Practice 3.2, and the columns of
4.1 and 4.4), made from its JSON: thirteen header rows of name and value,
a blank row, the column headings, a row per item, attributes and metric.
UTF-8 with a byte order mark, tab-separated, every row as wide as the
body, as the spec's sample files are.

Rows whose Reporting_Period_Total is zero are left out; a month without
usage in a row that has some is 0. Granularity=Total is the tabular
Exclude_Monthly_Details=True: no month columns.
"""

from __future__ import annotations

from starlette.responses import Response

from .months import Period, text

TSV = "text/tab-separated-values"
BOM = "\ufeff"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ITEM_IDS = ("DOI", "Proprietary_ID", "ISBN", "Print_ISSN", "Online_ISSN", "URI")
PARENT = ("Parent_Title", "Parent_Authors", "Parent_Publication_Date", "Parent_Article_Version",
          "Parent_Data_Type", "Parent_DOI", "Parent_Proprietary_ID", "Parent_ISBN",
          "Parent_Print_ISSN", "Parent_Online_ISSN", "Parent_URI")
# Item_ID's JSON names for the tabular columns that differ.
_JSON_ID = {"Proprietary_ID": "Proprietary"}


def _joined(values) -> str:
    return "; ".join(values)


def _header_rows(report: dict) -> list[list[str]]:
    h = report["Report_Header"]
    filters = dict(h["Report_Filters"])
    metrics = filters.pop("Metric_Type", [])
    begin, end = filters.pop("Begin_Date"), filters.pop("End_Date")
    attributes = dict(h.get("Report_Attributes", {}))
    if attributes.pop("Granularity", "Month") == "Total":
        attributes["Exclude_Monthly_Details"] = "True"
    # A proprietary ID carries its namespace (the platform ID) already.
    institution = [v if ns == "Proprietary" else f"{ns}:{v}"
                   for ns, values in h["Institution_ID"].items() for v in values]
    return [
        ["Report_Name", h["Report_Name"]], ["Report_ID", h["Report_ID"]],
        ["Release", h["Release"]], ["Institution_Name", h["Institution_Name"]],
        ["Institution_ID", _joined(institution)], ["Metric_Types", _joined(metrics)],
        ["Report_Filters", _joined(f"{k}={_value(v)}" for k, v in filters.items())],
        ["Report_Attributes", _joined(f"{k}={_value(v)}" for k, v in attributes.items())],
        ["Exceptions", _joined(_exception(e) for e in h.get("Exceptions", []))],
        ["Reporting_Period", f"Begin_Date={begin}; End_Date={end}"],
        ["Created", h["Created"]], ["Created_By", h["Created_By"]],
        ["Registry_Record", h["Registry_Record"]], [],
    ]


def _value(v) -> str:
    return "|".join(v) if isinstance(v, list) else str(v)


def _exception(e: dict) -> str:
    data = f" ({e['Data']})" if e.get("Data") else ""
    return f"{e['Code']}: {e['Message']}{data}"


def _columns(report_id: str, shown, parents: bool, months) -> list[str]:
    tail = ["Metric_Type", "Reporting_Period_Total", *months]
    if report_id.startswith("PR"):
        method = ["Access_Method"] if "Access_Method" in shown else []
        return ["Platform", "Data_Type", *method, *tail]
    return ["Item", "Publisher", "Publisher_ID", "Platform", *ITEM_IDS,
            *(PARENT if parents else ()), "Data_Type",
            *(["Access_Method"] if "Access_Method" in shown else []), *tail]


def _rows(report: dict):
    """Each (item fields, attribute fields, metric, counts) of the report."""
    for entry in report["Report_Items"]:
        for item in entry.get("Items", [entry]):
            described = {k: v for k, v in item.items() if k not in ("Attribute_Performance",
                                                                    "Item_ID")}
            for column in ITEM_IDS:
                described[column] = item.get("Item_ID", {}).get(_JSON_ID.get(column, column), "")
            for ap in item["Attribute_Performance"]:
                attributes = {k: v for k, v in ap.items() if k != "Performance"}
                for metric, counts in ap["Performance"].items():
                    yield {**described, **attributes, "Metric_Type": metric}, counts


def _clean(value) -> str:
    # A tab or a line break in a cell would shift or split the row.
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def render(report: dict, period: Period) -> str:
    attributes = report["Report_Header"].get("Report_Attributes", {})
    monthly = attributes.get("Granularity", "Month") == "Month"
    months = [text(m) for m in period.months()] if monthly else []
    columns = _columns(report["Report_Header"]["Report_ID"],
                       attributes.get("Attributes_To_Show", []),
                       attributes.get("Include_Parent_Details") == "True",
                       [f"{MONTHS[int(m[5:]) - 1]}-{m[:4]}" for m in months])
    body = [columns]
    for cells, counts in _rows(report):
        total = sum(counts.values())
        if total:
            cells = {**cells, "Reporting_Period_Total": total}
            body.append([cells.get(c, "") for c in columns[:len(columns) - len(months)]]
                        + [counts.get(m, 0) for m in months])
    width = len(columns)
    lines = [[_clean(v) for v in row] + [""] * (width - len(row))
             for row in _header_rows(report) + body]
    return BOM + "".join("\t".join(line) + "\n" for line in lines)


def answer(report: dict, period: Period, filename: str) -> Response:
    return Response(render(report, period).encode("utf-8"),
                    media_type=f"{TSV}; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}.tsv"'})
