"""The reports over real HTTP, on SQLite and PostgreSQL: the figures of the
hand-built months (conftest.py) exactly, in every report served, with
Month and Total granularity, each filter and attribute, as JSON held to
the spec's schema and as TSV."""

import re

from .conftest import ITEM7, ITEM8, checked

OPTIONS = """
sushi_platform = Example Repository
sushi_platform_id = exrepo
sushi_customers = 0000000000000000=The World, ac123=University of Example
sushi_publisher = University of Example
"""
WORLD = "customer_id=0000000000000000"
NOV = f"{WORLD}&begin_date=2025-11&end_date=2025-11"
BOTH = f"{WORLD}&begin_date=2025-11-01&end_date=2025-12-31"
PARTIAL = {"Code": 3040, "Message": "Partial Data Returned",
           "Data": "hours with nothing stored: 2025-12 (5)"}
CREATED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


def counts(months, tii, uii, tir, uir):
    """Performance with one count per month (months and figures aligned)."""
    out = {}
    for name, values in (("Total_Item_Investigations", tii), ("Total_Item_Requests", tir),
                         ("Unique_Item_Investigations", uii), ("Unique_Item_Requests", uir)):
        out[name] = {m: v for m, v in zip(months, values, strict=True) if v}
    return {k: v for k, v in out.items() if v}


def header(body, **expected):
    got = dict(body["Report_Header"])
    assert CREATED.match(got.pop("Created"))
    base = {"Release": "5.1", "Institution_Name": "The World",
            "Institution_ID": {"Proprietary": ["exrepo:0000000000000000"]},
            "Created_By": "loglines", "Registry_Record": ""}
    assert got == base | expected
    return body["Report_Items"]


def item(key, performance, **attributes):
    return {"Item": "", "Publisher": "University of Example", "Platform": "Example Repository",
            "Item_ID": {"Proprietary": f"exrepo:{key}"},
            "Attribute_Performance": [{"Data_Type": "Unspecified", **attributes,
                                       "Performance": performance}]}


def platform(performance, **attributes):
    return [{"Platform": "Example Repository", "Attribute_Performance": [
        {"Data_Type": "Unspecified", **attributes, "Performance": performance}]}]


def test_the_platform_report_and_its_usage_view(sushi):
    a = sushi(OPTIONS)
    pr = checked(a, "/r51/reports/pr", query=BOTH)
    assert header(pr, Report_Name="Platform Report", Report_ID="PR", Exceptions=[PARTIAL],
                  Report_Filters={"Begin_Date": "2025-11-01", "End_Date": "2025-12-31"}
                  ) == platform(counts(["2025-11", "2025-12"], (5, 1), (4, 1), (3, 1), (3, 1)))
    total = checked(a, "/r51/reports/pr", query=f"{BOTH}&granularity=Total"
                    "&attributes_to_show=Access_Method"
                    "&metric_type=Total_Item_Requests%7CUnique_Item_Requests")
    assert header(total, Report_Name="Platform Report", Report_ID="PR", Exceptions=[PARTIAL],
                  Report_Filters={"Begin_Date": "2025-11-01", "End_Date": "2025-12-31",
                                  "Metric_Type": ["Total_Item_Requests", "Unique_Item_Requests"]},
                  Report_Attributes={"Attributes_To_Show": ["Access_Method"],
                                     "Granularity": "Total"}) == platform(
        {"Total_Item_Requests": {"2025-11": 4}, "Unique_Item_Requests": {"2025-11": 4}},
        Access_Method="Regular")
    p1 = checked(a, "/r51/reports/pr_p1", query=BOTH)
    assert header(p1, Report_Name="Platform Usage", Report_ID="PR_P1", Exceptions=[PARTIAL],
                  Report_Filters={
                      "Begin_Date": "2025-11-01", "End_Date": "2025-12-31",
                      "Metric_Type": ["Searches_Platform", "Total_Item_Requests",
                                      "Unique_Item_Requests", "Unique_Title_Requests"],
                      "Access_Method": ["Regular"]}) == platform(
        {"Total_Item_Requests": {"2025-11": 3, "2025-12": 1},
         "Unique_Item_Requests": {"2025-11": 3, "2025-12": 1}})
    # a view's filters are fixed: one asked for is a parameter it does not take
    other = checked(a, "/r51/reports/pr_p1", query=f"{NOV}&metric_type=Total_Item_Investigations")
    assert other["Report_Header"]["Exceptions"] == [
        {"Code": 3050, "Message": "Parameter Not Recognized in this Context",
         "Data": "metric_type"}]
    assert other["Report_Items"] == platform({"Total_Item_Requests": {"2025-11": 3},
                                              "Unique_Item_Requests": {"2025-11": 3}})


