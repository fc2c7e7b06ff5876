"""The logfilewatcher's work: read a batch of lines, push it with the file
positions it reaches, checkpoint; dead-letter what the tailer rejected.

The checkpoint moves only after Redis accepted a batch, so a restart
resumes with no gap. Each push also records, in the same atomic step, the
file position it reaches; at start a position Redis has that is ahead of
the local checkpoint of the same file wins, so a crash between a push and
its checkpoint repeats nothing.
"""


import os
from dataclasses import asdict

import simplejson as json

from ... import message
from ...runtime.retrying import until_done
from ...runtime.singleton import Singleton
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .errors import TailError
from .glob_tailer import GlobTailer
from .lag import LagPublisher
from .lines import line_start_pattern

WAIT = 0.5  # longest wait for data; also how soon a stop is noticed when idle
COMMIT_RETRY = 5.0  # seconds between two attempts at a checkpoint that cannot be written


def positions(section, batch):
    """The Redis record of where each file of ``batch`` stands once it is pushed."""
    return {
        f"{section}:{os.path.basename(mark.owner.state_path)}":
            json.dumps({**asdict(mark.checkpoint), "path": mark.owner.path})
        for mark in batch.marks
    }


def _same_file(a, b):
    """One file, as far as two checkpoints of it can tell."""
    same_head = a.fp_size != b.fp_size or a.fp_sha1 == b.fp_sha1
    return (a.device, a.inode) == (b.device, b.inode) and same_head


def local_checkpoints(state_dir):
    """The checkpoints of ``state_dir`` by state file path, before a tailer runs."""
    return {str(path): load_checkpoint(str(path)) for path in state_dir.glob("*.state")}


def adopt_positions(ctx, state_dir, before):
    """Start from what Redis has where it is ahead of the local checkpoint
    ``before`` the tailer started (a start position the tailer saved since
    does not count). True if any state file was replaced."""
    prefix = f"{ctx.section.name}:"
    adopted = False
    for field, value in ctx.call(ctx.store.positions).items():
        if not field.startswith(prefix):
            continue
        state = str(state_dir / field[len(prefix):])
        record = json.loads(value)
        path = record.pop("path", "")
        remote, local = Checkpoint(**record), before.get(state)
        if local is None or (_same_file(local, remote) and remote.offset > local.offset):
            save_checkpoint(state, remote, path)
            adopted = True
            ctx.log.info("resuming %s at offset %d, where Redis has it (the local checkpoint "
                         "was %s)", path, remote.offset, local.offset if local else "missing")
    return adopted


class Watcher:
    def __init__(self, ctx):
        o = ctx.section.options
        self.ctx = ctx
        self.service = o.servicename
        self.queue = ctx.queue(o.pushto)
        self.batch_size = o.batch_size
        state_dir = ctx.config.resolve(o.state_dir) / ctx.section.name
        state_dir.mkdir(parents=True, exist_ok=True)
        self.lock = Singleton(state_dir / ".lock", f"[{ctx.section.name}]'s tailer")
        self.state_dir = state_dir
        self._before = local_checkpoints(state_dir)
        # The files are opened (and a first start position saved) here, with
        # no word to Redis: a watcher made before its process waits for
        # Redis holds a log that is rotated meanwhile, and reads it to its end.
        self.tailer = self._tailer()
        self.producer = ctx.producer(self.queue, paused="pausing, the file position is kept",
                                     resumed="reading on", full_wait=WAIT,
                                     readahead=ctx.section.options.readahead)
        self.lag = LagPublisher(ctx.store, ctx.section.name, self.tailer)
        self.told = {}  # path -> the trouble already told of

    def start(self):
        """Before the first step: take the positions Redis has ahead of the
        local checkpoints (waits for Redis); the files are reopened at them
        if any was."""
        if adopt_positions(self.ctx, self.state_dir, self._before):
            held, self.tailer = self.tailer, self._tailer()
            held.close()
            self.lag.tailer = self.tailer

    def _tailer(self):
        o = self.ctx.section.options
        return GlobTailer(
            str(self.ctx.config.resolve(o.logfile)), self.state_dir, start_at=o.start_at,
            max_line_size=o.max_line_size, line_start=line_start_pattern(o.line_start),
            poll_interval=o.poll_interval,
        )

    def close(self):
        self.tailer.close()
        self.lock.release()

    def _tell_troubles(self):
        """One warning when a file cannot be read, one line when it can again."""
        troubles = self.tailer.troubles
        for path, why in troubles.items():
            if self.told.get(path) != why:
                self.ctx.log.warning("%s; waiting for it (its position is kept, the other "
                                     "files are read on)", why)
                self.ctx.counters.add("read_troubles")
        for path in set(self.told) - set(troubles):
            self.ctx.log.info("%s can be read again; reading on", path)
        self.told = dict(troubles)

    def step(self):
        """Read, push and checkpoint one batch; False when there was none
        and none is due (a long line being skipped takes several reads)."""
        batch = self.tailer.read(max_lines=self.batch_size)
        if self.tailer.troubles or self.told:
            self._tell_troubles()
        self.lag.maybe_publish()  # per batch and when idle, at most once a second
        if batch is None:
            self.ctx.counters.flush()
            return self.tailer.wait(WAIT)
        messages = [text for block in batch.blocks
                    for text in message.encode_block(self.service, block)]
        where = positions(self.ctx.section.name, batch)
        if messages and not self.producer.push(messages, where):
            return True  # stopping while the queue was full: not checkpointed
        if batch.rejects:
            self.producer.bury(message.encode_rejects(self.service, batch.rejects))
            for reason, n in batch.rejected.items():
                self.ctx.counters.add(f"rejected_{reason}", n)
            self.ctx.log.warning("%d lines rejected (%s); kept in `loglines dead list %s`",
                                 len(batch.rejects), ", ".join(batch.rejected), self.queue.name)
            self.ctx.notify_dead(self.queue.name, len(batch.rejects), ", ".join(batch.rejected))
        self.ctx.counters.add("lines", len(messages))  # in Redis now, checkpointed or not
        if not self._commit(batch):
            return True  # stopping: Redis has the position, adopted at the next start
        self.ctx.counters.flush_due()
        return True

    def _commit(self, batch):
        """Checkpoint ``batch``; while the state folder cannot be written (a
        full disk), wait and retry with one warning. Redis already has the
        position, so a stop meanwhile repeats nothing. False when stopped."""
        return until_done(self.ctx, lambda: self.tailer.commit(batch), TailError, COMMIT_RETRY,
                          lambda err: f"{err} (Redis has the position)",
                          lambda seconds: f"checkpoint written again after {seconds:.0f} s")
