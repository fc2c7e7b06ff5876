"""loglines worker SECTION: run the worker of one program section.

This is what every generated supervisord program runs. It logs to stdout
(supervisord keeps the log), stops gracefully on SIGTERM, and exits only
when asked to or on a misconfiguration: a Redis outage is waited out.
"""

import importlib
import logging
import sys

from .. import log
from ..config import spec
from ..errors import ConfigError
from ..inputs import own_records
from ..queue import reconnect
from ..runtime import instance
from ..runtime.context import WorkerContext
from ..runtime.parent import end_with_parent, under_supervisord
from ..runtime.stop import StopFlag
from .help_text import examples

# Every kind of [logger_*] / [worker_*] section has a module of its name in workers/.
WORKER_KINDS = tuple(k for k in spec.KINDS if k not in spec.PROCESS_KINDS)


def add_parser(subparsers):
    p = subparsers.add_parser("worker", help="run the worker of a [logger_*] or [worker_*] "
                              "section (what supervisord runs)",
        epilog=examples("loglines worker worker_broker", "loglines worker worker_pirus2 --burst"))
    p.add_argument("section", help="the section name, e.g. worker_pirus2")
    p.add_argument("--process-num", type=int, default=0, metavar="N",
                   help="supervisord's process number, for numprocs > 1")
    p.add_argument("--redis", metavar="NAME", help="use the [redis_NAME] section")
    p.add_argument("--burst", action="store_true",
                   help="exit when there is nothing left to do instead of waiting")
    p.set_defaults(handler=run, needs_context=True)


def run(ctx):
    args = ctx.args
    log.setup(args.log_level, stream=sys.stdout, fmt=log.WORKER_FORMAT)
    section = ctx.config.programs.get(args.section)
    if section is None or section.kind not in WORKER_KINDS:
        known = ", ".join(n for n, p in ctx.config.programs.items() if p.kind in WORKER_KINDS)
        raise ConfigError(f"{ctx.config.path}: [{args.section}]: no worker section of that name "
                          f"(worker sections: {known or 'none'})")
    redis_name = args.redis or section.options.redis
    args.redis = redis_name
    stop = StopFlag()
    stop.install()
    if under_supervisord():
        end_with_parent()  # a killed supervisord leaves no orphan behind
    module = importlib.import_module(f"loglines.workers.{section.kind}")
    worker_ctx = WorkerContext(ctx.config, section, args.process_num, ctx.redis_settings, stop,
                               burst=args.burst)
    own = own_records.install(ctx.config, args.section, ctx.redis_settings)
    # What a worker must hold before it waits for Redis (the tailer's files),
    # given to its run(); the rest start once Redis answers.
    hold = getattr(module, "hold", None)
    held = hold(worker_ctx) if hold else None
    try:
        worker_ctx.wait_for_redis()
        # Another instance's queues, or a Redis that lost this one's data:
        # stop here with one line rather than carry on.
        worker_ctx.call(instance.check, ctx.config, worker_ctx.store)
        return module.run(worker_ctx) if hold is None else module.run(worker_ctx, held)
    except reconnect.Stopped:
        return 0  # asked to stop while waiting for Redis
    finally:
        if held is not None:
            held.close()
        worker_ctx.close()
        worker_ctx.log.info("stopped")
        if own is not None:
            logging.getLogger().removeHandler(own)
            own.close()
