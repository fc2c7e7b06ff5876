"""Tracker URLs: the GET URL of one event, and a redacted copy for logs.

The URL that is sent keeps every secret; the copy shown in outcomes, errors
and the dry-run file has them replaced by ``REDACTED``. Secrets are the
``token_auth`` parameter of an event (Matomo, docs/tracker-protocol.md, "OpenAIRE
UsageCounts"), every query value of the configured endpoint (``?apikey=...``)
and its userinfo, which is sent as HTTP basic auth instead.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote, urlsplit

from loglines import redact
from loglines.outputs.delivery.outcome import REDACTED, InvalidClientSettings, scrub

__all__ = ["REDACTED", "SECRET_PARAMS", "Endpoint", "EventUrl", "Params", "scrub"]
SECRET_PARAMS = frozenset({"token_auth"})

Params = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class EventUrl:
    """One event's URL: ``target`` (path and query) is sent, ``shown`` is logged."""

    target: str
    shown: str
    secrets: tuple[str, ...]


class Endpoint:
    """A validated tracker endpoint that turns parameters into event URLs."""

    def __init__(self, url: str):
        parts = _split_checked(url)
        host = parts.netloc.rpartition("@")[2]
        self.origin = f"{parts.scheme}://{host}"
        path = parts.path or "/"
        self._base = f"{path}?{parts.query}" if parts.query else path
        self._has_query = bool(parts.query)
        self.headers: dict[str, str] = {}
        secrets = list(redact.url_secrets(url))
        shown_host = host
        if "@" in parts.netloc:
            # Userinfo is never sent in a URL; requests would send it as basic auth,
            # so do the same and keep it out of the URL altogether.
            user, password = unquote(parts.username or ""), unquote(parts.password or "")
            token = base64.b64encode(_latin1(f"{user}:{password}"))
            self.headers = {"authorization": f"Basic {token.decode()}"}
            shown_host = f"{REDACTED}@{host}"
        shown_query = redact.url(url).partition("?")[2]
        self._shown_base = f"{parts.scheme}://{shown_host}{path}"
        if shown_query:
            self._shown_base += "?" + shown_query
        self._secrets = tuple(s for s in secrets if s)

    @property
    def shown(self) -> str:
        """The endpoint as it may be logged: userinfo and query values redacted."""
        return self._shown_base

    def event_url(self, params: Params) -> EventUrl:
        """Build the URL of one event; parameter order is kept as given."""
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
        tokens = [str(v) for k, v in pairs if k in SECRET_PARAMS and str(v)]
        secrets = self._secrets + tuple(tokens) + tuple(quote_plus(t) for t in tokens)
        if not pairs:
            return EventUrl(self._base, self._shown_base, secrets)
        sep = "&" if self._has_query else "?"
        query = shown_query = encode_query(pairs)
        if tokens:  # encoding is most of the cost: do it twice only when needed
            shown_pairs = [(k, REDACTED if k in SECRET_PARAMS else v) for k, v in pairs]
            shown_query = encode_query(shown_pairs)
        return EventUrl(
            target=f"{self._base}{sep}{query}",
            shown=f"{self._shown_base}{sep}{shown_query}",
            secrets=secrets,
        )


# quote_plus leaves these as they are; most keys and many values are only these.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
# Keys, user agents, referers, the version and the rfr_id repeat from one
# event to the next: each is quoted once. Bounded: emptied when full.
_quoted: dict[str, str] = {}
_QUOTED_MAX = 50_000


def _quote(value) -> str:
    text = value if isinstance(value, str) else str(value)
    quoted = _quoted.get(text)
    if quoted is None:
        quoted = text if _UNRESERVED.fullmatch(text) else quote_plus(text)
        if len(_quoted) >= _QUOTED_MAX:
            _quoted.clear()
        _quoted[text] = quoted
    return quoted


def encode_query(pairs: Iterable[tuple[str, str]]) -> str:
    """``urlencode(pairs)``, character for character, with repeated values quoted once."""
    return "&".join([f"{_quote(k)}={_quote(v)}" for k, v in pairs])


def _latin1(credentials: str) -> bytes:
    try:
        return credentials.encode("latin-1")  # what HTTP basic auth carries
    except UnicodeEncodeError:
        # Not repeated: it holds the password.
        raise InvalidClientSettings(
            "tracker endpoint user and password must be Latin-1 text (HTTP basic auth)"
        ) from None


def _split_checked(url: str):
    if not isinstance(url, str):
        raise InvalidClientSettings(f"tracker endpoint must be a URL string, got {type(url)}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as err:
        raise InvalidClientSettings(f"tracker endpoint is not a URL: {err}") from err
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # The URL itself is not repeated: its userinfo may hold a password.
        raise InvalidClientSettings(
            "tracker endpoint must be an http:// or https:// URL with a host, "
            f"got scheme {parts.scheme!r} and host {parts.hostname!r}"
        )
    return parts

