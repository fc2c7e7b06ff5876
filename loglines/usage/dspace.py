"""DSpace 7+: from a bitstream UUID to its item's handle, with the REST API.

A download in the access log is ``/server/api/core/bitstreams/<uuid>/content``;
the item is not in the URL. One request, ``GET <rest>/api/core/bitstreams/
<uuid>/bundle?embed=item``, returns the bundle (only ``ORIGINAL`` holds the
item's files: thumbnails, extracted text and licences are not downloads)
with the item embedded, whose ``handle`` is the OAI identifier's id. A
server that does not embed gets the item from the bundle's ``item`` link.

Results, events and non-events alike, are cached in a bounded LRU: a
popular file is downloaded many times. A failure of the API (connection
error, timeout, 5xx, 429) raises TemporaryLookupError and is not cached:
the line is retried later, not lost. A 404 means no such bitstream: not an
event.
"""

import functools

import requests

from .errors import TemporaryLookupError

ORIGINAL = "ORIGINAL"
_TEMPORARY_STATUS = frozenset({408, 429})


class BitstreamLookup:
    def __init__(self, rest_url, timeout=5.0, cache_size=20_000, session=None):
        self.rest_url = rest_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.handle = functools.lru_cache(maxsize=cache_size)(self._handle)

    def _get(self, url, params=None):
        """The JSON at ``url``, None for a 404/410, TemporaryLookupError when
        the API cannot answer now; other refusals are the reason as text."""
        try:
            response = self.session.get(url, params=params, timeout=self.timeout,
                                        headers={"Accept": "application/json"})
        except requests.RequestException as err:
            raise TemporaryLookupError(f"DSpace REST API {url}: {type(err).__name__}: "
                                       f"{err}") from err
        status = response.status_code
        if status >= 500 or status in _TEMPORARY_STATUS:
            raise TemporaryLookupError(f"DSpace REST API {url}: HTTP {status}")
        if status in (404, 410):
            return None
        if status != 200:
            return f"lookup_http_{status}"  # 401/403: a restricted item, not readable
        try:
            body = response.json()
        except ValueError as err:
            raise TemporaryLookupError(f"DSpace REST API {url}: not JSON (a proxy's error "
                                       "page?)") from err
        return body if isinstance(body, dict) else "lookup_bad_answer"

    def _item(self, bundle):
        """The item of ``bundle``: embedded, else through its link."""
        item = (bundle.get("_embedded") or {}).get("item")
        if isinstance(item, dict):
            return item
        uuid = bundle.get("uuid") or bundle.get("id")
        if uuid:
            url = f"{self.rest_url}/api/core/bundles/{uuid}/item"
        else:
            url = ((bundle.get("_links") or {}).get("item") or {}).get("href")
        if not url:
            return "lookup_bad_answer"
        return self._get(url)

    def _handle(self, uuid):
        """``(handle, None)`` for a file of an item, ``(None, reason)`` otherwise."""
        bundle = self._get(f"{self.rest_url}/api/core/bitstreams/{uuid}/bundle",
                           params={"embed": "item"})
        if bundle is None:
            return None, "bitstream_not_found"
        if isinstance(bundle, str):
            return None, bundle
        if bundle.get("name") != ORIGINAL:
            return None, "not_original_bundle"
        item = self._item(bundle)
        if item is None:
            return None, "item_not_found"
        if isinstance(item, str):
            return None, item
        handle = item.get("handle")
        return (handle, None) if isinstance(handle, str) and handle else (None, "no_handle")
