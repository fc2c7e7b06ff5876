"""The statistics over real HTTP, on SQLite and PostgreSQL: exact JSON and
CSV of figures built from hand-built records, paging, the item filter,
the top items, the list and the coverage with its gap."""

from loglines.api.models import TopRow
from loglines.stats.builtin import METRICS

ITEM7, ITEM8 = "oai:repo:7", "oai:repo:8"
DAILY = "/api/v1/stats/item_metrics_daily"


def metrics(tii, uii, tir, uir):
    return dict(zip(METRICS, (tii, uii, tir, uir), strict=True))


ROWS = [
    # the download and the abstract of one session: two investigations, one unique
    {"period": "2025-12-01", "item": ITEM7, **metrics(2, 1, 1, 1)},
    {"period": "2025-12-01", "item": ITEM8, **metrics(1, 1, 1, 1)},
    {"period": "2025-12-02", "item": ITEM7, **metrics(1, 1, 1, 1)},
]
CSV_ROWS = ("period,item,Total_Item_Investigations,Unique_Item_Investigations,"
            "Total_Item_Requests,Unique_Item_Requests\r\n"
            "2025-12-01,oai:repo:7,2,1,1,1\r\n"
            "2025-12-01,oai:repo:8,1,1,1,1\r\n"
            "2025-12-02,oai:repo:7,1,1,1,1\r\n")


def test_a_statistic_as_json_exactly(api):
    got = api().get(DAILY)
    assert got.status == 200
    assert got.headers["content-type"] == "application/json"
    assert got.json() == {
        "statistic": "item_metrics_daily", "period": "day", "key": "item",
        "fields": list(METRICS), "page": 1, "per_page": 100, "total": 3, "rows": ROWS}
    assert got.headers["x-total-count"] == "3"


def test_a_statistic_as_csv_exactly_by_accept_or_by_format(api):
    a = api()
    by_accept = a.get(DAILY, {"Accept": "text/csv"})
    assert by_accept.status == 200
    assert by_accept.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_accept.text == CSV_ROWS
    assert by_accept.headers["x-total-count"] == "3"
    assert a.get(f"{DAILY}?format=csv").text == CSV_ROWS
    # format wins over Accept, and a client preferring JSON gets JSON
    assert a.get(f"{DAILY}?format=json", {"Accept": "text/csv"}).json()["rows"] == ROWS
    assert a.get(DAILY, {"Accept": "application/json, text/csv"}).json()["rows"] == ROWS
    assert a.get(DAILY, {"Accept": "application/json;q=0.5, text/csv"}).text == CSV_ROWS


def test_a_monthly_statistic_and_the_platform_totals(api):
    a = api()
    monthly = a.get("/api/v1/stats/item_metrics_monthly").json()
    assert monthly["rows"] == [{"period": "2025-12", "item": ITEM7, **metrics(3, 2, 2, 2)},
                               {"period": "2025-12", "item": ITEM8, **metrics(1, 1, 1, 1)}]
    platform = a.get("/api/v1/stats/platform_monthly").json()
    assert (platform["key"], platform["rows"]) == (
        "service", [{"period": "2025-12", "service": "repo", **metrics(4, 3, 3, 3)}])
    excluded = a.get("/api/v1/stats/excluded_daily?format=csv").text
    assert excluded == "period,reason,lines\r\n2025-12-01,robot,1\r\n"


def test_pages_and_their_links(api):
    a = api()
    first = a.get(f"{DAILY}?per_page=2")
    assert (first.json()["rows"], first.json()["total"]) == (ROWS[:2], 3)
    assert first.headers["link"] == (
        f'<{DAILY}?per_page=2&page=1>; rel="first", <{DAILY}?per_page=2&page=2>; rel="last", '
        f'<{DAILY}?per_page=2&page=2>; rel="next"')
    second = a.get(f"{DAILY}?per_page=2&page=2&format=csv")
    assert second.text.splitlines()[1:] == ["2025-12-02,oai:repo:7,1,1,1,1"]
    assert second.headers["x-total-count"] == "3"
    assert 'rel="prev"' in second.headers["link"] and 'rel="next"' not in second.headers["link"]
    beyond = a.get(f"{DAILY}?per_page=2&page=3").json()
    assert (beyond["rows"], beyond["page"], beyond["total"]) == ([], 3, 3)


