"""Vietnamese full-text search over the current version of every article, on SQLite or PostgreSQL.

How text is indexed (the same on both engines, so both return the same articles):
- the text is cut into words in Python (NFC, runs of letters and digits);
- every word is indexed twice: *folded* (`scraper.fold.fold`: lower case, no diacritics,
  đ→d) and *exact* (lower case, diacritics kept, the tone mark moved to the end of the
  syllable as a digit — 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng — so the old and new tone
  placements "hoà" and "hòa" give the same key "hoa2");
- SQLite stores the words in an FTS5 table (`search_fts`: ft/fb folded title/text, xt/xb exact
  title/text; tokenizer unicode61 without diacritic removal, which only splits on the spaces
  we put) and the folded title once more in its own small FTS5 table (`search_titles`), so
  the title tier reads short title-only lists instead of filtering every text match by
  column; PostgreSQL stores `tsvector`s built from the same word lists with the same
  positions (`search_docs.fv`/`xv`/`tv`, GIN indexed), so no PostgreSQL dictionary, `unaccent`
  rule or parser decides anything. That is why the results are the same: `unaccent` and
  FTS5's `remove_diacritics` fold differently (FTS5 never folds đ; to_tsvector's parser
  splits "HĐND-UBND" into three lexemes where FTS5 sees two).

How a query matches (see QUERY_HELP for the syntax; `parse_query` reads ANY string into
words, phrases, prefixes, exclusions and OR-groups, and only bound, letters-and-digits keys
ever reach the engine, so no input can cause an SQL or FTS syntax error):
- every word/phrase must match the folded index, so "pho lu thi dua" finds "Phố Lu thi đua";
- relevance, computed the same on both engines: articles matching every item with the
  diacritics as typed come first (when the query has any), so "Phố Lu thi đua" puts the
  Phố Lu notice above "thì dựa"/"lũ" collisions; then articles with every item in the
  title; then the newest publication date. Each tier is read newest-first (by capture) from
  the index and cut at CANDIDATES, so a query costs about the same whether it matches 100
  or 900,000 articles; the total (capped at TOTAL_CAP), `--sort date`, timelines and
  exports see every match;
- exclusions (`-word`) use the exact index when the excluded word has diacritics ("-lũ"
  keeps "Lu") and the folded one otherwise;
- only the current version of an article is indexed; older versions stay for provenance.

Known limit: PostgreSQL keeps word positions up to 16,383 per article, so on PostgreSQL a
phrase that only occurs beyond that many words into one article does not match there.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
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
_WORD = re.compile(r"[^\W_]{1,100}")  # longer runs (base64, glued URLs) are cut in pieces
PG_MAX_POS = 16383  # PostgreSQL keeps positions up to this value
PG_MAX_POSITIONS = 256  # ... and at most this many positions per lexeme


def words(text: str | None) -> list[str]:
    """The words of a text as written (NFC), in order."""
    if not text:
        return []
    return _WORD.findall(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=200_000)
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


@lru_cache(maxsize=200_000)
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
            slots = positions.get(key)
            if slots is None:
                positions[key] = [f"{min(pos, PG_MAX_POS)}{weight}"]
            elif len(slots) < PG_MAX_POSITIONS and pos <= PG_MAX_POS:
                slots.append(f"{pos}{weight}")
        pos += 1  # a gap so that a phrase cannot run from the title into the text
    return " ".join([f"'{key}':{','.join(slots)}" for key, slots in positions.items()])


_FOLDED: dict[str, str] = {}  # word -> folded key, memoised (a corpus has ~10^5 words)
_EXACT: dict[str, str] = {}  # word -> exact key
_CACHE_LIMIT = 500_000


def _key_maps(distinct: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Maps word -> folded key and word -> exact key covering `distinct`."""
    folded, exact = _FOLDED, _EXACT
    missing = [w for w in distinct if w not in folded]
    if missing:
        if len(folded) + len(missing) > _CACHE_LIMIT:  # full: answer from fresh maps
            folded = {w: folded_key(w) for w in distinct}
            exact = {w: exact_key(w) for w in distinct}
            return folded, exact
        for w in missing:
            folded[w] = folded_key(w)
            exact[w] = exact_key(w)
    return folded, exact


