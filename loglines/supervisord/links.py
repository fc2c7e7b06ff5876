"""The file-system side of the supervisord files: atomic writes, the
workers_enabled links, the record of generated sections, the generated
web UI password.

A program is enabled when ``workers_enabled/<name>.conf`` exists: a
relative symlink to ``../workers_available/<name>.conf`` (so the instance
folder can move), or a copy where symlinks cannot be made. The record of
sections already generated (``var/supervisor.known``, under var/ which git
ignores) tells a section new to the configuration, enabled on first sight,
from one the user disabled, which stays disabled.
"""

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, LoglinesError
from .generate import AVAILABLE, ENABLED

KNOWN = "var/supervisor.known"
SECRET = "var/supervisor.secret"
_NAME = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")


def write_atomic(path, content, mode=0o644):
    """Write through a temp file, fsync, os.replace: never a half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Changes:
    """What a sync did, for the summary."""

    new: list = field(default_factory=list)  # seen first: enabled
    removed: list = field(default_factory=list)  # gone from the configuration


class Workers:
    """workers_available/ and workers_enabled/ of one instance."""

    def __init__(self, instance_dir):
        self.root = Path(instance_dir)
        self.available = self.root / AVAILABLE
        self.enabled = self.root / ENABLED

    def available_file(self, name):
        return self.available / f"{name}.conf"

    def enabled_file(self, name):
        return self.enabled / f"{name}.conf"

    def names(self):
        """The programs that have a generated file."""
        return sorted(p.stem for p in self.available.glob("*.conf"))

    def is_enabled(self, name):
        return os.path.lexists(self.enabled_file(name))

    def enable(self, name):
        """Link (or copy) the program in; False if it already was."""
        link = self.enabled_file(name)
        target = Path("..", AVAILABLE, f"{name}.conf")
        if link.is_symlink() and Path(os.readlink(link)) == target:
            return False
        if link.exists() and not link.is_symlink():
            self.refresh_copy(name)
            return False
        self.enabled.mkdir(parents=True, exist_ok=True)
        tmp = self.enabled / f".{name}.conf.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.symlink(target, tmp)
        except (OSError, NotImplementedError):
            # No symlinks here (some file systems, Windows without the right):
            # a copy, refreshed by every regeneration.
            write_atomic(link, self.available_file(name).read_text(encoding="utf-8"))
            return True
        os.replace(tmp, link)
        return True

    def disable(self, name):
        """Remove the link (or copy); False if there was none."""
        link = self.enabled_file(name)
        if not os.path.lexists(link):
            return False
        link.unlink()
        return True

    def refresh_copy(self, name):
        """A copy (not a link) in workers_enabled/ gets the new text."""
        link = self.enabled_file(name)
        if link.exists() and not link.is_symlink():
            write_atomic(link, self.available_file(name).read_text(encoding="utf-8"))

    def known(self):
        """Sections generated before: the record, or, when it was lost (var/
        deleted), the generated files that exist, so no choice is undone."""
        record = self.root / KNOWN
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return set(self.names())
        # A name that is not one (a hand-edited "../x") is never acted upon.
        return {line.strip() for line in lines if _NAME.match(line.strip())}

    def sync(self, names, known):
        """After the files of ``names`` were written: enable the new ones
        (those not in ``known``, read before writing), refresh copies, remove
        the files of known sections no longer configured."""
        changes = Changes()
        self.enabled.mkdir(parents=True, exist_ok=True)
        for name in names:
            if name in known:
                self.refresh_copy(name)
            else:
                self.enable(name)
                changes.new.append(name)
        for name in sorted(known - set(names)):
            self.disable(name)
            self.available_file(name).unlink(missing_ok=True)
            changes.removed.append(name)
        header = "# sections generated by `loglines supervisor-config`; one per line\n"
        write_atomic(self.root / KNOWN, header + "".join(f"{n}\n" for n in names))
        return changes


def check_name(name):
    """A program name from the command line, never a path."""
    name = name[: -len(".conf")] if name.endswith(".conf") else name
    if not _NAME.match(name):
        raise LoglinesError(f"{name!r} is not a program name (e.g. worker_pirus2)")
    return name


def password(config, token=secrets.token_urlsafe):
    """The web UI password and whether it is new (then ``save_password``
    it once the files are written).

    A configured one is used as it is (empty is refused: supervisord would
    then take anyone). Otherwise one generated before is reused from
    var/supervisor.secret, so regenerating keeps supervisorctl working.
    """
    configured = config.supervisor.password
    if configured is not None:
        if not configured:
            raise ConfigError(f"{config.path}: [supervisor] password: is empty; set one "
                              "(e.g. password = ${LOGLINES_SUPERVISOR_PASSWORD}) or remove "
                              "the key to have one generated")
        return configured, False
    path = config.instance_dir / SECRET
    try:
        stored = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        stored = ""
    except OSError as err:
        raise LoglinesError(f"cannot read {path}: {err.strerror or err}") from err
    return (stored, False) if stored else (token(24), True)


def save_password(instance_dir, value):
    """Keep a generated password, readable by its owner only."""
    write_atomic(Path(instance_dir) / SECRET, value + "\n", mode=0o600)
