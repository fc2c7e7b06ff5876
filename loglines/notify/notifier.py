"""Turning what happened into an event and enqueueing its sending."""

import logging
import socket
from datetime import datetime, timezone

from rq import Queue, Retry

from ..redis_connection import connect
from . import jobs
from .limiter import Limiter

log = logging.getLogger("loglines.notify")

# A mail server down for a while still gets the message: retried after
# 10 s, 1 min, 5 min and 30 min (the worker runs rq's scheduler for this).
RETRY = Retry(max=4, interval=[10, 60, 300, 1800])
# Kept a week, for `rq info` and a look at what failed.
KEEP = 7 * 24 * 3600


def make_event(kind, queue=None, process=None, count=None, error=None, **more):
    """The JSON object a webhook receives; the same keys for every kind."""
    event = {
        "kind": kind, "queue": queue, "process": process, "count": count, "error": error,
        "host": socket.gethostname(),
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    event.update(more)
    return event


class Notifier:
    def __init__(self, settings, client, prefix):
        self.settings = settings
        self.limiter = Limiter(client, prefix, settings.notify_interval)
        self.queue = Queue(settings.queue, connection=client)

    def notify(self, kind, **fields):
        """Enqueue the sending unless a notification of ``kind`` went out
        within notify_interval; returns the jobs (none when limited)."""
        allowed, suppressed = self.limiter.allow(kind)
        if not allowed:
            return []
        event = make_event(kind, suppressed=suppressed, **fields)
        return [
            self.queue.enqueue(fn, event, job_timeout=self.settings.timeout * 2 + 10,
                               retry=RETRY, result_ttl=KEEP, failure_ttl=KEEP)
            for fn in jobs.channels(self.settings)
        ]


def for_worker(config, section, client):
    """The Notifier of the worker of ``section``, whose Redis is ``client``:
    on another Redis when [notify] names another one than the section's."""
    settings = config.notify
    if settings.redis != section.options.redis:
        client = connect(config.redis_settings(settings.redis))
    return Notifier(settings, client, config.queues.prefix)


def dead_lettered(ctx, queue_name, count, error):
    """Called by workers when items were dead-lettered. Never raises: a
    notification that cannot be enqueued must not stop a delivery."""
    try:
        ctx.notifier().notify("dead_letter", queue=queue_name, count=count, error=error,
                              section=ctx.section.name)
    except Exception as err:
        ctx.log.warning("could not enqueue a dead-letter notification: %s", err)
