"""loglines redis: run the embedded Redis in the foreground (for supervisord)."""

from .. import embedded_redis
from ..runtime.parent import end_with_parent, under_supervisord
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "redis", help="run the managed Redis in the foreground (AOF on, 127.0.0.1)",
        epilog=examples("loglines redis", "loglines redis --redis stats"))
    p.add_argument("--redis", metavar="NAME", help="run the [redis_NAME] section's server")
    p.set_defaults(handler=run, needs_context=True)


def run(ctx):
    if under_supervisord():
        end_with_parent()  # kept across the exec: Redis stops with its supervisord
    embedded_redis.run(ctx.config, ctx.redis_name)  # replaces this process
