"""Stopping on SIGTERM (supervisorctl stop) and SIGINT.

The handler only sets a flag; loops check it, finish or give back what
they hold, and return. A second signal means now: the process exits at
once, and what it held comes back through the recovery pass.
"""

import logging
import signal
import threading

log = logging.getLogger(__name__)


class StopFlag:
    def __init__(self):
        self._event = threading.Event()

    def is_set(self):
        return self._event.is_set()

    def set(self):
        self._event.set()

    def wait(self, seconds):
        """Sleep up to ``seconds``; True as soon as a stop is asked for."""
        return self._event.wait(max(0.0, seconds))

    def install(self, signals=(signal.SIGTERM, signal.SIGINT)):
        for sig in signals:
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        if self._event.is_set():
            log.warning("second %s: exiting now", signal.Signals(signum).name)
            raise SystemExit(128 + signum)
        # Set before logging: a second signal arriving while the line is
        # written must find the flag set, or it would count as a first one.
        self._event.set()
        log.info("%s received: finishing the current batch, then exiting",
                 signal.Signals(signum).name)
