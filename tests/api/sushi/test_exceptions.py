"""Each exception of appendix D that loglines gives, provoked over real
HTTP on SQLite and PostgreSQL, with its code, message and HTTP status,
and the answer held to the spec's schema for that path and status: alone
with its status when it stops the request, in the report's header (200)
when the report is still made."""

import logging
import time

from sqlalchemy import create_engine

from loglines.api.app import create_app
from loglines.api.server import ApiServer
from loglines.stats.builtin import BUILTIN
from tests.api.conftest import PASSWORD, USER, basic, fill, get

from . import spec
from .conftest import EVENTS, ROBOTS, checked

WORLD = "customer_id=0000000000000000"
PR, IR = "/r51/reports/pr", "/r51/reports/ir"


def _month(offset=0):
    """The current month (UTC) moved by ``offset`` months, as YYYY-MM."""
    now = time.gmtime()
    index = now.tm_year * 12 + now.tm_mon - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def codes(body):
    return [e["Code"] for e in body["Report_Header"].get("Exceptions", [])]


def alone(a, path, query, status, code, headers=None):
    body = checked(a, path, status, query, headers)
    assert body["Code"] == code, body
    return body


REFUSED = [
    ("begin_date=2025-11&end_date=2025-11", 1030),  # no customer_id
    (f"{WORLD}&end_date=2025-11", 1030),
    (f"{WORLD}&begin_date=2025-11", 1030),
    (f"{WORLD}&begin_date=2025-13&end_date=2025-12", 3020),
    (f"{WORLD}&begin_date=2025-02-30&end_date=2025-12", 3020),
    (f"{WORLD}&begin_date=November&end_date=2025-12", 3020),
    (f"{WORLD}&begin_date=2025-12&end_date=2025-11", 3020),  # ends before it begins
    (f"{WORLD}&begin_date=2999-01&end_date=2999-02", 3020),  # the future
    ("customer_id=ac999&begin_date=2025-11&end_date=2025-11", 2010),
    ("customer_id=&begin_date=2025-11&end_date=2025-11", 1030),
]
MESSAGES = {1030: "Insufficient Information to Process Request", 3020: "Invalid Date Arguments",
            2010: "Requestor is Not Authorized to Access Usage for Institution"}


def test_a_request_that_cannot_be_served_is_one_exception_alone_or_a_404(sushi):
    a = sushi()
    for query, code in REFUSED:
        body = alone(a, PR, query, {1030: 400, 3020: 400, 2010: 403}[code], code)
        assert body["Message"] == MESSAGES[code], query
    # a report not served, or another release: a path that is not there (appendix D)
    for path in ("/r51/reports/ir_a1", "/r51/reports/ir_m1", "/r51/reports/tr",
                 "/r5/reports/pr", "/r51/reports/PR"):
        assert a.get(f"{path}?{WORLD}&{NOV}").status == 404, path


def test_the_current_month(sushi):
    a = sushi()
    # a period beginning in it cannot be reported
    alone(a, PR, f"{WORLD}&begin_date={_month()}&end_date={_month()}", 400, 3020)
    # one ending in it is cut at the month before, and says so
    cut = checked(a, IR, query=f"{WORLD}&begin_date=2025-11&end_date={_month(1)}-05")
    assert codes(cut) == [3031, 3040]
    previous = _month(-1)
    assert cut["Report_Header"]["Report_Filters"]["End_Date"][:7] == previous
    end = cut["Report_Header"]["Report_Filters"]["End_Date"]
    assert cut["Report_Header"]["Exceptions"][0]["Data"] == (
        f"2026-01 to {previous} not processed yet, {_month()} to {_month(1)} not ended, "
        f"so End_Date is {end}")
    assert len(cut["Report_Items"][0]["Items"]) == 2  # November and December still there


