"""search indexes: contact name prefix, tag membership, custom attributes in use

Revision ID: 0009_search_indexes
Revises: 0008_merge_domains
Create Date: 2026-11-26

- `name ^ 'x'` reads a range of an index: on SQLite `name COLLATE NOCASE` (its LIKE folds ASCII
  case, as the index does), on PostgreSQL `lower(name) text_pattern_ops` (LIKE on lower()).
  SQLite's also holds (archived, created_at, id), so a search page's ids come from it alone.
- contact_tags gets (tag_id, contact_id), covering "the contacts with this tag"; it replaces
  the single-column index on tag_id.
- Custom attributes defined before this revision get their expression index now; later ones
  get it when they are created (opencom.contacts.indexes).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_search_indexes'
down_revision = '0008_merge_domains'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_contacts_name_lower ON contacts (workspace_id, lower(name) text_pattern_ops)')
    else:
        op.execute('CREATE INDEX ix_contacts_name_nocase ON contacts (workspace_id, name COLLATE NOCASE, archived, created_at, id)')
    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.create_index('ix_contact_tags_tag_contact', ['tag_id', 'contact_id'], unique=False)
        batch_op.drop_index('ix_contact_tags_tag_id')
    _index_defined_attributes()


def _index_defined_attributes() -> None:
    from sqlalchemy.orm import Session

    from opencom.contacts.indexes import ensure_attribute_index

    session = Session(bind=op.get_bind())
    rows = session.execute(sa.text(
        "SELECT DISTINCT model, name, data_type FROM data_attributes WHERE custom = :t ORDER BY model, name"
    ), {"t": True}).all()
    for model, name, data_type in rows:
        ensure_attribute_index(session, model, name, data_type)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.create_index('ix_contact_tags_tag_id', ['tag_id'], unique=False)
        batch_op.drop_index('ix_contact_tags_tag_contact')
    if op.get_context().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_contacts_name_lower')
    else:
        op.execute('DROP INDEX ix_contacts_name_nocase')
