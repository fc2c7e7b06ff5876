"""What every command's --help ends with: examples and the exit codes."""

import argparse
from importlib import metadata

EXIT_CODES = ("exit codes: 0 ok, 1 failed (a problem found, a file missing or unreadable), "
              "2 usage, 3 configuration, 4 Redis or the store unreachable, 130 interrupted")


def examples(*lines):
    """An epilog of example command lines, for ``add_parser(..., epilog=...)``."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def each_parser(subparsers):
    """Every command's parser below ``subparsers``, nested ones too
    (``dead list``), each once (an alias shares its parser)."""
    seen = set()
    for command_parser in subparsers.choices.values():
        if id(command_parser) in seen:
            continue
        seen.add(id(command_parser))
        yield command_parser
        for action in command_parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                yield from each_parser(action)


def version():
    try:
        return f"loglines {metadata.version('loglines')}"
    except metadata.PackageNotFoundError:  # run from a checkout never installed
        return "loglines (not installed)"
