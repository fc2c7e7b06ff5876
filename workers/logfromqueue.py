"""logfromqueue: appends the line of each message of its queue to a file.

Each batch is written, flushed and fsynced before it is acknowledged, so an
acknowledged line is on disk. After a small batch the next fetch waits
``LINGER``, so a line may reach its file that much later. If the file was
rotated away (logrotate renamed or removed it), it is reopened at its path.
"""

import os

from loglines import message
from loglines.errors import MalformedMessage
from loglines.queue import Failure
from loglines.runtime.consumer_loop import consume

# pirus2 acknowledges events a few at a time as the tracker answers, so this
# queue is fed a few lines at a time: waiting this long after a small batch
# lets the next one gather, one fsync for many lines instead of a few.
LINGER = 0.05


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


def run(ctx):
    options = ctx.section.options
    queue = ctx.queue(options.listento)
    out = AppendFile(ctx.config.resolve(options.logfile))
    ctx.start_heartbeat([queue.name])
    ctx.log.info("appending %s to %s", queue.name, out.path)

    def handle(items):
        good, bad = [], []
        for item in items:
            try:
                good.append((item, line_of(item.payload)))
            except (MalformedMessage, UnicodeEncodeError) as err:
                bad.append(Failure(item, f"not a loglines message: {err}", permanent=True))
        if good:
            out.write_synced([line for _, line in good])
            ctx.call(queue.ack, ctx.consumer_id, [item.id for item, _ in good])
        if bad:
            ctx.call(queue.fail, ctx.consumer_id, bad)
            ctx.log.warning("%d malformed messages dead-lettered", len(bad))
        ctx.counters.add("written", len(good))
        ctx.counters.add("malformed", len(bad))

    try:
        consume(ctx, queue, handle, options.batch_size, linger=LINGER)
    finally:
        out.close()
    return 0
