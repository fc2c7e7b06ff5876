"""Opening the store for a worker: waiting while it cannot be reached,
refusing to start while its schema is not this loglines' own."""

from ..errors import StoreError, StoreUnavailable
from ..runtime.retrying import until_done
from ..store.engine import describe, open_engine
from ..store.migrate import UNREACHABLE, state

RETRY_EVERY = 5.0


def open_store(ctx):
    """The engine of the ``[store]``, once it answers; None when asked to
    stop first. StoreError (one line) when it is not migrated."""
    engine = open_engine(ctx.config.store.url, str(ctx.config.path))
    found = []

    def look():
        current = state(engine)
        if current.status == UNREACHABLE:
            raise StoreUnavailable(current.detail)
        found.append(current)

    if not until_done(ctx, look, (StoreUnavailable,), RETRY_EVERY,
                      lambda err: f"the store {describe(engine.url)} is unreachable ({err})",
                      lambda s: f"the store answers again after {s:.0f} s"):
        engine.dispose()
        return None
    if not found[-1].ok:
        engine.dispose()
        raise StoreError(f"{ctx.config.path}: [store] {describe(engine.url)}: "
                         f"{found[-1].describe()}")
    return engine
