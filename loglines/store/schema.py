"""The tables of the store, in SQLAlchemy Core (docs/design.md, The store).

The schema changes only through the Alembic migrations in ``migrations/``
(``loglines store migrate``); these definitions are what the code reads
and writes, and a test checks that the migrations build exactly them.

Times are whole seconds since the epoch (UTC) in ``BigInteger`` columns:
the same on SQLite and PostgreSQL, and cheap to index and compare.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Constraint names spelled the same on both databases, so a migration can
# name what it drops.
metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

#: ``hits.kind``: what COUNTER counts the event as (NULL: not an event).
INVESTIGATION, REQUEST = 1, 2

# User agents repeat on most lines: stored once, referred to by id.
agents = Table(
    "agents", metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False, unique=True),
)

# One row per log line the plugin evaluated, keyed by a hash of the
# service and the line itself: a line seen again (a queue repeat, a
# replay, a backfill of the same archive) finds its row and counts nothing.
hits = Table(
    "hits", metadata,
    Column("key", LargeBinary(16), primary_key=True),
    Column("service", Text, nullable=False),
    Column("t", BigInteger, nullable=False),
    # Why the line is not an event (robot, status_206, not_an_item_url, ...);
    # NULL for an event.
    Column("reason", Text),
    # What a rebuild re-evaluates; NULL for lines excluded by rules COUNTER
    # fixes once and for all (the method, the status, an unreadable line).
    Column("method", Text),
    Column("status", SmallInteger),
    Column("target", Text),
    Column("agent_id", Integer, ForeignKey("agents.id")),
    Column("client", Text),  # hashed or kept as the section's req_id says
    # The event, when the line is one.
    Column("item", Text),  # the OAI identifier
    Column("kind", SmallInteger),
    # Double-click chain (client, agent, URL) and COUNTER session (client,
    # agent, date, hour), hashed.
    Column("chain", LargeBinary(8)),
    Column("session", LargeBinary(8)),
    # Kept by double-click filtering: no later hit of its chain within 30 s.
    Column("counted", Boolean, nullable=False, default=False),
    Index(None, "chain", "t"),
    Index(None, "t"),
)

# Counted hits per item and session, under a hash of the two: a session
# counts once towards Unique_Item_Investigations while ``investigations``
# (every hit) is above zero, and towards Unique_Item_Requests while
# ``requests`` is.
sessions = Table(
    "sessions", metadata,
    Column("sid", LargeBinary(8), primary_key=True),
    Column("day", Integer, nullable=False),  # YYYYMMDD, what a rebuild clears from
    Column("investigations", Integer, nullable=False),
    Column("requests", Integer, nullable=False),
    Index(None, "day"),
)

# Every statistic's figures: a counter per bucket (a day, a month, ...),
# key (an item, a reason, a service) and field.
stat_counts = Table(
    "stat_counts", metadata,
    Column("stat", Text, primary_key=True),
    Column("bucket", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("field", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# What each statistic covers: the span of time its figures were built over.
stat_state = Table(
    "stat_state", metadata,
    Column("stat", Text, primary_key=True),
    Column("version", Text, nullable=False),
    Column("since", BigInteger),
    Column("until", BigInteger),
)

# Lines seen per service and hour, for the span covered and the gap report.
lines_hourly = Table(
    "lines_hourly", metadata,
    Column("service", Text, primary_key=True),
    Column("hour", BigInteger, primary_key=True),  # seconds since the epoch / 3600
    Column("lines", Integer, nullable=False),
)

# Log records (Chronologer's record resource; docs/design.md, Log records).
# ``id`` is the key the ingest endpoint answered the POST with, derived from
# the record itself, so a POST sent again or a queue item delivered again
# finds its row. ``seq`` is the order of storing, which ``loglines records
# tail`` follows; ``t_ms`` is the record's own time in milliseconds, since
# records of one second must keep their order. ``logrec`` holds ``data``
# (the ``extra`` fields) and ``meta`` (the LogRecord's own), JSONB on
# PostgreSQL so that the filter language can reach into it. The full-text
# index of ``message`` is the migration's alone (``records_fts``, an FTS5
# table, on SQLite; a GIN index of ``to_tsvector('simple', message)`` on
# PostgreSQL): neither is a thing SQLAlchemy's Table can describe.
records = Table(
    "records", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("id", Text, nullable=False, unique=True),
    Column("t_ms", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("message", Text, nullable=False),
    Column("logrec", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Index(None, "t_ms", "seq"),
    Index(None, "level", "t_ms"),
    Index(None, "name"),
)

#: What the migration made beside ``records`` for full-text search.
FULL_TEXT = ("records_fts", "ix_records_message_fts")
