"""control plane: the request journal (journal_entries, journal_marks)

The outbox needs no table: it is read from messages, conversation parts and news notifications.

Revision ID: 0010_journal
Revises: 0008_merge_domains
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_journal'
down_revision = '0008_merge_domains'
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('journal_entries',
    sa.Column('id', _id, nullable=False),
    sa.Column('workspace_id', sa.BigInteger(), nullable=True),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Double(), nullable=False),
    sa.Column('request_headers', sa.Text(), nullable=False),
    sa.Column('request_body', sa.Text(), nullable=True),
    sa.Column('request_body_size', sa.Integer(), nullable=False),
    sa.Column('request_body_truncated', sa.Boolean(), nullable=False),
    sa.Column('response_headers', sa.Text(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('response_body_size', sa.Integer(), nullable=False),
    sa.Column('response_body_truncated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_workspace', ['workspace_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_request_id'), ['request_id'], unique=False)
    op.create_table('journal_marks',
    sa.Column('workspace_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('cleared_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_journal_marks'))
    )


def downgrade() -> None:
    op.drop_table('journal_marks')
    op.drop_table('journal_entries')