def index_values(title: str | None, lead: str | None, body: str | None,
                 engine: str = "") -> dict[str, str]:
    """What the index holds for one version: folded and exact word lists, space-separated
    (ft, fb, xt, xb for FTS5) and as tsvector literals (fv, xv for PostgreSQL).

    `engine` "sqlite" or "postgresql" computes only that engine's values.
    """
    title_words, text_words = document_words(title, lead, body)
    try:  # usually every word was seen before: no need to collect the distinct ones
        return _index_values(title_words, text_words, _FOLDED, _EXACT, engine)
    except KeyError:
        folded, exact = _key_maps(set(title_words).union(text_words))
        return _index_values(title_words, text_words, folded, exact, engine)


def _index_values(title_words: list[str], text_words: list[str], folded: dict[str, str],
                  exact: dict[str, str], engine: str) -> dict[str, str]:
    fget, xget = folded.__getitem__, exact.__getitem__
    out: dict[str, str] = {}
    if engine != "postgresql":
        out.update(ft=" ".join(map(fget, title_words)), fb=" ".join(map(fget, text_words)),
                   xt=" ".join(map(xget, title_words)), xb=" ".join(map(xget, text_words)))
    if engine != "sqlite":
        folded_title = list(map(fget, title_words))
        out.update(
            fv=_pg_vector(folded_title, list(map(fget, text_words))),
            xv=_pg_vector(list(map(xget, title_words)), list(map(xget, text_words))),
            tv=_pg_vector([], folded_title),  # title alone: its own GIN index, no recheck
        )
    return out


# search_fts is contentless (it stores only the index, half the size): removing an entry
# means handing FTS5 the values it was indexed with, which `index_values` recomputes from
# the version's text (deterministic; a change of tokenisation comes with a migration that
# rebuilds the index).
_SQLITE_DELETE = (
    "INSERT INTO search_fts (search_fts, rowid, ft, fb, xt, xb) "
    "VALUES ('delete', :id, :ft, :fb, :xt, :xb)"
)
_SQLITE_INSERT = "INSERT INTO search_fts (rowid, ft, fb, xt, xb) VALUES (:id, :ft, :fb, :xt, :xb)"
# the folded title alone (revision 0005 on), contentless too
_SQLITE_TITLE_DELETE = (
    "INSERT INTO search_titles (search_titles, rowid, t) VALUES ('delete', :id, :ft)"
)
_SQLITE_TITLE_INSERT = "INSERT INTO search_titles (rowid, t) VALUES (:id, :ft)"
_PG_UPSERT = (
    "INSERT INTO search_docs (article_id, fv, xv, tv) "
    "VALUES (:id, CAST(:fv AS tsvector), CAST(:xv AS tsvector), CAST(:tv AS tsvector)) "
    "ON CONFLICT (article_id) DO UPDATE SET fv = EXCLUDED.fv, xv = EXCLUDED.xv, tv = EXCLUDED.tv"
)
_PG_UPSERT_0002 = (  # the schema of revisions 0002-0003, before the title vector
    "INSERT INTO search_docs (article_id, fv, xv) "
    "VALUES (:id, CAST(:fv AS tsvector), CAST(:xv AS tsvector)) "
    "ON CONFLICT (article_id) DO UPDATE SET fv = EXCLUDED.fv, xv = EXCLUDED.xv"
)
_STATEMENTS: dict[str, Any] = {}


def _statement(sql: str) -> Any:
    import sqlalchemy as sa

    stmt = _STATEMENTS.get(sql)
    if stmt is None:
        stmt = _STATEMENTS[sql] = sa.text(sql)
    return stmt


def write_index(conn: Any, article_id: int, title: str | None, lead: str | None,
                body: str | None, *,
                previous: tuple[str | None, str | None, str | None] | None = None) -> None:
    """Index an article's current version inside the caller's transaction.

    `previous` is the (title, lead, body) the article was indexed with until now, if any.
    """
    engine = conn.dialect.name
    values = index_values(title, lead, body, engine)
    if engine == "sqlite":
        if previous is not None:
            old = index_values(*previous, engine)
            conn.execute(_statement(_SQLITE_DELETE),
                         {"id": article_id, **{k: old[k] for k in ("ft", "fb", "xt", "xb")}})
            conn.execute(_statement(_SQLITE_TITLE_DELETE), {"id": article_id, "ft": old["ft"]})
        conn.execute(
            _statement(_SQLITE_INSERT),
            {"id": article_id, **{k: values[k] for k in ("ft", "fb", "xt", "xb")}},
        )
        conn.execute(_statement(_SQLITE_TITLE_INSERT), {"id": article_id, "ft": values["ft"]})
    else:
        conn.execute(_statement(_PG_UPSERT), {"id": article_id, **values})


