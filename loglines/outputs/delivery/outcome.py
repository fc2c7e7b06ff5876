"""What happened to one event, and how tracker answers are classified.

docs/tracker-protocol.md, "Answers": the accepted codes are success; 5xx, 429,
408, timeouts and connection errors are temporary (the queue retries with
backoff); any other answer is permanent (the queue dead-letters at once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from loglines.errors import DeliveryError
from loglines.redact import REDACTED, scrub  # noqa: F401 -- REDACTED is used through here

# Enough of a tracker's error page to say why, little enough for a log line
# and a dead-letter record.
BODY_PREFIX_CHARS = 200
TEMPORARY_STATUS = frozenset({408, 429})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
# What a tracker that answers 200 says in its body when it did not count the
# event, per target; ``failure_body`` in the section overrides it ('' : none).
# The IRUS tracker's error page starts with ERROR; a Matomo bulk reply is
# JSON, judged by its counts instead.
FAILURE_BODY = {"irus": r"(?i)\A\s*error\b", "matomo": ""}


class InvalidClientSettings(DeliveryError, ValueError):
    """The client was built with settings that can never work (misuse).

    A ``DeliveryError`` with ``temporary=False`` so callers that catch the
    project's errors see it, and a ``ValueError`` because that is what it is.
    """

    def __init__(self, message: str):
        super().__init__(message, temporary=False)


@dataclass(frozen=True)
class Outcome:
    """The result of delivering one event; ``url`` has its secrets redacted;
    ``seconds`` is the tracker's round trip (None when nothing was sent)."""

    key: Any
    ok: bool
    temporary: bool
    status: int | None
    error: str | None
    url: str
    seconds: float | None = field(default=None, compare=False)  # a measure, not a result

    def to_error(self) -> DeliveryError | None:
        """The failure as the project's error, for a dead-letter record; None if ok."""
        if self.ok:
            return None
        return DeliveryError(self.error or "delivery failed", temporary=self.temporary)


def is_temporary_status(status: int) -> bool:
    return status >= 500 or status in TEMPORARY_STATUS


def status_error(status: int, body: bytes, secrets: Iterable[str] = ()) -> str:
    """The error text of a refused event: the status and the start of the body.

    Secrets are scrubbed before the body is cut, so a token cut in two
    cannot leave its first half in the text.
    """
    text = " ".join(scrub(body.decode("utf-8", errors="replace"), secrets).split())
    if len(text) > BODY_PREFIX_CHARS:
        text = text[:BODY_PREFIX_CHARS] + "..."
    return f"tracker answered HTTP {status}: {text}" if text else f"tracker answered HTTP {status}"


def redirect_error(status: int, location: str | None, secrets: Iterable[str] = ()) -> str:
    """A redirect is the endpoint's fault, not the event's: told with where
    it points, and kept for a retry once endpoint_url is put right."""
    where = scrub(location, secrets)[:BODY_PREFIX_CHARS] if location else "(no Location)"
    return (f"tracker answered HTTP {status}, a redirect to {where}: endpoint_url is out of "
            "date; the events are kept and retried, set endpoint_url to the new address")


def body_error(status: int, body: bytes, secrets: Iterable[str] = ()) -> str:
    """An accepted status whose body says the event was not counted."""
    return "tracker reported a failure in its answer: " + status_error(status, body, secrets)


def exception_error(exc: BaseException) -> str:
    """The error text of an event that got no answer (timeout, refused, reset)."""
    text = f"{type(exc).__name__}: {exc}"
    return text[: BODY_PREFIX_CHARS * 2]
