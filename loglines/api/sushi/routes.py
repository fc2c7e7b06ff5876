"""The COUNTER_SUSHI release 5.1 paths: ``/r51/status`` (open, as the spec
requires), ``/r51/members``, ``/r51/reports`` and a path per report.

Every answer is the spec's JSON: a report (its exceptions in its header),
a list, or a single exception with the HTTP status appendix D gives it;
with ``format=tsv``, or an Accept header naming
``text/tab-separated-values`` and not JSON, a report comes in its tabular
form. Values from the request reach the store only as bound parameters
(``loglines.stats.read``). The parameters are read by hand, not declared
to FastAPI, so that a bad one is the spec's exception, not a 400 of the
service's own shape; the document lists them (``openapi_extra``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...store.migrate import OK, state
from .. import failures
from ..reading import reading
from . import months, reports, request, tsv
from .access import authorise
from .definitions import REPORTS
from .exceptions import SushiError
from .openapi_parts import documented

router = APIRouter(prefix="/r51", tags=["COUNTER_SUSHI 5.1"])


def _answer(request_: Request, make):
    """``make(service, params)``'s answer, or the single exception that
    stopped it (1000 for a store that cannot be read)."""
    service = request_.app.state.sushi
    try:
        return make(service, dict(request_.query_params))
    except SushiError as err:
        return err.response()
    except failures.STORE_ERRORS as exc:
        failures.note_unavailable(request_, exc)
        return SushiError(1000, "the store cannot be read just now; try again later").response()


def _wants_tsv(request_: Request, params) -> bool:
    if "format" in params:
        return params["format"] == "tsv"
    accept = request_.headers.get("accept", "")
    return tsv.TSV in accept and "application/json" not in accept


@router.get("/status", summary="Whether the service can deliver reports (open to all)",
            **documented("status"))
def status(request: Request):
    settings = request.app.state.sushi.settings
    out = {"Description": f"COUNTER release 5.1 usage of {settings.platform}, by loglines",
           "Service_Active": state(request.app.state.engine).status == OK}
    if settings.registry_record:
        out["Registry_Record"] = settings.registry_record
    return JSONResponse([out])


@router.get("/members", summary="The institution of the customer_id", **documented("members"))
def members(request: Request):
    def make(service, params):
        customer = authorise(service.settings, params)
        service.limiter.admit((customer, "members"))
        return JSONResponse([{"Customer_ID": customer,
                              "Institution_Name": service.settings.customers[customer],
                              "Institution_ID": service.settings.institution_id(customer)}])
    return _answer(request, make)


@router.get("/reports", summary="The reports served, and the months available",
            **documented("reports"))
def report_list(request: Request):
    def make(service, params):
        customer = authorise(service.settings, params)
        service.limiter.admit((customer, "reports"))
        with reading(request) as conn:
            first, last = months.available(conn, service.now())
        return JSONResponse([{"Report_Name": d.name, "Report_ID": d.id, "Release": "5.1",
                              "Report_Description": d.description, "Path": d.path,
                              "First_Month_Available": first, "Last_Month_Available": last}
                             for d in REPORTS.values()])
    return _answer(request, make)


def _report_route(definition):
    def report(request_: Request):
        def make(service, params):
            settings = service.settings
            customer = authorise(settings, params, also=("begin_date", "end_date"))
            period = months.period(params["begin_date"], params["end_date"], service.now())
            service.limiter.admit((customer, definition.id))
            asked = request.parse(definition, params, settings)
            with reading(request_) as conn:
                months.classify(conn, period)
                made = reports.build(conn, definition, settings, customer, asked, period,
                                     service.now())
            if _wants_tsv(request_, params):
                return tsv.answer(made, period, f"{definition.id}_{period.begin_date}_"
                                                f"{period.end_date}")
            return JSONResponse(made)
        return _answer(request_, make)

    report.__name__ = f"report_{definition.id.lower()}"
    router.add_api_route(f"/reports/{definition.id.lower()}", report, methods=["GET"],
                         summary=f"{definition.id}: {definition.name}",
                         **documented("report", definition))


for _definition in REPORTS.values():
    _report_route(_definition)
