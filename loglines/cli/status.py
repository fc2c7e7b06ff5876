"""loglines status: depth of every queue and the live consumers."""

import argparse
import json
import time

from ..metrics.delivery import delivery_state
from ..runtime import instance
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("status", help="queue depths and live consumers",
        epilog=examples(
            "loglines status",
            "loglines status --json | jq .queues",
            "loglines status --watch"))
    p.add_argument("--json", action="store_true", help="one JSON object, for machines")
    p.add_argument("--redis", metavar="NAME", help="use the [redis_NAME] section")
    p.add_argument("--watch", action="store_true",
                   help="redraw every second (Ctrl-C ends); into a file or a pipe, a line a second")
    # For tests: stop --watch after this many draws.
    p.add_argument("--watch-count", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run, needs_context=True)


def collect(ctx):
    store = ctx.store
    names = sorted(set(store.known_queues()) | ctx.config.queue_names())
    queues = [store.queue(n).stats() for n in names]
    sections = ctx.config.worker_sections()
    consumers = store.consumers()
    return {
        "redis": ctx.redis_settings.describe(),
        "redis_writes": store.write_problem(),
        "instance": instance.problem(ctx.config, store),
        "doubles": doubles(consumers),
        "prefix": ctx.config.queues.prefix,
        "queues": [vars(q) for q in queues],
        "consumers": [vars(c) for c in consumers],
        "counts": {name: store.counts(name) for name in sections},
        "delivery": delivery(ctx, store),
        "statistics": statistics(ctx),
    } | add_live(ctx, sections, queues)


def delivery(ctx, store):
    """Each target's state; a target in dry run sends nothing, so what it
    counted is reported as written to its dry-run file, not as delivered."""
    targets = []
    for t in delivery_state(store, ctx.config.delivery_targets()):
        entry = vars(t)
        if t.dry_run:
            o = ctx.config.program(t.section).options
            entry |= {"dry_run_file": str(ctx.config.resolve(o.dry_run_file))}
        targets.append(entry)
    return targets


def statistics(ctx):
    """The store of the local statistics, when a stats worker keeps them:
    its state, and per service the span covered and the hours with no line."""
    if not any(p.kind == "stats" for p in ctx.config.programs.values()):
        return None
    from ..stats.read import coverage
    from ..store.engine import connect, describe, open_engine
    from ..store.migrate import state

    engine = open_engine(ctx.config.store.url, str(ctx.config.path))
    try:
        found = state(engine)
        report = {"store": describe(engine.url), "state": found.describe(), "ok": found.ok,
                  "coverage": []}
        if found.ok:
            with connect(engine) as conn:
                report["coverage"] = [
                    {"service": c.service, "since": c.since, "until": c.until,
                     "empty_hours": c.empty_hours, "gaps": c.gaps[:5]} for c in coverage(conn)]
        return report
    finally:
        engine.dispose()


# Programs of which one process per host may run: a second tailer on the
# same checkpoint pushes every line twice.
SINGLETON_KINDS = ("logfilewatcher",)


def doubles(consumers):
    """One line per singleton role that more than one live consumer claims."""
    claims = {}
    for c in consumers:
        info = c.info
        if c.alive and info.get("kind") in SINGLETON_KINDS:
            role = (info.get("section"), info.get("process_num"), info.get("host"))
            claims.setdefault(role, []).append(f"pid {info.get('pid', '?')}")
    return [f"[{section}] process {num} runs {len(pids)} times on {host} ({', '.join(pids)}): "
            "every line is pushed that many times; stop all but one"
            for (section, num, host), pids in claims.items() if len(pids) > 1]


def add_live(ctx, sections, queues):
    """Rates, oldest ages (into each queue's entry) and tailer lag."""
    from ..metrics.live import live_report

    live = live_report(ctx.store, sections, [q.name for q in queues])
    ages = live.pop("oldest_age_s")
    live["queues"] = [vars(q) | {"oldest_age_s": ages.get(q.name)} for q in queues]
    return live


