"""Vietnamese full-text search over the current version of every article, on SQLite or PostgreSQL.

How text is indexed (the same on both engines, so both return the same articles):
- the text is cut into words in Python (NFC, runs of letters and digits);
- every word is indexed twice: *folded* (`scraper.fold.fold`: lower case, no diacritics,
  đ→d) and *exact* (lower case, diacritics kept, the tone mark moved to the end of the
  syllable as a digit — 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng — so the old and new tone
  placements "hoà" and "hòa" give the same key "hoa2");
- SQLite stores the words in an FTS5 table (`search_fts`: ft/fb folded title/text, xt/xb exact
  title/text; tokenizer unicode61 without diacritic removal, which only splits on the spaces
  we put); PostgreSQL stores `tsvector`s built from the same word lists with the same
  positions (`search_docs.fv`/`xv`, GIN indexed), so no PostgreSQL dictionary, `unaccent`
  rule or parser decides anything. That is why the results are the same: `unaccent` and
  FTS5's `remove_diacritics` fold differently (FTS5 never folds đ; to_tsvector's parser
  splits "HĐND-UBND" into three lexemes where FTS5 sees two).

How a query matches: every word/phrase must match the folded index (so "pho lu thi dua"
finds "Phố Lu thi đua"); when the query carries any diacritic, articles where more of the
query items also match the exact index rank first (so "Phố Lu thi đua" puts the Phố Lu notice
above "thì dựa" or "lũ" collisions). See `parse_query` for the accepted syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from scraper.fold import fold

# Tone marks (combining, after NFD) and the digit that stands for each in exact keys.
TONE_DIGITS: dict[str, str] = {
    "\u0301": "1",  # sắc
    "\u0300": "2",  # huyền
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0323": "5",  # nặng
}
_WORD = re.compile(r"[^\W_]+")
MAX_WORD = 100  # longer "words" (base64 blobs, URLs glued together) are not indexed
PG_MAX_POS = 16383  # PostgreSQL keeps positions up to this value
PG_MAX_POSITIONS = 256  # ... and at most this many positions per lexeme


def words(text: str | None) -> list[str]:
    """The words of a text as written (NFC), in order."""
    if not text:
        return []
    return [w for w in _WORD.findall(unicodedata.normalize("NFC", text)) if len(w) <= MAX_WORD]


def exact_key(word: str) -> str:
    """Lower case, vowel marks kept, tone mark as a trailing digit: hòa/hoà → "hoa2"."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        digit = TONE_DIGITS.get(ch)
        if digit:
            tone = digit
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def folded_key(word: str) -> str:
    """The folded form of one word: "Đua" → "dua"."""
    return fold(word)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark or đ (the user typed diacritics)."""
    return fold(text) != text.lower()


def document_words(
    title: str | None, lead: str | None, body: str | None
) -> tuple[list[str], list[str]]:
    """The title words and the text words (lead then body) of an article version."""
    return words(title), words(lead) + words(body)


def _pg_vector(title_keys: list[str], text_keys: list[str]) -> str:
    """A tsvector literal: title words weighted A, positions as in the FTS5 columns."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for keys, weight in ((title_keys, "A"), (text_keys, "")):
        for key in keys:
            pos += 1
            slots = positions.setdefault(key, [])
            if len(slots) < PG_MAX_POSITIONS:
                slots.append(f"{min(pos, PG_MAX_POS)}{weight}")
        pos += 1  # a gap so that a phrase cannot run from the title into the text
    return " ".join(f"'{key}':{','.join(slots)}" for key, slots in positions.items())


def index_values(title: str | None, lead: str | None, body: str | None) -> dict[str, str]:
    """What the index holds for one version: folded and exact word lists, space-separated."""
    title_words, text_words = document_words(title, lead, body)
    ft = [folded_key(w) for w in title_words]
    fb = [folded_key(w) for w in text_words]
    xt = [exact_key(w) for w in title_words]
    xb = [exact_key(w) for w in text_words]
    return {
        "ft": " ".join(ft),
        "fb": " ".join(fb),
        "xt": " ".join(xt),
        "xb": " ".join(xb),
        "fv": _pg_vector(ft, fb),
        "xv": _pg_vector(xt, xb),
    }


def write_index(conn: Any, article_id: int, title: str | None, lead: str | None,
                body: str | None) -> None:
    """Index (or re-index) an article's current version inside the caller's transaction."""
    import sqlalchemy as sa

    values = index_values(title, lead, body)
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), {"id": article_id})
        conn.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, ft, fb, xt, xb) VALUES (:id, :ft, :fb, :xt, :xb)"
            ),
            {"id": article_id, **{k: values[k] for k in ("ft", "fb", "xt", "xb")}},
        )
    else:
        conn.execute(
            sa.text(
                "INSERT INTO search_docs (article_id, fv, xv) "
                "VALUES (:id, CAST(:fv AS tsvector), CAST(:xv AS tsvector)) "
                "ON CONFLICT (article_id) DO UPDATE SET fv = EXCLUDED.fv, xv = EXCLUDED.xv"
            ),
            {"id": article_id, "fv": values["fv"], "xv": values["xv"]},
        )


def rebuild_index(conn: Any, article_ids: Iterable[int] | None = None) -> int:
    """Re-index the current version of the given (or all) articles; returns how many."""
    import sqlalchemy as sa

    sql = (
        "SELECT a.id, v.title, v.lead, v.body_text FROM articles a "
        "JOIN article_versions v ON v.id = a.current_version_id"
    )
    rows = conn.execute(sa.text(sql)).all()
    wanted = set(article_ids) if article_ids is not None else None
    n = 0
    for article_id, title, lead, body in rows:
        if wanted is not None and article_id not in wanted:
            continue
        write_index(conn, article_id, title, lead, body)
        n += 1
    return n