def write_index_many(conn: Any, docs: list[tuple[int, str | None, str | None, str | None]],
                     *, pg_title_vector: bool = True, sqlite_titles: bool = True) -> None:
    """Index new articles (id, title, lead, body) with one multi-row statement per table.

    `pg_title_vector=False` writes the PostgreSQL index as revisions 0002-0003 had it,
    `sqlite_titles=False` the SQLite one as revisions 0002-0004 had it (no title table)."""
    if not docs:
        return
    engine = conn.dialect.name
    rows = [{"id": aid, **index_values(title, lead, body, engine)}
            for aid, title, lead, body in docs]
    if engine == "sqlite":
        sql = _SQLITE_INSERT
        if sqlite_titles:
            conn.execute(_statement(_SQLITE_TITLE_INSERT), rows)
    else:
        sql = _PG_UPSERT if pg_title_vector else _PG_UPSERT_0002
        if not pg_title_vector:
            for row in rows:
                del row["tv"]
    conn.execute(_statement(sql), rows)


def rebuild_index(conn: Any) -> int:
    """Empty the index and index the current version of every article; returns how many."""
    import sqlalchemy as sa

    titles = False
    if conn.dialect.name == "sqlite":
        ddl = conn.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE name = 'search_fts'")).scalar() or ""
        if "content" in ddl:  # contentless (revision 0003 on)
            conn.execute(sa.text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
        else:
            conn.execute(sa.text("DELETE FROM search_fts"))
        titles = bool(conn.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_titles'")).scalar())
        if titles:  # revision 0005 on
            conn.execute(sa.text(
                "INSERT INTO search_titles (search_titles) VALUES ('delete-all')"))
    title_vector = True
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DELETE FROM search_docs"))
        title_vector = bool(conn.execute(sa.text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'search_docs' AND column_name = 'tv'")).scalar())
    result = conn.execute(sa.text(
        "SELECT a.id, v.title, v.lead, v.body_text FROM articles a "
        "JOIN article_versions v ON v.id = a.current_version_id ORDER BY a.id"
    ).execution_options(yield_per=1000))
    n = 0
    for batch in result.partitions(1000):
        write_index_many(conn, [tuple(row) for row in batch], pg_title_vector=title_vector,
                         sqlite_titles=titles)
        n += len(batch)
    return n


# --------------------------------------------------------------------------- queries
QUERY_HELP = """\
Query syntax (the same on SQLite and PostgreSQL):
  words            every word must occur (any order); diacritics optional: "pho lu" finds
                   "Phố Lu"; typed with diacritics, exact matches rank first
  "a phrase"       the words in this order
  -word -"phrase"  exclude articles containing it (exactly as typed when it has diacritics)
  word*            words starting with it
  a OR b           either side (AND binds tighter: "a b OR c" = (a and b) or c)
Anything else (parentheses, NEAR, quotes left open, SQL) is read as plain words.
A query that starts with "-" goes last, after "--": bantin search --limit 5 -- "-lũ thi đua"."""

HIGHLIGHT = ("«", "»")  # snippet markers around matched words
ELLIPSIS = "…"


class SearchError(Exception):
    """A query or filter that cannot be run; the message says why, for the user."""


@dataclass
class Item:
    """One query item: a word or a phrase, maybe a prefix, maybe excluded."""

    words: list[str]
    prefix: bool = False
    negate: bool = False

    @property
    def folded(self) -> list[str]:
        return [folded_key(w) for w in self.words]

    @property
    def exact(self) -> list[str]:
        keys = [exact_key(w) for w in self.words]
        if self.prefix:  # the tone digit sits at the end: a prefix matches the bare syllable
            keys[-1] = keys[-1].rstrip("12345") or keys[-1]
        return keys

    @property
    def has_diacritics(self) -> bool:
        return any(has_diacritics(w) for w in self.words)

    def fts5(self, exact: bool) -> str:
        keys = self.exact if exact else self.folded
        return '"' + " ".join(keys) + '"' + ("*" if self.prefix else "")

    def tsquery(self, exact: bool) -> str:
        """PostgreSQL tsquery text of this item."""
        keys = [f"'{k}'" for k in (self.exact if exact else self.folded)]
        if self.prefix:
            keys[-1] += ":*"
        return keys[0] if len(keys) == 1 else "(" + " <-> ".join(keys) + ")"


@dataclass
class ParsedQuery:
    groups: list[list[Item]] = field(default_factory=list)  # OR of AND-groups
    excluded: list[Item] = field(default_factory=list)
    diacritics: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def positives(self) -> list[Item]:
        return [item for group in self.groups for item in group]

    @property
    def empty(self) -> bool:
        return not self.groups


def _scan(query: str, notes: list[str]) -> list[tuple[str, str, bool]]:
    """Split a query into (kind, text, negated) pieces: kind is "phrase" or "word"."""
    pieces: list[tuple[str, str, bool]] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        negate = False
        if query[i] == "-" and i + 1 < n and not query[i + 1].isspace():
            negate = True
            i += 1
        if query[i] == '"':
            end = query.find('"', i + 1)
            if end == -1:
                notes.append("unbalanced quote: the phrase was read to the end of the query")
                end = n
            pieces.append(("phrase", query[i + 1 : end], negate))
            i = end + 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] != '"':
                j += 1
            pieces.append(("word", query[i:j], negate))
            i = j
    return pieces


def parse_query(query: str | None) -> ParsedQuery:
    """Read a user query (any string) into items; never raises. See QUERY_HELP."""
    parsed = ParsedQuery()
    query = unicodedata.normalize("NFC", query or "")
    parsed.diacritics = has_diacritics(query)
    group: list[Item] = []
    negate_next = False
    ignored: list[str] = []
    for kind, text, negate in _scan(query, parsed.notes):
        if kind == "word":
            bare = text.strip("()")
            if bare in ("OR", "|", "||"):
                if group:
                    parsed.groups.append(group)
                group = []
                continue
            if bare in ("AND", "&", "&&", "NEAR"):
                continue
            if bare == "NOT":
                negate_next = True
                continue
            if text.startswith("NEAR("):
                text = text[5:]
        item_words = words(text)
        if not item_words:
            if text.strip():
                ignored.append(text)
            continue
        prefix = kind == "word" and text.rstrip(")").endswith("*")
        item = Item(item_words, prefix=prefix, negate=negate or negate_next)
        negate_next = False
        (parsed.excluded if item.negate else group).append(item)
    if group:
        parsed.groups.append(group)
    if ignored:
        parsed.notes.append("ignored (no letters or digits): " + " ".join(ignored))
    return parsed


@dataclass
class Filters:
    """Restrictions on which articles a search or export covers."""

    sources: list[str] | None = None
    unit: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    official: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.sources or self.unit or self.date_from or self.date_to or self.official)


@dataclass
class Hit:
    article_id: int
    version_id: int
    version: int
    source_id: str
    url: str
    status: str
    title: str | None
    published_at: str | None
    province: str | None
    district: str | None
    commune: str | None
    snippet: str
    exact_matches: int
    positions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    official: dict[str, Any] | None = None  # key, names, positions over time
    total_capped: bool = False  # more than TOTAL_CAP matches: total is a lower bound

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "total_capped": self.total_capped,
            "notes": self.notes,
            "official": self.official,
            "hits": [h.to_dict() for h in self.hits],
        }


_UNIT_PREFIXES = (
    "thanh pho ", "tinh ", "huyen ", "quan ", "thi xa ", "thi tran ", "xa ", "phuong ",
)


def _unit_key(name: str | None) -> str:
    key = " ".join(fold(name or "").split())
    for prefix in _UNIT_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class QueryPlan:
    """SQL pieces for one query + filters on one engine, all values bound as parameters."""

    def __init__(self, conn: Any, parsed: ParsedQuery, filters: Filters) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.params: dict[str, Any] = {}
        self.notes: list[str] = []
        self.where: list[str] = ["a.current_version_id IS NOT NULL"]
        self.official: dict[str, Any] | None = None
        self.official_ids: list[int] = []
        self._matches(parsed)
        self._filters(filters)

    def _bind(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.params)}"
        self.params[name] = value
        return name

    def expr(self, groups: list[list[Item]], *, exact: bool = False, title: bool = False) -> str:
        """The engine's match expression for OR-of-AND groups on one index."""
        if self.sqlite:
            body = " OR ".join(
                "(" + " AND ".join(item.fts5(exact) for item in group) + ")" for group in groups
            )
            if title and not exact:  # search_titles has the folded title alone
                return f"({body})"
            cols = ("{xt}" if title else "{xt xb}") if exact else "{ft fb}"
            return f"{cols} : ({body})"
        return " | ".join(
            "(" + " & ".join(item.tsquery(exact) for item in group) + ")" for group in groups
        )

    def match_source(self, expr: str, index: str = "folded") -> tuple[str, str, str]:
        """(FROM clause, match condition, id column) for one match expression on one index:
        "folded", "exact" or "title" (folded title only). FTS5 expressions name their
        columns themselves; on PostgreSQL each index is its own tsvector column."""
        q = self._bind("q", expr)
        if self.sqlite:
            table = "search_titles" if index == "title" else "search_fts"
            return f"{table} f", f"f.{table} MATCH :{q}", "f.rowid"
        col = {"folded": "fv", "exact": "xv", "title": "tv"}[index]
        return "search_docs f", f"f.{col} @@ CAST(:{q} AS tsquery)", "f.article_id"

    def _matches(self, parsed: ParsedQuery) -> None:
        self.parsed = parsed
        if parsed.empty:
            self.match_cte = (
                "SELECT a.id AS article_id FROM articles a "
                "WHERE a.current_version_id IS NOT NULL"
            )
        else:
            src, cond, idcol = self.match_source(self.expr(parsed.groups))
            self.match_cte = f"SELECT {idcol} AS article_id FROM {src} WHERE {cond}"
        for item in parsed.excluded:
            exact = item.has_diacritics
            src, cond, idcol = self.match_source(self.expr([[item]], exact=exact),
                                                 "exact" if exact else "folded")
            self.where.append(f"a.id NOT IN (SELECT {idcol} FROM {src} WHERE {cond})")

    def stages(self, exprs: list[tuple[str, str]], limit: int) -> list[list[tuple[int, Any]]]:
        """For each (expression, index) the newest `limit` matching articles (by id) passing
        the filters, as (id, published date); one statement for all, one round trip."""
        import sqlalchemy as sa

        k = self._bind("k", limit)
        parts = []
        for n, (expr, index) in enumerate(exprs):
            src, cond, idcol = self.match_source(expr, index)
            parts.append(
                f"SELECT {n} AS stage, id, published_date FROM ("
                f"SELECT a.id, v.published_date FROM {src} "
                f"JOIN articles a ON a.id = {idcol} "
                "JOIN article_versions v ON v.id = a.current_version_id "
                "LEFT JOIN source_units u ON u.id = v.unit_id "
                f"WHERE {cond} AND " + " AND ".join(self.where)
                + f" ORDER BY {idcol} DESC LIMIT :{k}) s{n}"
            )
        out: list[list[tuple[int, Any]]] = [[] for _ in exprs]
        for stage, article_id, published in self.conn.execute(
            sa.text(" UNION ALL ".join(parts)), self.params
        ):
            out[stage].append((article_id, published))
        return out

    def _filters(self, f: Filters) -> None:
        import sqlalchemy as sa

        if f.sources:
            names = [self._bind("s", s) for s in f.sources]
            self.where.append("a.source_id IN (" + ", ".join(f":{n}" for n in names) + ")")
        if f.unit:
            wanted = _unit_key(f.unit)
            rows = self.conn.execute(
                sa.text("SELECT id, province, district, commune, name FROM source_units")
            ).all()
            ids = [
                r.id for r in rows
                if wanted and wanted in {_unit_key(r.province), _unit_key(r.district),
                                         _unit_key(r.commune)}
            ]
            if not ids:
                self.notes.append(f"no source belonged to a unit named {f.unit!r}")
                ids = [-1]
            names = [self._bind("u", i) for i in ids]
            self.where.append("v.unit_id IN (" + ", ".join(f":{n}" for n in names) + ")")
        if f.date_from:
            self.where.append(f"v.published_date >= :{self._bind('d', f.date_from)}")
        if f.date_to:
            self.where.append(f"v.published_date <= :{self._bind('d', f.date_to)}")
        if f.official:
            from archive.store import name_key

            keys = {name_key(f.official), " ".join(fold(f.official).split())}
            names_ = [self._bind("k", k) for k in sorted(keys)]
            rows = self.conn.execute(
                sa.text(
                    "SELECT id, key, name, names FROM officials WHERE key IN ("
                    + ", ".join(f":{n}" for n in names_) + ")"
                ),
                {n: self.params[n] for n in names_},
            ).all()
            self.official_ids = [r.id for r in rows] or [-1]
            if rows:
                seen: list[str] = []
                for r in rows:
                    names_seen = r.names if isinstance(r.names, list) else json.loads(r.names)
                    seen.extend(n for n in names_seen if n not in seen)
                self.official = {"key": rows[0].key, "names": seen}
            else:
                self.notes.append(f"no official named {f.official!r} in the archive")
            ids = [self._bind("o", i) for i in self.official_ids]
            self.where.append(
                "EXISTS (SELECT 1 FROM mentions mn WHERE mn.version_id = v.id "
                "AND mn.official_id IN (" + ", ".join(f":{n}" for n in ids) + "))"
            )

    def sql(self, select: str, tail: str = "") -> str:
        return (
            f"WITH m AS ({self.match_cte}) SELECT {select} FROM m "
            "JOIN articles a ON a.id = m.article_id "
            "JOIN article_versions v ON v.id = a.current_version_id "
            "LEFT JOIN source_units u ON u.id = v.unit_id "
            "WHERE " + " AND ".join(self.where) + (" " + tail if tail else "")
        )


