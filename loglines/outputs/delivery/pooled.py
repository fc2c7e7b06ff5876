"""What every delivery client holds: its connections to the tracker
(connection.py), released by ``close()`` (or by leaving a ``with`` block),
and the sending loop they share.

Sending is a stream, not a series of chunks: up to ``concurrency``
requests are in flight, each on a keep-alive connection of its own, and
the caller gets the outcomes of what has finished in small groups, to
acknowledge them while the rest are still in flight. A chunk-at-a-time
loop waits for the slowest request of every chunk; with a tracker 50 ms
away that caps a process at ``concurrency`` / 50 ms.

The loop runs in the caller's thread, inside the generator ``_stream``:
one selector waits on every connection, and a request is started the
moment a turn is free. No thread per request and no hand-over between
threads: the thread pool this replaced spent ~60 us of CPU per request
passing work and outcomes between threads, and http.client ~100 us more
(bench/delivery_client.py). While the caller acknowledges a group the
requests in flight stay in flight; their answers wait in the sockets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from loglines.outputs.delivery.connection import FAILURES, Connection, Origin

# A group is handed over when it holds ``concurrency`` outcomes or when its
# first outcome has waited this long: the caller acknowledges often enough
# that a SIGKILL repeats few events, and seldom enough that acknowledging
# does not take the time of sending.
GROUP_WAIT = 0.01
# How long the loop waits on its sockets before it looks whether to stop.
STOP_CHECK = 0.05

_FINISHED = object()

# judge(unit, answer or None, error or None, seconds) -> the unit's outcomes
Judge = Callable[[Any, Any, BaseException | None, float], list]


class Pooled:
    _origin: Origin | None = None
    _limiter = None
    _concurrency = 1

    def _open(self, origin: str, connect_timeout: float, timeout: float, concurrency: int,
              timeout_ceiling: float | None = None) -> None:
        """Connections to ``origin``, up to ``concurrency`` of them; a dry run
        opens none. Answers after ``timeout`` are waited for up to
        ``timeout_ceiling``, with fewer requests in flight (late_answers.py)."""
        self._concurrency = concurrency
        self._origin = Origin(origin, connect_timeout, timeout, timeout_ceiling, concurrency)

    @property
    def late(self):
        """The tracker's lateness (late_answers.py); None in a dry run."""
        return None if self._origin is None else self._origin.late

    def close(self) -> None:
        if self._origin is not None:
            self._origin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send_many(self, events: Iterable[tuple[Any, Any]]) -> list:
        """Deliver ``(key, params)`` events; one Outcome each, in the same order."""
        events = list(events)
        outcomes: list = [None] * len(events)
        for group in self.stream([(i, params) for i, (_, params) in enumerate(events)]):
            for outcome in group:
                outcomes[outcome.key] = replace(outcome, key=events[outcome.key][0])
        return outcomes

    def _stream(
        self,
        units: Sequence[Any],
        request: Callable[[Any], bytes],
        judge: Judge,
        stop: threading.Event | None = None,
    ) -> Iterator[list]:
        """Send ``request(unit)`` for each unit, in order, and yield the results
        of ``judge`` (each a list), grouped, as the answers come.

        Once ``stop`` is set, or the caller leaves the loop, no unit is
        started any more; the units never started get no result, and the
        caller gives them back to the queue. The requests already sent are
        waited for (up to their timeouts) when stopped; when the caller
        leaves, their connections are closed unread.
        """
        return _Run(self, units, request, judge, stop).outcomes()


