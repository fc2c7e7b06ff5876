"""One open log file: its identity, its first bytes, positional reads.

The file is kept open by descriptor, so after a rename it is still the same
file and can be read to its end, and its inode cannot be reused meanwhile.
Reads use ``os.pread`` with explicit offsets: no hidden file position.
"""

from __future__ import annotations

import os
import stat

from loglines.inputs.files.checkpoint import FINGERPRINT_BYTES, Checkpoint, fingerprint
from loglines.inputs.files.errors import TailError


def stat_or_none(path: str) -> os.stat_result | None:
    """``os.stat(path)``, None when the file is missing."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise TailError(f"cannot stat {path}: {err}") from err


class Source:
    """An open regular file; ``head`` caches its first bytes for fingerprints."""

    def __init__(self, fd: int, name: str):
        self.fd = fd
        self.name = name
        st = self._fstat()
        if not stat.S_ISREG(st.st_mode):
            raise TailError(f"not a regular file: {name}")
        self.device = st.st_dev
        self.inode = st.st_ino
        self.head = b""

    @classmethod
    def open(cls, path: str) -> Source | None:
        """The file at ``path`` opened for reading, or None if it is missing."""
        try:
            # O_NONBLOCK so that a FIFO put at the path cannot hang the open.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return None
        except OSError as err:
            raise TailError(f"cannot open {path}: {err}") from err
        try:
            return cls(fd, path)
        except BaseException:
            os.close(fd)
            raise

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _fstat(self) -> os.stat_result:
        try:
            return os.fstat(self.fd)
        except OSError as err:
            raise TailError(f"cannot stat {self.name}: {err}") from err

    def size(self) -> int:
        return self._fstat().st_size

    def is_file_at(self, st: os.stat_result) -> bool:
        """Whether ``st`` (a stat of some path) describes this very file."""
        return (st.st_dev, st.st_ino) == (self.device, self.inode)

    def read_at(self, offset: int, size: int) -> bytes:
        try:
            data = os.pread(self.fd, size, offset)
        except OSError as err:
            raise TailError(f"cannot read {self.name}: {err}") from err
        if offset == len(self.head) < FINGERPRINT_BYTES:
            # Keeping the first bytes as they are read lets truncation be
            # noticed before the first batch, without reading them again.
            self.head += data[: FINGERPRINT_BYTES - offset]
        return data

    def load_head(self, upto: int) -> bytes:
        """Cache the first ``min(upto, FINGERPRINT_BYTES)`` bytes, if not yet."""
        want = min(upto, FINGERPRINT_BYTES)
        if len(self.head) < want:
            self.head = self.read_at(0, want)
        return self.head

    def forget_head(self) -> None:
        """The file was truncated: its first bytes are to be read anew."""
        self.head = b""

    def head_changed(self) -> bool:
        """Whether the cached first bytes are no longer the file's: rewritten."""
        return bool(self.head) and self.read_at(0, len(self.head)) != self.head

    def checkpoint(self, offset: int) -> Checkpoint:
        return Checkpoint.at(self.device, self.inode, self.load_head(offset), offset)

    def matches(self, checkpoint: Checkpoint) -> bool:
        """Whether ``checkpoint`` was taken in this file, which still reaches it.

        Same inode but other first bytes is another file on a reused inode,
        or this file truncated and rewritten; shorter than the offset is this
        file truncated (copytruncate). Either way the checkpoint is stale.
        """
        if (checkpoint.device, checkpoint.inode) != (self.device, self.inode):
            return False
        if self.size() < checkpoint.offset:
            return False
        head = self.read_at(0, checkpoint.fp_size)
        return len(head) == checkpoint.fp_size and fingerprint(head) == checkpoint.fp_sha1
