"""What every delivery client holds: a connection pool and a thread pool,
both released by ``close()`` (or by leaving a ``with`` block), and the
sending loop they share.

Sending is a stream, not a series of chunks: ``concurrency`` senders keep
a request in flight each, and the caller gets the outcomes of what has
finished in small groups, to acknowledge them while the senders go on. A
chunk-at-a-time loop waits for the slowest request of every chunk; with a
tracker 50 ms away that caps a process at ``concurrency`` / 50 ms.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from loglines.outputs.delivery.connection import Origin

# A group is handed over when it holds ``concurrency`` outcomes or when its
# first outcome has waited this long: the caller acknowledges often enough
# that a SIGKILL repeats few events, and seldom enough that acknowledging
# does not take the time of sending.
GROUP_WAIT = 0.01

_FINISHED = object()


class _Crash:
    """A sender's unexpected exception, re-raised in the caller's thread."""

    def __init__(self, exc: BaseException):
        self.exc = exc


class Pooled:
    _executor = None
    _pool = None
    _concurrency = 1

    def _open(self, origin: str, connect_timeout: float, timeout: float, concurrency: int,
              thread_name: str, timeout_ceiling: float | None = None) -> None:
        """Connections to ``origin`` and ``concurrency`` sender threads; a dry
        run opens neither. Answers after ``timeout`` are waited for up to
        ``timeout_ceiling``, with fewer requests in flight (late_answers.py)."""
        self._concurrency = concurrency
        self._pool = Origin(origin, connect_timeout, timeout, timeout_ceiling, concurrency)
        self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix=thread_name)

    @property
    def late(self):
        """The tracker's lateness (late_answers.py); None in a dry run."""
        return None if self._pool is None else self._pool.late

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close()

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
        send: Callable[[Any], list],
        stop: threading.Event | None = None,
    ) -> Iterator[list]:
        """Yield the results of ``send(unit)`` (each a list), grouped, as units finish.

        Units are taken in order by ``concurrency`` senders on the thread
        pool. Once ``stop`` is set, or the caller leaves the loop, no unit
        is started any more; the units never started get no result, and
        the caller gives them back to the queue.
        """
        results: queue.SimpleQueue = queue.SimpleQueue()
        feed = iter(units)
        lock = threading.Lock()
        halted = threading.Event()
        late = self._pool.late

        def over() -> bool:
            return halted.is_set() or (stop is not None and stop.is_set())

        def sender() -> None:
            try:
                while not over() and late.enter(over):
                    try:
                        with lock:
                            unit = next(feed, _FINISHED)
                        if unit is _FINISHED:
                            return
                        results.put(send(unit))
                    finally:
                        late.leave()
            except BaseException as exc:  # a bug: re-raised in the caller's thread
                results.put(_Crash(exc))
            finally:
                results.put(_FINISHED)

        senders = [self._executor.submit(sender)
                   for _ in range(min(self._concurrency, len(units)))]
        running = len(senders)
        try:
            while running:
                group, running = self._next_group(results, running)
                if group:
                    yield group
        finally:
            halted.set()
            wait(senders)

    def _next_group(self, results: queue.SimpleQueue, running: int) -> tuple[list, int]:
        """Outcomes until ``concurrency`` of them, or GROUP_WAIT after the first;
        and how many senders are still running."""
        group: list = []
        deadline = None
        while running and len(group) < self._concurrency:
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                break
            try:
                result = results.get(timeout=timeout)
            except queue.Empty:
                break
            if result is _FINISHED:
                running -= 1
            elif isinstance(result, _Crash):
                raise result.exc
            else:
                group.extend(result)
                deadline = deadline or time.monotonic() + GROUP_WAIT
        return group, running