class _Run:
    """One call of ``_stream``: the loop and the state it keeps."""

    def __init__(self, client: Pooled, units, request, judge, stop):
        self.origin = client._origin
        self.late = self.origin.late
        self.limiter = client._limiter
        self.concurrency = client._concurrency
        self.feed = iter(units)
        self.request, self.judge, self.stop = request, judge, stop
        self.busy: set[Connection] = set()
        self.group: list = []
        self.group_due = 0.0
        self.slot = None  # the rate limiter's slot taken for the next request
        self.wake = None  # when that slot comes, with requests in flight to read meanwhile

    def outcomes(self) -> Iterator[list]:
        origin = self.origin
        origin.drop_closed_idle()
        unit = next(self.feed, _FINISHED)
        try:
            while True:
                halted = self.stop is not None and self.stop.is_set()
                if halted:
                    self.wake = None
                else:
                    unit = self.start(unit)
                if not self.busy and self.wake is None and (halted or unit is _FINISHED):
                    break
                now = self.wait()
                if self.group and (len(self.group) >= self.concurrency or now >= self.group_due):
                    group, self.group = self.group, []
                    yield group
            if self.group:
                yield self.group
        finally:
            for conn in self.busy:
                conn.close()  # sent, not answered: its answer must not be taken for the next
            self.busy.clear()

    def start(self, unit):
        """Start units while turns are free; the first unit not started."""
        self.wake = None
        while unit is not _FINISHED and len(self.busy) < self.late.allowed:
            if self.limiter is not None and not self.take_slot():
                break
            conn = self.origin.connection()
            self.busy.add(conn)
            now = time.monotonic()
            try:
                conn.start(unit, self.request(unit), now)
            except FAILURES as exc:  # refused at once, or no such host
                self.finish(conn, None, exc, now)
            unit = next(self.feed, _FINISHED)
        return unit

    def take_slot(self) -> bool:
        """Whether the rate limit lets the next request go now; if not, ``wake``
        says when, and the loop reads answers until then."""
        limiter = self.limiter
        if self.slot is None:
            self.slot = limiter.take()
        left = limiter.left(self.slot)
        if left > 0:
            if self.busy or self.group:
                self.wake = time.monotonic() + left
                return False
            limiter.pause(left)  # nothing to read or hand over meanwhile
            self.origin.drop_closed_idle()  # the tracker may have closed them meanwhile
            if self.stop is not None and self.stop.is_set():
                return False
        self.slot = None
        return True

    def wait(self) -> float:
        """Wait on the sockets once and move every ready exchange on; the time after."""
        now = time.monotonic()
        due = now + STOP_CHECK
        if self.busy:
            due = min(due, min(conn.deadline for conn in self.busy))
        if self.group:
            due = min(due, self.group_due)
        if self.wake is not None:
            due = min(due, self.wake)
        events = self.origin.selector.select(max(0.0, due - now))
        now = time.monotonic()
        for key, _ in events:
            conn = key.data
            if conn not in self.busy:
                self.origin.idle_ready(conn)
                continue
            try:
                answer = conn.ready(now)
            except FAILURES as exc:
                if conn.reader.has_head:  # cut off in the body: the status counts
                    self.finish(conn, conn.reader.answer(), None, now, reusable=False)
                else:
                    self.finish(conn, None, exc, now)
                continue
            if answer is not None:
                self.finish(conn, answer, None, now)
        for conn in [conn for conn in self.busy if now >= conn.deadline]:
            self.expire(conn, now)
        return now

    def expire(self, conn: Connection, now: float) -> None:
        if conn.connecting:
            self.finish(conn, None, TimeoutError(
                f"timed out connecting to {self.origin.name} "
                f"(connect_timeout {self.origin.connect_timeout:g} s)"), now)
        elif conn.reader.has_head:
            self.finish(conn, conn.reader.answer(), None, now, reusable=False)  # the status counts
        else:
            self.late.timed_out()
            self.finish(conn, None, TimeoutError(
                f"timed out: no answer within {self.late.read_timeout:g} s"), now)

    def finish(self, conn: Connection, answer, error, now: float, reusable=None) -> None:
        self.busy.discard(conn)
        unit = conn.unit
        if reusable is None:
            reusable = error is None and conn.reader.reusable
        self.origin.release(conn, reusable)
        if not self.group:
            self.group_due = now + GROUP_WAIT
        self.group.extend(self.judge(unit, answer, error, now - conn.started))
