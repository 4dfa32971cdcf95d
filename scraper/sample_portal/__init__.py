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

from scraper.sample_portal.content import (
    SECTIONS,
    Article,
    ExpectedArticle,
    SamplePortal,
    Section,
)
from scraper.sample_portal.server import RunningPortal, serve

__all__ = ["SECTIONS", "Article", "ExpectedArticle", "RunningPortal", "SamplePortal", "Section",
           "serve"]
