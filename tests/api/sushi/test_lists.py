"""The status, the member list and the report list, held to the spec's
schema, on SQLite and PostgreSQL."""

from .conftest import checked

OPTIONS = """
sushi_platform = Example Repository
sushi_platform_id = exrepo
sushi_customers = 0000000000000000=The World, ac123=University of Example
sushi_registry_record = https://registry.projectcounter.org/platform/0c0ffee0-1234-4abc-8def-0123456789ab
"""
REGISTRY = "https://registry.projectcounter.org/platform/0c0ffee0-1234-4abc-8def-0123456789ab"


def test_the_status_members_and_report_list(sushi):
    a = sushi(OPTIONS)
    assert checked(a, "/r51/status") == [{
        "Description": "COUNTER release 5.1 usage of Example Repository, by loglines",
        "Service_Active": True, "Registry_Record": REGISTRY}]
    assert checked(a, "/r51/members", query="customer_id=ac123") == [{
        "Customer_ID": "ac123", "Institution_Name": "University of Example",
        "Institution_ID": {"Proprietary": ["exrepo:ac123"]}}]
    listed = checked(a, "/r51/reports", query="customer_id=ac123")
    assert [(r["Report_ID"], r["Report_Name"], r["Path"]) for r in listed] == [
        ("PR", "Platform Report", "/r51/reports/pr"),
        ("PR_P1", "Platform Usage", "/r51/reports/pr_p1"),
        ("IR", "Item Report", "/r51/reports/ir")]
    # the months the store has every line of: November, and December (partial)
    assert {(r["Release"], r["First_Month_Available"], r["Last_Month_Available"])
            for r in listed} == {("5.1", "2025-11", "2025-12")}
    # the report's header names the registry record too
    pr = checked(a, "/r51/reports/pr", query="customer_id=ac123&begin_date=2025-11"
                                            "&end_date=2025-11")
    assert pr["Report_Header"]["Registry_Record"] == REGISTRY


def test_an_empty_store_lists_the_reports_and_has_nothing_ready(api):
    a = api(filled=False)
    listed = checked(a, "/r51/reports", query="customer_id=0000000000000000")
    assert len({(r["First_Month_Available"], r["Last_Month_Available"]) for r in listed}) == 1
    pr = checked(a, "/r51/reports/pr", query="customer_id=0000000000000000"
                                            "&begin_date=2025-11&end_date=2025-11")
    assert pr["Report_Header"]["Exceptions"] == [
        {"Code": 3031, "Message": "Usage Not Ready for Requested Dates",
         "Data": "2025-11 not processed yet"}]
    assert pr["Report_Items"] == []
