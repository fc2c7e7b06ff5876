"""The HTTP client that delivers usage events to a tracker (docs/design.md, Delivery).

One GET per event over non-blocking keep-alive connections
(connection.py), ``concurrency`` requests kept in flight by one sending
loop in the caller's thread, outcomes streamed back as they come
(pooled.py).
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
from typing import Any

from loglines.outputs.delivery.http1 import Answer, header_block, host_header, request_line
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
        check_target(self._endpoint.event_url(()).target)
        headers = {"User-Agent": user_agent, **self._endpoint.headers}
        self._tail = b" HTTP/1.1\r\n" + wire_headers(self._endpoint.origin, headers)
        if dry_run_file is None:
            self._open(self._endpoint.origin, connect_timeout, timeout, concurrency,
                       timeout_ceiling)

    def stream(
        self, events: Iterable[tuple[Any, Params]], stop: threading.Event | None = None
    ) -> Iterator[list[Outcome]]:
        """Deliver ``(key, params)`` events, yielding Outcomes in groups as they finish.

        In a dry run the whole call is one group (one write, one fsync).
        Events not started when ``stop`` is set get no Outcome.
        """
        # All URLs first: params a plugin got wrong fail the call before any GET.
        urls = [(key, self._endpoint.event_url(params)) for key, params in events]
        if self._origin is None:
            if urls:
                yield self._write_dry_run(urls)
            return
        yield from self._stream(urls, self._request, self._outcome, stop)

    def _request(self, item: tuple[Any, EventUrl]) -> bytes:
        # The target is the checked endpoint and a percent-encoded query:
        # ASCII without spaces, nothing that could end the request line.
        return b"GET " + item[1].target.encode("ascii") + self._tail

    def _outcome(self, item: tuple[Any, EventUrl], answer: Answer | None,
                 error: BaseException | None, seconds: float) -> list[Outcome]:
        return [self._judge(item, answer, error, seconds)]

    def _judge(self, item, answer, error, seconds) -> Outcome:
        key, event = item
        if error is not None:
            # Timeouts, refused, reset, DNS, TLS, a garbled answer: the
            # tracker may be back later.
            error = scrub(exception_error(error), event.secrets)
            return Outcome(key, False, True, None, error, event.shown, seconds)
        status, body, location = answer
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


def wire_headers(origin: str, headers: dict[str, str]) -> bytes:
    """The header block of every request, or the setting that cannot be one."""
    try:
        return header_block(host_header(origin), headers)
    except ValueError as err:
        raise InvalidClientSettings(f"tracker endpoint or user_agent: {err}") from None


def check_target(target: str) -> None:
    """The endpoint's path and query, which start every request line."""
    try:
        request_line("GET", target)
    except ValueError:
        # Not repeated: the query may hold a key.
        raise InvalidClientSettings(
            "tracker endpoint path and query must be ASCII without spaces (percent-encode "
            "anything else)") from None


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
        # Headers go on the wire as ASCII (http1.header_block); printable only.
        problems.append(f"user_agent must be printable ASCII, got {user_agent!r}")
    if problems:
        raise InvalidClientSettings("; ".join(problems))
    return accepted
