"""loglines systemd-units: the systemd units that run this instance at boot
(supervisord as a service, periodic jobs as timers), written into systemd/
for the operator to install."""

import getpass
import logging
import os
import shlex
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import LoglinesError
from ..supervisord import Workers
from ..supervisord.systemd import ENVIRONMENT_FILE, FOLDER, JOBS, Setup, scheduled, units
from .context import out
from .help_text import examples
from .supervisor_config import loglines_command

log = logging.getLogger("loglines.systemd")


def add_parser(subparsers):
    p = subparsers.add_parser(
        "systemd-units", help="write systemd units: supervisord as a service, jobs as timers",
        epilog=examples("loglines systemd-units --user loglines --group adm",
                        "sudo cp systemd/* /etc/systemd/system/ && sudo systemctl daemon-reload"))
    p.add_argument("--user", default=None,
                   help="the unprivileged user that runs the instance (default: this one)")
    p.add_argument("--group", action="append", default=[], metavar="GROUP",
                   help="a supplementary group, e.g. adm to read /var/log/apache2 (repeatable)")
    p.add_argument("--name", default="loglines",
                   help="the service's name, one per instance on a host (default: loglines)")
    p.set_defaults(handler=run, needs_context=True)


def _supervisord():
    script = Path(os.path.abspath(sys.executable)).with_name("supervisord")
    if not (script.is_file() and os.access(script, os.X_OK)):
        raise LoglinesError(f"no supervisord beside {sys.executable}; run this command with "
                            "the loglines of the environment supervisor is installed in")
    return str(script)


def _stale(folder, name, files):
    """Job units of an earlier run that this one did not write."""
    written = {Path(f.path).name for f in files}
    return sorted(p for suffix in ("service", "timer") for p in folder.glob(f"{name}-*.{suffix}")
                  if p.name not in written)


def run(ctx):
    config = ctx.config
    user = getpass.getuser() if ctx.args.user is None else ctx.args.user
    if user == "root":
        log.warning("the units run the instance as root; give --user an unprivileged user")
    workers = Workers(config.instance_dir)
    enabled = frozenset(n for n in config.programs if workers.is_enabled(n))
    setup = Setup(user=user, supervisord=_supervisord(), loglines=tuple(loglines_command()),
                  groups=tuple(ctx.args.group), name=ctx.args.name, enabled=enabled)
    files = units(config, setup)
    try:
        for file in files:
            target = config.instance_dir / file.path
            target.parent.mkdir(exist_ok=True)
            write_atomic(target, file.content, file.mode)
        stale = _stale(config.instance_dir / FOLDER, setup.name, files)
        for path in stale:
            path.unlink()
    except OSError as err:
        raise LoglinesError(f"cannot write {err.filename or 'a file'}: "
                            f"{err.strerror or err}") from err
    folder = shlex.quote(str(config.instance_dir / FOLDER))
    names = [Path(f.path).name for f in files]
    started = [n for n in names if n.endswith(".timer")] + [f"{setup.name}.service"]
    out(f"wrote {', '.join(names)} in {config.instance_dir / FOLDER}/ (user {user})")
    if stale:
        out(f"removed {', '.join(p.name for p in stale)} (no longer needed; "
            "`systemctl disable` them if installed)")
    out("install them, as root:")
    out(f"  cp {folder}/* /etc/systemd/system/ && systemctl daemon-reload")
    out(f"  systemctl enable --now {' '.join(started)}")
    for job in JOBS:
        for section in sorted(n for n, p in config.programs.items()
                              if p.kind == job.kind and n not in scheduled(config, setup, job)):
            out(f"no timer for {job.name} of [{section}]: supervisord runs it "
                f"(`loglines disable {section}` to run it from a timer instead)")
    out(f"secrets for ${{VARIABLE}} values: {config.instance_dir / ENVIRONMENT_FILE} "
        "(NAME=value lines, mode 0600), read if it exists")
    return 0