def test_months_not_processed_before_the_first_line_partial_or_empty(sushi):
    a = sushi()
    waiting = checked(a, PR, query=f"{WORLD}&begin_date=2026-01&end_date=2026-02")
    assert waiting["Report_Header"]["Exceptions"] == [
        {"Code": 3031, "Message": "Usage Not Ready for Requested Dates",
         "Data": "2026-01 to 2026-02 not processed yet"}]  # and no 3030 for them
    assert waiting["Report_Items"] == []
    before = checked(a, PR, query=f"{WORLD}&begin_date=2025-09&end_date=2025-10")
    assert before["Report_Header"]["Exceptions"] == [
        {"Code": 3032, "Message": "Usage No Longer Available for Requested Dates",
         "Data": "2025-09 to 2025-10: usage is available from 2025-11-01 on"}]
    assert before["Report_Items"] == []
    around = checked(a, PR, query=f"{WORLD}&begin_date=2025-10&end_date=2026-01")
    assert codes(around) == [3031, 3032, 3040]
    assert around["Report_Items"][0]["Attribute_Performance"][0]["Performance"][
        "Total_Item_Requests"] == {"2025-11": 3, "2025-12": 1}
    partial = checked(a, PR, query=f"{WORLD}&begin_date=2025-12&end_date=2025-12")
    assert partial["Report_Header"]["Exceptions"] == [
        {"Code": 3040, "Message": "Partial Data Returned",
         "Data": "hours with nothing stored: 2025-12 (5)"}]
    assert partial["Report_Items"] != []
    for query in ("data_type=Article", "access_method=TDM", "item_id=oai:repo:404",
                  "item_id=a%00b", "metric_type=Limit_Exceeded"):
        empty = checked(a, IR, query=f"{WORLD}&begin_date=2025-11&end_date=2025-11&{query}")
        assert empty["Report_Header"]["Exceptions"] == [
            {"Code": 3030, "Message": "No Usage Available for Requested Dates",
             "Data": "nothing counted from 2025-11-01 to 2025-11-30 with the filters asked for"}
        ], query
        assert empty["Report_Items"] == []


def test_values_that_cannot_be_used_are_named_and_ignored(sushi):
    a = sushi()
    nov = f"{WORLD}&begin_date=2025-11&end_date=2025-11"
    plain = checked(a, IR, query=nov)["Report_Items"]
    got = checked(a, IR, query=f"{nov}&metric_type=Downloads&data_type=Book&access_method=Both"
                  "&platform=elsewhere&item_id=x&yop=2020&colour=red&access_type=Open"
                  "&attributes_to_show=YOP%7CAccess_Method%7CShoe_Size&granularity=Week"
                  "&include_parent_details=maybe&include_component_details=True")
    assert got["Report_Header"]["Exceptions"] == [
        {"Code": 3050, "Message": "Parameter Not Recognized in this Context",
         "Data": "access_type, colour, yop"},
        {"Code": 3060, "Message": "Invalid ReportFilter Value",
         "Data": "metric_type=Downloads, data_type=Book, access_method=Both, "
                 "platform=elsewhere, item_id=x"},
        {"Code": 3062, "Message": "Invalid ReportAttribute Value",
         "Data": "attributes_to_show=Shoe_Size, attributes_to_show=YOP, "
                 "granularity=Week, include_parent_details=maybe"},
        {"Code": 3063, "Message": "Components Not Supported",
         "Data": "items of a repository have no components here"}]
    # the filters ignored, the attribute that can be shown shown
    assert [i["Item_ID"] for i in got["Report_Items"][0]["Items"]] == [
        i["Item_ID"] for i in plain[0]["Items"]]
    assert got["Report_Header"]["Report_Attributes"] == {"Attributes_To_Show": ["Access_Method"]}
    assert "Data_Type" not in got["Report_Header"]["Report_Filters"]


REQUESTORS = "sushi_requestors = harvester1, harvester2"
KEY = "k3y-0f-the-harvester"
KEYED = f"sushi_api_key = {KEY}"
NOV = "begin_date=2025-11&end_date=2025-11"


def test_requestor_ids(sushi):
    a = sushi(REQUESTORS)
    alone(a, PR, f"{WORLD}&{NOV}", 400, 1030)
    body = alone(a, PR, f"{WORLD}&{NOV}&requestor_id=harvester9", 401, 2000)
    assert body["Message"] == "Requestor Not Authorized to Access Service"
    alone(a, "/r51/members", f"{WORLD}&requestor_id=nobody", 401, 2000)
    assert checked(a, PR, query=f"{WORLD}&{NOV}&requestor_id=harvester2")["Report_Items"]


