"""Writing log records into the store, and purging old ones.

Records are inserted with their id as the key, so a record that comes
again (a POST sent twice, a queue item delivered again) is not stored
twice. Purging deletes in small batches, each its own short transaction,
so that the records worker and the readers are never kept waiting long
(one DELETE of a month of records would hold SQLite's write lock, or
PostgreSQL's row locks, for minutes).
"""

from __future__ import annotations

import time

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..store.engine import writing
from ..store.schema import records

PAUSE = 0.005  # seconds between two purge batches: a writer waiting gets the lock
_COLUMNS = ("id", "t_ms", "name", "level", "message", "logrec")


def _insert(dialect):
    return (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(records)


def keep(conn, batch):
    """Insert the records of ``batch`` not stored yet; (stored, repeated)."""
    unique = {r["id"]: r for r in batch}
    ids = list(unique)
    found = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found |= set(conn.scalars(select(records.c.id).where(records.c.id.in_(chunk))))
    new = [{k: r[k] for k in _COLUMNS} for i, r in unique.items() if i not in found]
    if new:
        conn.execute(_insert(conn.dialect).on_conflict_do_nothing(), new)
    return len(new), len(batch) - len(new)


def purge(engine, before_ms, batch=1000, budget=None, stop=None):
    """Delete the records older than ``before_ms``, ``batch`` per
    transaction; (deleted, done). Stops early, not done, after ``budget``
    seconds or once ``stop`` (an Event) is set."""
    oldest = (select(records.c.seq).where(records.c.t_ms < before_ms)
              .order_by(records.c.t_ms).limit(batch))
    statement = delete(records).where(records.c.seq.in_(oldest.scalar_subquery()))
    started, deleted = time.monotonic(), 0
    while True:
        with writing(engine) as conn:
            n = conn.execute(statement).rowcount
        deleted += n
        if n < batch:
            return deleted, True
        if (budget is not None and time.monotonic() - started > budget) or \
                (stop is not None and stop.is_set()):
            return deleted, False
        time.sleep(PAUSE)
