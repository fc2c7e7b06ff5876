"""Every answer that is not a success, as JSON of one shape.

A malformed parameter, FastAPI's own validation included, is a 400
``{"error", "parameter"}`` (FastAPI's 422 would name it too, but in a
shape of its own); an unknown statistic a 404; a store that cannot be
read a 503 with Retry-After, whose text says nothing of the database (its
reason goes to the log, once per outage). Nothing a client sends decides
what is logged: the log gets one line when the store fails and one when it
answers again.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from ..errors import LoglinesError, StoreUnavailable
from ..stats.read import BadQuery
from ..store.engine import describe, reason
from .params import explain
from .reading import StoreWatch

RETRY_AFTER = 5  # seconds: a database restart takes a few
UNAVAILABLE = "the store cannot be read just now; try again later"


class NotFound(LoglinesError):
    """What the request names does not exist here (a statistic, usually)."""


def error(status, text, **extra):
    return JSONResponse({"error": text, **extra}, status)


def bad_parameter(name, text):
    return error(400, text, parameter=name)


def _validation(request: Request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(part) for part in first.get("loc", ())]
    name = loc[-1] if len(loc) > 1 else (loc[0] if loc else "request")
    return bad_parameter(name, explain(name, first))


def _bad_query(request: Request, exc: BadQuery):
    return bad_parameter(exc.name, str(exc))


def _not_found(request: Request, exc: NotFound):
    return error(404, str(exc))


def _http(request: Request, exc: HTTPException):
    # Starlette's own answers (no such path, a method not allowed), in our shape.
    return JSONResponse({"error": str(exc.detail).lower()}, exc.status_code,
                        headers=getattr(exc, "headers", None))


# Lost connections, a database that cannot serve the query (a server
# killed mid-query, an SQLite file without the tables) and every pooled
# connection busy for the pool's timeout; other database errors are bugs,
# answered 500 and logged with their traceback.
STORE_ERRORS = (StoreUnavailable, OperationalError, InterfaceError, PoolTimeout)


def note_unavailable(request: Request, exc: Exception):
    """Tell the store's watch (and so the log, once) why it cannot be read."""
    watch: StoreWatch = request.app.state.store_watch
    if isinstance(exc, StoreUnavailable):
        watch.failed(str(exc))  # it says where already, without the password
    elif isinstance(exc, PoolTimeout):
        watch.failed(f"store {describe(watch.engine.url)}: every connection stayed busy")
    else:
        watch.failed(f"store {describe(watch.engine.url)}: cannot be read: "
                     f"{reason(exc, watch.engine.url)}")


def _unavailable(request: Request, exc: Exception):
    note_unavailable(request, exc)
    return JSONResponse({"error": UNAVAILABLE}, 503, headers={"Retry-After": str(RETRY_AFTER)})


def _internal(request: Request, exc: Exception):
    # uvicorn logs the traceback (Starlette raises it on after this answer).
    return error(500, "internal error; the server's log has the details")


def install(app: FastAPI, engine, log: logging.Logger):
    app.state.store_watch = StoreWatch(engine, log)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(BadQuery, _bad_query)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(HTTPException, _http)
    for cls in STORE_ERRORS:
        app.add_exception_handler(cls, _unavailable)
    app.add_exception_handler(Exception, _internal)
