"""loglines store migrate|status: build the store's schema, and say where it stands.

``migrate`` is the one command that creates or alters tables; ``status``
and ``loglines check`` only read.
"""

import contextlib

from ..store import migrate
from ..store.engine import describe, open_engine
from . import exit_codes
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("store", help="the store's schema: migrate it, or show its state",
        epilog=examples("loglines store migrate", "loglines store status"))
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("migrate", help="create the schema or bring it to the newest revision") \
        .set_defaults(handler=run_migrate)
    actions.add_parser("status", help="where the store is, its revision, and whether that is "
                       "right").set_defaults(handler=run_status)
    p.set_defaults(needs_context=True)


@contextlib.contextmanager
def opened(ctx):
    """The store's engine, its pooled connections closed when done."""
    engine = open_engine(ctx.config.store.url, source=ctx.config.path)
    try:
        yield engine
    finally:
        engine.dispose()


def exit_code(state):
    if state.ok:
        return exit_codes.OK
    return exit_codes.UNAVAILABLE if state.status == migrate.UNREACHABLE else exit_codes.FAILED


def line(engine, state):
    return f"store {describe(engine.url)}: {state.describe()}"


def run_migrate(ctx):
    with opened(ctx) as engine:
        before, after = migrate.upgrade(engine)
        where = f"store {describe(engine.url)}"
    if before == after:
        out(f"{where}: already at head ({after})")
    else:
        out(f"{where}: migrated from {before or 'an empty database'} to {after}")
    return exit_codes.OK


def run_status(ctx):
    with opened(ctx) as engine:
        state = migrate.state(engine)
        out(line(engine, state))
    return exit_code(state)
