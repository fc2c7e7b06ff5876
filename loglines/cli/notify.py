"""The notify commands: ``notify-listener`` (supervisord's event listener),
``notify-worker`` (the rq worker sending notifications) and ``notify-test``.
Both of the first two are generated into supervisord.conf when [notify] is
configured."""

import logging
import sys
import time

import redis

from .. import log
from ..errors import ConfigError
from ..notify import Notifier, jobs, make_event, send
from ..notify.backlog import BacklogWatch
from ..notify.listener import Handler, serve
from ..queue import reconnect
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("notify-listener", epilog=examples(
        "loglines notify-listener"), help="supervisord event listener raising "
                              "notifications (what supervisord runs)")
    p.set_defaults(handler=listener, needs_context=True)
    p = subparsers.add_parser("notify-worker", epilog=examples(
        "loglines notify-worker --burst"), help="send queued notifications (an rq worker; "
                              "what supervisord runs)")
    p.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    p.set_defaults(handler=worker, needs_context=True)
    p = subparsers.add_parser("notify-test", epilog=examples(
        "loglines notify-test --enqueue"), help="send a test notification now, by every "
                              "configured channel")
    p.add_argument("--enqueue", action="store_true",
                   help="enqueue it for the notify worker instead of sending it from here")
    p.set_defaults(handler=test, needs_context=True)


def _settings(ctx):
    settings = ctx.config.notify
    if settings is None:
        raise ConfigError(f"{ctx.config.path}: no [notify] section: nothing to notify")
    ctx.args.redis = settings.redis  # the Redis the notify queue lives in
    return settings


def _notifier(ctx):
    return Notifier(_settings(ctx), ctx.store.client, ctx.config.queues.prefix)


def patiently(notify, seconds=120):
    """``notify`` retried while Redis is unreachable, as it is when the
    whole instance starts and a program fails before Redis is up: an event
    supervisord reports once must not be lost for that."""

    def call(kind, **fields):
        deadline = time.monotonic() + seconds
        while True:
            try:
                return notify(kind, **fields)
            except (redis.ConnectionError, redis.TimeoutError) as err:
                if time.monotonic() > deadline:
                    logging.getLogger("loglines.notify").error(
                        "a %s notification is lost: Redis unreachable (%s)", kind, err)
                    return []
                time.sleep(0.5)

    return call


def listener(ctx):
    # stdout is supervisord's protocol channel: logs must go to stderr.
    log.setup(ctx.args.log_level, stream=sys.stderr)
    notifier = _notifier(ctx)
    notify = patiently(notifier.notify)
    backlog = BacklogWatch(ctx.store, ctx.config.queue_names(), notifier.settings.backlog_age,
                           notify)
    serve(sys.stdin.buffer, sys.stdout.buffer, Handler(notify, backlog))
    return 0


def worker(ctx):
    from rq import Worker

    log.setup(ctx.args.log_level, stream=sys.stdout, fmt=log.WORKER_FORMAT)
    notifier = _notifier(ctx)
    jobs.configure(notifier.settings)
    reconnect.call(ctx.store.ping)  # Redis may start after this program
    rq_worker = Worker([notifier.queue], connection=ctx.store.client)
    # The scheduler runs the delayed retries of failed sends.
    rq_worker.work(burst=ctx.args.burst, with_scheduler=True,
                   logging_level=ctx.args.log_level.upper())
    return 0


def test(ctx):
    if ctx.args.enqueue:
        queued = _notifier(ctx).notify("test", error="a test notification (loglines notify-test)")
        out(f"enqueued {len(queued)} job(s)" if queued else "rate-limited: try again later")
        return 0
    settings = _settings(ctx)
    event = make_event("test", error="a test notification (loglines notify-test)")
    failed = 0
    for name, fn in (("webhook", send.webhook), ("mail", send.mail)):
        if (settings.webhook_url if name == "webhook" else settings.smtp_host):
            try:
                fn(settings, event)
                out(f"{name}: sent")
            except Exception as err:
                failed += 1
                out(f"{name}: failed: {err}")
    return 1 if failed else 0
