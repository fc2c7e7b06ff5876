"""A deadline for the request line and headers of every connection.

The socket timeout bounds one wait only: a client sending a header byte
every few seconds would hold its thread forever. One watcher thread shuts
down the connections still short of their headers at their deadline, which
ends the read that blocks their handler (also an idle keep-alive connection
waiting for its next request).
"""

import contextlib
import socket
import threading
import time

TICK = 0.25  # seconds between rounds: how late past its deadline a connection may end


class HeaderDeadlines:
    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._due = {}  # connection -> when its headers must be in
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="header-deadlines",
                                        daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()

    def waiting(self, connection):
        """``connection`` is about to read a request line and headers."""
        with self._lock:
            self._due[connection] = self.clock() + self.seconds

    def arrived(self, connection):
        """Its headers are in (or it is gone): the body has its own deadline."""
        with self._lock:
            self._due.pop(connection, None)

    def expire(self):
        """Shut down every connection past its deadline; returns how many."""
        now = self.clock()
        with self._lock:
            late = [c for c, due in self._due.items() if due <= now]
            for connection in late:
                del self._due[connection]
        for connection in late:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        return len(late)

    def _watch(self):
        while not self._stop.wait(TICK):
            self.expire()
