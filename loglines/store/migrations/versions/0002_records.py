"""Log records: the store of Chronologer's record resource.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "records",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False,
                  autoincrement=True),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("t_ms", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("logrec", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_records"),
        sa.UniqueConstraint("id", name="uq_records_id"),
    )
    op.create_index("ix_records_t_ms_seq", "records", ["t_ms", "seq"], unique=False)
    op.create_index("ix_records_level_t_ms", "records", ["level", "t_ms"], unique=False)
    op.create_index("ix_records_name", "records", ["name"], unique=False)
    # Full-text search of the message (q=): kept by the database itself, so
    # every writer and every purge keeps it right. Not in schema.py, which
    # SQLAlchemy cannot describe (an FTS5 table; an expression index).
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute("CREATE INDEX ix_records_message_fts ON records "
                   "USING gin (to_tsvector('simple', message))")


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE records_fts USING fts5(message, content='records', "
    "content_rowid='seq')",
    "CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN "
    "INSERT INTO records_fts(rowid, message) VALUES (new.seq, new.message); END",
    "CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, message) "
    "VALUES ('delete', old.seq, old.message); END",
]


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER records_fts_delete")
        op.execute("DROP TRIGGER records_fts_insert")
        op.execute("DROP TABLE records_fts")
    else:
        op.drop_index("ix_records_message_fts", table_name="records")
    op.drop_index("ix_records_name", table_name="records")
    op.drop_index("ix_records_level_t_ms", table_name="records")
    op.drop_index("ix_records_t_ms_seq", table_name="records")
    op.drop_table("records")
