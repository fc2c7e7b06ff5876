"""A read timeout that lengthens while the tracker answers late.

An answer that comes after the client's timeout is an event the tracker
counted and the queue sends again: with a tracker answering in 8 s to a
5 s timeout, one event in ten reached it twice, minutes apart, where its
30-second double-click rule does not fold them. So each timeout doubles
the timeout of the requests after it, up to a ceiling, and answers well
within it bring it back down by halves: a slow spell costs the events in
flight when it began, not every event sent during it.
"""

import threading


class LateAnswers:
    def __init__(self, base, ceiling):
        self.base = base
        self.ceiling = max(base, ceiling)
        self.current = base
        self._lock = threading.Lock()

    def timed_out(self):
        with self._lock:
            self.current = min(self.ceiling, self.current * 2)

    def answered(self, seconds):
        """An answer after ``seconds``: well within the timeout, it shortens."""
        if self.current > self.base and seconds < self.current / 4:
            with self._lock:
                self.current = max(self.base, self.current / 2)