def _parse_or_fail(query: str | None, filters: Filters) -> ParsedQuery:
    parsed = parse_query(query)
    if parsed.empty and parsed.excluded and not filters.any:
        raise SearchError(
            "the query only excludes words; give at least one word to find (or a filter)"
        )
    if parsed.empty and not filters.any and not parsed.excluded:
        raise SearchError(
            "nothing to search for: give words to find, or a filter such as --source, "
            "--unit, --from/--to or --official"
        )
    return parsed


CANDIDATES = 200  # relevance ranks the newest this-many matches of each tier
TOTAL_CAP = 1000  # counts stop here ("1000+"; --timeline counts all) to stay fast


def search(
    store: Any,
    query: str | None,
    *,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int = 20,
) -> SearchResult:
    """Find articles (current versions) matching `query` and `filters` (see QUERY_HELP).

    Relevance, identical on both engines: articles matching every item with the diacritics
    as typed first, then articles with every item in the title, then the newest publication
    date. To stay fast on common words it ranks the newest (by capture) CANDIDATES matches
    of each of those tiers; the total, `--sort date`, timelines and export see all matches.
    """
    import sqlalchemy as sa

    filters = filters or Filters()
    if sort not in ("relevance", "date"):
        raise SearchError(f"unknown sort {sort!r}: use relevance or date")
    if limit < 1:
        raise SearchError("--limit must be at least 1")
    limit = min(limit, TOTAL_CAP)
    parsed = _parse_or_fail(query, filters)
    if parsed.empty:
        sort = "date"
    try:
        with store.engine.connect() as conn:
            plan = QueryPlan(conn, parsed, filters)
            total = None
            if sort == "date":
                lim = plan._bind("lim", limit)
                ids = list(conn.execute(sa.text(plan.sql(
                    "a.id", f"ORDER BY v.published_date DESC NULLS LAST, a.id DESC LIMIT :{lim}"
                )), plan.params).scalars())
            else:
                ids, total = _rank(plan, limit)
            if total is None:  # the ranking did not see every match: count them (capped)
                cap = plan._bind("cap", TOTAL_CAP + 1)
                if len(plan.where) == 1 and not parsed.empty:  # no filter: the index counts
                    counted = f"{plan.match_cte} LIMIT :{cap}"
                else:
                    counted = plan.sql("a.id", f"LIMIT :{cap}")
                total = conn.execute(
                    sa.text(f"SELECT count(*) FROM ({counted}) t"), plan.params
                ).scalar() or 0
            rows = _rows(conn, ids)
            positions = _positions(conn, plan, [r.version_id for r in rows.values()])
    except sa.exc.SQLAlchemyError as exc:  # should not happen: every value is bound
        raise SearchError(f"search failed: {str(exc.orig or exc).splitlines()[0]}") from None
    hits = []
    for article_id in ids:
        r = rows[article_id]
        hits.append(Hit(
            article_id=r.article_id,
            version_id=r.version_id,
            version=r.number,
            source_id=r.source_id,
            url=r.url,
            status=r.status,
            title=r.title,
            published_at=r.published_at,
            province=r.province,
            district=r.district,
            commune=r.commune,
            snippet=snippet(parsed, r.lead, r.body_text),
            exact_matches=exact_items_matched(parsed, r.title, r.lead, r.body_text),
            positions=positions.get(r.version_id, []),
        ))
    official = plan.official
    if official is not None:
        official["positions"] = _position_history(store, plan)
    notes = parsed.notes + plan.notes
    result = SearchResult(query or "", min(total, TOTAL_CAP), hits, notes, official)
    result.total_capped = total > TOTAL_CAP
    return result


