"""Paths with a control character are no one's: 404 before routing.

Starlette's route patterns end in ``$``, which in Python also matches
before a final newline, so ``/api/v1/stats/%0A`` (a statistic named by a
line break) would be answered as ``/api/v1/stats/``, the list, with the
wrong shape for what was asked. No path of the API holds one.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class NoControlCharacters:
    """ASGI middleware: a path with a control character gets 404."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and CONTROL.search(scope["path"]):
            await JSONResponse({"error": "not found"}, 404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