IR_NOV = [item(ITEM7, counts(["2025-11"], (3,), (2,), (1,), (1,))),
          item(ITEM8, counts(["2025-11"], (2,), (2,), (2,), (2,)))]


def test_the_item_report_by_month_in_total_and_with_attributes(sushi):
    a = sushi(OPTIONS)
    ir = checked(a, "/r51/reports/ir", query=NOV)
    assert header(ir, Report_Name="Item Report", Report_ID="IR",
                  Report_Filters={"Begin_Date": "2025-11-01", "End_Date": "2025-11-30"}
                  ) == [{"Items": IR_NOV}]
    both = checked(a, "/r51/reports/ir", query=BOTH)
    assert both["Report_Items"] == [{"Items": [
        item(ITEM7, counts(["2025-11", "2025-12"], (3, 1), (2, 1), (1, 1), (1, 1))),
        IR_NOV[1]]}]
    total = checked(a, "/r51/reports/ir", query=f"{BOTH}&granularity=Total")
    assert total["Report_Items"][0]["Items"][0] == item(
        ITEM7, counts(["2025-11"], (4,), (3,), (2,), (2,)))
    assert total["Report_Header"]["Report_Attributes"] == {"Granularity": "Total"}
    shown = checked(a, "/r51/reports/ir",
                    query=f"{NOV}&attributes_to_show=Access_Method&include_parent_details=True")
    assert shown["Report_Items"] == [{"Items": [
        {**i, "Attribute_Performance": [{"Data_Type": "Unspecified", "Access_Method": "Regular",
                                         "Performance": i["Attribute_Performance"][0][
                                             "Performance"]}]} for i in IR_NOV]}]
    assert shown["Report_Header"]["Report_Attributes"] == {
        "Attributes_To_Show": ["Access_Method"], "Include_Parent_Details": "True"}


def test_the_item_report_filters(sushi):
    a = sushi(OPTIONS)
    # an item by its Proprietary ID or by the store's key; a metric; the data type and
    # access method every item has
    by_id = checked(a, "/r51/reports/ir", query=f"{NOV}&item_id=exrepo:{ITEM8}")
    assert by_id["Report_Items"] == [{"Items": [IR_NOV[1]]}]
    assert by_id["Report_Header"]["Report_Filters"]["Item_ID"] == f"exrepo:{ITEM8}"
    by_key = checked(a, "/r51/reports/ir", query=f"{NOV}&item_id={ITEM7}")
    assert by_key["Report_Items"] == [{"Items": [IR_NOV[0]]}]
    requests = checked(a, "/r51/reports/ir", query=f"{NOV}&metric_type=Total_Item_Requests")
    assert requests["Report_Items"] == [{"Items": [
        item(ITEM7, {"Total_Item_Requests": {"2025-11": 1}}),
        item(ITEM8, {"Total_Item_Requests": {"2025-11": 2}})]}]
    for query in ("data_type=Unspecified", "access_method=Regular",
                  "data_type=Unspecified%7CDataset&access_method=Regular%7CTDM"):
        got = checked(a, "/r51/reports/ir", query=f"{NOV}&{query}")
        assert got["Report_Items"] == [{"Items": IR_NOV}], query
        assert "Exceptions" not in got["Report_Header"]
    assert checked(a, "/r51/reports/ir", query=f"{NOV}&data_type=Unspecified%7CDataset"
                   )["Report_Header"]["Report_Filters"]["Data_Type"] == ["Unspecified", "Dataset"]


def test_a_configured_data_type_is_every_items(sushi):
    a = sushi(OPTIONS + "sushi_data_type = Thesis_or_Dissertation\n")
    ir = checked(a, "/r51/reports/ir", query=f"{NOV}&data_type=Thesis_or_Dissertation")
    assert [i["Attribute_Performance"][0]["Data_Type"] for i in ir["Report_Items"][0]["Items"]
            ] == ["Thesis_or_Dissertation"] * 2
    pr = checked(a, "/r51/reports/pr", query=NOV)
    assert pr["Report_Items"][0]["Attribute_Performance"][0]["Data_Type"] == (
        "Thesis_or_Dissertation")


