"""loglines dead list|requeue|purge QUEUE: inspect and repair dead items."""

import base64
import json
import time

from ..errors import LoglinesError
from ..queue.interface import MAX_BATCH
from . import exit_codes
from .context import out
from .help_text import examples

PREVIEW = 300


def add_parser(subparsers):
    p = subparsers.add_parser("dead", help="list, requeue or purge dead-lettered items",
        epilog=examples(
            "loglines dead list pirus2 --limit 5",
            "loglines dead requeue pirus2 --all"))
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("list", help="show dead items, oldest first")
    show.add_argument("queue")
    show.add_argument("--limit", type=int, default=20, help="at most N items (default 20)")
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.set_defaults(handler=run_list)
    for name, handler, what in (("requeue", run_requeue, "give dead items a fresh start"),
                                ("purge", run_purge, "delete dead items for good")):
        sub = actions.add_parser(name, help=what)
        sub.add_argument("queue")
        sub.add_argument("--all", action="store_true", help="every dead item of the queue")
        sub.add_argument("ids", nargs="*", default=[], metavar="ID")
        sub.set_defaults(handler=handler)
    for sub in actions.choices.values():
        sub.add_argument("--redis", metavar="NAME", help="use the [redis_NAME] section")
    p.set_defaults(needs_context=True)


def _payload_fields(payload):
    if payload is None:
        return {"payload": None}
    try:
        return {"payload": payload.decode("utf-8")}
    except UnicodeDecodeError:
        return {"payload_base64": base64.b64encode(payload).decode("ascii")}


def _queue(ctx):
    """The queue named on the command line; one that neither Redis nor the
    configuration knows is most likely misspelt, so the known ones are named."""
    name = ctx.args.queue
    known = set(ctx.store.known_queues()) | ctx.config.queue_names()
    if name not in known:
        raise LoglinesError(f"no queue {name!r} (there are: {', '.join(sorted(known)) or 'none'})")
    return ctx.store.queue(name)


def run_list(ctx):
    items = _queue(ctx).dead_items(limit=max(1, ctx.args.limit))
    for d in items:
        if ctx.args.json:
            record = {"id": d.id, "error": d.error, "attempts": d.attempts,
                      "died_at": d.died_at, **_payload_fields(d.payload)}
            out(json.dumps(record, sort_keys=True))
            continue
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d.died_at))
        text = (d.payload or b"").decode("utf-8", "replace")
        cut = text[:PREVIEW] + (" ..." if len(text) > PREVIEW else "")
        out(f"{d.id}  {when}  attempts {d.attempts}  error: {d.error}")
        out(f"    {cut!r}")
    if not items and not ctx.args.json:
        out(f"no dead items in {ctx.args.queue}")
    return exit_codes.OK


def _apply(ctx, operation, verb):
    if ctx.args.all == bool(ctx.args.ids):
        out(f"give either --all or the ids of the items to {operation.split('_')[0]}")
        return exit_codes.USAGE
    queue = _queue(ctx)
    method = getattr(queue, operation)
    if not ctx.args.all:
        done = method(ctx.args.ids)
        missing = len(set(ctx.args.ids)) - done
        out(f"{verb} {done} of {len(set(ctx.args.ids))} items in {queue.name}")
        if missing:
            out(f"{missing} of the ids given are not dead items of {queue.name}")
            return exit_codes.FAILED
        return exit_codes.OK
    total = 0
    while ids := queue.dead_ids(MAX_BATCH):
        done = method(ids)
        total += done
        if not done:
            break
    out(f"{verb} {total} items in {queue.name}")
    return exit_codes.OK


def run_requeue(ctx):
    return _apply(ctx, "requeue_dead", "requeued")


def run_purge(ctx):
    return _apply(ctx, "purge_dead", "purged")
