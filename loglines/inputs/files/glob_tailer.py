"""Following every file that matches a glob pattern.

    tailer = GlobTailer("/var/log/apache2/*access.log", "/var/lib/loglines/tail")

Each matching file gets its own ``FileTailer`` and its own state file in
``state_dir``, named from a hash of the file's absolute path (plus its base
name, for people), so any path maps to a safe, stable name. The pattern is
matched again at most every ``rescan_interval`` seconds: files that appear
later are followed from their first line. A file that disappears keeps its
tailer, which picks up a new file at the same path.

The pattern must not match the rotated names (``access.log*`` would match
``access.log.1``): each rotated file would then be followed again as a file
of its own, and its lines delivered twice.

A batch may hold lines of several files; ``commit`` checkpoints each file's
part. Files are read in turn, starting one further each call, so a busy file
cannot starve the others.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import time
from collections.abc import Callable

from loglines.inputs.files.batch import Batch
from loglines.inputs.files.errors import TailError
from loglines.inputs.files.file_tailer import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES, FileTailer
from loglines.inputs.files.polling import DEFAULT_POLL_INTERVAL, poll_until

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def state_file_name(path: str | os.PathLike) -> str:
    """The state file name for the log at ``path``: safe and unique per path."""
    absolute = os.path.abspath(os.fspath(path))
    digest = hashlib.sha1(absolute.encode("utf-8", "surrogateescape"), usedforsecurity=False)
    readable = _UNSAFE.sub("_", os.path.basename(absolute))[:64]
    return f"{readable}.{digest.hexdigest()[:20]}.state"


class GlobTailer:
    """Follows the files matching ``pattern``; state files go in ``state_dir``.

    ``start_at`` applies to the files present when the tailer is created;
    the other keyword arguments are passed to each ``FileTailer``.
    """

    def __init__(
        self,
        pattern: str,
        state_dir: str | os.PathLike,
        *,
        start_at: str = "end",
        rescan_interval: float = 0.2,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        now: Callable[[], float] = time.monotonic,
        **options,
    ):
        self.pattern = pattern
        self.state_dir = os.fspath(state_dir)
        self._rescan_interval = rescan_interval
        self._poll_interval = poll_interval
        self._now = now
        self._options = {"poll_interval": poll_interval, "now": now, **options}
        self._tailers: dict[str, FileTailer] = {}
        # path -> why it cannot be read now (unreadable, its checkpoint
        # cannot be written): the other files are read on meanwhile, and
        # each read tries it again.
        self.troubles: dict[str, str] = {}
        self._turn = 0
        self._scanned_at = 0.0
        self._scan(start_at)

    def __enter__(self) -> GlobTailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def paths(self) -> list[str]:
        """The paths followed, in the order they were found."""
        return list(self._tailers)

    def close(self) -> None:
        for tailer in self._tailers.values():
            tailer.close()

    def _scan(self, start_at: str) -> None:
        for path in sorted(glob.glob(self.pattern)):
            if path in self._tailers or not os.path.isfile(path):
                continue
            state_path = os.path.join(self.state_dir, state_file_name(path))
            self._tailers[path] = FileTailer(path, state_path, start_at=start_at, **self._options)
        self._scanned_at = self._now()

    def _rescan_if_due(self) -> None:
        if self._now() - self._scanned_at >= self._rescan_interval:
            self._scan("beginning")

    def _in_turn(self) -> list[FileTailer]:
        tailers = list(self._tailers.values())
        if not tailers:
            return []
        self._turn = (self._turn + 1) % len(tailers)
        return tailers[self._turn :] + tailers[: self._turn]

    def read(
        self, max_lines: int = DEFAULT_MAX_LINES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> Batch | None:
        """Lines from the files in turn, within the same limits as ``FileTailer.read``."""
        self._rescan_if_due()
        parts: list[Batch] = []
        lines_left, bytes_left = max_lines, max_bytes
        for tailer in self._in_turn():
            try:
                part = tailer.read(lines_left, bytes_left)
            except TailError as err:
                self.troubles[tailer.path] = str(err)
                continue
            self.troubles.pop(tailer.path, None)
            if part is None:
                continue
            parts.append(part)
            lines_left -= len(part)
            bytes_left -= part.size
            if lines_left <= 0 or bytes_left <= 0:
                break
        return Batch.merge(parts) if parts else None

    def commit(self, batch: Batch) -> None:
        """Checkpoint each file's part of ``batch``."""
        mine = set(map(id, self._tailers.values()))
        if any(id(mark.owner) not in mine for mark in batch.marks):
            raise ValueError("this batch was not read by this tailer")
        for mark in batch.marks:
            mark.owner.commit_mark(mark)

    def has_data(self) -> bool:
        self._rescan_if_due()
        return any(map(self._has_data, self._tailers.values()))

    def _has_data(self, tailer: FileTailer) -> bool:
        """A file in trouble has nothing to say: ``read`` tries it again."""
        try:
            return tailer.has_data()
        except TailError:
            return False

    def wait(self, timeout: float) -> bool:
        """Sleep until ``read`` may have something, at most ``timeout`` seconds."""
        return poll_until(self.has_data, timeout, self._poll_interval)
