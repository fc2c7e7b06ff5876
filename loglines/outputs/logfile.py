"""Writing the lines of queue messages to a file: what logfromqueue does.

Each batch is written, flushed and fsynced before it is acknowledged, so an
acknowledged line is on disk. If the file was rotated away (logrotate
renamed or removed it), it is reopened at its path.
"""

import os

from .. import message
from ..errors import MalformedMessage
from ..queue import Failure


class AppendFile:
    def __init__(self, path):
        self.path = path
        self.handle = None

    def write_synced(self, lines):
        self._reopen_if_rotated()
        self.handle.write(b"".join(lines))
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def _reopen_if_rotated(self):
        if self.handle is not None:
            try:
                same = os.path.samestat(os.stat(self.path), os.fstat(self.handle.fileno()))
            except FileNotFoundError:
                same = False
            if same:
                return
            self.handle.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "ab")  # noqa: SIM115 (kept open across batches)

    def close(self):
        if self.handle is not None:
            self.handle.close()


def line_of(payload):
    """The log line of a message; raises MalformedMessage for one that has none."""
    line = message.read(payload).fields["logline"]
    return line.rstrip("\r\n").encode("utf-8") + b"\n"


class LineWriter:
    """Settles a batch: writes the lines of its messages, then acknowledges
    them; dead-letters the items that are not messages."""

    def __init__(self, ctx, queue, out):
        self.ctx, self.queue, self.out = ctx, queue, out

    def handle(self, items):
        ctx = self.ctx
        good, bad = [], []
        for item in items:
            try:
                good.append((item, line_of(item.payload)))
            except (MalformedMessage, UnicodeEncodeError) as err:
                bad.append(Failure(item, f"not a loglines message: {err}", permanent=True))
        if good:
            self.out.write_synced([line for _, line in good])
            ctx.call(self.queue.ack, ctx.consumer_id, [item.id for item, _ in good])
        if bad:
            ctx.call(self.queue.fail, ctx.consumer_id, bad)
            ctx.log.warning("%d malformed messages dead-lettered", len(bad))
        ctx.counters.add("written", len(good))
        ctx.counters.add("malformed", len(bad))
