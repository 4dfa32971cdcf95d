"""SQLite: the folded title in its own FTS5 table (`search_titles`), filled from the versions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

The title tier of the ranking ("every query item in the title") used a column filter on
`search_fts`: FTS5 then walks every article that has all the words anywhere and reads each
one's positions to find those with them in the title. For three common words at 1,000,000
articles that walk took up to 50 ms, most of a search. A title-only index answers from lists
about twenty times shorter, as PostgreSQL's title vector does since revision 0004. The
`ft` column stays in `search_fts` (phrases of the any-match tier may lie in the title).
PostgreSQL is unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from archive.search import index_values

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_titles USING fts5("
        "t, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 0')"
    )
    # only the titles: the text index is already right, no need to rebuild it
    result = conn.execute(sa.text(
        "SELECT a.id, v.title FROM articles a "
        "JOIN article_versions v ON v.id = a.current_version_id ORDER BY a.id"
    ).execution_options(yield_per=5000))
    insert = sa.text("INSERT INTO search_titles (rowid, t) VALUES (:id, :ft)")
    for batch in result.partitions(5000):
        conn.execute(insert, [{"id": aid, "ft": index_values(title, None, None, "sqlite")["ft"]}
                              for aid, title in batch])


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_titles")
