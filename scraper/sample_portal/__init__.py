"""A realistic commune portal (thị trấn Phố Lu) that bantin serves itself over loopback.

It is what `make demo` crawls and what the crawl tests crawl for real: a vnPortal (ASP.NET)
part whose listings page only by postback, a Liferay part paged by GET `_101_cur`, and the
obstacles real portals put in a crawler's way (robots.txt, sitemap, RSS, a 301 old URL,
tracking-parameter duplicates, a 404, a 500-then-200 article, soft 404s, ETag/304).

    portal = SamplePortal(n_articles=60, seed=1)
    running = serve(portal)              # http://127.0.0.1:<free port>
    ...crawl running.url + "/"...
    running.expected_articles()          # the truth: every article, canonical URL, once
    running.access_log                   # [(method, path, status), ...]
    running.stop()
"""

from pathlib import Path

from scraper.sample_portal.content import (
    SECTIONS,
    Article,
    ExpectedArticle,
    SamplePortal,
    Section,
)
from scraper.sample_portal.server import RunningPortal, serve

SOURCES_FILE = Path(__file__).parent / "sources.yaml"  # the `sample` source at the demo port
SAMPLE_SOURCE_ID = "sample"


def sample_sources_yaml(url: str, source_id: str = SAMPLE_SOURCE_ID) -> str:
    """A registry (YAML text) with one source for the sample portal served at `url`."""
    text = SOURCES_FILE.read_text(encoding="utf-8")
    start = url.rstrip("/") + "/"
    return (text.replace("http://127.0.0.1:8765/", start)
            .replace("  - id: sample\n", f"  - id: {source_id}\n"))


__all__ = ["SAMPLE_SOURCE_ID", "SECTIONS", "SOURCES_FILE", "Article", "ExpectedArticle",
           "RunningPortal", "SamplePortal", "Section", "sample_sources_yaml", "serve"]
