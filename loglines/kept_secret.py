"""Secrets loglines generates and keeps itself when none is configured:
the supervisord web UI's password and the managed Redis's. Each is one line
in a file under var/ that only its owner may read (0600)."""

import contextlib
import os
import secrets
from pathlib import Path

from .atomic import write_atomic
from .errors import LoglinesError


def generate():
    return secrets.token_urlsafe(24)


def read(path):
    """The kept secret, or "" when there is none yet."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
    except OSError as err:
        raise LoglinesError(f"cannot read {path}: {err.strerror or err}") from err


def save(path, value):
    """Keep ``value`` (replacing any kept before)."""
    write_atomic(path, value + "\n", mode=0o600)


def kept(path, token=generate):
    """The secret kept in ``path``, generated and kept first if there is
    none. Processes starting together agree: the file appears under its name
    by a hard link, which fails when another process made it first."""
    path = Path(path)
    stored = read(path)
    if stored:
        return stored
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        save(draft, token())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    except OSError as err:
        raise LoglinesError(f"cannot keep a generated password in {path}: "
                            f"{err.strerror or err}") from err
    finally:
        with contextlib.suppress(OSError):
            draft.unlink()
    return read(path)
