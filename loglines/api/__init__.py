"""The HTTP API of loglines, on FastAPI, served by uvicorn.

``app`` builds the service (``create_app``); a router per area
(``stats_routes``, ``health_routes``); ``models`` the JSON shapes;
``params`` the parameters' forms and bounds; ``formats`` JSON or CSV and
the paging headers; ``failures`` every error answer; ``auth`` the
password; ``paths`` what routing must not see; ``reading`` the store per
request; ``openapi`` the document; ``server`` uvicorn in a thread of a
worker. The worker that runs it is ``loglines.workers.api``.

``dashboard`` is the page at ``/`` for people, with its assets and the
delivery state per target it shows; ``sushi`` the COUNTER_SUSHI 5.1
reports under ``/r51/``.
"""
