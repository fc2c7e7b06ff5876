"""The API service: ``create_app`` builds it from an engine on the store
and the statistics it serves, one router per area (statistics, health,
the COUNTER_SUSHI reports and the dashboard; the record API is to join)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from ..inputs.http.app import Credentials
from . import failures, health_routes, openapi, stats_routes
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
               queues=None, targets=()) -> FastAPI:
    """The ASGI application serving ``statistics`` (Statistic objects) from
    ``engine``, and the delivery state of ``targets`` (Config.delivery_targets)
    from the queue store ``queues``; with a ``password`` every path but the
    health check asks for HTTP Basic credentials."""
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
    app.add_middleware(NoControlCharacters)
    if password:  # added last, so outermost: without it, nothing but 401 is learnt
        app.add_middleware(BasicAuth, credentials=Credentials(username, password))
    openapi.install(app, secured=bool(password))
    return app
