"""What loglines' own ``/openapi.json`` says of the SUSHI paths: their
parameters, named as the spec names them, and their answers in outline
(the spec's own schemas are what the tests hold the answers to, in
``tests/api/sushi/``). Parameters are plain text here: a value the spec
would not take is answered with its exception, not refused by the
framework."""

from __future__ import annotations

from .definitions import COMMON
from .exceptions import TABLE
from .tsv import TSV

EXCEPTION = {"type": "object", "title": "Exception",
             "description": "a COUNTER_SUSHI exception (Code of Practice, appendix D)",
             "properties": {"Code": {"type": "integer"}, "Message": {"type": "string"},
                            "Help_URL": {"type": "string"}, "Data": {"type": "string"}},
             "required": ["Code", "Message"], "additionalProperties": False}
REQUIRED = {"customer_id", "begin_date", "end_date"}
DESCRIPTIONS = {
    "customer_id": "the customer the usage is for",
    "requestor_id": "who asks, when the service names its requestors",
    "api_key": "the service's API key, when it has one",
    "platform": "the platform; this service has one",
    "begin_date": "the first month, yyyy-mm or yyyy-mm-dd",
    "end_date": "the last month, yyyy-mm or yyyy-mm-dd",
    "format": "tsv for the tabular form (loglines' own parameter); JSON otherwise",
}


def _exceptions(statuses) -> dict:
    out = {}
    for status in statuses:
        codes = sorted(code for code, (_, s) in TABLE.items() if s == status)
        out[status] = {"description": "exception " + ", ".join(map(str, codes)),
                       "content": {"application/json": {"schema": EXCEPTION}}}
    return out


def _parameter(name: str) -> dict:
    return {"name": name, "in": "query", "required": name in REQUIRED,
            "schema": {"type": "string"},
            "description": DESCRIPTIONS.get(name, "a filter or attribute of the spec's; "
                                                  "see the COUNTER_SUSHI API")}


def documented(kind: str, definition=None) -> dict:
    """The route's ``responses`` and ``openapi_extra`` for FastAPI."""
    if kind == "status":
        return {"responses": {200: {"content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "object"}}}},
            "description": "the service's status"}}}
    if kind in ("members", "reports"):
        names = sorted(COMMON - {"begin_date", "end_date", "format"})
        ok = {"content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "object"}}}},
            "description": "the list"}
        statuses = (400, 401, 403, 429, 503)
    else:
        names = sorted(definition.parameters)
        ok = {"content": {"application/json": {"schema": {"type": "object"}},
                          f"{TSV}": {"schema": {"type": "string"}}},
              "description": f"the {definition.id} report, JSON or TSV"}
        statuses = (400, 401, 403, 429, 503)
    return {"responses": {200: ok, **_exceptions(statuses)},
            "openapi_extra": {"parameters": [_parameter(n) for n in names]}}