def _tsv(a, path, query, **headers):
    got = a.get(f"{path}?{query}", headers or None)
    assert got.status == 200
    assert got.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert got.text.startswith("\ufeff")
    lines = got.text.removeprefix("\ufeff").split("\n")
    assert lines[-1] == ""  # every row ends in a line break
    created = lines[10].split("\t")
    assert created[0] == "Created" and CREATED.match(created[1])
    return [line.split("\t") for line in lines[:10] + lines[11:-1]]


def _padded(rows):
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def test_the_platform_usage_view_as_tsv(sushi):
    a = sushi(OPTIONS)
    assert _tsv(a, "/r51/reports/pr_p1", f"{BOTH}&format=tsv") == _padded([
        ["Report_Name", "Platform Usage"], ["Report_ID", "PR_P1"], ["Release", "5.1"],
        ["Institution_Name", "The World"], ["Institution_ID", "exrepo:0000000000000000"],
        ["Metric_Types", "Searches_Platform; Total_Item_Requests; Unique_Item_Requests; "
                         "Unique_Title_Requests"],
        ["Report_Filters", "Access_Method=Regular"], ["Report_Attributes", ""],
        ["Exceptions", "3040: Partial Data Returned (hours with nothing stored: 2025-12 (5))"],
        ["Reporting_Period", "Begin_Date=2025-11-01; End_Date=2025-12-31"],
        ["Created_By", "loglines"], ["Registry_Record", ""], [""],
        ["Platform", "Data_Type", "Metric_Type", "Reporting_Period_Total", "Nov-2025",
         "Dec-2025"],
        ["Example Repository", "Unspecified", "Total_Item_Requests", "4", "3", "1"],
        ["Example Repository", "Unspecified", "Unique_Item_Requests", "4", "3", "1"],
    ])


IR_COLUMNS = ["Item", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN",
              "Print_ISSN", "Online_ISSN", "URI"]


def test_the_item_report_as_tsv_with_and_without_monthly_details(sushi):
    a = sushi(OPTIONS)
    rows = _tsv(a, "/r51/reports/ir", f"{BOTH}&metric_type=Total_Item_Requests%7C"
                "Unique_Item_Investigations&attributes_to_show=Access_Method",
                Accept="text/tab-separated-values")
    assert [r[:2] for r in rows[5:8]] == [
        ["Metric_Types", "Total_Item_Requests; Unique_Item_Investigations"],
        ["Report_Filters", ""], ["Report_Attributes", "Attributes_To_Show=Access_Method"]]
    assert {len(r) for r in rows} == {16}  # every row as wide as the body
    assert rows[13:] == [
        [*IR_COLUMNS, "Data_Type", "Access_Method", "Metric_Type", "Reporting_Period_Total",
         "Nov-2025", "Dec-2025"],
        ["", "University of Example", "", "Example Repository", "", f"exrepo:{ITEM7}", "", "",
         "", "", "Unspecified", "Regular", "Total_Item_Requests", "2", "1", "1"],
        ["", "University of Example", "", "Example Repository", "", f"exrepo:{ITEM7}", "", "",
         "", "", "Unspecified", "Regular", "Unique_Item_Investigations", "3", "2", "1"],
        # a month without usage in a row that has some is 0
        ["", "University of Example", "", "Example Repository", "", f"exrepo:{ITEM8}", "", "",
         "", "", "Unspecified", "Regular", "Total_Item_Requests", "2", "2", "0"],
        ["", "University of Example", "", "Example Repository", "", f"exrepo:{ITEM8}", "", "",
         "", "", "Unspecified", "Regular", "Unique_Item_Investigations", "2", "2", "0"],
    ]
    rows = _tsv(a, "/r51/reports/ir", f"{NOV}&granularity=Total&include_parent_details=True"
                f"&item_id={ITEM8}&metric_type=Total_Item_Requests&format=tsv")
    assert rows[6][:2] == ["Report_Filters", f"Item_ID={ITEM8}"]
    assert rows[7][:2] == ["Report_Attributes",
                           "Include_Parent_Details=True; Exclude_Monthly_Details=True"]
    parents = ["Parent_Title", "Parent_Authors", "Parent_Publication_Date",
               "Parent_Article_Version", "Parent_Data_Type", "Parent_DOI",
               "Parent_Proprietary_ID", "Parent_ISBN", "Parent_Print_ISSN",
               "Parent_Online_ISSN", "Parent_URI"]
    assert rows[13:] == [
        [*IR_COLUMNS, *parents, "Data_Type", "Metric_Type", "Reporting_Period_Total"],
        ["", "University of Example", "", "Example Repository", "", f"exrepo:{ITEM8}", "", "",
         "", "", *[""] * 11, "Unspecified", "Total_Item_Requests", "2"]]


