"""Crawl benchmark: the full bantin crawl against a bare Scrapy spider, same URLs, same run.

Run: `.venv/bin/python -m bench.crawl [--articles 2000] [--rounds 3] [--big] [--no-write]`

- The sample portal (scaled to --articles) is served by `bantin sample-portal` in its own
  process, so serving pages is off the crawler's critical path.
- `bantin` variant: the real `bantin crawl` (a subprocess) with extraction and storage on
  (SQLite), WARC capture off, no politeness delay (loopback), 16 concurrent requests.
- `bare` variant: a Scrapy spider with no pipelines, no extensions, no parsing, fetching the
  same GET URLs the bantin crawl fetched (robots.txt, listings, sitemaps, feeds, articles,
  404s) with the same concurrency. (The bantin crawl's postback POSTs are not replayable
  without its viewstates; the bare spider does its GETs only.)
- pages/s = pages fetched / Scrapy's elapsed_time_seconds (spider open to close), best of
  --rounds alternating rounds; the ratio bantin / bare is the figure of merit (target ≥ 0.6).
- Re-crawl: `bantin crawl` again on the unchanged portal; requests made and article GETs
  (target: no unchanged article fetched).
- `--big`: peak memory (ru_maxrss of the crawl process) of a 20,000-article crawl.

Each variant is one function `variant_<name>(ctx) -> Result`; `VARIANTS` lists them (the WARC
capture on/off comparison plugs in as another variant). Writes the `## Crawl` section of
docs/benchmarks.md (other sections are left alone).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Crawl"
BIN = Path(sys.executable).parent
CLI = [sys.executable, "-c", "from scraper.cli import main; main()"]
CONCURRENCY = 16
EXTRA_SETTINGS: list[str] = []  # -s NAME=VALUE for every bantin crawl (--set)
LOG_LINE = re.compile(r"^\S+ (\d{3}) (GET|POST|HEAD) (\S+)$")


@dataclass
class Result:
    name: str
    pages: int
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


@dataclass
class Context:
    """A served portal and a scratch directory shared by the variants of one run."""

    portal_url: str
    log_path: Path
    work: Path
    sources: Path
    get_urls: list[str] = field(default_factory=list)
    round: int = 0
    server_pid: int | None = None

    def server_cpu(self) -> float:
        """CPU seconds the sample portal's process has used so far (0 if unknown)."""
        if self.server_pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_entries(self, start: int = 0) -> list[tuple[int, str, str]]:
        out = []
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        for line in lines[start:]:
            m = LOG_LINE.match(line.strip())
            if m:
                out.append((int(m.group(1)), m.group(2), m.group(3)))
        return out

    def log_length(self) -> int:
        return len(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines())