def _rank(plan: QueryPlan, limit: int) -> tuple[list[int], int | None]:
    """Top article ids: exact-diacritic matches, then title matches, then newest.

    Each tier is read newest-first from the index and cut at CANDIDATES, so the cost does
    not grow with the number of matches (a common word matches most of the archive).
    Returns the ids and, when the any-match tier was not cut, the exact total.
    """
    groups = plan.parsed.groups
    exprs = [(plan.expr(groups), "folded"), (plan.expr(groups, title=True), "title")]
    if plan.parsed.diacritics:
        exprs.append((plan.expr(groups, exact=True), "exact"))
    fold, title, *rest = plan.stages(exprs, CANDIDATES)
    exact = rest[0] if rest else []
    in_title = {i for i, _ in title}
    in_exact = {i for i, _ in exact}
    dates = {i: d for i, d in (*fold, *title, *exact)}
    ids = sorted(
        dates,
        key=lambda i: (i in in_exact, i in in_title, str(dates[i]) if dates[i] else "", i),
        reverse=True,
    )
    # fewer than CANDIDATES in the any-match tier: that tier holds every match, so it is
    # the total and no separate count has to walk the index again
    total = len(fold) if len(fold) < CANDIDATES else None
    return ids[:limit], total


def _exactly(item: Item, exact: list[str], found: re.Match[str]) -> bool:
    """Whether every word of a folded occurrence has the item's exact key."""
    for k, word in enumerate(found.groups()):
        key = exact_key(word)
        if item.prefix and k == len(exact) - 1:
            if not key.startswith(exact[k]):
                return False
        elif key != exact[k]:
            return False
    return True


