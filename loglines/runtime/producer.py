"""Pushing into a queue: the producers' counterpart of ``consume()``.

A batch is pushed whole or not at all. While the queue is at its cap the
same batch is offered again (the producer keeps its place in its input:
a tailer's file offset, a receiver's unread sockets); through a Redis
outage it reconnects with the shared backoff. Each change of state is said
once, not once per attempt: one warning when the cap is reached, one line
when there is room again, one when Redis goes away and one when it is back.
Only a stop ends the waiting, and then nothing was pushed.
"""

import time

from ..errors import QueueUnavailable
from ..queue import reconnect

FULL_WAIT = 0.5  # seconds between two offers of a batch to a queue at its cap
# Between two looks at the ready items of a producer ahead by its read-ahead:
# the consumers take a few hundred lines meanwhile, of the thousands left.
PACE_WAIT = 0.05


class CapWatch:
    """Says once that a queue is at its cap, and once that it has room again.

    ``log`` is a logger, or anything with ``warning`` and ``info`` taking a
    format and its arguments (the logging handler cannot log its own state).
    """

    def __init__(self, log, paused, resumed):
        self.log, self.paused, self.resumed = log, paused, resumed
        self.waiting_for = None  # the queue at its cap, while it is
        self.since = None

    def full(self, name, depth=None):
        if self.waiting_for == name:
            return
        self.waiting_for, self.since = name, time.monotonic()
        if depth is None:
            self.log.warning("%s is at its cap: %s", name, self.paused)
        else:
            self.log.warning("%s is at its cap (%d items): %s", name, depth, self.paused)

    def room(self):
        if self.waiting_for is None:
            return
        self.log.info("%s has room again (waited %.1f s); %s", self.waiting_for,
                      time.monotonic() - self.since, self.resumed)
        self.waiting_for = None


class Producer:
    """Pushes batches into one queue for a producer that must not lose them.

    ``stop`` is the producer's StopFlag (``is_set``, ``wait``). Through an
    outage it retries until ``give_up()`` (default: a stop), sleeping with
    ``sleep`` (default: ``stop.wait``); a producer that must flush after a
    stop gives both a deadline instead. ``errors`` are the exceptions that
    mean "Redis does not take it now"; ``while_full`` is called between
    offers of a batch the queue refused; ``readahead`` (0: none), see _paced.
    """

    def __init__(self, queue, stop, log, *, paused="pausing", resumed="going on",
                 full_wait=FULL_WAIT, give_up=None, sleep=None,
                 errors=(QueueUnavailable,), while_full=None, readahead=0):
        self.queue = queue
        self.stop = stop
        self.log = log
        self.cap = CapWatch(log, paused, resumed)
        self.full_wait = full_wait
        self.give_up = give_up or stop.is_set
        self.sleep = sleep or stop.wait
        self.errors = errors
        self.while_full = while_full
        self.readahead = readahead
        self.ready = 0  # the queue's ready items after the last push

    def call(self, fn, *args):
        """``fn(*args)`` once Redis answers; raises reconnect.Stopped on giving up."""
        return reconnect.call(fn, *args, should_stop=self.give_up, sleep=self.sleep,
                              errors=self.errors, log=self.log)

    def push(self, payloads, positions=None, past_cap_at_stop=False):
        """True once the queue has the batch (and ``positions``, in the same
        step); False when asked to stop while the queue was full (or, with a
        ``readahead``, had that many ready).

        ``past_cap_at_stop``: at a stop, push the batch past the cap instead
        (for what senders cannot be asked to send again; a queue exceeds its
        cap by at most what the producer holds).
        """
        if not self._paced():
            return False
        while True:
            result = self.call(self.queue.push, payloads, positions)
            if result.accepted:
                self.cap.room()
                self.ready = result.ready
                return True
            self.cap.full(self.queue.name, result.depth)
            if self.stop.is_set():
                if not past_cap_at_stop:
                    return False
                self.call(self.queue.push, payloads, positions, True)
                return True
            self.stop.wait(self.full_wait)
            if self.while_full is not None:
                self.while_full()

    def _paced(self):
        """With a ``readahead``, wait until fewer items than it are ready;
        False at a stop meanwhile. A producer that can read its input again
        later (a tailer's file) then keeps Redis' queue short when it reads
        faster than the consumers take, instead of holding the file in
        Redis, whose every step costs more the bigger the queue (a quarter
        of its CPU per line in the bench's million-line run). Delayed and
        in-flight items do not count: through a tracker's outage the
        producer reads on, up to the cap. Waiting before a push, not after
        it, lets the producer record at once how far Redis has its input."""
        while self.readahead and self.ready >= self.readahead:
            if self.stop.is_set():
                return False
            self.stop.wait(PACE_WAIT)
            self.ready = self.call(self.queue.ready_count)
        return True

    def bury(self, entries):
        """Dead-letter rejected input (``(payload, error)`` pairs)."""
        return self.call(self.queue.bury, entries)


def wait_for_room(ctx, queues, watch, wait=1.0):
    """True when every queue of ``queues`` is below its cap; otherwise one
    report through ``watch`` (a CapWatch), a wait, and False.

    For a consumer that copies into ``queues`` (acknowledging with a copy
    forwarded): it fetches nothing while one of them is full, so the cap
    holds back the producers upstream instead of growing the full queue.
    """
    for queue in queues:
        if not ctx.call(queue.has_room):
            watch.full(queue.name)
            ctx.stop.wait(wait)
            return False
    watch.room()
    return True
