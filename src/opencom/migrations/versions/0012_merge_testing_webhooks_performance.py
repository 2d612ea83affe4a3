"""merge the side-by-side migrations of webhooks, the journal, workspace clocks and search indexes

Revision ID: 0012_merge
Revises: 0009_search_indexes, 0009_webhooks, 0010_journal, 0011_workspace_clock
Create Date: 2026-11-26
"""

revision = "0012_merge"
down_revision = ("0009_search_indexes", "0009_webhooks", "0010_journal", "0011_workspace_clock")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
