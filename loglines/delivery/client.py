"""The HTTP client that delivers usage events to a tracker (design.md, Delivery).

One GET per event over pooled keep-alive connections (urllib3, which
requests sits on: measured faster than a requests.Session here, see
bench/delivery_client.py), ``concurrency`` requests in flight from a
persistent thread pool. Nothing is retried here: a failed event comes back
as an ``Outcome`` saying whether it is temporary, and the reliable queue
retries it later with backoff (design.md guarantee 4) instead of a thread
sleeping on it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError

from loglines.delivery.outcome import (
    InvalidClientSettings,
    Outcome,
    exception_error,
    is_temporary_status,
    status_error,
)
from loglines.delivery.pooled import Pooled
from loglines.delivery.ratelimit import RateLimiter
from loglines.delivery.urls import Endpoint, EventUrl, Params, scrub

# A tracker answers with an empty body or a pixel; a longer body is read no
# further and its connection dropped, so a broken proxy cannot eat memory.
MAX_BODY_BYTES = 64 * 1024


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
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.accepted_status = _check_settings(
            timeout, connect_timeout, accepted_status, concurrency, ratelimit, user_agent
        )
        self._check_dry_run_file(dry_run_file)
        self._endpoint = Endpoint(endpoint_url)
        self._dry_run_file = dry_run_file
        self._concurrency = concurrency
        self._limiter = RateLimiter(ratelimit, now=now, sleep=sleep) if ratelimit else None
        self._pool = None
        self._executor = None
        if dry_run_file is None:
            self._pool = urllib3.connection_from_url(
                self._endpoint.origin,
                maxsize=concurrency,
                block=False,
                retries=False,
                timeout=urllib3.Timeout(connect=connect_timeout, read=timeout),
                headers={"User-Agent": user_agent, **self._endpoint.headers},
            )
            self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix="loglines-delivery")

    @property
    def chunk_size(self) -> int:
        """Events sent between acknowledgements: one per connection, so a worker
        killed mid-batch repeats at most ``concurrency`` events."""
        return self._concurrency

    def send_many(self, events: Iterable[tuple[Any, Params]]) -> list[Outcome]:
        """Deliver ``(key, params)`` events; one Outcome each, in the same order."""
        # All URLs first: params a plugin got wrong fail the call before any GET.
        urls = [(key, self._endpoint.event_url(params)) for key, params in events]
        if self._executor is None:
            return self._write_dry_run(urls)
        return self._send_parallel(urls)

    def _send_parallel(self, urls: list[tuple[Any, EventUrl]]) -> list[Outcome]:
        """Run ``concurrency`` senders that take the next event from a shared counter.

        One task per sender rather than one per event: a future per event
        costs more thread hand-offs than a fast tracker takes to answer.
        """
        outcomes: list[Outcome | None] = [None] * len(urls)
        positions = iter(range(len(urls)))
        lock = threading.Lock()

        def sender() -> None:
            while True:
                with lock:
                    index = next(positions, None)
                if index is None:
                    return
                outcomes[index] = self._send_one(urls[index])

        senders = [self._executor.submit(sender) for _ in range(min(self._concurrency, len(urls)))]
        for done in senders:
            done.result()  # re-raises a bug in a sender here, in the caller's thread
        return outcomes

    def _send_one(self, item: tuple[Any, EventUrl]) -> Outcome:
        key, event = item
        if self._limiter is not None:
            self._limiter.wait()
        try:
            response = self._pool.urlopen(
                "GET", event.target, redirect=False, preload_content=False
            )
        except (HTTPError, OSError) as exc:
            # Timeouts, refused, reset, DNS, TLS: the tracker may be back later.
            error = scrub(exception_error(exc), event.secrets)
            return Outcome(key, False, True, None, error, event.shown)
        try:
            body = _read_bounded(response)
        finally:
            response.release_conn()
        status = response.status
        if status in self.accepted_status:
            return Outcome(key, True, False, status, None, event.shown)
        error = status_error(status, body, event.secrets)
        return Outcome(key, False, is_temporary_status(status), status, error, event.shown)

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


def _read_bounded(response: urllib3.BaseHTTPResponse) -> bytes:
    """Read the body so the connection can be reused; drop it if too long or broken."""
    try:
        body = response.read(MAX_BODY_BYTES + 1)
    except (HTTPError, OSError):
        # The answer's status is known, which is what counts; the body is
        # only for the error text, and the connection is not reusable.
        response.close()
        return b""
    if len(body) > MAX_BODY_BYTES:
        response.close()
    return body


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
