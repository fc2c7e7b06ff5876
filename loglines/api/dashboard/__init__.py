"""The statistics dashboard: a page at ``/`` for a repository manager,
drawn in the browser from the API's own JSON.

``page`` serves the page and its assets (``static/``: the HTML, our
script and style, and Chart.js, vendored with its licence, so nothing is
fetched from elsewhere at run time); ``delivery`` the one JSON route the
page needed that the statistics did not have, the delivery state per
target.
"""

from fastapi import APIRouter

from . import delivery, page

router = APIRouter()
router.include_router(delivery.router)
router.include_router(page.router)
