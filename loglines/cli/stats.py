"""loglines stats show|top|coverage|rebuild|backfill: the local statistics
on the command line, and counting them again without the logs."""

import argparse
import sys
import time

from ..config import PluginConfigView
from ..errors import ConfigError
from ..inputs.files.lines import line_start_pattern
from ..inputs.replay import Replayer, Window
from ..stats import read
from ..stats.backfill import StoreSink
from ..stats.builtin import BUILTIN, METRICS
from ..stats.plugins import load as load_statistics
from ..stats.rebuild import rebuild
from ..store.engine import connect, writing
from ..usage import plugin as plugins
from ..usage.settings import log_format_for
from . import exit_codes
from .context import out
from .help_text import examples
from .replay import DEFAULT_MAX_LINE, JOURNALS, _when, readable, reading
from .store import opened

SHORT = {"Total_Item_Investigations": "TII", "Unique_Item_Investigations": "UII",
         "Total_Item_Requests": "TIR", "Unique_Item_Requests": "UIR"}


def _month(text):
    if not read.DATE.match(text) or len(text) != 7:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)")
    return text


def add_parser(subparsers):
    p = subparsers.add_parser("stats", help="local statistics: show, top, coverage, rebuild, "
                              "backfill",
        epilog=examples("loglines stats top --limit 10", "loglines stats coverage"))
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="an item's COUNTER metrics per month (per day "
                              "with --month)")
    show.add_argument("item", help="the item's OAI identifier, e.g. oai:repo.example.ac.uk:1234")
    show.add_argument("--month", type=_month, help="one month, day by day (YYYY-MM)")
    show.set_defaults(handler=run_show)
    top = actions.add_parser("top", help="the items with the most requests")
    top.add_argument("--month", type=_month, help="one month (default: all months)")
    top.add_argument("--order", choices=METRICS, default="Total_Item_Requests")
    top.add_argument("--limit", type=int, default=10)
    top.set_defaults(handler=run_top)
    coverage = actions.add_parser("coverage", help="the span the statistics cover, and the "
                                  "hours with no line at all")
    coverage.set_defaults(handler=run_coverage)
    again = actions.add_parser("rebuild", help="decide again which stored lines are events "
                               "(robots list, plugin rules) and count again")
    again.add_argument("--since", type=_when, metavar="DATE",
                       help="from the month of DATE on (default: everything)")
    again.add_argument("--section", help="the stats section (default: the only one)")
    again.set_defaults(handler=run_rebuild)
    fill = actions.add_parser("backfill", help="archived logs (plain, .gz, .bz2, .xz) into "
                              "the statistics only")
    fill.add_argument("files", nargs="+", metavar="FILE", help="log files, oldest first")
    fill.add_argument("--service", help="service name (default: the logfilewatcher's)")
    fill.add_argument("--since", type=_when, metavar="T", help="only lines at or after T (ISO)")
    fill.add_argument("--until", type=_when, metavar="T", help="only lines before T (ISO)")
    fill.add_argument("--force", action="store_true", help="read files read before again")
    fill.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    fill.add_argument("--section", help="the stats section (default: the only one)")
    fill.set_defaults(handler=run_backfill)
    p.set_defaults(needs_context=True)


# -- reading ---------------------------------------------------------------


def run_show(ctx):
    args = ctx.args
    statistic = BUILTIN["item_metrics_daily" if args.month else "item_metrics_monthly"]
    with opened(ctx) as engine, connect(engine) as conn:
        page = read.rows(conn, statistic, after=args.month, before=args.month, key=args.item,
                         per_page=10000)
    if not page.rows:
        out(f"{args.item}: no usage" + (f" in {args.month}" if args.month else ""))
        return exit_codes.OK
    _table(["period", *SHORT.values()], [[r["period"], *(r[m] for m in METRICS)]
                                          for r in page.rows])
    if len(page.rows) > 1:
        _total(page.rows)
    return exit_codes.OK


def run_top(ctx):
    args = ctx.args
    with opened(ctx) as engine, connect(engine) as conn:
        items = read.top(conn, args.month, args.order, args.limit)
    if not items:
        out("no usage" + (f" in {args.month}" if args.month else ""))
        return exit_codes.OK
    _table(["item", *SHORT.values()], [[i["item"], *(i[m] for m in METRICS)] for i in items])
    return exit_codes.OK


def run_coverage(ctx):
    with opened(ctx) as engine, connect(engine) as conn:
        found = read.coverage(conn)
    if not found:
        out("no line stored yet")
    for c in found:
        out(f"{c.service}: {read.hour_text(c.since)} to {read.hour_text(c.until)}, "
            f"{c.empty_hours} hours with no line at all")
        for start, end in c.gaps[:20]:
            out(f"  no line {read.hour_text(start)} to {read.hour_text(end)}")
        if len(c.gaps) > 20:
            out(f"  ... and {len(c.gaps) - 20} more stretches")
    return exit_codes.OK


