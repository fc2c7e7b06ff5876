"""A log line as the statistics keep it, built from what the plugin found.

pirus2 has run the plugin on every line it reads; it hands the stats
worker this record of each line instead of the line, so the plugin runs
once per line (docs/design.md, Local statistics).

The key is a hash of the service and the line itself: the same line read
again, by a repeat of the queue, a replay or a backfill of an archive,
has the same key and is counted once. Two identical lines are one hit for
COUNTER anyway (same URL, user and second: a double click).
"""

import hashlib
import time

from .. import json_codec
from .timestamps import utc_to_unix

# Exclusions by rules COUNTER fixes (the method, the status, an unreadable
# line): a rebuild never revisits them, so their fields are not kept.
_FINAL = ("method_", "status_", "unparseable", "bad_request_line")
_KIND = {"Request": "R", "Investigation": "I"}


def line_key(service, logline):
    return hashlib.blake2b(f"{service}\n{logline}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def stats_record(fields, parsed, params, now=time.time):
    """The record (a dict to encode as JSON) of one evaluated line:
    ``fields`` the queue message's, ``parsed`` what the plugin's parseline
    returned, ``params`` its tracker parameters (None: not an event)."""
    service = fields.get("service") or ""
    record = {"k": line_key(service, fields["logline"]), "s": service}
    pl = parsed if isinstance(parsed, dict) else {}
    if params:
        p = dict(params)
        record.update(t=_time(p.get("url_tim")) or _time(pl.get("utc")) or int(now()),
                      m=pl.get("method", "GET"), st=pl.get("status", 200),
                      u=pl.get("target") or p.get("svc_dat", ""), a=p.get("req_dat", ""),
                      c=p.get("req_id", ""), i=p.get("rft.artnum", ""),
                      kd=_KIND.get(p.get("rft_dat"), "I"))
        return record
    reason = pl.get("excluded") if isinstance(pl.get("excluded"), str) else "not_an_event"
    utc = _time(pl.get("utc"))
    # A line without a readable time is counted when it was seen.
    record.update(t=utc or int(now()), r=reason)
    if utc is not None and not reason.startswith(_FINAL) and isinstance(pl.get("target"), str):
        record.update(m=pl.get("method"), st=pl.get("status"), u=pl["target"],
                      a=pl.get("user_agent") or "", c=pl.get("client") or "")
    return record


def stats_payload(fields, parsed, params) -> str:
    """One evaluated line's record as JSON."""
    return json_codec.dumps(stats_record(fields, parsed, params))


def stats_bundle(payloads: list[str]) -> str:
    """The stats queue's item for a batch of lines: their records as one
    JSON array. One item per batch, not per line: the queue's cost is per
    item (a tenth of Redis' CPU per line went to the stats queue), and the
    store keeps each record once by its key whichever item brings it."""
    return f"[{','.join(payloads)}]"


def _time(utc):
    if not isinstance(utc, str) or len(utc) < 19:
        return None
    try:
        return int(utc_to_unix(utc))
    except ValueError:
        return None
