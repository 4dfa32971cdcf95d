"""WordPress sites (commune portals, some news sites).

Detection: `<meta name="generator" content="WordPress …">`, `/wp-content/` paths. Articles:
`article` with `.entry-title`, `.entry-content`, `time.entry-date`; listings paged as
`/page/N/` or `?paged=N`.
"""

from __future__ import annotations

from scraper.platforms.base import Pagination, Platform

PLATFORM = Platform(
    name="wordpress",
    generator_patterns=(r"wordpress",),
    markers=("link[href*='/wp-content/']", "script[src*='/wp-includes/']"),
    html_markers=("/wp-content/", "/wp-includes/", "wp-json"),
    url_patterns=(r"[?&]p=\d+", r"/\d{4}/\d{2}/\d{2}/[\w%-]+/?$"),
    title=("article h1.entry-title", "h1.entry-title", "h1.post-title", "article h1"),
    date=("article time.entry-date", "time.entry-date", "span.posted-on time", "time.published"),
    updated=("time.updated",),
    lead=("div.entry-summary", "p.sapo"),
    body=("article div.entry-content", "div.entry-content", "div.post-content"),
    byline=("span.author a", "span.byline a", "a[rel=author]"),
    caption=("figcaption", "p.wp-caption-text"),
    other_news=(
        "div.jp-relatedposts",
        "div.related-posts",
        "section.related",
        "nav.post-navigation",
        "div.sharedaddy",
        "div.yarpp-related",
    ),
    chrome=("div.sharedaddy", "div.entry-meta", "footer.entry-footer", "div.post-tags"),
    article_markers=("body.single-post", "body.single", "article.post h1.entry-title"),
    listing_item=("article.post",),
    listing_link=("h2.entry-title a", "h3.entry-title a"),
    listing_date=("time.entry-date",),
    article_url_patterns=(r"/\d{4}/\d{2}/(?:\d{2}/)?[\w%-]+/?$", r"[?&]p=\d+"),
    listing_url_patterns=(r"/category/[\w%-]+/?", r"/page/\d+/?$", r"[?&]paged=\d+"),
    pagination=Pagination(
        params=("paged",),
        path_patterns=(r"/page/(\d+)/?$",),
        container=("nav.pagination", "div.nav-links", "nav.navigation"),
        next_texts=("Trang sau", "Tiếp", "Tiếp theo", "Next", "next", "»", "→"),
    ),
    ignore_url_patterns=(
        r"/wp-(?:admin|login\.php|json)|/xmlrpc\.php|/feed/?$|[?&]replytocom=|/comment-page-",
        r"[?&](?:share|print)=|/author/[^/]+/feed/|/(?:tag|author)/[^/]+/page/",
        r"^(?:mailto|javascript|tel):",
    ),
)
