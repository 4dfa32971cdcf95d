"""`bantin sample-portal`: serve the bundled sample commune portal on loopback."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

import click


@click.command(name="sample-portal")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (keep loopback: the portal is a test fixture).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--articles", default=60, show_default=True, type=click.IntRange(1, 200_000),
              help="Number of articles to generate (the Phố Lu notice is always one of them).")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Seed of the generated content: same seed, same portal.")
@click.option("--gzip", "compress", is_flag=True,
              help="Gzip text responses for clients that accept it (IIS dynamic compression).")
@click.option("--write-sources", "sources_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a sources registry with the 'sample' source at the served URL.")
@click.option("--quiet", is_flag=True, help="Do not print an access log line per request.")
def command(host: str, port: int, articles: int, seed: int, compress: bool,
            sources_out: Path | None, quiet: bool) -> None:
    """Serve a realistic commune portal (thị trấn Phố Lu) until Ctrl-C.

    \b
    What a crawler meets there:
      /tin-tuc-su-kien, /thong-bao   vnPortal (ASP.NET) listings paged by postback only
      /chi-dao-dieu-hanh             Liferay listing paged by GET ?_101_cur=N
      /robots.txt                    Disallow: /admin/ and /c/, plus the sitemap
      /sitemap.xml, /rss.xml         sitemap index and RSS feed
      a 301 old URL, utm_*/jsessionid duplicates, a 404, a 500-then-200 article,
      soft 404s (HTTP 200 "Không tìm thấy"), ETag/Last-Modified with 304.

    \b
    Example (two terminals):
      bantin sample-portal --port 8765 --articles 2000
      bantin crawl sample --sources scraper/sample_portal/sources.yaml
    On another port, let it write the registry for you:
      bantin sample-portal --port 0 --write-sources /tmp/sample.yaml
      bantin crawl sample --sources /tmp/sample.yaml

    Exit codes: 0 stopped with Ctrl-C, 1 the port could not be opened (or the registry
    could not be written).
    """
    from scraper.sample_portal import SamplePortal, serve

    def log(method: str, path: str, status: int) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        click.echo(f"{stamp} {status} {method} {path}")

    # Ctrl-C and SIGTERM only set an event: a signal arriving at any moment (even while the
    # banner is printed) ends in the same clean stop, never in a KeyboardInterrupt.
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    portal = SamplePortal(n_articles=articles, seed=seed)
    try:
        running = serve(portal, host=host, port=port, on_request=None if quiet else log,
                        compress=compress)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"Sample portal (thị trấn Phố Lu, {articles} articles, seed {seed}) at "
               f"{running.url}/")
    if sources_out is not None:
        try:
            running.write_sources(sources_out)
        except OSError as exc:
            running.stop()
            click.echo(f"error: cannot write {sources_out}: {exc.strerror or exc}", err=True)
            sys.exit(1)
        click.echo(f"Sources registry written to {sources_out} (source id: sample)")
    click.echo("Press Ctrl-C to stop.")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        running.stop()
        click.echo(f"Stopped after {len(running.access_log)} requests.")
