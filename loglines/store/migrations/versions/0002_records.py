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


def downgrade():
    op.drop_index("ix_records_name", table_name="records")
    op.drop_index("ix_records_level_t_ms", table_name="records")
    op.drop_index("ix_records_t_ms_seq", table_name="records")
    op.drop_table("records")
