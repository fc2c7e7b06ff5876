"""From a received frame to a queue message, a dead-letter entry, or nothing.

An accepted message becomes ``{"service", "logline", "syslog_host",
"syslog_tag", "syslog_peer"}`` (plus ``"syslog_sd"`` when it carried
structured data), the 2010 format plugins parse with more keys beside it.
The service is chosen by the tag (``service_by_tag``), else the default.

With a ``token`` set, a message must carry it, at the start of its body
(then it is stripped, with the spaces after it) or in its structured data
(as a parameter value, or as the name of an SD-ID, ``[TOKEN@12345]``; that
parameter or element is not kept). A message without it is dropped and
counted: it is the one input loglines drops, since keeping it would let
anyone who can reach the port fill the dead-letter store. For the same
reason malformed or too long input is dead-lettered only when it shows the
token; the token is never written to Redis.
"""

from __future__ import annotations

import hmac
from typing import NamedTuple

from ...message import encode
from .framing import INCOMPLETE, OK, TOO_LONG
from .parse import Malformed, parse

LINES, REJECTED_TOKEN, MALFORMED = "lines", "rejected_token", "malformed"
REASONS = {TOO_LONG: "line_too_long", INCOMPLETE: "incomplete"}


class Outcome(NamedTuple):
    """``counter`` names what happened; ``payload`` is None when nothing is
    kept; ``error`` is set for a dead-letter entry."""

    counter: str
    payload: str | None = None
    error: str | None = None


class Converter:
    def __init__(self, service, service_by_tag=None, token=None):
        self.service = service
        self.service_by_tag = dict(service_by_tag or {})
        self.token = token or None

    def convert(self, frame, peer, proto):
        if frame.kind != OK:
            return self._reject(REASONS[frame.kind], frame, peer,
                                f"{frame.size} bytes from {peer} over {proto}")
        try:
            message = parse(frame.data)
        except Malformed as err:
            return self._reject(MALFORMED, frame, peer, f"{err}; from {peer} over {proto}")
        if self.token and not self._authenticate(message):
            return Outcome(REJECTED_TOKEN)
        if not message.text:
            return self._reject(MALFORMED, frame, peer, f"empty message; from {peer}")
        return Outcome(LINES, self._payload(message, peer))

    def _authenticate(self, message):
        """True if ``message`` carries the token; strips it from the message."""
        token = self.token
        if _starts_with(message.text, token):
            message.text = message.text[len(token):].lstrip(" ")
            return True
        for sd_id, params in list(message.structured.items()):
            if _equal(sd_id.split("@", 1)[0], token):
                del message.structured[sd_id]
                return True
            for name, value in list(params.items()):
                if _equal(value, token):
                    del params[name]
                    return True
        return False

    def _payload(self, message, peer):
        extra = {"syslog_sd": message.structured} if message.structured else {}
        return encode(self.service_by_tag.get(message.tag, self.service), message.text,
                      syslog_host=message.host, syslog_tag=message.tag, syslog_peer=peer,
                      **extra)

    def _reject(self, reason, frame, peer, detail):
        if self.token and self.token.encode() not in frame.data:
            return Outcome(REJECTED_TOKEN)
        prefix = frame.data.decode("utf-8", errors="replace")
        if self.token:
            prefix = prefix.replace(self.token, "[token]")
        payload = encode(self.service, prefix, syslog_peer=peer)
        return Outcome(reason, payload, f"{reason}: {detail}")


def _starts_with(text, token):
    # Constant time, so the comparison tells a guesser nothing.
    return _equal(text[:len(token)], token)


def _equal(a, b):
    return hmac.compare_digest(a.encode(), b.encode())

