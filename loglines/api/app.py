"""The API service: ``create_app`` builds it from an engine on the store
and the statistics it serves, one router per area (statistics, health,
the COUNTER_SUSHI reports, the dashboard and the log records)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from ..inputs.http.app import Credentials
from . import failures, health_routes, openapi, records_routes, stats_routes
from .auth import BasicAuth
from .dashboard import router as dashboard_router
from .paths import NoControlCharacters
from .sushi import Service as SushiService
from .sushi import router as sushi_router

TITLE = "loglines statistics"
DESCRIPTION = ("The local COUNTER statistics of this repository, read-only. Every answer is "
               "JSON unless CSV is asked for; every error is JSON with an `error` key.")
VERSION = "1"


def create_app(engine, statistics, username="loglines", password=None, log=None,
               queues=None, targets=(), record_users=None) -> FastAPI:
    """The ASGI application serving ``statistics`` (Statistic objects) from
    ``engine``, and the delivery state of ``targets`` (Config.delivery_targets)
    from the queue store ``queues``, and the log records; with a ``password``
    every path but the health check asks for HTTP Basic credentials, and
    with ``record_users`` (records.users.Users) the record paths ask for a
    reader of theirs (or that password)."""
    log = log or logging.getLogger(__name__)
    # No /docs: FastAPI's Swagger UI loads from a CDN, blank offline; the
    # dashboard is the page for people, /openapi.json the one for tools.
    app = FastAPI(title=TITLE, description=DESCRIPTION, version=VERSION, redoc_url=None,
                  docs_url=None)
    app.state.engine = engine
    app.state.statistics = {s.name: s for s in statistics}
    app.state.queues, app.state.targets = queues, list(targets)
    failures.install(app, engine, log)
    app.include_router(stats_routes.router)
    app.include_router(health_routes.router)
    app.state.sushi = SushiService()  # the defaults; the api worker sets its section's
    app.include_router(sushi_router)
    app.include_router(dashboard_router)
    credentials = Credentials(username, password) if password else None
    records_routes.install(app, record_users, credentials)
    app.add_middleware(NoControlCharacters)
    if password:  # added last, so outermost: without it, nothing but 401 is learnt
        # The record paths check their own users when there are some.
        skip = (records_routes.PREFIX,) if record_users is not None else ()
        app.add_middleware(BasicAuth, credentials=credentials, checked_by_route=skip)
    openapi.install(app, secured=bool(password))
    return app
