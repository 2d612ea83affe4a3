"""merge the side-by-side domain migrations into one head

Revision ID: 0008_merge_domains
Revises: 0003_help_center, 0004_news, 0005_conversations, 0006_tickets, 0007_data_export
Create Date: 2026-11-25
"""

revision = "0008_merge_domains"
down_revision = ("0003_help_center", "0004_news", "0005_conversations", "0006_tickets", "0007_data_export")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
