"""Search index: FTS5 table on SQLite, tsvector table on PostgreSQL; indexes existing articles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The index holds words folded and exact as cut by `archive.search.index_values` (see the
module docstring for why the words are cut in Python on both engines). Articles stored under
0001 are indexed here, so an upgraded store is searchable at once.
"""

from __future__ import annotations

from alembic import op

from archive.search import rebuild_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "ft, fb, xt, xb, tokenize = 'unicode61 remove_diacritics 0')"
        )
    else:
        op.execute(
            "CREATE TABLE search_docs ("
            " article_id BIGINT PRIMARY KEY REFERENCES articles(id),"
            " fv tsvector NOT NULL,"
            " xv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_docs_fv ON search_docs USING gin (fv)")
        op.execute("CREATE INDEX ix_search_docs_xv ON search_docs USING gin (xv)")
    rebuild_index(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP TABLE search_docs")
