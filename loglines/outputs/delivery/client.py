"""The HTTP client that delivers usage events to a tracker (docs/design.md, Delivery).

One GET per event over keep-alive connections (http.client, one per
sender thread: connection.py), ``concurrency`` requests kept in flight by a
persistent thread pool, outcomes streamed back as they come (pooled.py).
Nothing is retried here: a failed event comes back as an ``Outcome`` saying
whether it is temporary, and the reliable queue retries it later with
backoff (docs/guarantees.md, guarantee 4) instead of a thread sleeping on it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.client import HTTPException
from typing import Any

from loglines.outputs.delivery.outcome import (
    FAILURE_BODY,
    REDIRECT_STATUS,
    InvalidClientSettings,
    Outcome,
    body_error,
    exception_error,
    is_temporary_status,
    redirect_error,
    status_error,
)
from loglines.outputs.delivery.pooled import Pooled
from loglines.outputs.delivery.ratelimit import RateLimiter
from loglines.outputs.delivery.urls import Endpoint, EventUrl, Params, scrub


class TrackerClient(Pooled):
    """Send events to one tracker endpoint; ``send_many`` from one thread at a time."""

    def __init__(
        self,
        endpoint_url: str,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        accepted_status: Iterable[int] = (200,),
        concurrency: int = 8,
        ratelimit: float = 0.0,
        dry_run_file: str | os.PathLike | None = None,
        user_agent: str = "loglines/0.1",
        failure_body: str | None = FAILURE_BODY["irus"],
        timeout_ceiling: float | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.accepted_status = _check_settings(
            timeout, connect_timeout, accepted_status, concurrency, ratelimit, user_agent
        )
        self._check_dry_run_file(dry_run_file)
        # A body that says "not counted" although the status is accepted.
        self._failure_body = re.compile(failure_body) if failure_body else None
        self._endpoint = Endpoint(endpoint_url)
        self._dry_run_file = dry_run_file
        self._limiter = RateLimiter(ratelimit, now=now, sleep=sleep) if ratelimit else None
        self._headers = {"User-Agent": user_agent, **self._endpoint.headers}
        if dry_run_file is None:
            self._open(self._endpoint.origin, connect_timeout, timeout, concurrency,
                       "loglines-delivery", timeout_ceiling)

    def stream(
        self, events: Iterable[tuple[Any, Params]], stop: threading.Event | None = None
    ) -> Iterator[list[Outcome]]:
        """Deliver ``(key, params)`` events, yielding Outcomes in groups as they finish.

        In a dry run the whole call is one group (one write, one fsync).
        Events not started when ``stop`` is set get no Outcome.
        """
        # All URLs first: params a plugin got wrong fail the call before any GET.
        urls = [(key, self._endpoint.event_url(params)) for key, params in events]
        if self._executor is None:
            if urls:
                yield self._write_dry_run(urls)
            return
        yield from self._stream(urls, self._send_listed, stop)

    def _send_listed(self, item: tuple[Any, EventUrl]) -> list[Outcome]:
        return [self._send_one(item)]

    def _send_one(self, item: tuple[Any, EventUrl]) -> Outcome:
        key, event = item
        if self._limiter is not None:
            self._limiter.wait()
        started = time.monotonic()
        try:
            status, body, location = self._pool.request("GET", event.target, self._headers)
        except (HTTPException, OSError) as exc:
            # Timeouts, refused, reset, DNS, TLS: the tracker may be back later.
            error = scrub(exception_error(exc), event.secrets)
            return Outcome(key, False, True, None, error, event.shown,
                           time.monotonic() - started)
        seconds = time.monotonic() - started
        if status in self.accepted_status:
            if self._failure_body is not None and self._failure_body.search(
                    body.decode("utf-8", "replace")):
                error = body_error(status, body, event.secrets)
                return Outcome(key, False, True, status, error, event.shown, seconds)
            return Outcome(key, True, False, status, None, event.shown, seconds)
        if status in REDIRECT_STATUS:
            error = redirect_error(status, location, event.secrets)
            return Outcome(key, False, True, status, error, event.shown, seconds)
        error = status_error(status, body, event.secrets)
        return Outcome(key, False, is_temporary_status(status), status, error, event.shown,
                       seconds)

    def _write_dry_run(self, urls: list[tuple[Any, EventUrl]]) -> list[Outcome]:
        try:
            with open(self._dry_run_file, "a", encoding="utf-8") as out:
                out.writelines(f"{event.shown}\n" for _, event in urls)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            # Not recorded, so not done: the queue keeps the events and retries.
            error = f"dry run file not written: {exc}"
            return [Outcome(key, False, True, None, error, event.shown) for key, event in urls]
        return [Outcome(key, True, False, None, None, event.shown) for key, event in urls]

    @staticmethod
    def _check_dry_run_file(path: str | os.PathLike | None) -> None:
        if path is None:
            return
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise InvalidClientSettings(f"dry_run_file folder does not exist: {folder}")


def _check_settings(timeout, connect_timeout, accepted_status, concurrency, ratelimit, user_agent):
    """Refuse settings that can never work, at construction; return the accepted codes."""
    problems = []
    for name, value in (("timeout", timeout), ("connect_timeout", connect_timeout)):
        if not (isinstance(value, (int, float)) and value > 0):
            problems.append(f"{name} must be a number of seconds > 0, got {value!r}")
    if not (isinstance(concurrency, int) and concurrency >= 1):
        problems.append(f"concurrency must be an integer >= 1, got {concurrency!r}")
    if not (isinstance(ratelimit, (int, float)) and ratelimit >= 0):
        problems.append(f"ratelimit must be >= 0 requests per second (0: none), got {ratelimit!r}")
    accepted = frozenset(accepted_status)
    if not accepted or not all(isinstance(s, int) and 100 <= s <= 599 for s in accepted):
        problems.append(f"accepted_status must be HTTP codes (100-599), got {accepted_status!r}")
    if not isinstance(user_agent, str) or not user_agent.isascii() or not user_agent.isprintable():
        # http.client sends headers as latin-1; keep it to printable ASCII.
        problems.append(f"user_agent must be printable ASCII, got {user_agent!r}")
    if problems:
        raise InvalidClientSettings("; ".join(problems))
    return accepted
