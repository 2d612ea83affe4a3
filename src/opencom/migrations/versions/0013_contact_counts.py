"""contact_counts: each workspace's number of listed (unarchived) contacts, kept by triggers (SQLite)

GET /contacts answers total_count; counting a million contacts' index entries took ~40 ms of
CPU per page. On SQLite (one writer at a time) triggers keep the number per workspace, so every
path that adds, removes, archives or moves contacts (the API, merges, seeding, snapshot import,
resets, a deleted workspace's cascade) keeps it right without knowing of it. On PostgreSQL the
list still counts: concurrent writers would all queue on a workspace's one counter row.

A later migration that rebuilds the contacts table on SQLite (batch_alter_table) drops these
triggers and must create them again (`create_triggers`).

Revision ID: 0013_contact_counts
Revises: 0012_merge
Create Date: 2026-11-26
"""
from alembic import op


revision = "0013_contact_counts"
down_revision = "0012_merge"
branch_labels = None
depends_on = None

TRIGGERS = [
    """CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts WHEN NEW.archived = 0
    BEGIN
        INSERT INTO contact_counts (workspace_id, visible) VALUES (NEW.workspace_id, 1)
        ON CONFLICT (workspace_id) DO UPDATE SET visible = visible + 1;
    END""",
    """CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts WHEN OLD.archived = 0
    BEGIN
        UPDATE contact_counts SET visible = visible - 1 WHERE workspace_id = OLD.workspace_id;
    END""",
    # Fires whenever either column is SET, changed or not: the two statements then cancel out.
    """CREATE TRIGGER contact_counts_update AFTER UPDATE OF archived, workspace_id ON contacts
    BEGIN
        UPDATE contact_counts SET visible = visible - 1 WHERE workspace_id = OLD.workspace_id AND OLD.archived = 0;
        INSERT INTO contact_counts (workspace_id, visible) SELECT NEW.workspace_id, 1 WHERE NEW.archived = 0
        ON CONFLICT (workspace_id) DO UPDATE SET visible = visible + 1;
    END""",
]


def create_triggers() -> None:
    for statement in TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE contact_counts ("
        " workspace_id INTEGER NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,"
        " visible INTEGER NOT NULL)"
    )
    op.execute(
        "INSERT INTO contact_counts (workspace_id, visible)"
        " SELECT workspace_id, count(*) FROM contacts WHERE archived = 0 GROUP BY workspace_id"
    )
    create_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("contact_counts_insert", "contact_counts_delete", "contact_counts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS contact_counts")
