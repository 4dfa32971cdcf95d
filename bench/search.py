"""Search benchmark: ingest rate and query latency of the archive store, against a LIKE scan.

Run: `.venv/bin/python -m bench.search [--sizes 100000,1000000] [--engines sqlite,postgres]
      [--queries 300] [--peer-queries 20] [--no-write]`

For each size and engine:
- builds synthetic but realistic Vietnamese articles: a word-bigram chain trained on the real
  texts of the corpus (the Phố Lu notice and the visible text of the corpus pages, mojibake
  pages repaired), with titles, leads, bodies of 120–400 words, publication dates 2010–2025,
  50 sources in real-looking units, commune and person names as a long tail, and officials;
- ingests them through the real store API (`Store.save_pages`, batches of 1,000: every row,
  version, mention, event and index entry a crawl would write) and reports records/s;
- runs 1-, 2- and 3-word queries drawn from the generated articles, once as written (with
  diacritics) and once folded (without), through `archive.search.search` (limit 20, with
  total count, tiers and snippets, as `bantin search` does) and reports p50/p95 latency;
- peer, same table, same run: a naive scan `lower(title || ' ' || body_text) LIKE '%w%'`
  for every word (AND), newest first, LIMIT 20 — what one writes without a full-text index.
  It cannot fold diacritics, so it is timed on the queries with diacritics only;
- reports the database size (SQLite file + WAL; pg_database_size).

Writes the `## Search` section of docs/benchmarks.md (other sections are left alone).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("BANTIN_CORPUS", ROOT.parent / "shared" / "corpus"))
SEED = ROOT / "tests" / "fixtures" / "seed" / "pholu-notice.txt"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Search"
PG_ADMIN = os.environ.get("BANTIN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_TOKEN = re.compile(r"[^\W_]+|[,.;:]")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Giàng", "Sùng", "Thào", "Lò", "Hầu",
            "Vàng"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Seo", "A", "Mí", "Ngọc", "Thanh", "Quang"]
GIVEN = ["Chắc", "Tâm", "Ngọc", "Phử", "Lềnh", "Dính", "Mai", "Dung", "Hùng", "Lan", "Hải",
         "Thắng", "Hòa", "Thủy", "Đông", "Bình", "Sơn", "Hà", "Tuấn", "Linh", "Phương"]
POSITIONS = ["Chủ tịch UBND xã", "Phó Chủ tịch UBND huyện", "Bí thư Đảng ủy xã",
             "Ủy viên BTV huyện ủy", "Chủ tịch HĐND thị trấn", "Trưởng Công an xã",
             "Chủ tịch MTTQ xã"]
PROVINCES = ["Lào Cai", "Yên Bái", "Hà Giang", "Hà Nội", "Thanh Hóa", "Nghệ An", "Quảng Trị",
             "Đắk Lắk", "An Giang", "Cà Mau"]


# --------------------------------------------------------------------------- text model
def corpus_texts() -> list[str]:
    """The visible text of the fixture pages: the seed notice and every corpus page."""
    texts = [SEED.read_text(encoding="utf-8")]
    from lxml import html as lhtml

    for page in sorted((CORPUS / "real").glob("*.html")):
        raw = page.read_bytes().decode("utf-8", errors="replace")
        if "mojibake" in page.name:
            try:
                raw = raw.encode("latin-1", errors="ignore").decode("utf-8", errors="ignore")
            except UnicodeError:
                continue
        try:
            tree = lhtml.fromstring(raw)
        except Exception:  # noqa: BLE001 - a page lxml cannot read adds nothing
            continue
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        texts.append(unicodedata.normalize("NFC", tree.text_content()))
    return texts


def _vietnamese(word: str) -> bool:
    from scraper.fold import fold

    return word in ",.;:" or (word.isalpha() and len(word) <= 8 and
                               (fold(word) != word.lower() or len(word) <= 5))


class TextModel:
    """A word-bigram chain over the corpus texts: realistic word frequencies and pairs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next: dict[str, list[str]] = defaultdict(list)
        starts: list[str] = []
        for text in corpus_texts():
            tokens = [t for t in _TOKEN.findall(text) if _vietnamese(t)]
            for a, b in zip(tokens, tokens[1:], strict=False):
                self.next[a].append(b)
            starts.extend(t for t in tokens if t[0].isupper())
        self.starts = starts or list(self.next)
        self.words = sorted({w for w in self.next if w not in ",.;:"})

    def sentence_words(self, n: int) -> list[str]:
        out: list[str] = []
        word = self.rng.choice(self.starts)
        while len(out) < n:
            out.append(word)
            following = self.next.get(word)
            word = self.rng.choice(following) if following else self.rng.choice(self.starts)
        return out

    def text(self, n: int) -> str:
        parts = self.sentence_words(n)
        text = " ".join(parts)
        return re.sub(r" ([,.;:])", r"\1", text)


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def make_sources(rng: random.Random, model: TextModel) -> list[dict[str, Any]]:
    sources = []
    for i in range(50):
        province = PROVINCES[i % len(PROVINCES)]
        district = " ".join(w.capitalize() for w in model.sentence_words(2))
        commune = "Xã " + " ".join(w.capitalize() for w in model.sentence_words(2))
        sources.append({"id": f"src{i:02d}", "name": f"Cổng thông tin {commune}",
                        "level": "commune", "province": province, "district": district,
                        "commune": commune, "successor": None, "start_urls": [],
                        "platform": "vnportal"})
    return sources


