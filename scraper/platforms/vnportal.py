"""VNPT vnPortal on ASP.NET, used by Lào Cai province units (one shared vnPortal storage).

URLs: `/Default.aspx?pageid=…` or `/<category-slug>/<title-slug>-1105750` (a numeric article
id at the end). Articles: title `h2.title-detail` (often in capitals), date `div.date-detail`,
lead `div.sapo-detail`, body `div.content-detail`, author `div.author-detail`, other news
`div.other-news` ("Tin khác"). Listings are ASP.NET GridViews paged by postback:
`__doPostBack('ctl00$…$gvList','Page$2')` — POST the form back with `__EVENTTARGET`,
`__EVENTARGUMENT` and every hidden field such as `__VIEWSTATE`.
"""

from __future__ import annotations

from scraper.platforms.base import Pagination, Platform, PostbackPager

PLATFORM = Platform(
    name="vnportal",
    generator_patterns=(r"vnportal", r"vnpt"),
    markers=("div.vnp-portal", "div.news-detail h2.title-detail", "table[id$=gvList]"),
    html_markers=("vnPortal", "/vnp-resources/", "$gvList"),
    url_patterns=(r"/Default\.aspx\?pageid=", r"/[\w-]+/[\w-]+-\d{5,}/?$"),
    title=("div.news-detail h2.title-detail", "h2.title-detail", "h1.title-detail"),
    date=("div.date-detail", "span.date-detail"),
    updated=("div.update-detail",),
    lead=("div.sapo-detail",),
    body=("div.content-detail",),
    byline=("div.author-detail", "p.author-detail"),
    caption=("div.content-detail em.caption", "div.content-detail p.caption"),
    other_news=("div.other-news", "div.tin-khac"),
    chrome=("div.tools-detail", "div.share-detail", "div.view-count"),
    article_markers=("div.news-detail",),
    listing_item=("table[id$=gvList] tr.item", "div.list-news div.item"),
    listing_link=("a.title-item",),
    listing_date=("span.date-item",),
    article_url_patterns=(r"/[\w-]+/[\w-]+-\d{5,}/?$", r"[?&]ItemID=\d+", r"[?&]newsid=\d+"),
    listing_url_patterns=(r"/Default\.aspx\?pageid=\d+(?:&|$)", r"/[\w-]+/?$"),
    pagination=Pagination(params=("page", "Page"), container=("tr.pager", "div.pager")),
    postback_pager=PostbackPager(),
    ignore_url_patterns=(
        r"(?i)dang-nhap|login|/vnp-resources/|[?&](?:print|in)=|/Print\.aspx",
        r"^(?:mailto|tel):|^javascript:(?!__doPostBack)",
    ),
)
