"""loglines ship [status]: gather what is due (or a window asked for) into
packages and ship them now; or show what was shipped when and what waits.

``loglines ship`` gathers under the section's lock, then ships the queued
packages until none is ready; a package that failed for a while is left
to the scheduled shipper program and its backoff. ``--dry-run`` leaves the
packages in a folder, records nothing and ships nothing.
"""

import time

from ..errors import ConfigError
from ..runtime import instance
from ..runtime.context import WorkerContext
from ..shipping import periods
from ..shipping.book import Locked
from ..shipping.gather import GatherError
from . import exit_codes
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("ship", help="gather packages of collected data and ship them; "
                              "`ship status`: what was shipped, what waits",
                              epilog=examples("loglines ship --dry-run", "loglines ship status",
                                              "loglines ship --since 2026-01 --until 2026-04"))
    p.add_argument("action", nargs="?", choices=["status"], help="status: show the state")
    p.add_argument("--section", help="the shipper section (default: the only one)")
    p.add_argument("--since", metavar="DATE", help="gather this window again, from DATE "
                   "(YYYY-MM-DD or YYYY-MM), whatever was shipped; needs --until")
    p.add_argument("--until", metavar="DATE", help="the end of the window (excluded)")
    p.add_argument("--group", action="append", metavar="G",
                   help="only the collectors of this group (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="gather into a folder and say where; record and ship nothing")
    p.set_defaults(handler=run, needs_context=True)


def _section(ctx):
    shippers = [n for n, p in ctx.config.programs.items() if p.kind == "shipper"]
    name = ctx.args.section
    if name is None:
        if len(shippers) != 1:
            raise ConfigError(f"{ctx.config.path}: {len(shippers)} sections of kind shipper "
                              f"({', '.join(shippers) or 'none'}); name one with --section")
        name = shippers[0]
    if name not in shippers:
        raise ConfigError(f"{ctx.config.path}: [{name}]: no section of kind shipper of that "
                          f"name (shipper sections: {', '.join(shippers) or 'none'})")
    return ctx.config.program(name)


def _window(args):
    if (args.since is None) != (args.until is None):
        raise ConfigError("loglines ship: --since and --until go together")
    if args.since is None:
        return None
    try:
        since, until = periods.parse(args.since, "--since"), periods.parse(args.until, "--until")
    except ValueError as err:
        raise ConfigError(f"loglines ship: {err}") from None
    if until <= since:
        raise ConfigError("loglines ship: --until must be after --since")
    return since, until


def run(ctx):
    from ..shipping.section import Shipping

    section = _section(ctx)
    window = _window(ctx.args)
    wctx = WorkerContext(ctx.config, section, redis_settings=ctx.redis_settings, burst=True)
    wctx.call(instance.check, ctx.config, wctx.store)  # not another instance's queues
    shipping = Shipping(ctx.config, section, wctx.store)
    try:
        if ctx.args.action == "status":
            return show_status(shipping, wctx)
        groups = ctx.args.group
        unknown = set(groups or ()) - set(shipping.registry.groups())
        if unknown:
            raise ConfigError(f"loglines ship: no collector of group {', '.join(sorted(unknown))}"
                              f" (groups: {', '.join(shipping.registry.groups())})")
        def runs():
            return shipping.window(*window, groups) if window else shipping.due(groups=groups)

        if ctx.args.dry_run:
            return _dry_run(shipping, runs())
        return _ship(shipping, wctx, runs)
    finally:
        shipping.close()
        wctx.close()


def _dry_run(shipping, runs):
    folder = shipping.folder / "dry-run" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    try:
        results = shipping.dry_run(runs, folder)
    except GatherError as err:
        out(f"nothing gathered: {err}")
        return exit_codes.FAILED
    made = sum(len(r.packages) for r in results)
    _say_failed(results)
    out(f"dry run: {made} packages in {folder} (nothing recorded, nothing shipped)"
        if made else "dry run: nothing to gather")
    return exit_codes.OK


def _say_failed(results):
    for r in results:
        for s in r.failed:
            if s.status == "failed":
                out(f"  {s.collector.file_name} {periods.text(s.since)} to "
                    f"{periods.text(s.until)} failed: {s.reason}")


def _ship(shipping, wctx, runs):
    from ..runtime.consumer_loop import consume
    from ..shipping.ship import Shipper

    queue = wctx.queue(shipping.o.listento)
    wctx.start_heartbeat([queue.name])  # what it holds is recovered if it is killed
    try:
        results = shipping.gather(runs, queue, wctx.log)
    except Locked as err:
        out(f"loglines ship: {err}")
        return exit_codes.FAILED
    except GatherError as err:
        out(f"nothing gathered: {err}")
        return exit_codes.FAILED
    _say_failed(results)
    made = sum(len(r.packages) for r in results)
    before = wctx.store.counts(wctx.section.name).get("shipped", 0)
    consume(wctx, queue, Shipper(wctx, shipping, queue).handle, 1)
    wctx.counters.flush()
    shipped = wctx.store.counts(wctx.section.name).get("shipped", 0) - before
    waiting = len(shipping.book.waiting())
    out(f"{made} packages gathered, {shipped} shipped to {shipping.target.describe()}"
        + (f"; {waiting} waiting (see `loglines ship status`)" if waiting else ""))
    failed = any(r.failed for r in results)
    return exit_codes.FAILED if waiting or failed else exit_codes.OK


def _when(t):
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(t))


def show_status(shipping, wctx):
    book = shipping.book
    out(f"[{wctx.section.name}] ships {', '.join(shipping.o.groups)} to "
        f"{shipping.target.describe()}")
    last = book.last()
    out("collectors (gathered and shipped up to):")
    for c in shipping.registry.data():
        mark = "" if c.group in shipping.o.groups else "  (group not shipped)"
        t = last.get(c.file_name)
        out(f"  {c.file_name:28} {c.group:12} {periods.text(t) if t else 'nothing yet'}{mark}")
    waiting = book.waiting()
    rejections = book.rejections()
    stats = wctx.queue(shipping.o.listento).stats()
    out(f"waiting: {len(waiting)} packages (queue {stats.name}: {stats.ready} ready, "
        f"{stats.inflight} in flight, {stats.delayed} retrying, {stats.dead} dead)")
    for name, record in waiting.items():
        why = rejections.get(name)
        said = f"  refused HTTP {why['status']}: {why['body'][:200]!r}" if why else ""
        out(f"  {name}  {record['since']} to {record['until']}{said}")
    due = shipping.due()
    if due:
        out(f"due: {len(due)} periods ended and not gathered yet, from "
            f"{periods.text(due[0][0][0])} (gathered at the next look or `loglines ship`)")
    history = book.history()
    out(f"shipped (latest {len(history)}):")
    for h in history:
        out(f"  {_when(h['at'])}  {h['package']}  {h.get('status') or ''}  {h['where']}")
    return exit_codes.OK
