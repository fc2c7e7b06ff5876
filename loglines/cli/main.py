"""The loglines command: ``loglines [--config FILE] COMMAND ...``.

Expected failures (a wrong configuration, Redis or the store unreachable) end with one
clear line and a named exit code, never a traceback.
"""

import argparse
import importlib
import sys

from .. import log
from ..errors import ConfigError, LoglinesError, PluginError, QueueUnavailable, StoreUnavailable
from ..file_modes import restrict_umask
from . import exit_codes
from .context import Context

# The modules of the commands, in the order --help lists them.
COMMANDS = ("check", "status", "dead", "redis_server", "worker", "supervisor_config", "enable",
            "plugin_test", "replay", "notify", "instance", "store", "stats", "ship")


def _commands(argv):
    """The command modules to build the parser from: every one, except for
    ``loglines worker ...``, which every supervised program runs: it gets
    its own alone, so that no worker imports what other commands need
    (SQLAlchemy and Alembic for the store: 25 MB and half a second each)."""
    # The global options taking a value, unchecked: only to find the command
    # after them; the full parser checks them and tells what is wrong.
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--config")
    first.add_argument("--log-level")
    first.add_argument("command", nargs="?")
    known, _ = first.parse_known_args(argv)
    names = ("worker",) if known.command == "worker" else COMMANDS
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def parser(argv=None):
    p = argparse.ArgumentParser(
        prog="loglines",
        description="Tail access logs, find usage events, deliver them to trackers, reliably.",
    )
    p.add_argument("--config", default="loglines.cfg", metavar="FILE",
                   help="the configuration file (default: loglines.cfg in this directory)")
    p.add_argument("--log-level", default="info",
                   choices=["debug", "info", "warning", "error"], help="default: info")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _commands(sys.argv[1:] if argv is None else argv):
        command.add_parser(sub)
    return p


def main(argv=None):
    restrict_umask()  # before any file is made
    args = parser(argv).parse_args(argv)
    log.setup(args.log_level)
    try:
        ctx = Context(args)
        return args.handler(ctx) or exit_codes.OK
    except ConfigError as err:
        for line in err.problems:
            print(line, file=sys.stderr)
        return exit_codes.CONFIG
    except PluginError as err:
        print(err, file=sys.stderr)
        return exit_codes.CONFIG
    except (QueueUnavailable, StoreUnavailable) as err:
        print(f"loglines: {err}", file=sys.stderr)
        return exit_codes.UNAVAILABLE
    except LoglinesError as err:
        print(f"loglines: {err}", file=sys.stderr)
        return exit_codes.FAILED
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