def exact_items_matched(parsed: ParsedQuery, title: str | None, lead: str | None,
                        body: str | None) -> int:
    """How many positive query items occur in the text with the diacritics as typed (tone
    placement aside): candidates are found by a folded regular expression, then each word
    of an occurrence is compared by its exact key."""
    if not parsed.diacritics or parsed.empty:
        return 0
    texts = [unicodedata.normalize("NFC", title or ""),
             unicodedata.normalize("NFC", " ".join(t for t in (lead, body) if t))]
    n = 0
    for item in parsed.positives:
        folded, exact = item.folded, item.exact
        parts = [f"({_folded_pattern(k)})" for k in folded]
        if item.prefix:
            parts[-1] = f"({_folded_pattern(folded[-1])}[^\\W_]*)"
        pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(parts) + r"(?![^\W_])")

        n += any(_exactly(item, exact, mt) for text in texts for mt in pattern.finditer(text))
    return n


def _rows(conn: Any, ids: list[int]) -> dict[int, Any]:
    import sqlalchemy as sa

    if not ids:
        return {}
    params = {f"i{n}": i for n, i in enumerate(ids)}
    sql = (
        "SELECT a.id AS article_id, v.id AS version_id, v.number, a.source_id, a.url, "
        "a.status, v.title, v.published_at, v.lead, v.body_text, u.province, u.district, "
        "u.commune FROM articles a JOIN article_versions v ON v.id = a.current_version_id "
        "LEFT JOIN source_units u ON u.id = v.unit_id WHERE a.id IN ("
        + ", ".join(f":{k}" for k in params) + ")"
    )
    return {r.article_id: r for r in conn.execute(sa.text(sql), params)}


