"""loglines check: is loglines.cfg right, and is the store ready? Problems
with the file are raised by loading it; the store is only read."""

from ..store import migrate
from .context import out
from .store import exit_code, line, opened


def add_parser(subparsers):
    p = subparsers.add_parser("check", help="validate the configuration file and the store")
    p.set_defaults(handler=run, needs_context=True)


def run(ctx):
    config = ctx.config
    kinds = {}
    for program in config.programs.values():
        kinds.setdefault(program.kind, []).append(program.name)
    # Opened first: a wrong [store] url is a configuration error, reported
    # before anything reads as ok.
    with opened(ctx) as engine:
        out(f"{config.path}: ok")
        for kind, names in sorted(kinds.items()):
            out(f"  {kind}: {', '.join(names)}")
        state = migrate.state(engine)
        out(f"  {line(engine, state)}")
    return exit_code(state)
