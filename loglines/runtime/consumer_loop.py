"""The loop of a worker that consumes a queue: fetch a batch, handle it,
wait for more; give back what it holds when asked to stop.

``handle(items)`` must settle every item (ack, fail or release). An
exception escaping it is a bug or a poison batch: its unsettled items are
failed with the error, which counts an attempt, so a batch that always
breaks the worker ends dead-lettered instead of crash-looping the process.
"""

import traceback

from ..errors import QueueUnavailable
from ..queue import Failure, reconnect
from ..queue.interface import MAX_BATCH

# A fetch of weighed items takes at most what this many batches would weigh
# were every item the heaviest there can be.
FETCH_BOUND = 4


def consume(ctx, queue, handle, batch_size, before_fetch=None, linger=0.0, weigh=None,
            heaviest=1):
    """``linger``: after a batch smaller than ``batch_size``, wait that long
    before the next fetch, so that items arriving a few at a time are
    handled together (a consumer whose cost is per batch, like an fsync).
    ``weigh``: what an item counts for towards ``batch_size`` (one if not
    given), ``heaviest`` the most it can count for: fetches are then small
    enough never to take far more than ``batch_size`` (pirus2's bundles of
    stats records are up to a thousand records each)."""
    block = ctx.config.queues.block_timeout
    try:
        while not ctx.stop.is_set():
            if before_fetch is not None and not before_fetch():
                continue
            fetched, items, weight = _gather(ctx, queue, batch_size, weigh, heaviest)
            if not items:
                ctx.counters.flush()
                if ctx.burst:
                    break
                due = fetched.next_due
                ctx.call(queue.wait, block if due is None else min(block, max(0.01, due)))
                continue
            _handle_safely(ctx, queue, handle, items)
            ctx.counters.flush_due()
            if linger and weight < batch_size:
                ctx.stop.wait(linger)
    except reconnect.Stopped:
        pass
    finally:
        ctx.counters.flush()


def _gather(ctx, queue, batch_size, weigh=None, heaviest=1):
    """Up to ``batch_size`` items (or their weight), in fetches of at most
    MAX_BATCH while each comes full (a consumer whose batch is a
    transaction wants more than one fetch holds); the last fetch, the
    items and their weight.

    Weighed items are fetched as many as the heaviest seen so far leaves
    room for (the first fetch assumes ``heaviest``), never more than
    ``FETCH_BOUND`` batches' weight could be if every one were the
    heaviest: small bundles (pirus2's acknowledgements of eight events)
    come dozens a fetch, not a handful, and a batch stays bounded."""
    items, weight, seen = [], 0, 0
    bound = max(1, FETCH_BOUND * batch_size // heaviest)
    while True:
        want = min(MAX_BATCH, bound, max(1, (batch_size - weight) // (seen or heaviest)))
        fetched = _fetch(ctx, queue, want)
        _report(ctx, queue, fetched)
        items += fetched.items
        if weigh is None:
            weight += len(fetched.items)
        else:
            weights = list(map(weigh, fetched.items))
            weight += sum(weights)
            seen = max(seen, 1, *weights)
        if len(fetched.items) < want or weight >= batch_size:
            return fetched, items, weight


def _fetch(ctx, queue, count):
    """A fetch whose reply was lost leaves items in flight that this consumer
    does not know of; after an outage they are released before going on."""
    lost_reply = False

    def attempt():
        nonlocal lost_reply
        try:
            if lost_reply:
                queue.reclaim(ctx.consumer_id)
                lost_reply = False
            return queue.fetch(ctx.consumer_id, count)
        except QueueUnavailable:
            lost_reply = True
            raise

    return ctx.call(attempt)


def _report(ctx, queue, fetched):
    if fetched.given_up:
        ctx.counters.add("dead_max_attempts", fetched.given_up)
        ctx.log.warning("%d items of %s dead-lettered: out of attempts (see `loglines dead "
                        "list %s`)", fetched.given_up, queue.name, queue.name)
        ctx.notify_dead(queue.name, fetched.given_up, "out of attempts")
    if fetched.orphans:
        ctx.log.warning("%d ids without payload in %s forgotten", fetched.orphans, queue.name)


def _handle_safely(ctx, queue, handle, items):
    try:
        handle(items)
    except reconnect.Stopped:
        raise
    except Exception as err:
        summary = "".join(traceback.format_exception_only(type(err), err)).strip()
        ctx.log.exception("handling a batch of %d items failed", len(items))
        failures = [Failure(i, f"worker error: {summary}") for i in items]
        # Only the items still held fail: those handle() settled are left as they are.
        delayed, dead = ctx.call(queue.fail, ctx.consumer_id, failures)
        ctx.counters.add("worker_errors", delayed + dead)
        ctx.notify_dead(queue.name, dead, f"worker error: {summary}")
