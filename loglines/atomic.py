"""Replacing a file so that a crash leaves the old content or the new one.

A temp file in the same folder (a rename is atomic only within one file
system), written and fsynced, renamed over the target with ``os.replace``,
then the folder fsynced so the rename itself survives a power cut. The temp
file never outlives a failure: a full disk leaves no empty ``.tmp`` behind.
Tailer checkpoints, replay journals and generated configuration files are
all written this way.
"""

import contextlib
import os
import secrets


def write_atomic(path, content, mode=None):
    """Replace ``path`` with ``content`` (str, written as UTF-8, or bytes).

    ``mode``: the new file's permissions, set before it appears under its
    name (0o600 for a file holding a secret); by default 0o666 less the
    umask, as ``open`` would create it. Raises OSError; the target is then
    unchanged.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_folder(folder)


def fsync_folder(folder):
    """Make a rename in ``folder`` durable; skipped where folders cannot be
    opened or synced (some file systems)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
