"""loglines enable NAME / loglines disable NAME: link a generated program
into workers_enabled/ or take it out (like a2enmod / a2dismod)."""

import shlex
from pathlib import Path

from ..errors import LoglinesError
from ..supervisord import MAIN_FILE, Workers
from ..supervisord.links import check_name
from .context import out
from .help_text import examples


def add_parser(subparsers):
    for command, handler, text in (
        ("enable", run_enable, "let supervisord run a generated program (a workers_enabled/ link)"),
        ("disable", run_disable, "stop supervisord running a program (remove its link)"),
    ):
        p = subparsers.add_parser(command, help=text, epilog=examples(
            f"loglines {command} worker_pirus2", f"loglines {command} worker_metrics"))
        p.add_argument("name", metavar="NAME", help="a program section, e.g. worker_pirus2")
        p.set_defaults(handler=handler, needs_context=True)


def _workers(ctx):
    """The instance's programs and the name asked for, which must exist."""
    workers = Workers(ctx.config.instance_dir)
    name = check_name(ctx.args.name)
    if not workers.available_file(name).exists() and not workers.is_enabled(name):
        known = ", ".join(workers.names()) or "none yet"
        raise LoglinesError(f"no {workers.available_file(name)} (generated: {known}); "
                            "run `loglines supervisor-config` first")
    return workers, name


def _hint(ctx):
    conf = ctx.config.instance_dir / MAIN_FILE
    shown = MAIN_FILE if Path.cwd() == ctx.config.instance_dir else shlex.quote(str(conf))
    out(f"run `supervisorctl -c {shown} update` to apply it")


def run_enable(ctx):
    workers, name = _workers(ctx)
    if not workers.available_file(name).exists():
        raise LoglinesError(f"no {workers.available_file(name)}; "
                            "run `loglines supervisor-config` first")
    if not workers.enable(name):
        out(f"{name} was already enabled; nothing to apply")
        return 0
    out(f"enabled {name}")
    _hint(ctx)
    return 0


def run_disable(ctx):
    workers, name = _workers(ctx)
    if not workers.disable(name):
        out(f"{name} was already disabled; nothing to apply")
        return 0
    out(f"disabled {name}")
    _hint(ctx)
    return 0
