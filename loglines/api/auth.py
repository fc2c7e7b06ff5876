"""HTTP Basic authentication in front of every path but the health check.

In front of the whole application rather than per route, so that
``/openapi.json``, the docs page and paths that do not exist are closed
too: without the password a client learns nothing but 401.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..inputs.http.app import Credentials

# SUSHI's status is public by the spec (Code of Practice 8.1): it tells
# whether reports can be delivered, nothing of them.
OPEN_PATHS = frozenset({"/api/v1/health", "/r51/status"})
CHALLENGE = 'Basic realm="loglines", charset="UTF-8"'


class BasicAuth:
    """ASGI middleware: a request without the right credentials gets 401."""

    def __init__(self, app, credentials: Credentials, open_paths=OPEN_PATHS,
                 checked_by_route=()):
        self.app = app
        self.credentials = credentials
        self.open_paths = open_paths
        # Path prefixes whose routes check users of their own (the record API's).
        self.checked_by_route = tuple(checked_by_route)

    def _route_checks(self, path):
        return any(path == p or path.startswith(p + "/") for p in self.checked_by_route)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in self.open_paths or \
                self._route_checks(scope["path"]) or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        answer = JSONResponse({"error": "authentication required"}, 401,
                              headers={"WWW-Authenticate": CHALLENGE})
        await answer(scope, receive, send)

    def _allowed(self, scope):
        header = next((value for name, value in scope["headers"] if name == b"authorization"),
                      b"")
        return self.credentials.check(header.decode("latin-1"))
