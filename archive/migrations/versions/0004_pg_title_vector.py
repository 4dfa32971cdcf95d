"""PostgreSQL: the folded title in its own tsvector column with its own GIN index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Title matches were found with weight-A restricted queries on the whole-text vector; GIN does
not store weights, so PostgreSQL re-read (detoasted) every candidate article's vector to
check them: hundreds of milliseconds for a common word at 100,000 articles. SQLite is
unchanged (FTS5 has the title in its own column already).
"""

from __future__ import annotations

from alembic import op

from archive.search import rebuild_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_docs ADD COLUMN tv tsvector NOT NULL DEFAULT ''::tsvector")
    rebuild_index(conn)
    op.execute("CREATE INDEX ix_search_docs_tv ON search_docs USING gin (tv)")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_docs_tv")
    op.execute("ALTER TABLE search_docs DROP COLUMN tv")
