"""The page at ``/`` and its assets under ``/dashboard/``, from the files
in ``static/`` that ship with the package.

Only the files named in ``ASSETS`` are served, so no path a client sends
reaches the file system. Every answer carries a Content-Security-Policy
allowing this origin only: the browser itself refuses a script, a style
or a fetch from anywhere else, so the page cannot come to depend on the
internet unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..failures import NotFound

STATIC = Path(__file__).parent / "static"
ASSETS = {
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "chart.umd.min.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "chart.js-LICENSE.md": "text/markdown",
}
SAME_ORIGIN = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": SAME_ORIGIN, "X-Content-Type-Options": "nosniff",
           # Revalidated each time (an ETag answers 304): a new loglines
           # brings new assets under the same names.
           "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard():
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=HEADERS)


@router.get("/dashboard/{name}")
def asset(name: str):
    if name not in ASSETS:
        raise NotFound("not found")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers=HEADERS)
