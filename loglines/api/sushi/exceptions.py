"""The exceptions of COUNTER_SUSHI release 5.1 (Code of Practice, appendix
D) that loglines raises: each code's message, fixed word for word by the
spec, and the HTTP status it is answered with when it stops a request.

A ``Notice`` goes in a report's header and the report is still served
(HTTP 200); a ``SushiError`` stops the request and is answered alone."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse

from ...errors import LoglinesError

TABLE = {
    1000: ("Service Not Available", 503),
    1020: ("Client has made too many requests", 429),
    1030: ("Insufficient Information to Process Request", 400),
    2000: ("Requestor Not Authorized to Access Service", 401),
    2010: ("Requestor is Not Authorized to Access Usage for Institution", 403),
    2011: ("Global Reports Not Supported", 403),
    2020: ("APIKey Invalid", 401),
    3020: ("Invalid Date Arguments", 400),
    3030: ("No Usage Available for Requested Dates", 200),
    3031: ("Usage Not Ready for Requested Dates", 200),
    3032: ("Usage No Longer Available for Requested Dates", 200),
    3040: ("Partial Data Returned", 200),
    3050: ("Parameter Not Recognized in this Context", 200),
    3060: ("Invalid ReportFilter Value", 200),
    3062: ("Invalid ReportAttribute Value", 200),
    3063: ("Components Not Supported", 200),
}
RETRY_AFTER = 5  # seconds, with 1000: a database restart takes a few


def _json(code: int, data: str | None) -> dict:
    out = {"Code": code, "Message": TABLE[code][0]}
    if data:
        out["Data"] = data
    return out


@dataclass(frozen=True)
class Notice:
    """An exception for a report's header: the report is still served."""

    code: int
    data: str | None = None

    def json(self) -> dict:
        return _json(self.code, self.data)

    def text(self) -> str:
        """As the tabular header's Exceptions row spells one."""
        message = TABLE[self.code][0]
        return f"{self.code}: {message} ({self.data})" if self.data else f"{self.code}: {message}"


class SushiError(LoglinesError):
    """An exception that stops the request, answered alone with its status."""

    def __init__(self, code: int, data: str | None = None):
        super().__init__(f"{code}: {TABLE[code][0]}" + (f" ({data})" if data else ""))
        self.code = code
        self.data = data

    @property
    def status(self) -> int:
        return TABLE[self.code][1]

    def response(self) -> JSONResponse:
        headers = {"Retry-After": str(RETRY_AFTER)} if self.code == 1000 else None
        return JSONResponse(_json(self.code, self.data), self.status, headers=headers)
