"""help center: help centers, collections, articles, and the articles' full-text index

Revision ID: 0003_help_center
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_help_center'
down_revision = '0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

# SQLite: an external-content FTS5 table over articles, kept in sync by triggers, so that every
# writer (the API, a reset, a snapshot import) leaves the index consistent. It indexes the default
# locale's columns and the other locales' (translated_*: one line per locale).
FTS_COLUMNS = 'title, description, body_text, translated_titles, translated_descriptions, translated_body_text'
NEW_VALUES = ', '.join(f'new.{name}' for name in FTS_COLUMNS.split(', '))
OLD_VALUES = ', '.join(f'old.{name}' for name in FTS_COLUMNS.split(', '))
SQLITE_FTS = [
    f"""CREATE VIRTUAL TABLE articles_fts USING fts5(
        {FTS_COLUMNS},
        content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
    END""",
    f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES});
    END""",
    f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES});
        INSERT INTO articles_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
    END""",
]

# PostgreSQL: a stored generated tsvector column with a GIN index. Stored, so ranking reads it
# instead of re-parsing every matching article (ts_rank over a plain expression index
# re-computes the document for each match). Every locale's title weighs A, description B,
# body C. The column is PostgreSQL's own, so it is not in the SQLAlchemy metadata:
# opencom.articles.search.PG_DOCUMENT names it.
PG_FTS = [
    """ALTER TABLE articles ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C') ||
        setweight(to_tsvector('english'::regconfig, coalesce(translated_titles, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(translated_descriptions, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(translated_body_text, '')), 'C')) STORED""",
    "CREATE INDEX ix_articles_fts ON articles USING GIN (search_document)",
]


def upgrade() -> None:
    op.create_table('help_centers',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('identifier', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('website_turned_on', sa.Boolean(), nullable=False),
    sa.Column('custom_domain', sa.String(length=255), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_help_centers_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_centers')),
    sa.UniqueConstraint('workspace_id', 'identifier', name=op.f('uq_help_centers_workspace_id_identifier')),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_help_centers_workspace_id'), 'help_centers', ['workspace_id'], unique=False)

    op.create_table('help_center_collections',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('help_center_id', ID, nullable=False),
    sa.Column('parent_id', ID, nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('icon', sa.String(length=64), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('translated_content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['help_center_id'], ['help_centers.id'], name=op.f('fk_help_center_collections_help_center_id_help_centers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['help_center_collections.id'], name=op.f('fk_help_center_collections_parent_id_help_center_collections'), ondelete='CASCADE', initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_help_center_collections_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_center_collections')),
    sqlite_autoincrement=True
    )
    op.create_index('ix_help_center_collections_list', 'help_center_collections', ['workspace_id', 'updated_at', 'id'], unique=False)
    op.create_index('ix_help_center_collections_parent_id', 'help_center_collections', ['parent_id'], unique=False)
    op.create_index(op.f('ix_help_center_collections_help_center_id'), 'help_center_collections', ['help_center_id'], unique=False)

    op.create_table('articles',
    sa.Column('id', ID, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('parent_id', ID, nullable=True),
    sa.Column('help_center_id', ID, nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('translated_content', sa.JSON(), nullable=False),
    sa.Column('translated_titles', sa.Text(), server_default='', nullable=False),
    sa.Column('translated_descriptions', sa.Text(), server_default='', nullable=False),
    sa.Column('translated_body_text', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['help_center_id'], ['help_centers.id'], name=op.f('fk_articles_help_center_id_help_centers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['help_center_collections.id'], name=op.f('fk_articles_parent_id_help_center_collections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_articles_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sqlite_autoincrement=True
    )
    op.create_index('ix_articles_list', 'articles', ['workspace_id', 'updated_at', 'id'], unique=False)
    op.create_index('ix_articles_parent_id', 'articles', ['parent_id'], unique=False)
    op.create_index('ix_articles_help_center_id', 'articles', ['help_center_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == 'sqlite' else PG_FTS if dialect == 'postgresql' else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in ('articles_fts_update', 'articles_fts_delete', 'articles_fts_insert'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS articles_fts')
    elif dialect == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_articles_fts')
    op.drop_table('articles')
    op.drop_table('help_center_collections')
    op.drop_table('help_centers')
