"""systemd units for an instance, as files: a pure function, like ``generate``.

One service runs supervisord in the foreground (``-n``), which runs every
program; systemd starts it at boot and again after a failure. Jobs that run
now and then, not all the time (counting the statistics again), get a
oneshot service and a timer each. Values are escaped for systemd (``%`` is a
specifier, ``$`` a variable, ``\\`` and quotes quote) or refused when they
cannot be written (a line break).
"""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import ConfigError
from .generate import MAIN_FILE, File, stop_seconds

FOLDER = "systemd"
# Secrets for ${VARIABLE} values in loglines.cfg, kept out of the unit
# (mode 0600, owned by the instance's user); optional.
ENVIRONMENT_FILE = "loglines.env"
_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}\$?$")
_UNIT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# systemd's stop: supervisord stops its programs one after the other, each
# given its stopwaitsecs; this covers supervisord's own end.
_STOP_MARGIN = 30


@dataclass(frozen=True)
class Job:
    """A loglines command systemd runs on a schedule (``OnCalendar=``)."""

    name: str
    argv: tuple
    calendar: str
    description: str
    needs_kind: str  # run only when a program of this kind is configured


JOBS = (
    Job("stats-rebuild", ("stats", "rebuild"), "Sun *-*-* 04:30:00",
        "count the statistics again (a newer COUNTER robots list, changed plugin rules)",
        "stats"),
)


@dataclass(frozen=True)
class Setup:
    """Who runs the instance, and with what."""

    user: str
    supervisord: str  # absolute paths
    loglines: tuple
    groups: tuple = ()  # supplementary groups, e.g. adm to read /var/log/apache2
    name: str = "loglines"


def _check(config, setup):
    where = f"{config.path}: systemd"
    if not _USER.match(setup.user):
        raise ConfigError(f"{where}: {setup.user!r} is not a user name systemd takes")
    for group in setup.groups:
        if not _USER.match(group):
            raise ConfigError(f"{where}: {group!r} is not a group name systemd takes")
    if not _UNIT_NAME.match(setup.name):
        raise ConfigError(f"{where}: {setup.name!r} is not a unit name (letters, digits, _.-)")
    for value in (str(config.instance_dir), setup.supervisord, *setup.loglines):
        if any(ord(c) < 32 or c == "\x7f" for c in value):
            raise ConfigError(f"{where}: a path holds a line break or control character")


def _value(text):
    """A path in a plain setting (WorkingDirectory=): specifiers escaped."""
    return text.replace("%", "%%")


def _argument(text):
    """One word of an Exec*= line, quoted when it must be."""
    text = text.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _beside(path, name):
    return str(PurePosixPath(path).with_name(name))


def _exec(argv):
    return " ".join(_argument(a) for a in argv)


def _common(config, setup):
    """The [Service] lines every unit of the instance shares."""
    home = str(config.instance_dir)
    lines = [f"User={setup.user}"]
    if setup.groups:
        lines.append(f"SupplementaryGroups={' '.join(setup.groups)}")
    lines += [f"WorkingDirectory={_value(home)}",
              f"EnvironmentFile=-{_value(str(config.instance_dir / ENVIRONMENT_FILE))}",
              "UMask=0027", "NoNewPrivileges=yes"]
    return lines


def _unit(sections):
    return "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sections)


def units(config, setup):
    """The unit files (paths relative to the instance, under systemd/)."""
    _check(config, setup)
    conf = str(config.instance_dir / MAIN_FILE)
    cfg = str(config.instance_dir / config.path.name)
    supervisord = [setup.supervisord, "-n", "-c", conf]
    supervisorctl = _beside(setup.supervisord, "supervisorctl")
    service = _unit([
        ("Unit", [f"Description=loglines: supervisord of {_value(str(config.instance_dir))}",
                  "After=network-online.target", "Wants=network-online.target"]),
        ("Service", ["Type=simple", *_common(config, setup),
                     f"ExecStart={_exec(supervisord)}",
                     # Applies changed program files without restarting the others.
                     f"ExecReload={_exec([supervisorctl, '-c', conf, 'update'])}",
                     # supervisord stops the programs in order (Redis last):
                     # only it gets the SIGTERM; what is left after the
                     # timeout is killed.
                     "KillMode=mixed", f"TimeoutStopSec={stop_seconds(config) + _STOP_MARGIN}",
                     "Restart=on-failure", "RestartSec=5"]),
        ("Install", ["WantedBy=multi-user.target"]),
    ])
    files = [File(f"{FOLDER}/{setup.name}.service", service, 0o644)]
    kinds = {program.kind for program in config.programs.values()}
    for job in JOBS:
        if job.needs_kind not in kinds:
            continue
        unit = f"{setup.name}-{job.name}"
        argv = [*setup.loglines, "--config", cfg, *job.argv]
        files.append(File(f"{FOLDER}/{unit}.service", _unit([
            ("Unit", [f"Description=loglines: {job.description}",
                      f"After={setup.name}.service"]),
            ("Service", ["Type=oneshot", *_common(config, setup), f"ExecStart={_exec(argv)}"]),
        ]), 0o644))
        files.append(File(f"{FOLDER}/{unit}.timer", _unit([
            ("Unit", [f"Description=loglines: {job.description}, on a schedule"]),
            ("Timer", [f"OnCalendar={job.calendar}", "Persistent=true",
                       "RandomizedDelaySec=600"]),
            ("Install", ["WantedBy=timers.target"]),
        ]), 0o644))
    return tuple(files)
