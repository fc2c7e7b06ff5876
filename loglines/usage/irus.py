"""The IRUS (R5) tracker parameters: all nine keys, on every event.

See the tracker protocol, sections 1 and 3: url_tim is the time of the log
line in UTC, req_id the client IP (bare by default), req_dat the raw user
agent, rft.artnum ``oai:<prefix>:<item id>``, rfr_id the sending
repository's host, rfr_dat the referer or "", svc_dat the full URL that was
requested, rft_dat ``Request`` or ``Investigation``.
"""

import functools
import hashlib
import hmac

URL_VER = "Z39.88-2004"
REQUEST = "Request"
INVESTIGATION = "Investigation"
REQ_ID_MODES = ("ip", "urn", "hash")
KEYS = ("url_ver", "url_tim", "req_id", "req_dat", "rft.artnum", "rfr_id", "rfr_dat",
        "svc_dat", "rft_dat")


@functools.lru_cache(maxsize=65536)
def _hashed(salt, ip):
    # HMAC, not sha256(salt + ip): the IPv4 space is small enough to brute
    # force a plain hash; with a secret key the hash says nothing about the IP.
    return hmac.new(salt.encode("utf-8"), ip.encode("utf-8"), hashlib.sha256).hexdigest()


def req_id(ip, mode="ip", salt=""):
    """The client as the tracker gets it: the bare IP (R5), ``urn:ip:<ip>``
    (R4 and older trackers), or a keyed hash for sites that may not send IPs."""
    if mode == "urn":
        return f"urn:ip:{ip}"
    if mode == "hash":
        return _hashed(salt, ip)
    return ip


def artnum(oai_prefix, item_id):
    return f"oai:{oai_prefix}:{item_id}"


def dash_is_empty(value):
    """A log's ``-`` (header absent) is the empty string for the tracker."""
    return "" if value in (None, "-") else value


def svc_url(base_url, target):
    """The full URL that was requested: the site's base URL and the target
    (path and query) of the request line; an absolute-form target keeps only
    its path, since the base URL is the public name of the site."""
    if "://" in target[:12]:
        rest = target.split("://", 1)[1]
        target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    if not target.startswith("/"):
        target = "/" + target
    return base_url.rstrip("/") + target


def params(*, url_tim, req_id, req_dat, item, rfr_id, rfr_dat, svc_dat, rft_dat):
    """The nine keys in the order of the protocol's table."""
    return {
        "url_ver": URL_VER,
        "url_tim": url_tim,
        "req_id": req_id,
        "req_dat": dash_is_empty(req_dat),
        "rft.artnum": item,
        "rfr_id": rfr_id,
        "rfr_dat": dash_is_empty(rfr_dat),
        "svc_dat": svc_dat,
        "rft_dat": rft_dat,
    }
