"""Replaying archived access logs (plain, gzip, bzip2, xz) onto a queue.

Messages are built by the tailer's own encoders (loglines.message), so a replayed
line is byte for byte what the tailer would have pushed. Lines are cut by
the tailer's ``LineSplitter`` (same ``max_line_size`` rejects, same U+FFFD
for invalid UTF-8).

A journal per (file, service, queue) records, after each batch Redis
accepted, the file's identity and how far it got, written atomically. A
run that stops (Ctrl-C, kill, corrupt data) and is started again resumes
there, so at most the last unacknowledged batch is pushed twice.
"""

import bz2
import gzip
import hashlib
import json
import logging
import lzma
import os
import re
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from loglines import message
from loglines.atomic import write_atomic
from loglines.errors import LoglinesError
from loglines.inputs.files.lines import Line, LineSplitter
from loglines.queue import reconnect
from loglines.queue.interface import MAX_BATCH
from loglines.runtime.producer import Producer
from loglines.usage.timestamps import to_unix

log = logging.getLogger("loglines.inputs.replay")

CHUNK = 1 << 20
HEAD_BYTES = 64 * 1024  # identity: SHA-1 of this much of the (compressed) file
# Lines read before the journal moves on even when the window filters them
# all out, so a resumed run does not rescan a long filtered stretch.
SCAN_LIMIT = 100 * MAX_BATCH
FULL_WAIT = 0.2  # sleep while the queue is at its cap; also how soon Ctrl-C is seen
READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
MAGIC = {b"\x1f\x8b": ".gz", b"BZh": ".bz2", b"\xfd7zXZ\x00": ".xz"}
_VERSION = 1


class ReplayError(LoglinesError):
    """A file cannot be replayed (missing, unreadable, corrupt)."""


# -- the time window -------------------------------------------------------

# The Apache/nginx stamp anywhere in a raw line; loglines.usage reads it.
_STAMP = re.compile(r"\[(\d{1,2}/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]")


def parse_when(text):
    """Unix time of an ISO date or date-time; UTC when it names no offset."""
    value = text.strip()
    if value[-1:] in ("Z", "z"):  # fromisoformat takes "Z" only from 3.11
        value = value[:-1] + "+00:00"
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def line_time(text):
    """Unix time of the ``[17/May/2015:10:05:03 +0000]`` stamp, or None."""
    m = _STAMP.search(text)
    if not m:
        return None
    try:
        return to_unix(m[1])
    except ValueError:  # an unknown month, or an offset out of range
        return None


@dataclass(frozen=True)
class Window:
    """Lines with since <= time < until; None bounds are open."""

    since: float | None = None
    until: float | None = None

    def verdict(self, text):
        """What to do with a line: "keep", "skip" or "untimed" (kept, counted)."""
        if self.since is None and self.until is None:
            return "keep"
        t = line_time(text)
        if t is None:
            return "untimed"
        if (self.since is not None and t < self.since) or (
                self.until is not None and t >= self.until):
            return "skip"
        return "keep"


# -- files and journals ----------------------------------------------------

def identity(path):
    """What tells this file from a changed one: size, mtime, head's SHA-1."""
    st = os.stat(path)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "head_sha1": hashlib.sha1(head, usedforsecurity=False).hexdigest()}


