"""SharePoint 2010/2013 district portals running the Lạc Việt e-government product.

Markup (from public copies of such portals): title `P.Title`, date `td.Time` ("08/11/2019"),
lead `B.lv_description_mode1`, body in the rich-text field under it, image captions in a table
row under the image, author line "Bài, ảnh: …" at the end of the body, view counter
"Số lượt người xem", other-news block "TIN ĐÃ ĐƯA" with `SPAN.ShowDate` dates. Listing URLs
carry `?Page=N` or `&Page=N`.
"""

from __future__ import annotations

from scraper.platforms.base import Pagination, Platform

PLATFORM = Platform(
    name="sharepoint_lacviet",
    generator_patterns=(r"sharepoint",),
    markers=("b.lv_description_mode1", "span.ShowDate", "div.lv_content"),
    html_markers=("_spBodyOnLoadFunctionNames", "/_layouts/", "MSOWebPartPage", "lv_description"),
    url_patterns=(r"/Pages/[^/]+\.aspx", r"/_layouts/"),
    title=("p.Title", "td.Title", "div.lv_title"),
    date=("td.Time", "span.Time", "div.Time"),
    lead=("b.lv_description_mode1", "div.lv_description_mode1"),
    body=("div.lv_content", "td.lv_content", "div.ms-rtestate-field", "div.ExternalClass"),
    byline=("p.Author", "div.Author", "td.Author"),
    caption=("table.image-caption td.caption", "td.lv_caption", "table.lv_image tr + tr td"),
    other_news=("div.lv_other_news", "table.lv_other_news", "table.OtherNews", "div.OtherNews"),
    chrome=("div.lv_view_count", "span.ViewCount", "div.lv_tools", "div.lv_share"),
    article_markers=("p.Title", "b.lv_description_mode1"),
    listing_item=("div.lv_news_item", "table.NewsList tr"),
    listing_link=("a.lv_news_title", "a.NewsTitle"),
    listing_date=("span.ShowDate",),
    article_url_patterns=(r"/Pages/[\w-]+\.aspx\?ItemID=\d+", r"[?&]ItemID=\d+"),
    listing_url_patterns=(r"/Pages/[\w-]+\.aspx\?(?:.*&)?Page=\d+", r"/Pages/[\w-]+\.aspx$"),
    pagination=Pagination(
        params=("Page", "page"),
        container=("div.lv_pager", "td.Pager", "div.Pager"),
        next_texts=("Trang sau", "Tiếp", "Sau", ">>", "»"),
    ),
    ignore_url_patterns=(
        r"(?i)/_layouts/|/_vti_bin/|/_catalogs/|Authenticate\.aspx|AccessDenied\.aspx",
        r"(?i)[?&](?:print|Source)=|/Lists/[^/]+/(?:NewForm|EditForm|AllItems)\.aspx",
        r"^(?:mailto|javascript|tel):",
    ),
)
