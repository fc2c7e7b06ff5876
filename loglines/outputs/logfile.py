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
from ..queue import Failure
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
    them; dead-letters the items that are not messages."""

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
        good, bad = [], []
        for item in items:
            try:
                good.append((item, line_of(item.payload)))
            except (MalformedMessage, UnicodeEncodeError) as err:
                bad.append(Failure(item, f"not a loglines message: {err}", permanent=True))
        if good:
            if not self._write([line for _, line in good]):
                ctx.call(self.queue.release, ctx.consumer_id, [item.id for item in items])
                return  # stopping before the file took them: given back untouched
            ctx.call(self.queue.ack, ctx.consumer_id, [item.id for item, _ in good])
            if self.out.removed:
                ctx.log.info("removed %s: past retention_days", ", ".join(self.out.removed))
                self.out.removed = []
        if bad:
            ctx.call(self.queue.fail, ctx.consumer_id, bad)
            ctx.log.warning("%d malformed messages dead-lettered", len(bad))
        ctx.counters.add("written", len(good))
        ctx.counters.add("malformed", len(bad))