def _positions(conn: Any, plan: QueryPlan, version_ids: list[int]) -> dict[int, list[dict]]:
    import sqlalchemy as sa

    if not plan.official or not version_ids:
        return {}
    params = {f"v{i}": vid for i, vid in enumerate(version_ids)}
    params.update({f"o{i}": oid for i, oid in enumerate(plan.official_ids)})
    rows = conn.execute(
        sa.text(
            "SELECT version_id, name, position, position_expanded FROM mentions "
            "WHERE version_id IN (" + ", ".join(f":v{i}" for i in range(len(version_ids)))
            + ") AND official_id IN ("
            + ", ".join(f":o{i}" for i in range(len(plan.official_ids))) + ") ORDER BY id"
        ),
        params,
    ).all()
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r.version_id, []).append(
            {"name": r.name, "position": r.position, "position_expanded": r.position_expanded}
        )
    return out


def _position_history(store: Any, plan: QueryPlan) -> list[dict[str, Any]]:
    """Positions the official held, first and last publication date each was written."""
    import sqlalchemy as sa

    params = dict(plan.params)
    ids = ", ".join(f":o{i}" for i in range(len(plan.official_ids)))
    params.update({f"o{i}": oid for i, oid in enumerate(plan.official_ids)})
    sql = plan.sql(
        "mn.position, mn.position_expanded, min(v.published_date) AS first, "
        "max(v.published_date) AS last, count(DISTINCT a.id) AS articles",
        "GROUP BY mn.position, mn.position_expanded",
    ).replace(
        "LEFT JOIN source_units u ON u.id = v.unit_id ",
        "LEFT JOIN source_units u ON u.id = v.unit_id "
        f"JOIN mentions mn ON mn.version_id = v.id AND mn.official_id IN ({ids}) ",
    )
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
    history = [
        {
            "position": r.position,
            "position_expanded": r.position_expanded,
            "first": str(r.first) if r.first else None,
            "last": str(r.last) if r.last else None,
            "articles": r.articles,
        }
        for r in rows
    ]
    history.sort(key=lambda p: (p["first"] or "9999", p["position"]))
    return history


