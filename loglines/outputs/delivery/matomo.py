"""The second target: OpenAIRE UsageCounts through Matomo's bulk tracking API.

Same contract as ``TrackerClient.send_many`` and ``stream``: IRUS events
in, one Outcome per event out, nothing retried here (the queue retries
temporary failures, docs/guarantees.md guarantee 4). The events are turned into Matomo requests
(matomo_params.py) and POSTed ``bulk_size`` at a time as
``{"requests": [...], "token_auth": ...}``; the token goes once in the body,
never into a request string, so it is never in an Outcome either.

A bulk counts as delivered only when Matomo's JSON reply says it tracked
every request. A shortfall makes the bulk temporary (see
``matomo_params.verdicts`` for the invalid_indices case), so some events may
be sent twice: at-least-once, and a re-sent event is identical (same time,
IP, agent and URL), which COUNTER double-click filtering collapses.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from loglines.outputs.delivery.client import (
    TrackerClient,
    _check_settings,
    check_target,
    wire_headers,
)
from loglines.outputs.delivery.http1 import Answer
from loglines.outputs.delivery.matomo_params import (
    UnsendableEvent,
    parse_reply,
    request_string,
    verdicts,
)
from loglines.outputs.delivery.outcome import (
    REDIRECT_STATUS,
    InvalidClientSettings,
    Outcome,
    exception_error,
    is_temporary_status,
    redirect_error,
    status_error,
)
from loglines.outputs.delivery.pooled import Pooled
from loglines.outputs.delivery.urls import REDACTED, Endpoint, Params, scrub


@dataclass(frozen=True)
class _Pending:
    """One convertible event: its key, its request, its shown URL."""

    key: Any
    request: str
    shown: str


class MatomoClient(Pooled):
    """Send events to one Matomo tracker; ``send_many`` from one thread at a time."""

    def __init__(
        self,
        endpoint_url: str,
        *,
        idsite: int,
        token_auth: str | None = None,
        bulk_size: int = 100,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        concurrency: int = 1,
        dry_run_file: str | os.PathLike | None = None,
        user_agent: str = "loglines/0.1",
        timeout_ceiling: float | None = None,
    ):
        _check_settings(timeout, connect_timeout, (200,), concurrency, 0.0, user_agent)
        _check_matomo_settings(idsite, token_auth, bulk_size)
        TrackerClient._check_dry_run_file(dry_run_file)
        endpoint = Endpoint(endpoint_url)
        base = endpoint.event_url(())
        self.idsite = idsite
        self.bulk_size = bulk_size
        self._token = token_auth or None
        self._target = base.target
        self._shown = base.shown
        self._secrets = base.secrets + _token_forms(self._token)
        check_target(self._target)
        self._head = f"POST {self._target} HTTP/1.1\r\n".encode("ascii") + wire_headers(
            endpoint.origin, {"User-Agent": user_agent, "Content-Type": "application/json",
                              "Accept": "application/json", **endpoint.headers})[:-2]
        self._dry_run_file = dry_run_file
        if dry_run_file is None:
            self._open(endpoint.origin, connect_timeout, timeout, concurrency, timeout_ceiling)

    def stream(
        self, events: Iterable[tuple[Any, Params]], stop: threading.Event | None = None
    ) -> Iterator[list[Outcome]]:
        """Deliver ``(key, params)`` events, yielding the Outcomes of each bulk as
        it is answered (in a dry run, of all bulks at once: one fsync).
        Bulks not started when ``stop`` is set get no Outcome."""
        refused: list[Outcome] = []
        pending: list[_Pending] = []
        for key, params in events:
            try:
                request = request_string(params, self.idsite)
            except UnsendableEvent as exc:
                refused.append(Outcome(key, False, False, None, str(exc), self._shown))
                continue
            pending.append(_Pending(key, request, self._shown_url(request)))
        if refused:
            yield refused
        bulks = [pending[i : i + self.bulk_size] for i in range(0, len(pending), self.bulk_size)]
        if not bulks:
            return
        if self._origin is None:
            yield [outcome for bulk in self._write_dry_run(bulks) for outcome in bulk]
            return
        yield from self._stream(bulks, self._post, self._answered, stop)

    def _shown_url(self, request: str) -> str:
        # The request string starts with "?"; an endpoint with a query of
        # its own gets it appended with "&", as Matomo would parse it.
        return self._shown + ("&" + request[1:] if "?" in self._shown else request)

    def _body(self, bulk: list[_Pending], token: str | None) -> str:
        payload: dict[str, Any] = {"requests": [event.request for event in bulk]}
        if token is not None:
            payload["token_auth"] = token
        return json.dumps(payload, separators=(",", ":"))

    def _post(self, bulk: list[_Pending]) -> bytes:
        body = self._body(bulk, self._token).encode("utf-8")
        return self._head + b"Content-Length: %d\r\n\r\n" % len(body) + body

    def _answered(self, bulk: list[_Pending], answer: Answer | None,
                  error: BaseException | None, seconds: float) -> list[Outcome]:
        if error is not None:
            # Timeouts, refused, reset, DNS, TLS, a garbled answer: the
            # tracker may be back later.
            return self._all(bulk, False, True, None, exception_error(error), seconds)
        status, reply, location = answer
        if status in REDIRECT_STATUS:
            return self._all(bulk, False, True, status, redirect_error(status, location),
                             seconds)
        return self._judge(bulk, status, reply, seconds)

    def _judge(self, bulk: list[_Pending], status: int, body: bytes,
               seconds: float | None) -> list[Outcome]:
        if not 200 <= status < 300:
            error = self._status_error(status, body)
            return self._all(bulk, False, is_temporary_status(status), status, error, seconds)
        reply = parse_reply(body)
        if reply is None:
            # Nothing says what was tracked: a proxy's page, a cut-off body.
            # Not done, so the queue tries again.
            error = "not a Matomo bulk reply: " + self._status_error(status, body)
            return self._all(bulk, False, True, status, error, seconds)
        return [
            Outcome(event.key, ok, temporary, status, self._scrub(error), event.shown, seconds)
            for event, (ok, temporary, error) in zip(bulk, verdicts(len(bulk), reply), strict=True)
        ]

    def _all(self, bulk, ok, temporary, status, error, seconds=None) -> list[Outcome]:
        error = self._scrub(error)
        return [Outcome(event.key, ok, temporary, status, error, event.shown, seconds)
                for event in bulk]

    def _status_error(self, status: int, body: bytes) -> str:
        return status_error(status, body, self._secrets)

    def _scrub(self, error: str | None) -> str | None:
        # A tracker may echo the body, token included, in its error page.
        return None if error is None else scrub(error, self._secrets)

    def _write_dry_run(self, bulks: list[list[_Pending]]) -> list[list[Outcome]]:
        """One line per bulk, the body as it would be POSTed but for the token."""
        if not bulks:
            return []
        token = REDACTED if self._token is not None else None
        try:
            with open(self._dry_run_file, "a", encoding="utf-8") as out:
                out.writelines(f"{self._body(bulk, token)}\n" for bulk in bulks)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            # Not recorded, so not done: the queue keeps the events and retries.
            error = f"dry run file not written: {exc}"
            return [self._all(bulk, False, True, None, error) for bulk in bulks]
        return [self._all(bulk, True, False, None, None) for bulk in bulks]


def _token_forms(token: str | None) -> tuple[str, ...]:
    """The token as it may appear in a tracker's answer: raw, URL- or JSON-escaped."""
    if token is None:
        return ()
    return (token, quote_plus(token), json.dumps(token)[1:-1])


def _check_matomo_settings(idsite, token_auth, bulk_size) -> None:
    problems = []
    if isinstance(idsite, bool) or not isinstance(idsite, int) or idsite < 1:
        problems.append(f"idsite must be a positive integer, got {idsite!r}")
    if token_auth is not None and not isinstance(token_auth, str):
        # Not repeated: it may be the secret in the wrong type.
        problems.append(f"token_auth must be a string, got a {type(token_auth).__name__}")
    if isinstance(bulk_size, bool) or not isinstance(bulk_size, int) or bulk_size < 1:
        problems.append(f"bulk_size must be an integer >= 1, got {bulk_size!r}")
    if problems:
        raise InvalidClientSettings("; ".join(problems))
