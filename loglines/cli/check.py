"""loglines check: is loglines.cfg right? Problems are raised by loading it."""

from .context import out


def add_parser(subparsers):
    p = subparsers.add_parser("check", help="validate the configuration file")
    p.set_defaults(handler=run, needs_context=True)


def run(ctx):
    config = ctx.config
    kinds = {}
    for program in config.programs.values():
        kinds.setdefault(program.kind, []).append(program.name)
    out(f"{config.path}: ok")
    for kind, names in sorted(kinds.items()):
        out(f"  {kind}: {', '.join(names)}")
    return 0
