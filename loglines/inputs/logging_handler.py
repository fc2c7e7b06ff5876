"""LoglinesHandler: Python logging into a loglines queue, never blocking the app.

The 2010 daemon pushed each record to Redis from the logging call itself
and dropped it on any error. Here a record is formatted and put in a
bounded memory buffer; a background thread pushes the buffer in batches
to the reliable queue, waits out a Redis outage with backoff and a full
queue (its cap) without dropping, and ``close()`` sends what is left
within ``close_timeout``. Only a full buffer drops records: they are
counted in ``dropped`` and reported on stderr at most once a minute.

Reports go to stderr, never through logging: a handler logging its own
trouble could feed itself forever.
"""

import logging
import os
import socket
import sys
import threading
import time
from collections import deque

from ..config.model import RedisSettings
from ..message import encode
from ..metrics.observed import observed_store
from ..queue import QueuePolicy, reconnect
from ..redis_connection import connect
from ..runtime.producer import Producer

REPORT_EVERY = 60.0  # seconds between two reports of dropped records


class LoglinesHandler(logging.Handler):
    def __init__(self, queue="loglines", service=None, redis_url="redis://127.0.0.1:6390/0",
                 prefix="loglines", maxsize=10000, batch_size=500, flush_interval=0.5,
                 close_timeout=5.0, cap=1_000_000, socket_timeout=5.0, level=logging.NOTSET,
                 redis_settings=None):
        super().__init__(level)
        self.service = service or socket.gethostname()
        self.maxsize = maxsize
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.close_timeout = close_timeout
        self.dropped = 0  # records refused because the buffer was full
        self.unflushed = 0  # records close() could not send
        # redis-py connects lazily, on the first push, in the background thread.
        # ``redis_settings``: a loglines program's own Redis section instead of a URL.
        client = connect(redis_settings or RedisSettings(
            name="", url=redis_url, socket_timeout=socket_timeout,
            connect_timeout=min(socket_timeout, 2.0)))
        self._store = observed_store(client, prefix, lambda name: QueuePolicy(cap=cap))
        self._queue = self._store.queue(queue)
        # Any failure is waited out: the thread must live on whatever Redis says.
        self._producer = Producer(self._queue, _Deadline(self), _Stderr(self._say),
                                  paused="keeping records in memory",
                                  resumed="sending log records again", errors=(Exception,))
        self._buffer = deque()
        self._cond = threading.Condition()
        self._wake = threading.Event()  # cuts a backoff short when close() is called
        self._closing = False
        self._deadline = None  # monotonic time close() gives up at
        self._sending = 0  # records of the batch being pushed
        self._reported = 0
        self._last_report = None
        self._pid = None
        self._thread = None

    def entry(self, record):
        """What the buffer keeps of a record, made in the logging call."""
        return record.name, self.format(record)

    def payloads(self, batch):
        """The queue payloads of buffered entries, made in the background thread."""
        return [encode(self.service, line, source=f"logging:{name}") for name, line in batch]

    def emit(self, record):
        try:
            entry = self.entry(record)
        except Exception:
            self.handleError(record)
            return
        self._ensure_thread()
        with self._cond:
            if self._closing or len(self._buffer) >= self.maxsize:
                self.dropped += 1
                return
            self._buffer.append(entry)
            if len(self._buffer) >= self.batch_size:
                self._cond.notify()

    def flush(self):
        """Ask for the buffer to be sent now; does not wait (close() does)."""
        with self._cond:
            self._cond.notify()

    def close(self):
        with self._cond:
            first = not self._closing
            self._closing = True
            self._deadline = time.monotonic() + self.close_timeout
            self._cond.notify_all()
        self._wake.set()
        if first:
            self._finish()
        super().close()

    def _finish(self):
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(self.close_timeout + 0.5)
        with self._cond:
            self.unflushed = len(self._buffer) + self._sending
        if self.unflushed:
            self._say(f"{self.unflushed} log records could not be sent to queue "
                      f"{self._queue.name!r} within {self.close_timeout:g} s; they are lost")
        self._report_drops(force=True)
        self._store.client.close()

    def _ensure_thread(self):
        # Called under self.lock (Handler.handle holds it around emit), which
        # logging re-creates in a forked child: a pre-forking web server's
        # workers each get a thread of their own, and not the parent's records.
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._buffer.clear()
        self._thread = threading.Thread(target=self._run, name="loglines-handler", daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            batch = self._take()
            if not batch:
                self._report_drops()
                if self._closing:
                    return
                continue
            self._sending = len(batch)
            if not self._push(batch):
                return  # close() gave up; it reports what is left
            self._sending = 0
            self._report_drops()

    def _take(self):
        with self._cond:
            if len(self._buffer) < self.batch_size and not self._closing:
                self._cond.wait(self.flush_interval)
            n = min(len(self._buffer), self.batch_size)
            return [self._buffer.popleft() for _ in range(n)]

    def _push(self, batch):
        """Push until Redis takes the batch; False when close() gave up first."""
        try:
            return self._producer.push(self.payloads(batch))
        except reconnect.Stopped:
            return False

    def _given_up(self):
        """Past the time close() gives the buffer."""
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _wait(self, seconds):
        """The producer's wait: cut short by close(), then bounded by its
        deadline; True once close() has given up."""
        self._report_drops()
        if self._deadline is None:
            self._wake.wait(seconds)
        else:
            time.sleep(max(0.0, min(seconds, self._deadline - time.monotonic())))
        return self._given_up()

    def _report_drops(self, force=False):
        new = self.dropped - self._reported
        now = time.monotonic()
        recent = self._last_report is not None and now - self._last_report < REPORT_EVERY
        if new <= 0 or (recent and not force):
            return
        self._say(f"{new} log records dropped: the buffer (maxsize={self.maxsize}) was full; "
                  f"{self.dropped} since the start")
        self._reported += new
        self._last_report = now

    def _say(self, text):
        try:
            sys.stderr.write(f"loglines.inputs.logging_handler: {text}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # no stderr (a closed pipe, a daemon): nowhere left to tell


class _Deadline:
    """The handler's stop flag for its producer: set once close() gave up."""

    def __init__(self, handler):
        self.handler = handler

    def is_set(self):
        return self.handler._given_up()

    def wait(self, seconds):
        return self.handler._wait(seconds)


class _Stderr:
    """A logger's warning/info, written with the handler's own ``say``."""

    def __init__(self, say):
        self.say = say

    def warning(self, fmt, *args):
        self.say(fmt % args)

    info = warning
