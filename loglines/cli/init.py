"""loglines init DIR: a new instance folder anywhere, from the template the
package carries (see loglines.instance_files), so that nothing depends on
where loglines was cloned or installed."""

import os
import shlex
import shutil
import sys
from pathlib import Path

from .. import instance_files
from ..errors import LoglinesError
from .context import out
from .help_text import examples
from .supervisor_config import loglines_command, program_path


def add_parser(subparsers):
    p = subparsers.add_parser(
        "init", help="make a new instance folder: loglines.cfg, plugins/, workers_available/, "
        "workers_enabled/, create_supervisord_config.py",
        epilog=examples("loglines init /srv/loglines", "cd /srv/loglines && loglines check"))
    p.add_argument("directory", metavar="DIR", help="the folder to make (or an empty one)")
    p.set_defaults(handler=run, needs_context=False)


def run(ctx):
    home = Path(ctx.args.directory).expanduser().absolute()
    source = instance_files.source()
    if source is None:
        raise LoglinesError("this installation has no instance template (a wheel built "
                            "without setup.py?); reinstall loglines from a wheel or a checkout")
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise LoglinesError(f"{home} exists and is not an empty folder; name a new one")
    try:
        for folder in instance_files.FOLDERS:
            (home / folder).mkdir(parents=True, exist_ok=True)
        for relative in instance_files.listed(source):
            (home / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, home / relative)
    except OSError as err:
        raise LoglinesError(f"cannot make {err.filename or home}: {err.strerror or err}") \
            from err
    out(f"made the instance {home}: loglines.cfg, plugins/, workers_available/, "
        "workers_enabled/, create_supervisord_config.py")
    loglines = " ".join(shlex.quote(word) for word in loglines_command())
    python = shlex.quote(os.path.abspath(sys.executable))
    out("next: edit loglines.cfg (logfile, repository_plugin, base_url), then:")
    out(f"  cd {shlex.quote(str(home))}")
    out(f"  {loglines} store migrate && {loglines} check")
    out(f"  {python} create_supervisord_config.py && {program_path('supervisord')} "
        "-c supervisord.conf")
    return 0
