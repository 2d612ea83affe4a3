"""per-workspace clocks: workspaces.clock_frozen_at and workspaces.clock_offset

Revision ID: 0011_workspace_clock
Revises: 0008_merge_domains
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0011_workspace_clock"
down_revision = "0008_merge_domains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable, or with a default) work on both SQLite and PostgreSQL.
    op.add_column("workspaces", sa.Column("clock_frozen_at", sa.Double(), nullable=True))
    op.add_column("workspaces", sa.Column("clock_offset", sa.Double(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.drop_column("clock_offset")
        batch_op.drop_column("clock_frozen_at")
