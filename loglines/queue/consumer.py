"""A consumer's identity and the heartbeat thread that keeps it alive.

Identities are fresh per process start (host:pid:random), so a restarted or
renumbered process never inherits another's items: what a dead process
held is found by the recovery pass, which every consumer's heartbeat thread
offers to run and one process per interval wins.
"""

import logging
import os
import secrets
import socket
import threading
import time

from ..errors import LoglinesError, QueueRefused, QueueUnavailable

log = logging.getLogger(__name__)


def new_consumer_id():
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Heartbeat:
    """Beats every ``interval`` seconds from a daemon thread.

    A thread, so that a consumer busy in a long delivery or blocked on Redis
    still counts as alive. Errors are logged, never raised: the worker's
    own loop is what reacts to an outage.
    """

    def __init__(self, store, consumer_id, info, interval=5.0, recovery_interval=10.0):
        self.store = store
        self.consumer_id = consumer_id
        self.info = dict(info, host=socket.gethostname(), pid=os.getpid(), started=time.time())
        self.interval = interval
        self.recovery_interval = recovery_interval
        self._stop = threading.Event()
        self._thread = None
        self._registered = False
        self._last_recovery = 0.0
        self._failing = False
        # When a beat was last refused (Redis out of memory or disk): nobody
        # could beat then, so nobody is presumed dead for a consumer timeout
        # after it, or live consumers would be recovered from.
        self._refused_at = None

    def start(self):
        """Register synchronously (before any fetch), then beat in the background.

        A Redis refusing writes does not keep the worker from starting: it
        may drain (acks free memory), and the thread registers it as soon
        as Redis takes writes again. Nobody is presumed dead meanwhile.
        """
        try:
            self.beat()
        except QueueRefused as err:
            self._refused(err)
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
        try:
            self.store.unregister(self.consumer_id)
        except LoglinesError as err:
            log.warning("could not unregister consumer %s: %s", self.consumer_id, err)

    def beat(self):
        added = self.store.heartbeat(self.consumer_id, self.info)
        if added and self._registered:
            log.warning(
                "consumer %s had been presumed dead; what it held was given to others",
                self.consumer_id,
            )
        self._registered = True

    def _run(self):
        while not self._stop.wait(self.interval):
            self._tick()

    def _tick(self):
        try:
            self.beat()
            if time.monotonic() - self._last_recovery >= self.recovery_interval:
                self._last_recovery = time.monotonic()
                self.recovery_pass()
            if self._failing:
                log.info("heartbeat: Redis reachable again")
            self._failing = False
        except QueueRefused as err:
            self._refused(err)
        except QueueUnavailable as err:
            if not self._failing:
                log.warning("heartbeat: %s", err)
            self._failing = True
        except Exception:  # the thread must outlive any surprise; log it whole
            log.exception("heartbeat failed")

    def _refused(self, err):
        if not self._failing:
            log.warning("heartbeat: %s; going on, registered once Redis takes writes", err)
        self._failing = True
        self._refused_at = time.monotonic()

    def recovery_pass(self):
        if (self._refused_at is not None
                and time.monotonic() - self._refused_at < self.store.consumer_timeout):
            return None  # beats were refused lately: silence proves nobody dead
        if not self.store.try_lock_recovery(self.recovery_interval * 0.9):
            return None
        report = self.store.recover()
        if report.expired:
            log.info("purged %d dead items kept longer than their queue's dead_retention_days",
                     report.expired)
        if report.requeued or report.dead:
            log.warning(
                "recovered %d in-flight items of dead consumers %s (%d dead-lettered)",
                report.requeued, ", ".join(report.forgotten) or "(unregistered)", report.dead,
            )
        return report
