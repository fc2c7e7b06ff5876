"""The running server against its own ``/openapi.json``, with schemathesis:
requests made from the document (valid ones, and ones that break it), and
every answer must be no 5xx and conform to the document: status, content
type, headers, body.

Bounded: a fixed number of examples per run, no example database, so the
run takes seconds and repeats on CI (which derandomizes Hypothesis).
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import PASSWORD, USER
from tests.records.data import FIVE, keep

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 120, GenerationMode.NEGATIVE: 80}
PER_OPERATION = 5
SUSHI_EXAMPLES = 10  # per SUSHI path, with a valid customer and dates


def run(schema, base_url, mode):
    """Send the examples; the (path, status) pairs answered, counted."""
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    # Names drawn at random are never a statistic's: a known one too, so
    # that the rows and their parameters are reached, not only the 404.
    known = schema["/api/v1/stats/{name}"]["GET"].as_strategy(
        generation_mode=mode, path_parameters={"name": "item_metrics_daily"})
    answered = Counter()

    def send(strategy, examples):
        @given(case=strategy)
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def answer_conforms(case):
            response = case.call_and_validate(base_url=base_url, checks=checks)
            answered[case.operation.path, response.status_code] += 1

        answer_conforms()

    send(st.one_of(schema.as_strategy(generation_mode=mode), known), EXAMPLES[mode])
    if mode is GenerationMode.POSITIVE:
        # Each operation on its own as well: drawn from all at once, those
        # with many parameters (the record API's) crowd out those with none.
        for operation in schema.get_all_operations():
            send(operation.ok().as_strategy(generation_mode=mode), PER_OPERATION)
        send(known, SUSHI_EXAMPLES)
        # SUSHI's customer and dates are free text to the document: each
        # path with valid ones too, so that the reports are reached, not
        # only the refusals.
        for path, query in SUSHI_KNOWN.items():
            send(schema[path]["GET"].as_strategy(generation_mode=mode, query=query),
                 SUSHI_EXAMPLES)
        # A stored record's id, so that its answer is checked too (random
        # filters mostly leave it out: a 404, which is checked as well).
        send(schema["/api/v1/record/{record_id}"]["GET"].as_strategy(
            generation_mode=mode, path_parameters={"record_id": FIVE[0]["id"]}),
            SUSHI_EXAMPLES)
    return answered


SECURED = f"username = {USER}\npassword = ${{API_TEST_PASSWORD}}"
SUSHI = {"/r51/status", "/r51/members", "/r51/reports", "/r51/reports/pr",
         "/r51/reports/pr_p1", "/r51/reports/ir"}
OPERATIONS = {"/api/v1/stats/", "/api/v1/stats/{name}", "/api/v1/top", "/api/v1/coverage",
              "/api/v1/delivery", "/api/v1/health", "/api/v1/record",
              "/api/v1/record/{record_id}", *SUSHI}
_CUSTOMER = {"customer_id": "0000000000000000"}
SUSHI_KNOWN = {"/r51/status": {}, "/r51/members": _CUSTOMER, "/r51/reports": _CUSTOMER,
               **{path: {**_CUSTOMER, "begin_date": "2025-12", "end_date": "2025-12"}
                  for path in ("/r51/reports/pr", "/r51/reports/pr_p1", "/r51/reports/ir")}}


@pytest.mark.parametrize("mode", list(EXAMPLES))
@pytest.mark.parametrize("secured", [True, False], ids=["password", "open"])
def test_every_answer_conforms_to_the_openapi_document(api, store_engine, mode, secured):
    keep(store_engine, FIVE[:1])
    a = api(api=SECURED if secured else "")
    # The credentials as schemathesis' own setting, not on each request: so
    # that it sends them where the document asks, and none where a negative
    # case is to go without.
    config = schemathesis.Config.from_dict(
        {"auth": {"basic": {"username": USER, "password": PASSWORD}}} if secured else {})
    schema = schemathesis.openapi.from_url(f"{a.url}/openapi.json", auth=(USER, PASSWORD),
                                           config=config)
    assert {op.ok().path for op in schema.get_all_operations()} == OPERATIONS
    assert {op.ok().method.upper() for op in schema.get_all_operations()} == {"GET", "HEAD"}
    answered = run(schema, a.url, mode)
    statuses = {status for _, status in answered}
    if mode is GenerationMode.POSITIVE:
        # One record's 200 depends on random filters letting it through:
        # tests/records/test_api.py asserts it.
        assert {path for path, status in answered if status == 200} >= OPERATIONS - {
            "/api/v1/record/{record_id}"}
    else:
        assert 400 in statuses
        assert (401 in statuses) is secured


def test_the_document_describes_the_errors_and_the_password(api):
    a = api(api=SECURED)
    document = a.get("/openapi.json").json()
    statistic = document["paths"]["/api/v1/stats/{name}"]["get"]
    assert set(statistic["responses"]) == {"200", "400", "401", "404", "503"}
    assert set(statistic["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert statistic["security"] == [{"basic": []}]
    assert "security" not in document["paths"]["/api/v1/health"]["get"]
    assert "401" not in document["paths"]["/api/v1/health"]["get"]["responses"]
    # SUSHI's status is public by the spec; its reports come as JSON or TSV
    assert "security" not in document["paths"]["/r51/status"]["get"]
    report = document["paths"]["/r51/reports/ir"]["get"]
    assert set(report["responses"]) == {"200", "400", "401", "403", "429", "503"}
    assert set(report["responses"]["200"]["content"]) == {"application/json",
                                                          "text/tab-separated-values"}
    assert {p["name"] for p in report["parameters"] if p["required"]} == {
        "customer_id", "begin_date", "end_date"}
    assert {"HTTPValidationError", "ValidationError"}.isdisjoint(
        document["components"]["schemas"])
    assert document["components"]["securitySchemes"] == {"basic": {"type": "http",
                                                                   "scheme": "basic"}}
