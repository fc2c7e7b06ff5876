"""loglines status: depth of every queue and the live consumers."""

import json
import time

from ..config import spec
from .context import out


def add_parser(subparsers):
    p = subparsers.add_parser("status", help="queue depths and live consumers")
    p.add_argument("--json", action="store_true", help="one JSON object, for machines")
    p.add_argument("--redis", metavar="NAME", help="use the [redis_NAME] section")
    p.set_defaults(handler=run, needs_context=True)


def collect(ctx):
    store = ctx.store
    names = sorted(set(store.known_queues()) | ctx.configured_queues())
    queues = [store.queue(n).stats() for n in names]
    return {
        "redis": ctx.redis_settings.describe(),
        "prefix": ctx.config.queues.prefix,
        "queues": [vars(q) for q in queues],
        "consumers": [vars(c) for c in store.consumers()],
        "counts": {name: store.counts(name) for name in ctx.config.programs
                   if ctx.config.programs[name].kind not in spec.PROCESS_KINDS},
    }


def run(ctx):
    report = collect(ctx)
    if ctx.args.json:
        out(json.dumps(report, indent=2, sort_keys=True))
        return 0
    out(f"{report['redis']}, key prefix {{{report['prefix']}}}")
    out()
    out(f"{'queue':<24} {'ready':>10} {'in-flight':>10} {'delayed':>10} {'dead':>10}")
    for q in report["queues"]:
        out(f"{q['name']:<24} {q['ready']:>10} {q['inflight']:>10} {q['delayed']:>10} "
            f"{q['dead']:>10}")
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
    return 0
