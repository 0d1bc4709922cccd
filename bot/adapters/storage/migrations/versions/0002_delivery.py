"""delivery engine: content hash and removal time of each post, the X spending ledger

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "x_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("with_link", sa.Boolean(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_spend")),
    )
    with op.batch_alter_table("x_spend", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_x_spend_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("x_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_x_spend_at"))
    op.drop_table("x_spend")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("content_hash")
