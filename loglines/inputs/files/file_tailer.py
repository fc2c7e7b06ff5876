"""Following one log file by its path, across rotations, with checkpoints.

    tailer = FileTailer("/var/log/apache2/access.log", "/var/lib/loglines/access.state")
    while running:
        batch = tailer.read(max_lines=1000)
        if batch is None:
            tailer.wait(1.0)
            continue
        push(batch.lines)            # and dead-letter batch.rejects
        tailer.commit(batch)         # only once Redis has accepted them
    tailer.close()

Reading and committing
    ``read`` never blocks. It returns the complete lines written since the
    previous ``read`` as a ``Batch``, or None when there is no new complete
    line. Reading again without committing reads on (read-ahead).
    ``commit(batch)`` saves the position just after the batch, rejected and
    skipped lines included. Only positions that cover no uncommitted line
    are saved otherwise: the start position (below), and the move to a new
    file or to the start of a truncated one when everything read before is
    committed. So a restart re-reads exactly the lines of the batches never
    committed.

Start
    - The file at the path is the checkpointed one (same device and inode,
      same first bytes, at least as long): resume at the checkpoint.
    - The checkpointed file is no longer at the path (rotated while the
      tailer was down): a file beside it whose name starts with the log's
      name (``access.log.1``, ``access.log-20240101``) and which has the
      checkpointed device, inode and first bytes is read to its end first,
      then the file at the path from offset 0. If it is not found (deleted,
      compressed) the file at the path is read from 0, and what the old file
      got after the checkpoint is lost.
    - Same inode but other first bytes or shorter (inode reused, file
      truncated while down): read from 0.
    - No checkpoint: ``start_at="end"`` starts after the last complete line
      of the file as it is when the tailer is created; ``"beginning"`` at 0.
      A file created after the tailer is read from 0. This start position
      is saved when the file is first opened (it covers no line), so a
      restart before the first commit does not apply ``start_at`` again
      over lines not yet delivered. After that only ``commit`` writes it.

Rotation
    - Rename and create: the old file stays open and is read to its end;
      once the path has named another file for ``rotate_grace`` seconds and
      the old file is at its end, the tailer moves to the new file at 0.
      The grace is for writers that reopen late (Apache's graceful restart
      lets old children log a little longer). A line left unfinished at the
      end of the old file is rejected (``"incomplete_line"``). Lines the old
      file gets after the move are lost. If the file is rotated twice
      before the tailer has reached the end of the first one, the middle
      file is skipped: the tailer follows the path.
    - Copytruncate: the file got shorter than the tailer's position, or its
      first bytes changed, is checked at each ``read``: reading restarts at
      0. Lines written between the last read and the truncation are only in
      the copy; they are not read.
    - A missing file (not created yet, or between rename and create) is
      not an error: ``read`` returns None until it appears.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Callable

from loglines.inputs.files.batch import Batch, Mark
from loglines.inputs.files.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from loglines.inputs.files.errors import TailError
from loglines.inputs.files.lines import Block, LineSplitter, Rejected
from loglines.inputs.files.polling import DEFAULT_POLL_INTERVAL, poll_until
from loglines.inputs.files.source import Source, stat_or_none

DEFAULT_MAX_LINES = 1000
DEFAULT_MAX_BYTES = 1 << 20
START_AT = ("end", "beginning")


class FileTailer:
    """Follows the file at ``path``, checkpointing in ``state_path``.

    One thread drives a tailer; it holds no lock.

    ``max_line_size`` bounds a line in bytes (longer ones are rejected);
    ``line_start`` finds a line glued to the end of a rejected one (see
    ``LineSplitter``);
    ``read_size`` is the chunk read from the file at a time; ``now`` is the
    clock ``rotate_grace`` is measured with (a seam for tests).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        state_path: str | os.PathLike,
        *,
        max_line_size: int = 16384,
        line_start: re.Pattern[bytes] | None = None,
        start_at: str = "end",
        read_size: int = 65536,
        rotate_grace: float = 1.0,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        now: Callable[[], float] = time.monotonic,
    ):
        if start_at not in START_AT:
            raise ValueError(f"start_at must be one of {START_AT}, not {start_at!r}")
        self.path = os.fspath(path)
        self.state_path = os.fspath(state_path)
        self._max_line_size = max_line_size
        self._line_start = line_start
        self._read_size = read_size
        self._grace = rotate_grace
        self._poll_interval = poll_interval
        self._now = now
        self._src: Source | None = None
        self._lines: LineSplitter | None = None
        # Items of a file left behind (rotated or truncated), handed out first.
        self._pending: deque[Block | Rejected] = deque()
        self._rotated_at: float | None = None
        self._budget = 0
        self._seq = 0  # of the newest batch
        self._committed_seq = 0
        # Where the newest batch ended, moved on by reads that handed out
        # nothing but changed file (a switch, a truncation): committing that
        # batch saves this, so the checkpoint never lags a rotation behind.
        self._latest: Checkpoint | None = None
        self._saved: Checkpoint | None = None
        self._closed = False
        self._resume = load_checkpoint(self.state_path)
        self._start_at_end = self._resume is None and start_at == "end"
        try:
            self._ensure_open()
        except TailError:
            # Unreadable for now (a wrong mode): every read tries again and
            # says why; start_at applies when it first opens.
            return
        self._start_at_end = False  # a file appearing later is all new

    def __enter__(self) -> FileTailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the file. Uncommitted batches will be read again next time."""
        self._closed = True
        if self._src is not None:
            self._src.close()
            self._src = None

    # -- reading ---------------------------------------------------------

    def read(
        self, max_lines: int = DEFAULT_MAX_LINES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> Batch | None:
        """The next batch of complete lines, or None if there is none now.

        A batch holds at most ``max_lines`` lines and rejects, and stops
        once it covers ``max_bytes`` of file; at most about ``max_bytes``
        are read from disk per call, so skipping a huge line may take
        several calls (``wait`` returns at once while data is pending).
        """
        if max_lines < 1 or max_bytes < 1:
            raise ValueError("max_lines and max_bytes must be positive")
        if self._closed:
            raise ValueError("read from a closed tailer")
        if not self._ensure_open():
            return None
        self._check_truncated()
        self._budget = max_bytes
        items: list[Block | Rejected] = []
        count = size = 0
        while True:
            if self._pending:
                # Items of a file left behind all go in this batch: its mark
                # is taken in the new file and must not pass over them.
                taken = [self._pending.popleft()]
            elif count >= max_lines or size >= max_bytes:
                break
            else:
                taken = self._lines.take(max_lines - count, max_bytes - size)
            if not taken and not self._read_on():
                break
            items += taken
            count += sum(len(item.raws) if isinstance(item, Block) else 1 for item in taken)
            size += sum(item.size for item in taken)
        blocks = [item for item in items if isinstance(item, Block)]
        rejects = [item for item in items if not isinstance(item, Block)]
        if not blocks and not rejects:
            self._advance_quietly()
            return None
        self._seq += 1
        self._latest = self._src.checkpoint(self._lines.consumed)
        return Batch(blocks, rejects, (Mark(self, self._seq, self._latest),))

    def _read_on(self) -> bool:
        """Feed the next chunk, or move to a rotated file; False if neither."""
        return self._budget > 0 and (self._fill() or self._switch_if_rotated())

    def _fill(self) -> bool:
        """Feed the next chunk of the file; False at its end."""
        data = self._src.read_at(self._lines.end, self._read_size)
        if not data:
            return False
        self._budget -= len(data)
        self._lines.feed(data)
        return True

    # -- committing ------------------------------------------------------

    def commit(self, batch: Batch) -> None:
        """Checkpoint the position just after ``batch`` (atomically).

        Committing a batch older than one already committed does nothing.
        """
        marks = [mark for mark in batch.marks if mark.owner is self]
        if not marks:
            raise ValueError("this batch was not read by this tailer")
        self.commit_mark(marks[-1])

    def commit_mark(self, mark: Mark) -> None:
        if mark.owner is not self:
            raise ValueError("this mark belongs to another tailer")
        if mark.seq <= self._committed_seq:
            return
        self._save(self._latest if mark.seq == self._seq else mark.checkpoint)
        self._committed_seq = mark.seq

    def _advance_quietly(self) -> None:
        """Reading moved on without handing out a line: record where it is.

        Saved at once if every batch is committed (the position covers no
        uncommitted line), else saved by the commit of the newest batch.
        """
        current = self._src.checkpoint(self._lines.consumed)
        if self._committed_seq < self._seq:
            self._latest = current
        elif current != self._saved:
            self._save(current)

    def _save(self, checkpoint: Checkpoint) -> None:
        save_checkpoint(self.state_path, checkpoint, self.path)
        self._saved = checkpoint

    @property
    def position(self) -> Checkpoint | None:
        """Where reading stands (read-ahead included); None before the file exists."""
        if self._src is None:
            return None
        return self._src.checkpoint(self._lines.consumed)

    # -- waiting ---------------------------------------------------------

    def wait(self, timeout: float) -> bool:
        """Sleep until ``read`` may have something, at most ``timeout`` seconds.

        Returns True early (within ``poll_interval``) when data arrives.
        """
        return poll_until(self.has_data, timeout, self._poll_interval)

    def has_data(self) -> bool:
        """Whether ``read`` may return something now; costs a stat or two."""
        if self._closed or not self._ensure_open():
            return False
        if self._pending or self._lines.has_item():
            return True
        if self._src.size() != self._lines.end:
            return True
        return self._rotation_due()

    # -- opening, rotation, truncation -------------------------------------

    def _ensure_open(self) -> bool:
        """Open the file to follow if none is; False while there is none."""
        if self._src is not None:
            return True
        if self._resume is not None:
            src, offset = self._place_from_checkpoint(self._resume)
            if src is None:
                return False
            self._resume = None
            self._follow(src, offset)
            return True
        src = Source.open(self.path)
        if src is None:
            return False
        self._follow(src, self._start_offset(src))
        # Saved at once so that a restart before the first commit resumes
        # here, rather than applying start_at again over unread lines.
        self._save(src.checkpoint(self._lines.consumed))
        return True

    def _follow(self, src: Source, offset: int) -> None:
        self._src = src
        self._lines = LineSplitter(self.path, offset, self._max_line_size, self._line_start)
        # The first bytes already read are what truncation is checked against.
        src.load_head(offset)
        self._rotated_at = None

    def _start_offset(self, src: Source) -> int:
        if not self._start_at_end:
            return 0
        size = src.size()
        start = max(0, size - self._max_line_size - 1)
        tail = src.read_at(start, size - start)
        newline = tail.rfind(b"\n")
        # Without a newline in reach, the unfinished line is either the whole
        # file (read it from 0) or longer than allowed (rejected from here).
        return start + newline + 1 if newline >= 0 else start

    def _place_from_checkpoint(self, checkpoint: Checkpoint) -> tuple[Source | None, int]:
        src = Source.open(self.path)
        if src is not None and src.matches(checkpoint):
            return src, checkpoint.offset
        if src is None or (src.device, src.inode) != (checkpoint.device, checkpoint.inode):
            old = self._open_renamed(checkpoint)
            if old is not None:
                if src is not None:
                    src.close()
                return old, checkpoint.offset
        return src, 0

    def _open_renamed(self, checkpoint: Checkpoint) -> Source | None:
        """The checkpointed file if it was renamed beside the path, else None."""
        for candidate in _renamed_candidates(self.path, checkpoint):
            src = Source.open(candidate)
            if src is not None and src.matches(checkpoint):
                return src
            if src is not None:
                src.close()
        return None

    def _check_truncated(self) -> None:
        if self._src.size() >= self._lines.end and not self._src.head_changed():
            return
        self._pending.extend(self._lines.finish_blocks())
        self._src.forget_head()
        self._follow(self._src, 0)

    def _rotation_due(self) -> bool:
        """Whether the path has named another file for ``rotate_grace`` seconds."""
        st = stat_or_none(self.path)
        if st is None or self._src.is_file_at(st):
            self._rotated_at = None
            return False
        now = self._now()
        if self._rotated_at is None:
            self._rotated_at = now
        return now - self._rotated_at >= self._grace

    def _switch_if_rotated(self) -> bool:
        """At the end of the open file: move to the file at the path if due.

        Returns whether there is more to read.
        """
        if not self._rotation_due():
            return False
        new = Source.open(self.path)
        if new is None or (new.device, new.inode) == (self._src.device, self._src.inode):
            if new is not None:
                new.close()
            return False
        if self._src.size() > self._lines.end:
            # Written to since our last read: finish it before moving.
            new.close()
            return True
        self._pending.extend(self._lines.finish_blocks())
        self._src.close()
        self._follow(new, 0)
        return True


def _renamed_candidates(path: str, checkpoint: Checkpoint) -> list[str]:
    """Files beside ``path``, named like it, with the checkpoint's inode."""
    folder, name = os.path.split(os.path.abspath(path))
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == name or not entry.name.startswith(name):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) == (checkpoint.device, checkpoint.inode):
                    found.append(entry.path)
    except OSError:
        return []
    return found
