"""The loglines command: ``loglines [--config FILE] COMMAND ...``.

Expected failures (a wrong configuration, Redis or the store unreachable) end with one
clear line and a named exit code, never a traceback.
"""

import argparse
import sys

from .. import log
from ..errors import ConfigError, LoglinesError, PluginError, QueueUnavailable, StoreUnavailable
from ..file_modes import restrict_umask
from . import (
    check,
    dead,
    enable,
    exit_codes,
    instance,
    notify,
    plugin_test,
    redis_server,
    replay,
    stats,
    status,
    store,
    supervisor_config,
    worker,
)
from .context import Context

COMMANDS = (check, status, dead, redis_server, worker, supervisor_config, enable, plugin_test,
            replay, notify, instance, store, stats)


def parser():
    p = argparse.ArgumentParser(
        prog="loglines",
        description="Tail access logs, find usage events, deliver them to trackers, reliably.",
    )
    p.add_argument("--config", default="loglines.cfg", metavar="FILE",
                   help="the configuration file (default: loglines.cfg in this directory)")
    p.add_argument("--log-level", default="info",
                   choices=["debug", "info", "warning", "error"], help="default: info")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv=None):
    restrict_umask()  # before any file is made
    args = parser().parse_args(argv)
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
