"""A consumer's batch written to the store in one transaction, then
acknowledged: the step the stats and records workers share.

While the store cannot be written (PostgreSQL down, SQLite busy for long)
the transaction is tried again with one warning, the batch held in
flight; asked to stop meanwhile, the batch is released for another
consumer, so nothing is acknowledged that was not committed.
"""

from sqlalchemy.exc import InterfaceError, OperationalError

from ..errors import StoreUnavailable
from ..store.engine import reason, writing
from .retrying import until_done

RETRY_EVERY = 5.0
STORE_ERRORS = (OperationalError, InterfaceError, StoreUnavailable)


def commit_then_ack(ctx, engine, queue, ids, write, every=RETRY_EVERY):
    """``write(conn)`` in one transaction, then ``ids`` acknowledged;
    (True, what write returned), or (False, None) when stopped first."""
    done = []

    def attempt():
        with writing(engine) as conn:
            done.append(write(conn))

    if not until_done(ctx, attempt, STORE_ERRORS, every,
                      lambda err: f"the store cannot be written ({reason(err, engine.url)})",
                      lambda s: f"the store is written again after {s:.0f} s"):
        ctx.call(queue.release, ctx.consumer_id, ids)
        return False, None
    # Only now: the transaction that stored them has committed.
    ctx.call(queue.ack, ctx.consumer_id, ids)
    return True, done[-1]
