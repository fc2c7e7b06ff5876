"""loglines instance: which instance owns the Redis and prefix, and, after a
Redis lost its data and what was lost was replayed, accepting the empty one."""

from ..runtime import instance
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("instance", help="the instance marker in Redis and here",
        epilog=examples("loglines instance", "loglines instance --accept-empty-redis"))
    p.add_argument("--accept-empty-redis", action="store_true",
                   help="after a data loss was replayed: mark Redis as this instance's again")
    p.set_defaults(handler=run, needs_context=True)


def run(ctx):
    if ctx.args.accept_empty_redis:
        instance_id = instance.accept_empty_redis(ctx.config, ctx.store)
        out(f"Redis marked as instance {instance_id}, generation "
            f"{instance.read_marker(ctx.store)['generation']}; workers may start")
        return 0
    local, marker = instance.read_local(ctx.config), instance.read_marker(ctx.store)
    out(f"this folder: {local or 'no record yet'}")
    out(f"Redis:       {marker or 'no marker yet'}")
    trouble = instance.problem(ctx.config, ctx.store)
    if trouble:
        out(f"WARNING: {trouble}")
        return 1
    return 0
