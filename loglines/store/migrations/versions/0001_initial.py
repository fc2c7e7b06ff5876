"""The first schema: hits keyed by their line, agents, sessions, statistic
counters and what they cover, lines seen per hour.

Written out rather than made from ``schema.metadata``, so that this
revision stays what it was when ``schema.py`` moves on; the test of the
migrations checks that head and ``schema.py`` agree.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("text", name="uq_agents_text"),
    )
    op.create_table(
        "hits",
        sa.Column("key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("t", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("client", sa.Text(), nullable=True),
        sa.Column("item", sa.Text(), nullable=True),
        sa.Column("kind", sa.SmallInteger(), nullable=True),
        sa.Column("chain", sa.LargeBinary(length=8), nullable=True),
        sa.Column("session", sa.LargeBinary(length=8), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_hits_agent_id_agents"),
        sa.PrimaryKeyConstraint("key", name="pk_hits"),
    )
    op.create_index("ix_hits_chain_t", "hits", ["chain", "t"], unique=False)
    op.create_index("ix_hits_t", "hits", ["t"], unique=False)
    op.create_table(
        "sessions",
        sa.Column("sid", sa.LargeBinary(length=8), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("investigations", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sid", name="pk_sessions"),
    )
    op.create_index("ix_sessions_day", "sessions", ["day"], unique=False)
    op.create_table(
        "stat_counts",
        sa.Column("stat", sa.Text(), nullable=False),
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stat", "bucket", "key", "field", name="pk_stat_counts"),
    )
    op.create_table(
        "stat_state",
        sa.Column("stat", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=True),
        sa.Column("until", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("stat", name="pk_stat_state"),
    )
    op.create_table(
        "lines_hourly",
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service", "hour", name="pk_lines_hourly"),
    )


def downgrade():
    op.drop_table("lines_hourly")
    op.drop_table("stat_state")
    op.drop_table("stat_counts")
    op.drop_index("ix_sessions_day", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_hits_t", table_name="hits")
    op.drop_index("ix_hits_chain_t", table_name="hits")
    op.drop_table("hits")
    op.drop_table("agents")