# ------------------------------------------------------------------ the portal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_portal(articles: int, work: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    log = work / f"portal-{articles}.log"
    fh = log.open("w", encoding="utf-8")
    proc = subprocess.Popen([*CLI, "sample-portal", "--port", str(port), "--articles",
                             str(articles)], stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, url, log
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the sample portal did not start on {url}")


def write_sources(url: str, path: Path) -> Path:
    from scraper.sample_portal import sample_sources_yaml

    path.write_text(sample_sources_yaml(url), encoding="utf-8")
    return path


# ------------------------------------------------------------------ crawl runners


def bantin_crawl(ctx: Context, db: Path, *extra: str, tag: str) -> tuple[dict[str, Any], Any]:
    """Run `bantin crawl sample`; (its stats, the child's rusage)."""
    stats_file = ctx.work / f"stats-{tag}.json"
    cmd = [*CLI, "crawl", "sample", "--sources", str(ctx.sources), "--db", f"sqlite:///{db}",
           "--jobdir", str(ctx.work / f"jobs-{tag}"), "--stats", str(stats_file), "-q",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
           "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
           "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
           *([] if "--warc-dir" in extra else ["-s", "BANTIN_WARC_ENABLED=0"]),
           *EXTRA_SETTINGS, *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"bantin crawl failed ({proc.returncode}): "
                           f"{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    data = json.loads(stats_file.read_text(encoding="utf-8"))
    return data["sample"]["stats"], rusage


def variant_bantin(ctx: Context) -> Result:
    """The full crawl: extraction and storage on (fresh store each round)."""
    db = ctx.work / f"bantin-{ctx.round}.db"
    start = ctx.log_length()
    served = ctx.server_cpu()
    stats, rusage = bantin_crawl(ctx, db, tag=f"full-{ctx.round}")
    served = ctx.server_cpu() - served
    entries = ctx.log_entries(start)
    ctx.get_urls = [ctx.portal_url + path for status, method, path in entries
                    if method == "GET"]
    return Result("bantin", int(stats.get("response_received_count", 0)),
                  float(stats.get("elapsed_time_seconds", 0.0)),
                  {"new": stats.get("bantin/new", 0), "maxrss_mb": rusage.ru_maxrss / 1024,
                   "posts": sum(1 for _, m, _ in entries if m == "POST"),
                   "cpu": {k: float(stats.get(f"bantin_cpu/{k}_seconds", 0.0))
                           for k in ("reactor", "process", "parse")}
                   | {"store": float(stats.get("bantin_store/cpu_seconds", 0.0)),
                      "gc": float(stats.get("bantin_gc/seconds", 0.0)),
                      "most_waiting": float(stats.get("bantin_cpu/parse_most_waiting", 0)),
                      "server": served}})


BARE_SPIDER = '''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}
    def __init__(self, urls, **kw):
        super().__init__(**kw)
        self.urls = urls
    async def start(self):
        for u in self.urls:
            yield scrapy.Request(u, callback=self.parse, dont_filter=True)
    def parse(self, response):
        return None

urls = open(sys.argv[1]).read().split()
process = CrawlerProcess({
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "CONCURRENT_REQUESTS": int(sys.argv[3]), "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[3]),
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "RETRY_ENABLED": True,
})
crawler = process.create_crawler(BareSpider)
process.crawl(crawler, urls=urls)
process.start()
json.dump(crawler.stats.get_stats(), open(sys.argv[2], "w"), default=str)
'''


def variant_bare(ctx: Context) -> Result:
    """A bare Scrapy spider fetching the bantin crawl's GET URLs, no processing at all."""
    if not ctx.get_urls:
        raise RuntimeError("run the bantin variant first: the bare spider replays its URLs")
    urls = ctx.work / "urls.txt"
    urls.write_text("\n".join(ctx.get_urls), encoding="utf-8")
    script = ctx.work / "bare_spider.py"
    script.write_text(BARE_SPIDER, encoding="utf-8")
    stats_file = ctx.work / f"stats-bare-{ctx.round}.json"
    proc = subprocess.Popen([sys.executable, str(script), str(urls), str(stats_file),
                             str(CONCURRENCY)], cwd=ctx.work)
    _, status, rusage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the bare spider failed ({os.waitstatus_to_exitcode(status)})")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return Result("bare", int(stats.get("response_received_count", 0)),
                  float(stats.get("elapsed_time_seconds", 0.0)),
                  {"cpu": {"process": rusage.ru_utime + rusage.ru_stime}})


VARIANTS: dict[str, Callable[[Context], Result]] = {
    "bantin": variant_bantin,
    "bare": variant_bare,
}


# ------------------------------------------------------------------ WARC capture on/off
# (the WARC engineer's part; bench/capture.py measures capture in more depth: re-crawl
# sizes, the writer's own cost per exchange)


def variant_bantin_warc(ctx: Context) -> Result:
    """The `bantin` variant with WARC capture on (fresh store and WARC directory each round)."""
    db = ctx.work / f"bantin-warc-{ctx.round}.db"
    warc_dir = ctx.work / f"warc-{ctx.round}"
    stats, _ = bantin_crawl(ctx, db, "--warc-dir", str(warc_dir), tag=f"warc-{ctx.round}")
    size = sum(p.stat().st_size for p in warc_dir.glob("*.warc.gz"))
    new = int(stats.get("bantin/new", 0))
    return Result("bantin_warc", int(stats.get("response_received_count", 0)),
                  float(stats.get("elapsed_time_seconds", 0.0)),
                  {"new": new, "warc_bytes": size,
                   "records": {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                               if k.startswith("bantin_warc/records/")}})


VARIANTS["bantin_warc"] = variant_bantin_warc


def capture_lines(best: dict[str, Result]) -> list[str]:
    """The capture on/off ratio and WARC bytes per article, for the Crawl section."""
    on, off = best.get("bantin_warc"), best.get("bantin")
    if not on or not off or not off.rate:
        return []
    ratio = on.rate / off.rate
    per_article = on.extra["warc_bytes"] / on.extra["new"] if on.extra.get("new") else 0
    verdict = "met" if ratio >= 0.85 else "MISSED"
    return [f"WARC capture on / off (`bantin_warc` / `bantin`): **{ratio:.2f}** (target ≥ "
            f"0.85: {verdict}); {on.extra['warc_bytes']:,} WARC bytes for "
            f"{on.extra.get('new')} articles = **{per_article:,.0f} bytes per article** "
            f"(records: {on.extra.get('records')}). Re-crawl WARC sizes: see Capture.", ""]


def cpu_lines(best: dict[str, Result]) -> list[str]:
    """CPU per page of the best rounds: where a bantin crawl's time goes, against bare."""
    b, bare = best.get("bantin"), best.get("bare")
    if not b or not b.pages or not b.extra.get("cpu"):
        return []
    cpu = b.extra["cpu"]

    def per_page(seconds: float, pages: int) -> str:
        return f"{seconds / pages * 1000:.2f}"

    other = cpu["process"] - cpu["reactor"] - cpu["store"]
    line = (f"CPU per page (ms, spider open to close; the `bantin_cpu/*` crawl stats): reactor "
            f"thread {per_page(cpu['reactor'], b.pages)}, store thread "
            f"{per_page(cpu['store'], b.pages)}, other threads {per_page(other, b.pages)} "
            f"(crawl process {per_page(cpu['process'], b.pages)}, of which garbage collection "
            f"{per_page(cpu.get('gc', 0.0), b.pages)}); parse workers "
            f"{per_page(cpu['parse'], b.pages)}")
    if bare and bare.pages and bare.extra.get("cpu"):
        line += (f"; bare Scrapy process {per_page(bare.extra['cpu']['process'], bare.pages)}"
                 " (start-up included)")
    lines = [line + ".", ""]
    server = cpu.get("server", 0.0)
    if server and bare and bare.rate:
        # every busy process of the crawl (crawl process, parse worker, the portal) shares
        # the machine's cores: their CPU per page bounds the rate from above
        total = (cpu["process"] + cpu["parse"] + server) / b.pages
        cores = os.cpu_count() or 1
        ceiling = cores / total
        lines += [f"The sample portal's process used {per_page(server, b.pages)} ms per page "
                  f"serving the bantin crawl, so one page costs this machine "
                  f"{total * 1000:.2f} ms of CPU in all: on {cores} cores no schedule can "
                  f"exceed {ceiling:.0f} pages/s, a ratio of {ceiling / bare.rate:.2f} to "
                  f"the bare spider's {bare.rate:.0f} pages/s. The measured rate reaches "
                  f"{b.rate / ceiling:.0%} of that bound (the processes wait on each other: "
                  f"up to {cpu.get('most_waiting', 0):.0f} downloaded pages waited at once for "
                  "the parse workers, and the start and the end of a crawl keep fewer "
                  "processes busy).", ""]
    return lines


def recrawl(ctx: Context) -> dict[str, Any]:
    """Crawl once, then again on the unchanged portal: what the second crawl requested."""
    db = ctx.work / "recrawl.db"
    bantin_crawl(ctx, db, tag="recrawl-1")
    start = ctx.log_length()
    stats, _ = bantin_crawl(ctx, db, tag="recrawl-2")
    entries = ctx.log_entries(start)
    import sqlite3

    with sqlite3.connect(db) as conn:
        stored = {"/" + u.split("/", 3)[3] for (u,) in conn.execute("SELECT url FROM articles")}
    article_gets = [p for status, m, p in entries
                    if m == "GET" and status == 200 and p.split("?")[0] in stored]
    return {"requests": len(entries), "article_gets": len(article_gets),
            "new": stats.get("bantin/new", 0), "unchanged": stats.get("bantin/unchanged", 0)}


def big_crawl(articles: int, work: Path) -> dict[str, Any]:
    proc, url, log = start_portal(articles, work)
    try:
        ctx = Context(url, log, work, write_sources(url, work / "sources-big.yaml"))
        stats, rusage = bantin_crawl(ctx, work / "big.db", tag="big")
        return {"articles": articles, "new": stats.get("bantin/new", 0),
                "pages": stats.get("response_received_count", 0),
                "seconds": float(stats.get("elapsed_time_seconds", 0.0)),
                "maxrss_mb": rusage.ru_maxrss / 1024}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ------------------------------------------------------------------ report


def machine() -> str:
    return report.machine(load=True)


def render(articles: int, best: dict[str, Result], again: dict[str, Any],
           big: dict[str, Any] | None, rounds: int, paired: list[float]) -> str:
    ratio = best["bantin"].rate / best["bare"].rate if best["bare"].rate else 0.0
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION, "",
        f"`python -m bench.crawl` — {now}; {machine()}.",
        f"Sample portal with {articles} articles served by `bantin sample-portal` in its own "
        f"process on loopback; {CONCURRENCY} concurrent requests, no delay, AutoThrottle off, "
        f"WARC capture off; best of {rounds} alternating rounds (pages / Scrapy's "
        "elapsed_time_seconds).", "",
        "| variant | pages | seconds | pages/s | notes |", "|---|---|---|---|---|",
    ]
    for r in best.values():
        notes = ""
        if r.name == "bantin":
            notes = (f"extraction + SQLite store; {r.extra.get('new')} articles stored, "
                     f"{r.extra.get('posts')} postback POSTs; peak RSS "
                     f"{r.extra.get('maxrss_mb', 0):.0f} MB")
        elif r.name == "bare":
            notes = "Scrapy, no pipelines/parsing, the same GET URLs"
        elif r.name == "bantin_warc":
            notes = "as bantin, plus WARC capture of every exchange"
        lines.append(f"| {r.name} | {r.pages} | {r.seconds:.2f} | {r.rate:.1f} | {notes} |")
    lines += ["", f"Throughput ratio bantin / bare Scrapy: **{ratio:.2f}** (target ≥ 0.6).", ""]
    if paired:
        # the machine's speed moves between rounds: each round's own ratio shows the spread
        lines += [f"Ratio within each round (bantin / bare of the same round): "
                  f"{', '.join(f'{r:.2f}' for r in paired)}; median "
                  f"{statistics.median(paired):.2f}.", ""]
    lines += cpu_lines(best)
    lines += capture_lines(best)
    verdict = "target met" if again["article_gets"] == 0 else "TARGET MISSED"
    lines.append(
        f"Re-crawl of the unchanged portal: **{again['requests']} requests**, "
        f"{again['article_gets']} article GETs ({verdict}: no unchanged article fetched); "
        f"{again['new']} new. The requests are robots.txt, sitemaps, the RSS feed, the home "
        "page, the first page of each listing, and the portal's non-article links (301 old "
        "URL, 404, soft 404s).")
    if big:
        lines += ["", f"Peak memory of a {big['articles']:,}-article crawl (`--big`): "
                      f"**{big['maxrss_mb']:.0f} MB** ru_maxrss of the crawl process; "
                      f"{big['pages']} pages in {big['seconds']:.0f} s, {big['new']} articles "
                      "stored."]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    report.write_section(SECTION, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big", action="store_true", help="also a 20,000-article crawl")
    parser.add_argument("--big-articles", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra setting for the bantin crawls (e.g. "
                        "BANTIN_CRAWL_PARSE_WORKERS=0)")
    opts = parser.parse_args(argv)
    for value in opts.set:
        EXTRA_SETTINGS.extend(["-s", value])

    with tempfile.TemporaryDirectory(prefix="bantin-bench-") as tmp:
        work = Path(tmp)
        proc, url, log = start_portal(opts.articles, work)
        try:
            ctx = Context(url, log, work, write_sources(url, work / "sources.yaml"),
                          server_pid=proc.pid)
            best: dict[str, Result] = {}
            paired: list[float] = []
            for rnd in range(opts.rounds):
                ctx.round = rnd
                rates: dict[str, float] = {}
                for name, variant in VARIANTS.items():
                    result = variant(ctx)
                    rates[name] = result.rate
                    print(f"round {rnd + 1} {name}: {result.pages} pages in "
                          f"{result.seconds:.2f} s = {result.rate:.1f} pages/s", flush=True)
                    if name not in best or result.rate > best[name].rate:
                        best[name] = result
                if rates.get("bare"):
                    paired.append(rates["bantin"] / rates["bare"])
            again = recrawl(ctx)
            print(f"re-crawl: {again}", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        big = big_crawl(opts.big_articles, work) if opts.big else None
        if big:
            print(f"big: {big}", flush=True)
    text = render(opts.articles, best, again, big, opts.rounds, paired)
    print(text)
    if not opts.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
