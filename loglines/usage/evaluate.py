"""From a parsed line to the tracker parameters, or to the reason it is none.

The steps every default plugin shares; the plugin brings ``classify``, which
knows its platform's URLs. Exclusion reasons are written into the plugin's
dict as ``pl["excluded"]`` for the worker to count.
"""

from typing import NamedTuple

from . import irus
from .eligibility import exclusion
from .message import parse_fields

IMPLAUSIBLE_TIME = "implausible_time"


class Hit(NamedTuple):
    """What ``classify`` found: a usage event of an item."""

    rft_dat: str  # irus.REQUEST or irus.INVESTIGATION
    item_id: str  # the id in the OAI identifier: 1234, 123456789/42, uuid:abcd
    svc_target: str | None = None  # the URL path to report, when not the one requested


class Target(NamedTuple):
    """The request as ``classify`` sees it."""

    path: str  # without the query string, not percent-decoded
    query: str  # without the '?'
    site: object  # settings.Site: base_url, rfr_id, oai_prefix


def excluded(pl, reason):
    pl["excluded"] = reason
    return {}


_TEXT = (str, type(None))


def _usable(pl):
    """Whether ``pl`` holds a parsed line (a dict made by hand may not)."""
    get = pl.get
    # Spelled out: this runs for every line, and a loop over a table of
    # (key, type) pairs took three times as long.
    return ("rejected" not in pl and isinstance(get("target"), str)
            and isinstance(get("method"), str) and isinstance(get("status"), int)
            and isinstance(get("utc"), str) and isinstance(get("host"), _TEXT)
            and isinstance(get("remote_addr"), _TEXT) and isinstance(get("user_agent"), _TEXT)
            and isinstance(get("referer"), _TEXT) and isinstance(get("x_forwarded_for"), _TEXT))


def _service(pl):
    service = pl.get("service")
    return service if isinstance(service, str) else None


def _fields(settings, pl):
    """``pl``, parsed with the section's log format (again, if parseline used
    another), or None when the line cannot be read."""
    if pl.get("log_format") != settings.log_format.spec and isinstance(pl.get("logline"), str):
        pl.pop("rejected", None)
        pl.pop("rejected_kind", None)
        pl.update(parse_fields(_service(pl), pl["logline"], settings.log_format))
    return pl if _usable(pl) else None


def openurl_params(settings, pl, classify):
    """The nine IRUS keys for an event; {} with ``pl["excluded"]`` otherwise.
    ``classify(target, settings)`` returns a Hit or the reason it is none."""
    if not isinstance(pl, dict):
        return {}
    fields = _fields(settings, pl)
    if fields is None:
        return excluded(pl, f"unparseable: {pl.get('rejected_kind', 'not_parsed')}")
    implausible = settings.window.problem(fields["utc"]) if settings.window else None
    if implausible:
        # Not a non-event to pass on: kept in the dead letters, where a
        # wider window and a requeue can still send it.
        pl["rejected"] = f"{implausible} (earliest_event_year, future_tolerance)"
        pl["rejected_kind"] = IMPLAUSIBLE_TIME
        return {}
    ip = settings.client_ip(fields.get("remote_addr") or fields.get("host"),
                            fields.get("x_forwarded_for"))
    # The client as the section keeps it, for the statistics of a line that
    # a later rebuild may count after all (a robot list that changed).
    client = pl["client"] = irus.req_id(ip, settings.req_id, settings.req_id_salt) if ip else ip
    reason = exclusion(fields.get("method"), fields.get("status"), fields.get("user_agent"),
                       ip, settings.robots)
    if reason:
        return excluded(pl, reason)
    site = settings.site(_service(pl))
    if site is None:
        return excluded(pl, "no_base_url")
    path, _, query = fields["target"].partition("?")
    hit = classify(Target(path, query, site), settings)
    if not isinstance(hit, Hit):
        return excluded(pl, str(hit or "not_an_item_url"))
    pl["item"] = hit.item_id
    return irus.params(
        url_tim=fields["utc"],
        req_id=client,
        req_dat=fields.get("user_agent"),
        item=irus.artnum(site.oai_prefix, hit.item_id),
        rfr_id=site.rfr_id,
        rfr_dat=fields.get("referer"),
        svc_dat=irus.svc_url(site.base_url, hit.svc_target or fields["target"]),
        rft_dat=hit.rft_dat,
    )