def make_record(i: int, rng: random.Random, model: TextModel, sources: list[dict]) -> tuple:
    from scraper.record import Official, Record

    source = sources[i % len(sources)]
    officials = []
    body_parts = []
    for _ in range(rng.randint(2, 5)):
        body_parts.append(model.text(rng.randint(40, 90)))
    if rng.random() < 0.5:
        name, position = person(rng), rng.choice(POSITIONS)
        officials.append(Official(name=name, position=position, cue="đồng chí",
                                  key=" ".join(name.lower().split())))
        body_parts.insert(1, f"Tới dự có đồng chí {name}, {position} {source['commune']}.")
    day = date(2010, 1, 1) + timedelta(days=rng.randrange(16 * 365))
    record = Record(
        kind="article",
        url=f"http://{source['id']}.gov.vn/tin-tuc/bai-{i}",
        title=model.text(rng.randint(8, 18)).rstrip(",.;:").upper()
        if rng.random() < 0.3 else model.text(rng.randint(8, 18)).rstrip(",.;:"),
        published_at=day.isoformat(),
        lead=model.text(rng.randint(20, 40)),
        body_text="\n".join(body_parts) + f"\n{source['commune']}, ngày {day:%d/%m/%Y}.",
        officials=officials,
        authors=[person(rng)],
        platform="vnportal",
    )
    return source["id"], record


# --------------------------------------------------------------------------- measuring
def db_url_for(engine: str, size: int, workdir: Path) -> tuple[str, Any]:
    if engine == "sqlite":
        path = workdir / f"search-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"bantin_bench_search_{size}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", admin


def database_size(store: Any) -> int:
    import sqlalchemy as sa

    if store.dialect == "sqlite":
        path = Path(store.engine.url.database)
        return sum(Path(str(path) + s).stat().st_size for s in ("", "-wal")
                   if Path(str(path) + s).exists())
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()


def ingest(store: Any, size: int, seed: int, model: TextModel, sources: list[dict],
           log: Any) -> tuple[float, list]:
    rng = random.Random(seed)
    for source in sources:
        store.upsert_source(source)
    fetched = datetime(2026, 11, 26, tzinfo=UTC)
    batch, sample = [], []
    generating = 0.0  # CPU spent making the synthetic records, not storing them
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(size):
        g = time.process_time()
        source_id, record = make_record(i, rng, model, sources)
        generating += time.process_time() - g
        batch.append({"source_id": source_id, "record": record, "fetched_at": fetched})
        if rng.random() < 0.002 and len(sample) < 2000:
            sample.append(record)
        if len(batch) == 1000:
            store.save_pages(batch)
            batch = []
            if (i + 1) % 50_000 == 0:
                rate = (i + 1) / (time.perf_counter() - started)
                log(f"  {i + 1:,} records, {rate:,.0f}/s")
    if batch:
        store.save_pages(batch)
    elapsed = time.perf_counter() - started - generating
    cpu = time.process_time() - cpu_started - generating
    store.optimize()  # what `bantin db optimize` does after a backfill
    return size / elapsed, size / cpu, sample


def make_queries(sample: list, n: int, rng: random.Random) -> dict[str, list[str]]:
    """n queries per (words, diacritics) class, as consecutive words of sampled articles."""
    from archive.search import words
    from scraper.fold import fold

    queries: dict[str, list[str]] = {}
    for k in (1, 2, 3):
        picked: list[str] = []
        while len(picked) < n:
            record = rng.choice(sample)
            ws = [w for w in words(record.body_text) if w.isalpha()]
            if len(ws) < k:
                continue
            start = rng.randrange(len(ws) - k + 1)
            picked.append(" ".join(ws[start : start + k]).lower())
        queries[f"{k}w-diacritics"] = picked
        queries[f"{k}w-folded"] = [fold(q) for q in picked]
    return queries


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


