"""JSON or CSV, and the paging headers.

JSON unless the client asks for CSV, by ``format=csv`` (which wins) or by
preferring ``text/csv`` in its Accept header. A CSV answer is one header
line and a line per row (RFC 4180: CRLF, quoted where needed); what JSON
carries beside the rows (the total, the page) goes in headers, which JSON
answers get too.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from fastapi import Request, Response

CSV = "text/csv"
JSON = "application/json"

# For the OpenAPI document: what a paged answer carries in its headers.
PAGING_HEADERS = {
    "X-Total-Count": {"description": "rows on all pages together",
                      "schema": {"type": "integer"}},
    "Link": {"description": "RFC 8288 links to the first, previous, next and last pages",
             "schema": {"type": "string"}},
}


def wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    best = (0.0, 0, JSON)
    for position, part in enumerate(request.headers.get("accept", "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() not in (CSV, JSON):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Higher quality wins; between equals, the one listed first.
        best = max(best, (quality, -position, media.lower()))
    return best[2] == CSV and best[0] > 0


def csv_answer(columns, rows, filename, headers=None) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(row[c]) for c in columns] for row in rows)
    return Response(out.getvalue(), media_type=CSV, headers={
        "Content-Disposition": f'inline; filename="{filename}.csv"', **(headers or {})})


# A spreadsheet runs a cell that starts like a formula; keys come from
# the logs (a statistic plugin may key by anything a request carried).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def paging_headers(request: Request, page: int, per_page: int, total: int) -> dict[str, str]:
    last = max(1, -(-total // per_page))
    pages = {"first": 1, "last": last}
    if page > 1:
        pages["prev"] = min(page - 1, last)
    if page < last:
        pages["next"] = page + 1
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    # Relative links: the Host header is the client's to choose, not ours to repeat.
    links = ", ".join(f'<{request.url.path}?{urlencode([*others, ("page", n)])}>; rel="{rel}"'
                      for rel, n in pages.items())
    return {"X-Total-Count": str(total), "Link": links}
