"""Dating the ids of every push, which ``ages`` turns into the age of the
oldest ready item (its docstring tells how)."""

import contextlib
import time
from functools import cache
from pathlib import Path

from ..queue.observer import QueueObserver

NOTE_INTERVAL = 1.0
MAX_NOTES = 100_000  # a bound even when nobody ever trims (a week at 1/s/process is less)
SCRIPT = Path(__file__).with_name("lua") / "note_push.lua"


@cache
def _source():
    return SCRIPT.read_text()


class PushDates(QueueObserver):
    """Notes "the first fresh id of a push, and when", at most once a second
    per queue: an age is then at most a second too old, for one small
    script call per second per producer."""

    def __init__(self, client, keyspace, now=time.monotonic):
        # A Script runs EVALSHA and loads itself again after a Redis restart.
        self._note = client.register_script(_source())
        self._keys = (keyspace.seq, keyspace.id_times)
        self._now = now
        self._noted_at = {}  # queue name -> monotonic time of its last note

    def pushed(self, queue, n):
        self.note(queue.name, n)

    def acked(self, queue, n, forwarded, copies):
        self.note(queue.name, copies * len(forwarded))  # the copies take fresh ids

    def fanned_out(self, queue, n, targets):
        self.note(queue.name, n * len(targets))  # fresh ids in every target

    def note(self, name, n):
        """Record that queue ``name`` just took ``n`` fresh ids (throttled).

        Never raises.
        """
        if n <= 0:  # an ack without forwarding: every batch of a consumer
            return
        now = self._now()
        if now - self._noted_at.get(name, -NOTE_INTERVAL) < NOTE_INTERVAL:
            return
        self._noted_at[name] = now
        # Any error is swallowed: the push already succeeded, and raising here
        # would make the caller push the same lines again.
        with contextlib.suppress(Exception):
            self._note(keys=self._keys, args=[n, MAX_NOTES])