def timeline(
    store: Any, query: str | None, *, period: str = "month", filters: Filters | None = None
) -> tuple[list[tuple[str, int]], list[str]]:
    """Counts of matching articles per month ("2023-01") or year; undated ones as "unknown"."""
    import sqlalchemy as sa

    filters = filters or Filters()
    if period not in ("month", "year"):
        raise SearchError(f"unknown timeline period {period!r}: use month or year")
    parsed = _parse_or_fail(query, filters)
    width = 7 if period == "month" else 4
    with store.engine.connect() as conn:
        plan = QueryPlan(conn, parsed, filters)
        sql = plan.sql(
            f"substr(v.published_at, 1, {width}) AS period, count(*) AS n",
            "GROUP BY substr(v.published_at, 1, " + str(width) + ")",
        )
        try:
            rows = conn.execute(sa.text(sql), plan.params).all()
        except sa.exc.SQLAlchemyError as exc:
            raise SearchError(f"search failed: {str(exc.orig or exc).splitlines()[0]}") from None
    counts = sorted(((r.period or "unknown"), r.n) for r in rows)
    return counts, parsed.notes + plan.notes


def matching_article_ids(store: Any, query: str | None, filters: Filters | None = None
                         ) -> tuple[list[int], list[str]]:
    """Ids of every article matching query and filters (for export), in id order."""
    import sqlalchemy as sa

    filters = filters or Filters()
    parsed = parse_query(query)
    with store.engine.connect() as conn:
        plan = QueryPlan(conn, parsed, filters)
        rows = conn.execute(sa.text(plan.sql("a.id", "ORDER BY a.id")), plan.params).scalars()
        return list(rows), parsed.notes + plan.notes


def _letter_classes() -> dict[str, str]:
    """For each folded letter, a regex class of every precomposed letter folding to it:
    "d" -> "[dđĐD...]", "a" -> "[aàáảãạăằ...]": lets one regular expression find a folded
    word in the original text, without folding the text first."""
    variants: dict[str, set[str]] = {}
    ranges = (range(0x41, 0x5B), range(0x61, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for block in ranges:
        for code in block:
            ch = chr(code)
            base = fold(ch)
            if len(base) == 1 and base.isascii() and base.isalpha():
                variants.setdefault(base, set()).update({ch, ch.lower(), ch.upper()})
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in variants.items()}


_CLASSES = _letter_classes()


def _folded_pattern(key: str) -> str:
    """Regex matching a word whose folded form is `key`, as written in NFC text."""
    return "".join(_CLASSES.get(ch, re.escape(ch)) for ch in key)


def snippet(parsed: ParsedQuery, lead: str | None, body: str | None, width: int = 240) -> str:
    """About `width` characters of the text around its densest cluster of matched words,
    each matched word wrapped in «…» (HIGHLIGHT); "…" marks a cut."""
    text = " ".join(unicodedata.normalize("NFC", " ".join(t for t in (lead, body) if t)).split())
    if not text:
        return ""
    full: set[str] = set()
    prefixes: set[str] = set()
    for item in parsed.positives:
        keys = item.folded
        for i, key in enumerate(keys):
            (prefixes if item.prefix and i == len(keys) - 1 else full).add(key)
    alternatives = [_folded_pattern(k) for k in sorted(full, key=len, reverse=True)]
    alternatives += [_folded_pattern(k) + r"[^\W_]*" for k in prefixes]
    spans: list[tuple[int, int]] = []
    if alternatives:
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")
        spans = [mt.span() for mt in pattern.finditer(text)]
    if spans:  # the start that has the most matches within `width` characters
        starts = [a for a, _ in spans]
        best = max(range(len(starts)),
                   key=lambda i: bisect_right(starts, starts[i] + width * 2 // 3) - i)
        lo = max(0, starts[best] - width // 4)
    else:
        lo = 0
    hi = min(len(text), lo + width)
    while lo > 0 and not text[lo - 1].isspace():  # cut on word boundaries
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    out, pos = [], lo
    for a, b in spans:
        if a < lo or b > hi:
            continue
        out.append(text[pos:a])
        out.append(f"{HIGHLIGHT[0]}{text[a:b]}{HIGHLIGHT[1]}")
        pos = b
    out.append(text[pos:hi])
    return (ELLIPSIS if lo > 0 else "") + "".join(out).strip() + (
        ELLIPSIS if hi < len(text) else "")
