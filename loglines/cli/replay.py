"""loglines replay FILE...: push archived access logs onto a queue, resumably."""

import argparse
import contextlib
import os
import signal
import sys
import time

from tqdm import tqdm

from ..errors import ConfigError
from ..inputs.files.lines import line_start_pattern
from ..inputs.replay import QueueSink, Replayer, Window, parse_when
from ..runtime.stop import StopFlag
from . import exit_codes
from .context import out
from .help_text import examples

DEFAULT_MAX_LINE = 16384  # the logfilewatcher's default max_line_size
JOURNALS = "var/replay"


def _when(text):
    try:
        return parse_when(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or time (e.g. 2015-05-17 or 2015-05-17T10:05+02:00)"
        ) from None


def add_parser(subparsers):
    p = subparsers.add_parser(
        "replay", help="push archived access logs (plain, .gz, .bz2, .xz) onto a queue",
        epilog=examples(
            "loglines replay /var/log/apache2/access.log.2.gz /var/log/apache2/access.log.1",
            "loglines replay old/*.gz --since 2025-01-01 --until 2025-02-01"))
    p.add_argument("files", nargs="+", metavar="FILE", help="log files, oldest first")
    p.add_argument("--service", help="service name (default: the logfilewatcher's servicename)")
    p.add_argument("--to", metavar="QUEUE", help="queue (default: the logfilewatcher's pushto)")
    p.add_argument("--since", type=_when, metavar="T", help="only lines at or after T (ISO)")
    p.add_argument("--until", type=_when, metavar="T", help="only lines before T (ISO)")
    p.add_argument("--force", action="store_true", help="replay files already replayed")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--redis", metavar="NAME", help="use the [redis_NAME] section")
    p.set_defaults(handler=run)


def _target(ctx):
    """(service, queue, max_line_size, line_start) from the options and the
    first logfilewatcher section, which is what the replayed lines stand in
    for."""
    args, config = ctx.args, ctx.config
    watchers = [p for p in config.programs.values() if p.kind == "logfilewatcher"]
    first = watchers[0] if watchers else None
    queue = args.to or (first and first.options.pushto)
    service = args.service or (first and first.options.servicename)
    if not queue or not service:
        missing = "--to QUEUE" if not queue else "--service NAME"
        raise ConfigError(f"{config.path}: no logfilewatcher section to take it from; "
                          f"give {missing}")
    # The section that pushes to this queue sets the line limit and the Redis.
    pusher = next((w for w in watchers if w.options.pushto == queue), None)
    if pusher is not None and args.redis is None:
        args.redis = pusher.options.redis or None
    if pusher is None:
        return service, queue, DEFAULT_MAX_LINE, line_start_pattern(None)
    o = pusher.options
    return service, queue, o.max_line_size, line_start_pattern(o.line_start)


def readable(paths):
    """Whether every file can be opened; one line on stderr for each other."""
    problems = []
    for path in paths:
        try:
            with open(path, "rb"):
                pass
        except OSError as err:
            problems.append(f"loglines: {path}: {err.strerror or err}")
    for line in problems:
        print(line, file=sys.stderr)
    return not problems


@contextlib.contextmanager
def reading(paths, quiet):
    """(stop flag, progress bar) for reading ``paths``: the flag is set by
    SIGINT and SIGTERM, whose handlers are put back afterwards (the command
    also runs inside other programs: tests)."""
    stop = StopFlag()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    stop.install(tuple(previous))
    progress = Progress(sum(os.path.getsize(p) for p in paths), quiet)
    try:
        yield stop, progress
    finally:
        progress.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Progress:
    """Compressed bytes read over the files' sizes, so the time left holds
    for .gz too; lines/s beside it."""

    def __init__(self, total, quiet):
        self.lines = 0
        self.started = time.monotonic()
        self.bar = tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
            disable=quiet or not sys.stderr.isatty(), leave=False,
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]",
        )

    def __call__(self, nbytes, nlines):
        self.lines += nlines
        rate = self.lines / max(time.monotonic() - self.started, 1e-6)
        self.bar.set_postfix_str(f"{rate:,.0f} lines/s", refresh=False)
        self.bar.update(nbytes)

    def close(self):
        self.bar.close()


def _summary(t, finished, seconds):
    files = f"{t['files']} file" + ("s" if t["files"] != 1 else "")
    already = f" ({t['already']} already replayed)" if t["already"] else ""
    untimed = f", {t['untimed']} without a readable time (kept)" if t["untimed"] else ""
    head = "replay" if finished else "replay interrupted (run it again to go on)"
    return (f"{head}: {files}{already}, {t['pushed']} lines pushed, "
            f"{t['skipped']} skipped by --since/--until, {t['rejected']} rejected{untimed}, "
            f"{seconds:.1f} s, {t['pushed'] / max(seconds, 1e-6):,.0f} lines/s")


def run(ctx):
    args = ctx.args
    service, queue, max_line_size, line_start = _target(ctx)
    if not readable(args.files):
        return exit_codes.FAILED
    started = time.monotonic()
    with reading(args.files, args.quiet) as (stop, progress):
        replayer = Replayer(
            QueueSink(ctx.store.queue(queue), stop), service,
            str(ctx.config.resolve(JOURNALS)), stop,
            window=Window(args.since, args.until), max_line_size=max_line_size,
            line_start=line_start, force=args.force, progress=progress,
        )
        finished = replayer.run(args.files)
    out(_summary(replayer.totals, finished, time.monotonic() - started))
    return exit_codes.OK if finished else exit_codes.INTERRUPTED
