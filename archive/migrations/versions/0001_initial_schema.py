"""Initial schema: sources, unit snapshots, runs, articles, versions, officials, events.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _current_version_fk_inline() -> list[sa.ForeignKeyConstraint]:
    if not _is_sqlite():
        return []
    return [
        sa.ForeignKeyConstraint(
            ['current_version_id'], ['article_versions.id'], name='fk_articles_current_version'
        )
    ]


def upgrade() -> None:
    op.create_table('crawl_runs',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('source_ids', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('monitor_cursors',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('officials',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('sources',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=50), nullable=True),
    sa.Column('province', sa.Text(), nullable=True),
    sa.Column('district', sa.Text(), nullable=True),
    sa.Column('commune', sa.Text(), nullable=True),
    sa.Column('successor', sa.Text(), nullable=True),
    sa.Column('start_urls', sa.JSON(), nullable=False),
    sa.Column('platform', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('articles',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('current_version_id', BigId, nullable=True),
    sa.Column('version_count', sa.Integer(), nullable=False),
    # articles <-> article_versions reference each other: SQLite takes the foreign key
    # inline (it cannot add one later), PostgreSQL gets it once article_versions exists.
    *_current_version_fk_inline(),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'url', name='uq_articles_source_url')
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_source_status', ['source_id', 'status'], unique=False)

    op.create_table('source_units',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=50), nullable=True),
    sa.Column('province', sa.Text(), nullable=True),
    sa.Column('district', sa.Text(), nullable=True),
    sa.Column('commune', sa.Text(), nullable=True),
    sa.Column('successor', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('source_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_units_source_id'), ['source_id'], unique=False)

    op.create_table('article_urls',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('article_id', BigId, nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'url', name='uq_article_urls_source_url')
    )
    with op.batch_alter_table('article_urls', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_article_urls_article_id'), ['article_id'], unique=False
        )

    op.create_table('article_versions',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('article_id', BigId, nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_id', BigId, nullable=True),
    sa.Column('unit_id', BigId, nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('canonical_url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published_at', sa.String(length=40), nullable=True),
    sa.Column('published_date', sa.Date(), nullable=True),
    sa.Column('published_raw', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.String(length=40), nullable=True),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('lead', sa.Text(), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('platform', sa.String(length=50), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('encoding', sa.String(length=40), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('warc_file', sa.Text(), nullable=True),
    sa.Column('warc_offset', sa.BigInteger(), nullable=True),
    sa.Column('warc_record_id', sa.Text(), nullable=True),
    sa.Column('payload_digest', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['source_units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'content_hash', name='uq_versions_article_hash'),
    sa.UniqueConstraint('article_id', 'number', name='uq_versions_article_number')
    )
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.create_index('ix_versions_published_date', ['published_date'], unique=False)
    if not _is_sqlite():
        op.create_foreign_key(
            'fk_articles_current_version', 'articles', 'article_versions',
            ['current_version_id'], ['id'],
        )

    op.create_table('attachments',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('version_id', BigId, nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_version_id'), ['version_id'], unique=False)

    op.create_table('events',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('article_id', BigId, nullable=True),
    sa.Column('version_id', BigId, nullable=True),
    sa.Column('source_id', sa.String(length=200), nullable=True),
    sa.Column('run_id', BigId, nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_source_id', ['source_id', 'id'], unique=False)

    op.create_table('images',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('version_id', BigId, nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_images_version_id'), ['version_id'], unique=False)

    op.create_table('mentions',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('version_id', BigId, nullable=False),
    sa.Column('official_id', BigId, nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('position', sa.Text(), nullable=False),
    sa.Column('position_expanded', sa.Text(), nullable=False),
    sa.Column('cue', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentions_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentions_version_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_official_id'))

    op.drop_table('mentions')
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_images_version_id'))

    op.drop_table('images')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_source_id')

    op.drop_table('events')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_version_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_versions_published_date')

    if not _is_sqlite():
        op.drop_constraint('fk_articles_current_version', 'articles', type_='foreignkey')
    op.drop_table('article_versions')
    with op.batch_alter_table('article_urls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_urls_article_id'))

    op.drop_table('article_urls')
    with op.batch_alter_table('source_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_units_source_id'))

    op.drop_table('source_units')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_source_status')

    op.drop_table('articles')
    op.drop_table('sources')
    op.drop_table('officials')
    op.drop_table('monitor_cursors')
    op.drop_table('crawl_runs')
