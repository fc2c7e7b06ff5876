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
    """A loglines command systemd runs on a schedule (``OnCalendar=``), once
    for each section of ``kind`` (given with ``--section``)."""

    name: str
    argv: tuple
    calendar: str
    description: str
    kind: str
    # Not for a section whose program supervisord runs: that program does
    # the job itself, and a second run would only find the section locked.
    unless_supervised: bool = False


JOBS = (
    Job("stats-rebuild", ("stats", "rebuild"), "Sun *-*-* 04:30:00",
        "count the statistics again (a newer COUNTER robots list, changed plugin rules)",
        "stats"),
    Job("ship", ("ship",), "*-*-* *:05:00", "gather and ship the packages due", "shipper",
        unless_supervised=True),
)


@dataclass(frozen=True)
class Setup:
    """Who runs the instance, and with what."""

    user: str
    supervisord: str  # absolute paths
    loglines: tuple
    groups: tuple = ()  # supplementary groups, e.g. adm to read /var/log/apache2
    name: str = "loglines"
    enabled: frozenset = frozenset()  # the programs supervisord runs (workers_enabled/)


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
    for job in JOBS:
        files.extend(_job_units(config, setup, job, cfg))
    return tuple(files)


def scheduled(config, setup, job):
    """The sections ``job`` gets a timer for."""
    return [name for name, program in config.programs.items() if program.kind == job.kind
            and not (job.unless_supervised and name in setup.enabled)]


def _job_units(config, setup, job, cfg):
    """A oneshot service and its timer per section the job runs for."""
    of_kind = [n for n, p in config.programs.items() if p.kind == job.kind]
    files = []
    for section in scheduled(config, setup, job):
        unit = f"{setup.name}-{job.name}" + ("" if len(of_kind) == 1 else f"-{section}")
        argv = [*setup.loglines, "--config", cfg, *job.argv, "--section", section]
        files.append(File(f"{FOLDER}/{unit}.service", _unit([
            ("Unit", [f"Description=loglines: {job.description} ([{section}])",
                      f"After={setup.name}.service"]),
            ("Service", ["Type=oneshot", *_common(config, setup), f"ExecStart={_exec(argv)}"]),
        ]), 0o644))
        files.append(File(f"{FOLDER}/{unit}.timer", _unit([
            ("Unit", [f"Description=loglines: {job.description} ([{section}]), on a schedule"]),
            ("Timer", [f"OnCalendar={job.calendar}", "Persistent=true",
                       "RandomizedDelaySec=600"]),
            ("Install", ["WantedBy=timers.target"]),
        ]), 0o644))
    return files