CPU_MS: list[float] = []  # process CPU time of each timed search (client side only)


def time_search(store: Any, queries: list[str]) -> list[float]:
    from archive.search import search

    out = []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        search(store, q, limit=20)
        out.append((time.perf_counter() - t) * 1000)
        CPU_MS.append((time.process_time() - c) * 1000)
    return out


def time_like(store: Any, queries: list[str]) -> list[float]:
    import sqlalchemy as sa

    out = []
    with store.engine.connect() as conn:
        for q in queries:
            params = {f"w{i}": f"%{w}%" for i, w in enumerate(q.split())}
            where = " AND ".join(
                f"lower(v.title || ' ' || v.body_text) LIKE :w{i}" for i in range(len(params))
            )
            sql = (
                "SELECT a.id FROM articles a JOIN article_versions v ON v.id = "
                f"a.current_version_id WHERE {where} "
                "ORDER BY v.published_date DESC LIMIT 20"
            )
            t = time.perf_counter()
            conn.execute(sa.text(sql), params).all()
            out.append((time.perf_counter() - t) * 1000)
    return out


def machine() -> str:
    import sqlite3

    return report.machine("shared with other jobs", extra=f"SQLite {sqlite3.sqlite_version}")


def previous_rows(measured: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Table lines of the current section for engine/size pairs this run does not measure
    (so a long 1,000,000 run and a short PostgreSQL one can be done separately)."""
    if not DOC.exists():
        return [], []
    found = re.search(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", DOC.read_text("utf-8"),
                      re.S | re.M)
    if not found:
        return [], []
    main, peer = [], []
    for line in found.group(0).splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 3 or cells[0] not in ("sqlite", "postgres"):
            continue
        if (cells[0], cells[1]) in measured:
            continue
        (main if len(cells) > 6 else peer).append(line)
    return main, peer


def _pair(line: str) -> tuple[str, str]:
    cells = [c.strip() for c in line.strip("|").split("|")]
    return cells[0], cells[1]


def write_section(text: str) -> None:
    report.write_section(SECTION, text)


def plan_of(args: Any) -> list[tuple[str, int]]:
    if args.runs:
        return [(e, int(n)) for e, n in (r.split(":") for r in args.runs.split(",") if r)]
    return [(e, int(n)) for n in args.sizes.split(",") if n for e in args.engines.split(",") if e]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated article counts (default 100000,1000000)")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--runs", default="",
                        help="explicit ENGINE:SIZE list instead of sizes x engines, e.g. "
                             "sqlite:100000,postgres:100000,sqlite:1000000")
    parser.add_argument("--queries", type=int, default=200,
                        help="queries per class (1/2/3 words x with/without diacritics)")
    parser.add_argument("--peer-queries", type=int, default=20,
                        help="LIKE-scan queries per class (it is slow)")
    parser.add_argument("--workdir", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from archive.store import Store

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    rng = random.Random(20261126)
    model = TextModel(rng)
    sources = make_sources(rng, model)
    log(f"text model: {len(model.words):,} distinct words from the corpus")
    rows = []
    started_at = datetime.now(UTC)
    previous = previous_rows(set())  # the section as it stands, all rows
    for engine, size in plan_of(args):
        log(f"{engine} {size:,}: ingest")
        url, admin = db_url_for(engine, size, workdir)
        store = Store.open(url)
        rate, cpu_rate, sample = ingest(store, size, 7, model, sources, log)
        size_bytes = database_size(store)
        queries = make_queries(sample, args.queries, random.Random(size))
        time_search(store, queries["1w-folded"][:10])  # warm the cache
        latencies = {}
        CPU_MS.clear()
        load = os.getloadavg()[0]
        for cls, qs in queries.items():
            latencies[cls] = time_search(store, qs)
        cpu = (statistics.median(CPU_MS), percentile(CPU_MS, 95))
        load = max(load, os.getloadavg()[0])
        all_dia = [q for cls, qs in queries.items() if cls.endswith("diacritics")
                   for q in qs[: args.peer_queries]]
        ours_same = time_search(store, all_dia)
        like = time_like(store, all_dia)
        row = {
            "engine": engine, "size": size, "rate": rate, "bytes": size_bytes,
            "cpu": cpu, "load": load, "cpu_rate": cpu_rate,
            "lat": {cls: (statistics.median(v), percentile(v, 95))
                    for cls, v in latencies.items()},
            "all": (statistics.median([x for v in latencies.values() for x in v]),
                    percentile([x for v in latencies.values() for x in v], 95)),
            "peer": (statistics.median(like), percentile(like, 95),
                     statistics.median(ours_same), percentile(ours_same, 95)),
        }
        rows.append(row)
        log(f"  {rate:,.0f} records/s ({cpu_rate:,.0f} per CPU-s), "
            f"{size_bytes / 1e9:.2f} GB, search p50/p95 "
            f"{row['all'][0]:.1f}/{row['all'][1]:.1f} ms, LIKE p50 {row['peer'][0]:.0f} ms")
        store.close()
        if not args.keep:
            if engine == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
            else:
                import sqlalchemy as sa

                with admin.connect() as conn:
                    conn.execute(sa.text(
                        f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        if admin is not None:
            admin.dispose()
        if not args.no_write:  # after every run, so a long series leaves its results so far
            done = {(r["engine"], f"{r['size']:,}") for r in rows}
            kept = tuple([line for line in part if _pair(line) not in done]
                         for part in previous)
            write_section(render(rows, args, started_at, kept))
            log(f"wrote the {SECTION!r} section of {DOC.relative_to(ROOT)}")
    print(render(rows, args, started_at))
    return 0


def _args_text(args: Any) -> str:
    what = f"--runs {args.runs}" if args.runs else f"--sizes {args.sizes} --engines {args.engines}"
    return f"{what} --queries {args.queries} --peer-queries {args.peer_queries}"


def render(rows: list[dict], args: Any, started_at: datetime,
           kept: tuple[list[str], list[str]] = ([], [])) -> str:
    classes = [f"{k}w-{d}" for k in (1, 2, 3) for d in ("diacritics", "folded")]
    lines = [
        SECTION,
        "",
        f"`python -m bench.search {_args_text(args)}` — {started_at:%Y-%m-%d %H:%M} UTC; "
        f"{machine()}; PostgreSQL on loopback, default settings.",
        "Synthetic articles from a word-bigram chain over the corpus texts (seed notice + "
        "corpus pages), 120–400 words each, 50 sources, officials in half of them; ingest "
        "through `Store.save_pages` (batches of 1,000: article, version, mentions, event, "
        "index), then `Store.optimize()` (what `bantin db optimize` runs: the full-text "
        "indexes merged, planner statistics; a store that was never optimized keeps more "
        "index segments and searches slower). Queries: consecutive words of sampled "
        "articles, as written and folded; "
        "`archive.search.search(limit=20)` including the capped total, tiers and snippets.",
        "",
        "| engine | articles | ingest rec/s | rec per client CPU-s | DB size | search p50 ms | "
        "search p95 ms | "
        "client CPU p50/p95 ms | load avg | "
        + " | ".join(f"{c} p50/p95" for c in classes) + " |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(classes),
    ]
    lines += kept[0]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['size']:,} | {r['rate']:,.0f} | {r['cpu_rate']:,.0f} | "
            f"{r['bytes'] / 1e9:.2f} GB | "
            f"{r['all'][0]:.1f} | {r['all'][1]:.1f} | {r['cpu'][0]:.1f}/{r['cpu'][1]:.1f} | "
            f"{r['load']:.1f} | "
            + " | ".join(f"{r['lat'][c][0]:.1f}/{r['lat'][c][1]:.1f}" for c in classes) + " |"
        )
    lines += [
        "",
        "Peer, same table and run: naive `lower(title || ' ' || body_text) LIKE '%word%'` per "
        "word (AND), newest first, LIMIT 20 — no index, and it cannot match without "
        "diacritics (so only the queries with diacritics are timed, "
        f"{args.peer_queries} per class).",
        "",
        "| engine | articles | LIKE p50/p95 ms | bantin p50/p95 ms (same queries) | "
        "speed-up at p50 |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += kept[1]
    for r in rows:
        lp50, lp95, op50, op95 = r["peer"]
        lines.append(f"| {r['engine']} | {r['size']:,} | {lp50:.0f}/{lp95:.0f} | "
                     f"{op50:.1f}/{op95:.1f} | {lp50 / op50:.0f}× |")
    if kept[0]:
        lines += ["", "Rows of engine/size pairs this command did not measure are kept from "
                      "the previous run of this benchmark (earlier code: see the git history "
                      "of archive/search.py and archive/store.py)."]
    lines += [
        "",
        "Latencies are wall-clock per `search()` call, the server's work included; client CPU "
        "is this process's CPU time (for SQLite, the whole search). Ingest rec/s is "
        "wall-clock; rec per client CPU-s divides by this process's CPU time (for SQLite all "
        "the work; for PostgreSQL the server's share is not in it). Generating the synthetic "
        "records is excluded from both. The machine is shared: the load average column shows "
        "how many runnable jobs competed for its 2 cores.",
        "",
        "Targets: search p95 < 50 ms at 1,000,000 articles on SQLite; ingest ≥ 2,000 "
        "records/s.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
