"""SQLite search index without a copy of the text: contentless FTS5, no column sizes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Revision 0002 kept a copy of every indexed word list inside the FTS5 table, doubling the
index (about 7.8 KB per article); nothing reads it back (snippets come from the versions),
and ranking does not use FTS5's bm25, so neither the copy nor the column sizes are needed.
The table is rebuilt from the current versions. PostgreSQL is unchanged.
"""

from __future__ import annotations

from alembic import op

from archive.search import rebuild_index

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "ft, fb, xt, xb, content = '', columnsize = 0, "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )
    rebuild_index(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "ft, fb, xt, xb, tokenize = 'unicode61 remove_diacritics 0')"
    )
    rebuild_index(conn)