def open_stream(path):
    """(raw file, decompressed stream); raw.tell() is the progress."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    kind = os.path.splitext(path)[1].lower()
    if kind not in OPENERS:  # rotated names (access.log.2) may still be compressed
        head = raw.peek(6)[:6]
        kind = next((k for magic, k in MAGIC.items() if head.startswith(magic)), "")
    return raw, (OPENERS[kind](raw) if kind else raw)


def journal_path(folder, path, service, queue):
    key = "\0".join((os.path.abspath(path), service, queue)).encode()
    return os.path.join(folder, hashlib.sha1(key, usedforsecurity=False).hexdigest() + ".json")


@dataclass
class Journal:
    path: str
    service: str
    queue: str
    identity: dict
    lines: int = 0  # lines read (pushed, filtered, rejected)
    offset: int = 0  # uncompressed bytes done
    done: bool = False
    counts: dict = field(default_factory=dict)  # pushed, skipped, untimed, rejected

    @classmethod
    def load(cls, jpath):
        try:
            with open(jpath, encoding="utf-8") as f:
                data = json.load(f)
            data.pop("version", None)
            return cls(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError) as err:
            raise ReplayError(f"cannot read replay journal {jpath}: {err}") from err

    def save(self, jpath):
        """Replaced atomically: never torn."""
        try:
            write_atomic(jpath, json.dumps({"version": _VERSION, **asdict(self)}))
        except OSError as err:
            raise ReplayError(f"cannot write replay journal {jpath}: {err}") from err


# -- the replay ------------------------------------------------------------

@dataclass
class _Batch:
    offset: int
    kept: list = field(default_factory=list)  # Lines to push
    rejects: list = field(default_factory=list)
    lines: int = 0
    skipped: int = 0
    untimed: int = 0
    eof: bool = False
    error: str | None = None

    def counts(self):
        return {"pushed": len(self.kept), "skipped": self.skipped,
                "untimed": self.untimed, "rejected": len(self.rejects)}


class QueueSink:
    """Where replayed lines go: onto a queue, the rejects into its dead letters."""

    def __init__(self, queue, stop):
        self.name = queue.name
        self.producer = Producer(queue, stop, log, paused="waiting for room",
                                 resumed="replaying on", full_wait=FULL_WAIT)

    def send(self, service, lines, rejects):
        """False if stopped first."""
        try:
            if lines and not self.producer.push(message.encode_lines(service, lines)):
                return False
            if rejects:
                self.producer.bury(message.encode_rejects(service, rejects))
        except reconnect.Stopped:
            return False
        return True


class Replayer:
    """Reads archives in order, resumable; ``sink.send(service, lines,
    rejects)`` takes each batch (``sink.name`` names it in the journals)."""

    def __init__(self, sink, service, journal_dir, stop, window=Window(),
                 max_line_size=16384, line_start=None, force=False,
                 progress=lambda nbytes, nlines: None):
        self.sink, self.service, self.journal_dir = sink, service, journal_dir
        self.stop, self.window, self.max_line_size = stop, window, max_line_size
        self.line_start = line_start
        self.force, self.progress = force, progress
        # files, already (replayed before), pushed, skipped, untimed, rejected
        self.totals = Counter()

    def run(self, paths):
        """Replay the files in order; False when stopped before the end."""
        for path in paths:
            self.totals["files"] += 1
            if not self.replay_file(path):
                return False
        return True

    def replay_file(self, path):
        """False when stopped before the end of the file."""
        jpath = journal_path(self.journal_dir, path, self.service, self.sink.name)
        try:
            journal = self._journal(path, jpath)
            if journal is None:
                self.progress(os.path.getsize(path), 0)
                return True
            raw, stream = open_stream(path)
        except OSError as err:
            raise ReplayError(f"{path}: {err.strerror or err}") from err
        with raw, stream:
            return self._replay(path, raw, stream, journal, jpath)

    def _journal(self, path, jpath):
        """The journal to go on from, or None when the file is already done."""
        ident = identity(path)
        fresh = Journal(os.path.abspath(path), self.service, self.sink.name, ident)
        old = Journal.load(jpath)
        if old is None:
            return fresh
        if old.identity != ident:
            log.warning("%s changed since it was replayed (journal %s); starting over",
                        path, jpath)
            return fresh
        if old.done and not self.force:
            log.warning("%s: already replayed (use --force to replay it again)", path)
            self.totals["already"] += 1
            return None
        if old.done:
            return fresh
        if old.lines:
            log.info("%s: resuming after line %d", path, old.lines)
        return old

    def _replay(self, path, raw, stream, journal, jpath):
        try:
            stream.seek(journal.offset)
        except READ_ERRORS as err:
            raise ReplayError(f"{path}: cannot read: {err}") from err
        read = raw.tell()
        self.progress(read, 0)
        splitter = LineSplitter(os.path.abspath(path), journal.offset, self.max_line_size,
                                self.line_start)
        for batch in self._batches(stream, splitter):
            if not self.sink.send(self.service, batch.kept, batch.rejects):
                return False
            if batch.lines or batch.eof:
                self._record(journal, batch, jpath)
            self.progress(raw.tell() - read, batch.lines)
            read = raw.tell()
            if batch.error:
                done = f"; its first {journal.lines} lines are done" if journal.lines else ""
                raise ReplayError(f"{path}: {batch.error}{done}")
            if self.stop.is_set() and not batch.eof:
                return False
        return True

    def _batches(self, stream, splitter):
        """Batches of at most MAX_BATCH messages, the last one with eof or error."""
        self._pending = _Batch(splitter.consumed)
        try:
            while data := stream.read1(CHUNK):  # read1: a corrupt tail loses little
                splitter.feed(data)
                yield from self._cut(splitter)
            size = splitter.end
            if size > splitter.consumed:
                # An archive's last line may lack its newline; it is complete.
                splitter.feed(b"\n")
                yield from self._cut(splitter)
                self._pending.offset = size
            self._pending.eof = True
        except READ_ERRORS as err:
            self._pending.error = f"corrupt or unreadable data: {err}"
        yield self._pending

    def _cut(self, splitter):
        """Every complete batch the splitter holds; the rest stays pending."""
        while (item := splitter.pop()) is not None:
            batch = self._pending
            self._add(batch, item)
            batch.offset = splitter.consumed
            if len(batch.kept) >= MAX_BATCH or batch.lines >= SCAN_LIMIT:
                self._pending = _Batch(batch.offset)
                yield batch

    def _add(self, batch, item):
        batch.lines += 1
        if not isinstance(item, Line):
            batch.rejects.append(item)
            return
        verdict = self.window.verdict(item.text)
        if verdict == "skip":
            batch.skipped += 1
            return
        batch.untimed += verdict == "untimed"
        batch.kept.append(item)

    def _record(self, journal, batch, jpath):
        journal.lines += batch.lines
        journal.offset, journal.done = batch.offset, batch.eof
        for name, n in batch.counts().items():
            journal.counts[name] = journal.counts.get(name, 0) + n
            self.totals[name] += n
        journal.save(jpath)
