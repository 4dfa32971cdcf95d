"""Liferay 6 portals (Hanoi departments, several ministries).

Evidence: the sotttt.hanoi.gov.vn pages of the corpus. Articles are rendered by the Asset
Publisher portlet (`p_p_id_101_`): title `div.asset-full-content-title`, date
`div.assetPublishDate` ("26/07/2022 | 9:50 AM"), lead `p.sapo`, body
`div.journal-content-article`, caption `<i>` after `img.imageClassDetail`, authors in
`p.texttacgia em` and `p.view-content-author em`, other news `div.related_asset`.
Listings: `h3.asset-title a` + `div.assetPublishDate` + `div.asset-summary`, paged by the
`_101_cur=N` query parameter.
"""

from __future__ import annotations

from scraper.platforms.base import Pagination, Platform

PLATFORM = Platform(
    name="liferay",
    generator_patterns=(r"liferay",),
    markers=("div.portlet-boundary", "html.aui"),
    html_markers=("/-/view_content/", "lfr-", "p_p_id", "Liferay."),
    url_patterns=(r"/-/view_content/", r"[?&]p_p_id=", r"/web/guest/"),
    title=("div.asset-full-content-title", "h1.asset-title", "h3.header-title span"),
    date=("div.assetPublishDate", "div.asset-publish-date", "span.publish-date"),
    lead=("p.sapo", "div.sapo", "div.asset-summary"),
    body=(
        "div.asset-full-content div.journal-content-article",
        "div.asset-content div.journal-content-article",
        "div.asset-full-content",
    ),
    byline=("p.texttacgia", "p.view-content-author", "div.view-content-author"),
    caption=("img.imageClassDetail ~ span i", "img.imageClassDetail ~ i", "span.caption"),
    other_news=("div.related_asset", "div.asset-related", "div.other-news"),
    chrome=(
        "div.asset-control-detail",
        "span.print-action",
        "span.mailto-action",
        "div.taglib-social-bookmarks",
        "div.asset-ratings",
    ),
    article_markers=("div.asset-full-content-title", "div.asset-full-content"),
    listing_item=("div.asset-abstract",),
    listing_link=("h3.asset-title a",),
    listing_date=("div.assetPublishDate",),
    article_url_patterns=(r"/-/view_content/\d+", r"/-/asset_publisher/[^/]+/content/"),
    listing_url_patterns=(r"[?&]_101_cur=\d+", r"^https?://[^/]+/[\w-]+/?$"),
    pagination=Pagination(
        params=("_101_cur",),
        container=("div.taglib-page-iterator", "ul.lfr-pagination-buttons", "div.pagination"),
        next_texts=("next", "Tiếp", "Trang sau", "Sau", "Next", "→"),
    ),
    ignore_url_patterns=(
        r"(?i)/c/portal/login|/dang-nhap|p_p_state=(?:pop_up|exclusive|maximized)",
        r"p_p_lifecycle=[12]|_101_struts_action=%2Fasset_publisher%2Frss|/-/asset_publisher/rss",
        r"[?&](?:languageId|doAsUserId)=|/c/journal/|/documents/\d+/\d+/.*\?version=",
        r"^(?:mailto|javascript|tel):",
    ),
)
