"""IRUS R5 tracker keys to one Matomo tracking request, and Matomo's bulk reply.

The plugins produce the IRUS keys (docs/tracker-protocol.md, "The nine keys");
OpenAIRE UsageCounts takes the same events as Matomo tracking requests
("OpenAIRE UsageCounts").
Mapping:

- ``url`` is svc_dat, and ``download`` repeats it only for a Request: that is
  how Matomo tells a download from a page view.
- ``action_name`` is the item's OAI identifier (rft.artnum): stable, known
  without a lookup, and one Matomo "page title" per item. The item title
  would need the repository; the OAI id is also in ``cvar``, where OpenAIRE
  reads it.
- ``urlref`` is rfr_dat and ``ua`` is req_dat, both left out when empty:
  Matomo treats an empty value as absent anyway.
- ``cip`` is req_id only when it is a bare IP: a ``urn:ip:`` or hashed
  req_id is not an address, and Matomo would refuse or misread it.
- ``cdt`` is url_tim in UTC as ``YYYY-MM-DD HH:MM:SS``: the event time, not
  the sending time (backlogs are replayed).
- No ``token_auth`` here: it goes once in the bulk body (matomo.py).

Pure functions, no network.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Mapping
from datetime import datetime, timezone

from loglines.errors import LoglinesError
from loglines.outputs.delivery.urls import Params, encode_query

CDT_FORMAT = "%Y-%m-%d %H:%M:%S"
REQUEST = "Request"


class UnsendableEvent(LoglinesError, ValueError):
    """The event lacks what Matomo needs: sending it again cannot help."""


def request_string(params: Params, idsite: int) -> str:
    """The ``?idsite=..&rec=1&...`` string of one event for a bulk request."""
    keys = {k: str(v) for k, v in (params.items() if isinstance(params, Mapping) else params)}
    url = keys.get("svc_dat")
    if not url:
        raise UnsendableEvent("event has no svc_dat (the URL that was used): nothing to track")
    item = keys.get("rft.artnum")
    pairs = [("idsite", str(idsite)), ("rec", "1"), ("apiv", "1")]
    if item:
        pairs.append(("action_name", item))
    pairs.append(("url", url))
    if keys.get("rft_dat") == REQUEST:
        pairs.append(("download", url))
    for matomo_key, irus_key in (("urlref", "rfr_dat"), ("ua", "req_dat")):
        if keys.get(irus_key):
            pairs.append((matomo_key, keys[irus_key]))
    if bare_ip(keys.get("req_id")):
        pairs.append(("cip", keys["req_id"]))
    if keys.get("url_tim"):
        pairs.append(("cdt", cdt(keys["url_tim"])))
    if item:
        pairs.append(("cvar", _cvar(item)))
    return "?" + encode_query(pairs)


# Items, times of one second and client addresses repeat from event to
# event: each of these small conversions is done once per distinct value.
@functools.lru_cache(maxsize=4096)
def _cvar(item: str) -> str:
    return json.dumps({"1": ["oaipmhID", item]}, separators=(",", ":"))


@functools.lru_cache(maxsize=4096)
def bare_ip(value: str | None) -> bool:
    if not value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def cdt(url_tim: str) -> str:
    """``2010-10-17T03:04:42Z`` (or with an offset) to ``2010-10-17 03:04:42`` UTC."""
    text = url_tim.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"  # fromisoformat takes "Z" only from 3.11
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # Sending it without cdt would count it at the time of sending: wrong
        # data, silently. A plugin bug, so the event is refused instead.
        raise UnsendableEvent(f"url_tim is not an ISO 8601 time: {url_tim[:64]!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)  # naive: url_tim is UTC already
    return moment.strftime(CDT_FORMAT)


def parse_reply(body: bytes) -> dict | None:
    """The bulk reply as a dict with an integer ``tracked``; None if it is not one."""
    try:
        reply = json.loads(body)
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None
    tracked = reply.get("tracked")
    if isinstance(tracked, bool) or not isinstance(tracked, int) or tracked < 0:
        return None
    return reply


def verdicts(sent: int, reply: dict) -> list[tuple[bool, bool, str | None]]:
    """(ok, temporary, error) of each request of a bulk, from Matomo's reply.

    Matomo counts as tracked every request it processed, and lists the ones
    it refused as invalid in ``invalid_indices`` (only for a super user's
    token). So when the reply names the invalid ones and ``tracked`` accounts
    for all the others, those others are done: retrying them would count
    them twice. The invalid ones are permanent: the same request would be
    refused again. In any other shortfall nobody can tell which were
    tracked, so the rest of the bulk is temporary and the queue retries it.
    """
    tracked = reply["tracked"]
    if tracked == sent:
        return [(True, False, None)] * sent
    invalid = _invalid_indices(reply, sent)
    summary = f"Matomo tracked {tracked} of {sent} requests of this bulk"
    if invalid:
        summary += f", {len(invalid)} refused as invalid"
    rest_done = bool(invalid) and tracked + len(invalid) == sent
    result = []
    for index in range(sent):
        if index in invalid:
            result.append((False, False, f"Matomo refused this request as invalid ({summary})"))
        elif rest_done:
            result.append((True, False, None))
        else:
            result.append((False, True, summary))
    return result


def _invalid_indices(reply: dict, sent: int) -> frozenset[int]:
    """The listed invalid positions, or none at all if the list is not usable."""
    indices = reply.get("invalid_indices")
    if not isinstance(indices, list):
        return frozenset()
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < sent for i in indices):
        return frozenset()  # a list we cannot trust must not dead-letter anything
    return frozenset(indices)