def _table(head, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(head, *rows, strict=True)]
    for row in [head, *rows]:
        out("  ".join(str(x).rjust(w) if i else str(x).ljust(w)
                      for i, (x, w) in enumerate(zip(row, widths, strict=True))))


def _total(rows):
    out("total: " + ", ".join(f"{SHORT[m]} {sum(r[m] for r in rows)}" for m in METRICS
                               if not m.startswith("Unique")))


# -- counting again ---------------------------------------------------------


def _sections(ctx):
    """(stats section, the pirus2 section whose plugin decides its lines)."""
    config, name = ctx.config, ctx.args.section
    stats = [s for n, s in config.programs.items() if s.kind == "stats" and name in (None, n)]
    if len(stats) != 1:
        known = [n for n, s in config.programs.items() if s.kind == "stats"]
        why = f"no stats section named {name}" if name else (
            "no stats section" if not known else f"several stats sections ({', '.join(known)})")
        raise ConfigError(f"{config.path}: {why}; give --section" if known else
                          f"{config.path}: {why}")
    queue = stats[0].options.listento
    feeders = [s for s in config.programs.values()
               if s.kind == "pirus2" and s.options.stats_queue == queue]
    if not feeders:
        raise ConfigError(f"{config.path}: no pirus2 section has stats_queue = {queue} "
                          f"(the queue [{stats[0].name}] listens to)")
    return stats[0], feeders[0]


def _statistics(ctx, section):
    statistics, problems = load_statistics(ctx.config, section.name, section.options.statistics)
    for problem in problems:
        print(f"loglines: {problem}; the other statistics are kept", file=sys.stderr)
    return statistics


def _plugin(ctx, feeder):
    plugin = plugins.load(ctx.config, feeder.name, feeder.options.repository_plugin)
    view = PluginConfigView(ctx.config.raw)
    plugin.check_config(view, feeder.name)
    return plugin, view


def run_rebuild(ctx):
    stats, feeder = _sections(ctx)
    statistics = _statistics(ctx, stats)
    plugin, view = _plugin(ctx, feeder)
    log_format = log_format_for(view, feeder.name).spec
    since = int(ctx.args.since) if ctx.args.since is not None else 0
    started = time.monotonic()
    with opened(ctx) as engine, writing(engine) as conn:
        result = rebuild(conn, plugin, view, feeder.name, log_format, statistics, since)
    changed = ", ".join(f"{n} {what}" for what, n in sorted(result.changed.items())) or "none"
    out(f"rebuilt {', '.join(s.name for s in statistics)}: {result.looked_at} lines decided "
        f"again ({result.kept} kept as they were), changed: {changed}; "
        f"{result.recounted.counted} hits counted; {time.monotonic() - started:.1f} s")
    return exit_codes.OK


def run_backfill(ctx):
    args = ctx.args
    stats, feeder = _sections(ctx)
    statistics = _statistics(ctx, stats)
    plugin, view = _plugin(ctx, feeder)
    watchers = [p for p in ctx.config.programs.values() if p.kind == "logfilewatcher"]
    service = args.service or (watchers[0].options.servicename if watchers else None)
    if not service:
        raise ConfigError(f"{ctx.config.path}: no logfilewatcher section to take the service "
                          "name from; give --service NAME")
    if not readable(args.files):
        return exit_codes.FAILED
    watcher = watchers[0].options if watchers else None
    started = time.monotonic()
    with reading(args.files, args.quiet) as (stop, progress), opened(ctx) as engine:
        sink = StoreSink(engine, statistics, plugin, view, feeder.name, f"stats-{stats.name}")
        replayer = Replayer(
            sink, service, str(ctx.config.resolve(JOURNALS)), stop,
            window=Window(args.since, args.until),
            max_line_size=watcher.max_line_size if watcher else DEFAULT_MAX_LINE,
            line_start=line_start_pattern(watcher.line_start if watcher else None),
            force=args.force, progress=progress)
        finished = replayer.run(args.files)
    t = sink.totals
    head = "backfill" if finished else "backfill interrupted (run it again to go on)"
    out(f"{head}: {replayer.totals['files']} files ({replayer.totals['already']} read before), "
        f"{t['stored']} lines stored ({t['events']} events), {t['already']} stored before, "
        f"{replayer.totals['skipped']} skipped by --since/--until, "
        f"{t['rejected'] + t['unreadable']} not readable; {time.monotonic() - started:.1f} s")
    return exit_codes.OK if finished else exit_codes.INTERRUPTED