def run(ctx):
    if ctx.args.watch:
        from ..metrics.watch import watch

        return watch(lambda: collect(ctx), iterations=ctx.args.watch_count)
    report = collect(ctx)
    if ctx.args.json:
        out(json.dumps(report, indent=2, sort_keys=True))
        return 0
    out(f"{report['redis']}, key prefix {{{report['prefix']}}}")
    for line in warnings(report):
        out(f"WARNING: {line}")
    out()
    out(f"{'queue':<24} {'ready':>10} {'in-flight':>10} {'delayed':>10} {'dead':>10}")
    for q in report["queues"]:
        out(f"{q['name']:<24} {q['ready']:>10} {q['inflight']:>10} {q['delayed']:>10} "
            f"{q['dead']:>10}")
    print_delivery(report["delivery"])
    print_live(report)
    out()
    consumers = report["consumers"]
    out(f"consumers: {len(consumers)}" + ("" if consumers else " (no worker is running)"))
    holding = {}
    for q in report["queues"]:
        for owner, n in q["inflight_by_consumer"].items():
            holding[owner] = holding.get(owner, 0) + n
    for c in consumers:
        info = c["info"]
        state = "alive" if c["alive"] else "NO HEARTBEAT"
        beat = time.strftime("%H:%M:%S", time.localtime(c["last_beat"]))
        out(f"  {c['id']}  {info.get('section', '?')}  host {info.get('host', '?')} "
            f"pid {info.get('pid', '?')}  last beat {beat} ({c['age']:.1f}s ago, {state})  "
            f"holds {holding.get(c['id'], 0)}")
    counted = {name: counts for name, counts in report["counts"].items() if counts}
    if counted:
        out()
        out("counts (all processes, since the first start):")
    for name, counts in counted.items():
        out(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print_statistics(report["statistics"])
    return 0


def print_delivery(targets):
    if not targets:
        return
    out()
    out(f"{'delivery':<24} {'tracker':>10} {'delivered':>10} {'waiting':>10} {'dead':>10}")
    for t in targets:
        tracker, delivered = ("dry run", "-") if t["dry_run"] else (t["tracker"], t["delivered"])
        out(f"{t['section']:<24} {tracker:>10} {delivered:>10} {t['waiting']:>10} "
            f"{t['dead']:>10}")
    for t in targets:
        if t["dry_run"]:
            out(f"  {t['section']}: dry run: {t['written_dry_run']} URLs written to "
                f"{t['dry_run_file']}, none sent (set dry_run = false to deliver)")


def print_statistics(stats):
    if stats is None:
        return
    from ..stats.read import hour_text

    out()
    out(f"statistics: store {stats['store']}: {stats['state']}")
    for c in stats["coverage"]:
        gaps = "".join(f"; no line {hour_text(a)} to {hour_text(b)}" for a, b in c["gaps"][:3])
        out(f"  {c['service']}: lines from {hour_text(c['since'])} to {hour_text(c['until'])}, "
            f"{c['empty_hours']} hours with none{gaps}")


def warnings(report):
    stats = report["statistics"]
    store = None if stats is None or stats["ok"] else f"the statistics' store: {stats['state']}"
    return [w for w in (report["instance"], report["redis_writes"], *report["doubles"], store)
            if w]


def print_live(report):
    r = report["rates"]
    out(f"last minute: {r['lines_in_per_s']:.1f} lines/s in, "
        f"{r['events_out_per_s']:.1f} events/s out")
    for q in report["queues"]:
        if q.get("oldest_age_s") is not None:
            out(f"  {q['name']}: oldest ready item {q['oldest_age_s']:.0f}s old")
    for f in report["files"]:
        out(f"  {f['section']} {f['path']}: {f['lag_bytes']} bytes not yet read")
