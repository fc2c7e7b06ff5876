"""Writing the lines of queue messages to a file: what logfromqueue does.

Each batch is written, flushed and fsynced before it is acknowledged, so an
acknowledged line is on disk. If the file was rotated away (logrotate
renamed or removed it), it is reopened at its path. With a retention
(``retention``), the file is rolled over daily and the old ones removed.
"""

import os
import time

from .. import message
from ..errors import MalformedMessage
from ..queue import Failure, bundle
from ..runtime.retrying import until_done
from .retention import Retention

RETRY_EVERY = 5.0  # seconds between two attempts at a file that cannot be written


class AppendFile:
    """A file lines are appended to, a batch at a time, each batch all or
    nothing: a write that fails part-way (a full disk) is cut back off, so
    the retry of the batch never leaves a line twice or a torn line.

    Written unbuffered through one descriptor opened with O_APPEND: nothing
    unwritten stays in a buffer to be written again ahead of the retry.
    """

    def __init__(self, path, retention_days=0, clock=time.time):
        self.path = path
        self.fd = -1
        self.retention = Retention(path, retention_days, clock)
        self.removed = []  # files removed by the last roll-over, for the log

    def write_synced(self, lines):
        """Append ``lines`` (bytes, each ending in a newline) and fsync.

        Raises OSError when they could not all be written; the file is
        then as it was before the call.
        """
        self._reopen_if_rotated()
        if self.retention.due(self.fd):
            self.retention.roll_over(self.fd)
            self._reopen_if_rotated()
            self.removed = self.retention.remove_expired()
        data = memoryview(b"".join(lines))
        start = os.fstat(self.fd).st_size
        written = 0
        try:
            while written < len(data):
                written += os.write(self.fd, data[written:])
            os.fsync(self.fd)
        except OSError:
            self._cut_back(start, written)
            raise

    def _cut_back(self, start, written):
        """Remove what a failed write left, if only this writer wrote since."""
        try:
            if os.fstat(self.fd).st_size == start + written:
                os.ftruncate(self.fd, start)
        except OSError:
            pass  # the retry reopens the file; what is left there is told by the caller

    def _reopen_if_rotated(self):
        if self.fd >= 0:
            try:
                same = os.path.samestat(os.stat(self.path), os.fstat(self.fd))
            except FileNotFoundError:
                same = False
            if same:
                return
            self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                          0o640)  # IP addresses: not for every local user

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def line_of(payload):
    """The log line of a message; raises MalformedMessage for one that has none."""
    line = message.read(payload).fields["logline"]
    return line.rstrip("\r\n").encode("utf-8") + b"\n"


class LineWriter:
    """Settles a batch: writes the lines of its messages, then acknowledges
    them; dead-letters the items that are not messages.

    An item may be a bundle of messages (queue/bundle.py, as pirus2
    forwards them to a logger's queue): its lines are written with the
    others and it is acknowledged whole; a message in it that is not one is
    dead-lettered on its own, and a bundle that is not whole, whole.
    """

    def __init__(self, ctx, queue, out, retry_every=RETRY_EVERY):
        self.ctx, self.queue, self.out = ctx, queue, out
        self.retry_every = retry_every

    def _write(self, lines):
        """Write until the file takes the lines (a full disk, a folder made
        unwritable, are waited out with one warning and one line when it
        works again); False when asked to stop first."""
        return until_done(
            self.ctx, lambda: self.out.write_synced(lines), OSError, self.retry_every,
            lambda err: f"cannot write to {self.out.path} ({err.strerror or err}); holding "
                        f"{len(lines)} lines",
            lambda seconds: f"{self.out.path} takes lines again (after {seconds:.0f} s)")

    def handle(self, items):
        ctx = self.ctx
        read = _Read()
        for item in items:
            read.item(item)
        if read.taken:
            if read.lines and not self._write(read.lines):
                ctx.call(self.queue.release, ctx.consumer_id, [item.id for item in items])
                return  # stopping before the file took them: given back untouched
            if read.buried:
                ctx.call(self.queue.bury, read.buried)
            ctx.call(self.queue.ack, ctx.consumer_id, read.taken)
            if self.out.removed:
                ctx.log.info("removed %s: past retention_days", ", ".join(self.out.removed))
                self.out.removed = []
        if read.failed:
            ctx.call(self.queue.fail, ctx.consumer_id, read.failed)
        malformed = len(read.failed) + len(read.buried)
        if malformed:
            ctx.log.warning("%d malformed messages dead-lettered", malformed)
        ctx.counters.add("written", len(read.lines))
        ctx.counters.add("malformed", malformed)


class _Read:
    """A batch read: the lines to write, the ids to acknowledge once they
    are written, the messages of bundles to dead-letter on their own
    (payload, reason), and the items to fail."""

    def __init__(self):
        self.lines, self.taken, self.buried, self.failed = [], [], [], []

    def item(self, item):
        if not bundle.is_bundle(item.payload):
            try:
                self.lines.append(line_of(item.payload))
            except (MalformedMessage, UnicodeEncodeError) as err:
                self.failed.append(Failure(item, f"not a loglines message: {err}",
                                           permanent=True))
                return
            self.taken.append(item.id)
            return
        try:
            payloads = bundle.split(item.payload)
        except bundle.BadBundle as err:
            self.failed.append(Failure(item, f"not a whole bundle: {err}", permanent=True))
            return
        for payload in payloads:
            try:
                self.lines.append(line_of(payload))
            except (MalformedMessage, UnicodeEncodeError) as err:
                self.buried.append((payload, f"not a loglines message (in a bundle): {err}"))
        self.taken.append(item.id)
