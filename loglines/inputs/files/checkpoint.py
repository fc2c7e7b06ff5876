"""The position of a tailer in its file, kept in a small JSON state file.

A checkpoint names the file by (device, inode) and by a fingerprint of its
first bytes: the SHA-1 of its first ``fp_size`` bytes, ``fp_size`` being at
most ``FINGERPRINT_BYTES`` and never more than ``offset``, so it only covers
bytes already read. The fingerprint tells a file on a reused inode, or a
truncated and rewritten one, from the file that was checkpointed.

The state file is replaced atomically (temp file in the same folder, fsync,
``os.replace``, fsync of the folder), so after a crash it holds either the
previous checkpoint or the new one, never a torn one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from loglines.atomic import write_atomic
from loglines.inputs.files.errors import TailError

FINGERPRINT_BYTES = 1024
_VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    device: int
    inode: int
    fp_size: int
    fp_sha1: str
    offset: int

    @classmethod
    def at(cls, device: int, inode: int, head: bytes, offset: int) -> Checkpoint:
        """The checkpoint at ``offset`` of a file whose first bytes are ``head``."""
        fp_size = min(FINGERPRINT_BYTES, offset, len(head))
        return cls(device, inode, fp_size, fingerprint(head[:fp_size]), offset)


def fingerprint(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def load_checkpoint(state_path: str) -> Checkpoint | None:
    """The checkpoint saved at ``state_path``, or None if there is none yet.

    A state file that exists but cannot be understood is an error rather
    than a fresh start: guessing would lose or repeat a whole file.
    """
    try:
        with open(state_path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise TailError(f"cannot read tail state {state_path}: {err}") from err
    try:
        if data.get("version") != _VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        return Checkpoint(**{key: data[key] for key in Checkpoint.__dataclass_fields__})
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise TailError(f"corrupt tail state {state_path}: {err!r}") from err


def save_checkpoint(state_path: str, checkpoint: Checkpoint, path: str) -> None:
    """Replace the state file atomically; ``path`` is recorded for people."""
    record = {"version": _VERSION, **asdict(checkpoint), "path": path}
    try:
        write_atomic(state_path, json.dumps(record))
    except OSError as err:
        raise TailError(f"cannot write tail state {state_path}: {err}") from err