def test_the_item_filter_and_the_period_bounds(api):
    a = api()
    assert a.get(f"{DAILY}?item={ITEM7}").json()["rows"] == [ROWS[0], ROWS[2]]
    assert a.get(f"{DAILY}?item=oai:repo:9").json() | {"rows": None} == {
        "statistic": "item_metrics_daily", "period": "day", "key": "item",
        "fields": list(METRICS), "page": 1, "per_page": 100, "total": 0, "rows": None}
    assert a.get(f"{DAILY}?after=2025-12-02").json()["rows"] == [ROWS[2]]
    assert a.get(f"{DAILY}?before=2025-12-01").json()["rows"] == ROWS[:2]
    assert a.get(f"{DAILY}?after=2025-12&before=2025-12").json()["rows"] == ROWS
    assert a.get(f"{DAILY}?after=2026-01").json()["total"] == 0
    # a value that is SQL to someone is only a key that matches nothing
    assert a.get(f"{DAILY}?item=%27%20OR%201%3D1%20--").json()["total"] == 0


def test_the_top_items_as_json_and_csv(api):
    a = api()
    got = a.get("/api/v1/top?month=2025-12&order=Total_Item_Investigations&limit=1")
    assert got.status == 200
    assert got.json() == {"month": "2025-12", "order": "Total_Item_Investigations", "limit": 1,
                          "rows": [{"item": ITEM7, **metrics(3, 2, 2, 2)}]}
    everything = a.get("/api/v1/top").json()
    assert (everything["month"], everything["order"], everything["limit"]) == (
        None, "Total_Item_Requests", 10)
    assert [r["item"] for r in everything["rows"]] == [ITEM7, ITEM8]
    assert a.get("/api/v1/top?month=2025-11").json()["rows"] == []
    csv = a.get("/api/v1/top", {"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text == ("item,Total_Item_Investigations,Unique_Item_Investigations,"
                        "Total_Item_Requests,Unique_Item_Requests\r\n"
                        "oai:repo:7,3,2,2,2\r\noai:repo:8,1,1,1,1\r\n")


COVERAGE = [{"service": "repo", "since": "2025-12-01T00:00:00Z",
             "until": "2025-12-02T01:00:00Z", "empty_hours": 23,
             "gaps": [{"since": "2025-12-01T01:00:00Z", "until": "2025-12-02T00:00:00Z"}]}]


def test_the_coverage_with_its_gap(api):
    got = api().get("/api/v1/coverage")
    assert got.status == 200
    assert got.json() == {"services": COVERAGE}


def test_the_list_of_statistics_with_the_span_covered(api):
    got = api(stats="statistics = item_metrics_daily, excluded_daily").get("/api/v1/stats/")
    assert got.status == 200
    assert got.json() == {"statistics": [
        {"name": "item_metrics_daily",
         "description": "COUNTER R5 item metrics per item and day (UTC)",
         "fields": list(METRICS), "period": "day", "key": "item", "formats": ["json", "csv"],
         "url": "/api/v1/stats/item_metrics_daily"},
        {"name": "excluded_daily",
         "description": "Lines that are not usage events, per reason and day",
         "fields": ["lines"], "period": "day", "key": "reason", "formats": ["json", "csv"],
         "url": "/api/v1/stats/excluded_daily"},
    ], "coverage": COVERAGE}


def test_only_the_statistics_of_the_stats_section_are_served(api):
    a = api(stats="statistics = excluded_daily")
    assert a.get(DAILY).status == 404
    assert a.get("/api/v1/stats/excluded_daily").status == 200
    top = a.get("/api/v1/top")
    assert top.status == 404 and "item_metrics_monthly" in top.json()["error"]


def test_an_empty_store_answers_empty_figures(api):
    a = api(filled=False)
    assert a.get(DAILY).json()["rows"] == []
    assert a.get(f"{DAILY}?format=csv").text.count("\r\n") == 1  # the header line only
    assert a.get("/api/v1/coverage").json() == {"services": []}
    assert a.get("/api/v1/top").json()["rows"] == []


def test_the_top_row_model_has_every_metric():
    assert list(TopRow.model_fields) == ["item", *METRICS]


def test_a_csv_cell_that_looks_like_a_formula_is_quoted():
    from loglines.api.formats import csv_answer

    body = csv_answer(["key", "n"], [{"key": "=HYPERLINK(1)", "n": 1},
                                     {"key": "oai:r:1", "n": -2}], "x").body.decode()
    assert body.splitlines()[1:] == ["'=HYPERLINK(1),1", "oai:r:1,-2"]
