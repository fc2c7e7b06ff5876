"""loglines supervisor-config: write supervisord.conf and workers_available/
from loglines.cfg, and keep workers_enabled/ as the user left it."""

import logging
import os
import shlex
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import LoglinesError
from ..file_modes import close_to_others
from ..supervisord import MAIN_FILE, Workers, generate, links
from ..supervisord.generate import AVAILABLE, listen_url
from .context import out
from .help_text import examples

log = logging.getLogger("loglines.supervisord")


def add_parser(subparsers):
    p = subparsers.add_parser(
        "supervisor-config",
        help="write supervisord.conf and workers_available/ from the configuration",
        epilog=examples(
            "loglines supervisor-config",
            "loglines supervisor-config --config /srv/loglines/loglines.cfg"))
    p.set_defaults(handler=run, needs_context=True)


def loglines_command():
    """How supervisord runs loglines: the console script of this Python's
    environment, else this Python with -m; absolute, since supervisord's PATH
    is not the user's. The venv's python is not resolved: it is the venv."""
    python = os.path.abspath(sys.executable)
    script = Path(python).with_name("loglines")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [python, "-m", "loglines"]


def run(ctx):
    config = ctx.config
    password, new_password = links.password(config)
    result = generate(config, loglines_command=loglines_command(), password=password)
    for warning in result.warnings:
        log.warning("%s", warning)
    names = list(config.programs)
    try:
        changes = _write(config.instance_dir, result, names)
        if new_password:
            links.save_password(config.instance_dir, password)
    except OSError as err:
        raise LoglinesError(f"cannot write {err.filename or 'a file'}: "
                            f"{err.strerror or err}") from err
    _summary(config, Workers(config.instance_dir), changes, names,
             password if new_password else None)
    return 0


def _write(instance_dir, result, names):
    """Program files, then links, then supervisord.conf, which includes them."""
    for directory in (*result.directories, instance_dir / "var"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        close_to_others(directory)  # made 0755 by an older loglines
    workers = Workers(instance_dir)
    known = workers.known()  # before the new files exist
    main = None
    for file in result.files:
        if file.path == MAIN_FILE:
            main = file
        else:
            write_atomic(instance_dir / file.path, file.content, file.mode)
    (instance_dir / AVAILABLE).mkdir(exist_ok=True)
    changes = workers.sync(names, known)
    write_atomic(instance_dir / main.path, main.content, main.mode)
    return changes


def _summary(config, workers, changes, names, new_password):
    conf = config.instance_dir / MAIN_FILE
    shown = MAIN_FILE if Path.cwd() == config.instance_dir else shlex.quote(str(conf))
    out(f"wrote {conf} and {len(names)} program file(s) in {workers.available}/")
    enabled = [n for n in names if workers.is_enabled(n)]
    disabled = [n for n in names if not workers.is_enabled(n)]
    out(f"  enabled:  {', '.join(enabled) or '(none)'}")
    if disabled:
        out(f"  disabled: {', '.join(disabled)}  (loglines enable NAME to run one)")
    if changes.new:
        out(f"  new, so enabled: {', '.join(changes.new)}")
    if changes.removed:
        out(f"  removed (no longer configured): {', '.join(changes.removed)}")
    s = config.supervisor
    kept = config.instance_dir / links.SECRET
    if new_password is not None:
        # Shown this once; a configured password is never printed.
        out(f"web UI {listen_url(config)}  username {s.username}  password {new_password}")
        out(f"  (generated; kept in {kept}, mode 0600)")
    elif s.password:
        out(f"web UI {listen_url(config)}  username {s.username}  password as configured "
            "([supervisor] password)")
    else:
        out(f"web UI {listen_url(config)}  username {s.username}  password in {kept}")
    out(f"start:          {program_path('supervisord')} -c {shown}")
    out(f"apply changes:  {program_path('supervisorctl')} -c {shown} update")


def program_path(name):
    """How to run ``name`` from here: the script beside this Python (the
    venv's, which a shell's PATH seldom has), else the bare name."""
    script = Path(os.path.abspath(sys.executable)).with_name(name)
    if script.is_file() and os.access(script, os.X_OK):
        return shlex.quote(str(script))
    return name
