"""Reading the store for a request: one connection each, and a watch that
tells the log when the store stops answering and when it is back."""

from __future__ import annotations

import contextlib
import threading

from fastapi import Request

from ..store.engine import connect


@contextlib.contextmanager
def reading(request: Request):
    """A connection for the request; StoreUnavailable when there is none
    (answered 503 by failures.py)."""
    with connect(request.app.state.engine) as conn:
        yield conn
    request.app.state.store_watch.answered()


class StoreWatch:
    """Tells the log when the store stops answering and when it answers
    again, once each, however many requests meet it meanwhile."""

    def __init__(self, engine, log):
        self.engine = engine
        self.log = log
        self._down = False
        self._lock = threading.Lock()

    def failed(self, why):
        with self._lock:
            first, self._down = not self._down, True
        if first:
            self.log.warning("%s; answering 503 until it answers again", why)

    def answered(self):
        if not self._down:  # the common case, without the lock
            return
        with self._lock:
            was, self._down = self._down, False
        if was:
            self.log.info("the store answers again")
