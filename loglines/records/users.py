"""Who may write, read and query log records: Chronologer's roles.

``writer`` may POST records (to httpingest), ``reader`` may count and read
them (the api worker), and ``query`` may also use ``query=``, which reads
into every record's fields. Users are lines of ``name:roles:hash``
(roles comma-separated; ``#`` starts a comment), in ``users_file``, which
only the service may read (mode 0600 or stricter), or in ``users`` from
the environment (``users = ${LOGLINES_RECORD_USERS}``; entries apart by
``;`` or a new line). The hash is scrypt's, from ``loglines records
user NAME --roles ...``: loglines.cfg never holds a password.

A verified password is remembered (by a hash of it, in memory) so that
scrypt's deliberate slowness is paid once per user and password, not on
every POST an HTTPHandler makes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

ROLES = ("writer", "reader", "query")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}\Z")
MAX_REMEMBERED = 1024


def hash_password(password, salt=None, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P):
    """``scrypt$N$r$p$salt$key``, salt and key in base64."""
    salt = salt or os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(key).decode()}"


def _verify(password, hashed):
    _, n, r, p, salt, key = hashed.split("$")
    got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                         r=int(r), p=int(p), dklen=len(base64.b64decode(key)),
                         maxmem=2 ** 27)
    return hmac.compare_digest(got, base64.b64decode(key))


def _check_hash(hashed):
    parts = hashed.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return "not an scrypt hash (make one with `loglines records user NAME`)"
    try:
        n, r, p = (int(x) for x in parts[1:4])
        base64.b64decode(parts[4], validate=True)
        base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return "a damaged scrypt hash"
    if n < 2 or n & (n - 1) or n > 2 ** 20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        return "scrypt parameters out of range"
    return None


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset


class Users:
    def __init__(self, users):
        self._users = {u.name: (u, h) for u, h in users}
        self._remembered = {}
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, text, where):
        """From lines of ``name:roles:hash``; ConfigError naming ``where``
        (file, section and key) and the entry, never its hash."""
        users, problems = [], []
        entries = [e.strip() for e in re.split(r"[;\n]", text)]
        for number, entry in enumerate(entries, 1):
            if not entry or entry.startswith("#"):
                continue
            name, _, rest = entry.partition(":")
            roles, _, hashed = rest.partition(":")
            wanted = {r.strip() for r in roles.split(",") if r.strip()}
            problem = (None if _NAME.match(name) else "a user name of letters, digits and _.@-")
            problem = problem or (None if wanted and wanted <= set(ROLES)
                                  else f"roles among {', '.join(ROLES)}")
            problem = problem or _check_hash(hashed)
            if problem:
                problems.append(f"{where}: entry {number} ({name[:64]!r}): {problem}")
            else:
                users.append((User(name, frozenset(wanted)), hashed))
        if problems:
            raise ConfigError(problems)
        return cls(users)

    @classmethod
    def from_options(cls, options, config_path, section):
        """The users of a section's ``users`` or ``users_file``, or None."""
        if options.users and options.users_file:
            raise ConfigError(f"{config_path}: [{section}] users_file: give users or "
                              "users_file, not both")
        if options.users:
            return cls.parse(options.users, f"{config_path}: [{section}] users")
        if not options.users_file:
            return None
        path = Path(config_path).parent / options.users_file
        where = f"{config_path}: [{section}] users_file"
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{where}: cannot read {path}: "
                              f"{getattr(err, 'strerror', None) or err}") from None
        if mode & 0o077:
            raise ConfigError(f"{where}: {path} may be read by others (mode {mode:04o}); "
                              f"chmod 600 it")
        return cls.parse(text, f"{where} ({path})")

    def authenticate(self, name, password):
        """The User ``name`` if ``password`` is theirs, else None."""
        found = self._users.get(name)
        if found is None:
            return None
        user, hashed = found
        token = hashlib.sha256(f"{name}\0{password}\0{hashed}".encode("utf-8", "replace"))
        token = token.digest()
        with self._lock:
            if token in self._remembered:
                return user
        if not _verify(password, hashed):
            return None
        with self._lock:
            if len(self._remembered) >= MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[token] = True
        return user

    def check_header(self, header, role):
        """The User an ``Authorization: Basic`` header names, if they have ``role``."""
        name, password = basic_credentials(header)
        if name is None:
            return None
        user = self.authenticate(name, password)
        return user if user is not None and role in user.roles else None


def basic_credentials(header):
    """(name, password) of a Basic ``Authorization`` header, or (None, None)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        raw = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None, None
    name, sep, password = raw.partition(":")
    return (name, password) if sep else (None, None)


class Writers:
    """The ingest endpoint's check: its own credential, or a writer's."""

    def __init__(self, credentials, users):
        self.credentials = credentials
        self.users = users

    def check(self, header):
        if self.credentials.check(header):
            return True
        return self.users is not None and self.users.check_header(header, "writer") is not None
