"""The loglines command: ``loglines [--config FILE] COMMAND ...``.

Expected failures (a wrong configuration, Redis or the store unreachable, a
file that is missing or unreadable) end with one clear line and a named exit
code, never a traceback; output into a closed pipe (``| head``) ends quietly.
"""

import argparse
import importlib
import os
import sys

from .. import log
from ..errors import ConfigError, LoglinesError, PluginError, QueueUnavailable, StoreUnavailable
from ..file_modes import restrict_umask
from . import exit_codes
from .context import CommandLine, Context
from .help_text import EXIT_CODES, each_parser, version

# The modules of the commands, in the order --help lists them.
COMMANDS = ("check", "status", "dead", "redis_server", "worker", "supervisor_config", "enable",
            "plugin_test", "replay", "notify", "instance", "store", "stats", "records",
            "ship", "init", "systemd")


# The commands supervisord runs, each parsed with its own module alone: a
# program should not import what other commands need (SQLAlchemy and
# Alembic for the store: 25 MB and a second), and the embedded Redis should
# be up before the workers that wait for it.
SUPERVISED = {"worker": "worker", "redis": "redis_server", "notify-listener": "notify",
              "notify-worker": "notify"}


def _commands(argv):
    """The command modules to build the parser from: every one, except for
    the commands supervisord runs (SUPERVISED), which get theirs alone."""
    # The global options taking a value, unchecked: only to find the command
    # after them; the full parser checks them and tells what is wrong.
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--config")
    first.add_argument("--log-level")
    first.add_argument("command", nargs="?")
    known, _ = first.parse_known_args(argv)
    names = (SUPERVISED[known.command],) if known.command in SUPERVISED else COMMANDS
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def _global_options(p, default):
    """--config and --log-level; on a command's parser too (``default`` is
    SUPPRESS there), so that they may come before or after the command."""
    p.add_argument("--config", default=default or "loglines.cfg", metavar="FILE",
                   help="the configuration file (default: loglines.cfg in this directory)")
    p.add_argument("--log-level", default=default or "info",
                   choices=["debug", "info", "warning", "error"], help="default: info")


def parser(argv=None):
    p = argparse.ArgumentParser(
        prog="loglines",
        description="Tail access logs, find usage events, deliver them to trackers, reliably.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(p, None)
    p.add_argument("--version", action="version", version=version())
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _commands(sys.argv[1:] if argv is None else argv):
        command.add_parser(sub)
    for command_parser in each_parser(sub):
        _global_options(command_parser, argparse.SUPPRESS)
        command_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        command_parser.epilog = "\n\n".join(filter(None, (command_parser.epilog, EXIT_CODES)))
    return p


def main(argv=None):
    restrict_umask()  # before any file is made
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return exit_codes.FAILED


def _run(argv):
    args = parser(argv).parse_args(argv)
    log.setup(args.log_level)
    try:
        # A command that makes an instance has no configuration to read yet.
        ctx = Context(args) if getattr(args, "needs_context", True) else CommandLine(args)
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
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as err:
        # A file named on the command line or in the configuration: the
        # user's to fix, so one line, not a traceback.
        print(f"loglines: {err.filename or 'a file'}: {err.strerror or err}", file=sys.stderr)
        return exit_codes.FAILED
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED


def _quiet_stdout():
    """The reader of our output has gone (``loglines status | head``): point
    stdout at /dev/null, so that Python's flush at exit does not fail again
    and print a traceback of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout closed or not a real file
        pass


if __name__ == "__main__":
    sys.exit(main())
