"""Surviving a Redis outage: call again with backoff until Redis answers.

Workers never exit because Redis restarted; they log the outage once, wait
with a capped exponential backoff (checking whether they were asked to
stop) and go on where they were.
"""

import logging
import time

from ..errors import QueueUnavailable, Stopped
from .backoff import Backoff

log = logging.getLogger(__name__)

RECONNECT = Backoff(base=0.1, cap=5.0)

# Stopped is defined with the other errors; callers of ``call`` know it as
# ``reconnect.Stopped``.
__all__ = ["RECONNECT", "Stopped", "call"]


def call(fn, *args, should_stop=lambda: False, backoff=RECONNECT, sleep=time.sleep,
         errors=(QueueUnavailable,), log=log, quiet_for=0.0, clock=time.monotonic, **kw):
    """``errors``: what means "Redis cannot take it now" (a caller that must
    never die, like the logging handler, names more); ``log``: where the
    outage is told (anything with ``warning`` and ``info``); ``quiet_for``:
    seconds of waiting that are expected, so not told (a worker starting
    beside the Redis supervisord starts with it)."""
    attempt, warned, started = 0, False, clock()
    while True:
        try:
            result = fn(*args, **kw)
        except errors as err:
            attempt += 1
            if not warned and clock() - started >= quiet_for:
                warned = True
                log.warning("%s; retrying until it is back", err)
            if should_stop():
                raise Stopped() from err
            sleep(backoff.delay(attempt))
            continue
        if warned:
            log.info("Redis is back after %d attempts", attempt)
        return result
