"""news: newsfeeds, news items, their newsfeed assignments, and recorded notifications

Revision ID: 0004_news
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_news'
down_revision = '0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('newsfeeds',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_newsfeeds_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsfeeds')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('newsfeeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsfeeds_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('news_items',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sender_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('deliver_silently', sa.Boolean(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('reactions', sa.JSON(), nullable=False),
    sa.Column('cover_image_url', sa.String(length=2048), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_news_items_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_items')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('news_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_items_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('newsfeed_assignments',
    sa.Column('news_item_id', ID, nullable=False),
    sa.Column('newsfeed_id', ID, nullable=False),
    sa.Column('published_at', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['news_item_id'], ['news_items.id'], name=op.f('fk_newsfeed_assignments_news_item_id_news_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['newsfeed_id'], ['newsfeeds.id'], name=op.f('fk_newsfeed_assignments_newsfeed_id_newsfeeds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('news_item_id', 'newsfeed_id', name=op.f('pk_newsfeed_assignments'))
    )
    with op.batch_alter_table('newsfeed_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_newsfeed_assignments_feed', ['newsfeed_id', 'published_at'], unique=False)

    op.create_table('news_notifications',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('news_item_id', sa.BigInteger(), nullable=False),
    sa.Column('newsfeed_id', ID, nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['newsfeed_id'], ['newsfeeds.id'], name=op.f('fk_news_notifications_newsfeed_id_newsfeeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_news_notifications_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_notifications')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('news_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_news_notifications_item', ['workspace_id', 'news_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_notifications_newsfeed_id'), ['newsfeed_id'], unique=False)

    # Workspaces that existed before this revision get the newsfeed a new workspace is seeded with.
    op.execute(
        "INSERT INTO newsfeeds (workspace_id, name, created_at, updated_at) "
        "SELECT id, 'Visitor Feed', created_at, created_at FROM workspaces"
    )


def downgrade() -> None:
    op.drop_table('news_notifications')
    op.drop_table('newsfeed_assignments')
    op.drop_table('news_items')
    op.drop_table('newsfeeds')
