"""`make demo`: crawl the bundled sample portal for real, then search what was archived.

    python -m scraper.demo [--port 8765] [--db sqlite:///data/bantin.db] [--articles 60]

1. serves the sample commune portal (thị trấn Phố Lu) on loopback, in this process;
2. writes a sources file for it (data/demo-sources.yaml);
3. runs the real `bantin crawl sample` (a subprocess, as a user would) into the store
   (data/bantin.db by default; WARC files into data/warc) and shows its summary;
4. runs `bantin search "pho lu thi dua"` on the result;
5. stops the portal.

A second run is incremental: the re-crawl fetches no unchanged article and the summary says
0 new. The politeness delay is lowered for the demo only: the portal is our own, on loopback.
Exit codes: 0 demo ran, 1 the crawl failed or the port is taken.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from scraper.cli import main; main()"]
QUERY = "pho lu thi dua"


def _run(args: list[str]) -> int:
    print("$ bantin " + " ".join(f'"{a}"' if " " in a else a for a in args), flush=True)
    return subprocess.call([*CLI, *args])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765, help="loopback port of the portal")
    parser.add_argument("--db", default=None, help="store URL (default: data/bantin.db)")
    parser.add_argument("--articles", type=int, default=60, help="articles in the portal")
    parser.add_argument("--data", default="data", help="directory for sources, jobs, WARC")
    opts = parser.parse_args(argv)

    from scraper.sample_portal import SamplePortal, sample_sources_yaml, serve

    data = Path(opts.data)
    data.mkdir(parents=True, exist_ok=True)
    try:
        running = serve(SamplePortal(n_articles=opts.articles, seed=1), port=opts.port)
    except OSError as exc:
        print(f"error: cannot serve the sample portal on 127.0.0.1:{opts.port}: "
              f"{exc.strerror or exc} (choose another with --port / DEMO_PORT)", file=sys.stderr)
        return 1
    try:
        print(f"Sample portal (thị trấn Phố Lu, {opts.articles} articles) at {running.url}/",
              flush=True)
        sources = data / "demo-sources.yaml"
        sources.write_text(sample_sources_yaml(running.url), encoding="utf-8")
        db = opts.db or f"sqlite:///{data / 'bantin.db'}"
        crawl = ["crawl", "sample", "--sources", str(sources), "--db", db,
                 "--jobdir", str(data / "jobs"), "--warc-dir", str(data / "warc"),
                 "-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_ENABLED=0",
                 "-s", "BANTIN_PROGRESS_INTERVAL=2"]
        code = _run(crawl)
        if code != 0:
            print(f"error: the crawl failed (exit code {code})", file=sys.stderr)
            return 1
        print(flush=True)
        _run(["search", QUERY, "--db", db, "--limit", "5"])
        gets = sum(1 for m, _, _ in running.access_log if m == "GET")
        posts = sum(1 for m, _, _ in running.access_log if m == "POST")
        print(f"\nThe portal answered {gets} GET and {posts} POST requests. Run `make demo` "
              "again: the re-crawl fetches no unchanged article.")
        return 0
    finally:
        running.stop()


if __name__ == "__main__":
    sys.exit(main())