def test_the_api_key_is_checked_and_never_shown(sushi, caplog):
    caplog.set_level(logging.DEBUG)
    a = sushi(KEYED)
    alone(a, PR, f"{WORLD}&{NOV}", 400, 1030)
    wrong = alone(a, PR, f"{WORLD}&{NOV}&api_key={KEY}x", 401, 2020)
    assert wrong["Message"] == "APIKey Invalid"
    alone(a, "/r51/reports", f"{WORLD}&api_key=guess", 401, 2020)
    right = a.get(f"{PR}?{WORLD}&{NOV}&api_key={KEY}")
    tsv = a.get(f"{PR}?{WORLD}&{NOV}&api_key={KEY}&format=tsv")
    assert (right.status, tsv.status) == (200, 200)
    assert KEY not in right.text + tsv.text + wrong["Message"] + caplog.text + repr(a.section)


def test_customers_and_the_world(sushi):
    a = sushi("sushi_customers = ac123=University of Example")
    body = alone(a, PR, f"{WORLD}&{NOV}", 403, 2011)
    assert body["Message"] == "Global Reports Not Supported"
    alone(a, PR, f"customer_id=ac124&{NOV}", 403, 2010)
    served = checked(a, PR, query=f"customer_id=ac123&{NOV}")
    assert served["Report_Header"]["Institution_Name"] == "University of Example"
    assert served["Report_Header"]["Institution_ID"] == {"Proprietary": ["loglines:ac123"]}


def test_too_many_requests(sushi):
    a = sushi("sushi_min_interval = 3600")
    assert a.get(f"{PR}?{WORLD}&{NOV}").status == 200
    body = alone(a, PR, f"{WORLD}&{NOV}", 429, 1020)
    assert body == {"Code": 1020, "Message": "Client has made too many requests",
                    "Data": "this server answers one request per customer_id and path every "
                            "3600 seconds"}
    assert a.get(f"{IR}?{WORLD}&{NOV}").status == 200  # another report: its own interval
    alone(a, IR, f"{WORLD}&{NOV}", 429, 1020)
    # a refused request does not count, so cannot be used to lock a customer out
    limited = sushi("sushi_min_interval = 3600\nsushi_customers = ac123=University of Example")
    alone(limited, PR, f"customer_id=ac999&{NOV}", 403, 2010)
    assert limited.get(f"{PR}?customer_id=ac123&{NOV}").status == 200


def test_a_store_that_cannot_be_read_is_1000(store_engine):
    """Every connection of the pool held elsewhere for longer than the pool
    waits: the harvester is told to come back, as for an outage."""
    fill(store_engine, EVENTS + ROBOTS)
    busy = create_engine(store_engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    with ApiServer(create_app(busy, BUILTIN.values())) as server, busy.connect():
        got = get(server.url, f"{PR}?{WORLD}&{NOV}")
        assert got.status == 503 and got.headers["retry-after"] == "5"
        spec.check(PR, 503, got.json())
        assert got.json() == {"Code": 1000, "Message": "Service Not Available",
                              "Data": "the store cannot be read just now; try again later"}
    busy.dispose()


def test_with_the_password_only_the_status_is_open(sushi):
    a = sushi(f"username = {USER}\npassword = ${{API_TEST_PASSWORD}}")
    status = a.get("/r51/status", auth=False)
    assert (status.status, status.json()) == (200, [{
        "Description": "COUNTER release 5.1 usage of loglines, by loglines",
        "Service_Active": True}])
    for path in ("/r51/members", "/r51/reports", PR):
        got = a.get(f"{path}?{WORLD}&{NOV}", basic(USER, "wrong"), auth=False)
        assert (got.status, got.json()) == (401, {"error": "authentication required"})
    assert a.get(f"{PR}?{WORLD}&{NOV}", basic(USER, PASSWORD), auth=False).status == 200
