"""spiders.links as a specification: canonical URLs, link classification, pagination."""

from __future__ import annotations

from datetime import date, datetime

from scraper.platforms import get as platform
from spiders.feeds import parse_feed, parse_sitemap
from spiders.fingerprint import CanonicalRequestFingerprinter
from spiders.links import (
    CrawlRules,
    PageLink,
    analyse_page,
    canonicalize_url,
    classify_link,
    current_postback_page,
    find_feeds,
    find_pagination,
    find_postbacks,
    iter_links,
    next_page,
    next_postback,
    page_number,
    parse_html,
    rules_for_platform,
)

BASE = "https://phoLu.baothang.laocai.gov.vn"


# ------------------------------------------------------------------ canonical URLs


def test_tracking_parameters_are_dropped():
    url = f"{BASE}/tin-tuc/bai-1105750?utm_source=zalo&utm_medium=social&fbclid=x&gclid=y"
    assert canonicalize_url(url) == "https://pholu.baothang.laocai.gov.vn/tin-tuc/bai-1105750"


def test_session_ids_in_path_and_query_are_dropped():
    assert canonicalize_url(f"{BASE}/a;jsessionid=8F3A6C21?x=1") == (
        "https://pholu.baothang.laocai.gov.vn/a?x=1")
    assert canonicalize_url(f"{BASE}/a.php?PHPSESSID=abc&id=3") == (
        "https://pholu.baothang.laocai.gov.vn/a.php?id=3")
    assert canonicalize_url(f"{BASE}/Default.aspx?ASP.NET_SessionId=q&pageid=12") == (
        "https://pholu.baothang.laocai.gov.vn/Default.aspx?pageid=12")


def test_fragment_dropped_and_host_lower_cased_and_default_port_removed():
    assert canonicalize_url("HTTP://Example.GOV.vn:80/Tin-Tuc#binh-luan") == (
        "http://example.gov.vn/Tin-Tuc")


def test_content_selecting_parameters_are_kept_and_sorted():
    url = f"{BASE}/web/guest/tin?p_p_id=101&_101_cur=3&pageid=1056&id=7"
    assert canonicalize_url(url) == (
        "https://pholu.baothang.laocai.gov.vn/web/guest/tin?_101_cur=3&id=7&p_p_id=101"
        "&pageid=1056")


def test_parameter_order_does_not_make_two_urls():
    assert canonicalize_url(f"{BASE}/x?b=2&a=1") == canonicalize_url(f"{BASE}/x?a=1&b=2")


def test_relative_links_resolve_against_the_page():
    assert canonicalize_url("../b-1234", f"{BASE}/tin-tuc/a") == (
        "https://pholu.baothang.laocai.gov.vn/b-1234")


def test_vietnamese_path_is_percent_encoded_once():
    once = canonicalize_url(f"{BASE}/tin-tức/phố-lu")
    assert once == canonicalize_url(once)
    assert "%E1%BB%A9" in once


def test_tracking_variants_share_one_request_fingerprint():
    from scrapy import Request

    fp = CanonicalRequestFingerprinter()
    a = Request(f"{BASE}/tin/bai-1105750?utm_source=zalo")
    b = Request(f"{BASE}/tin/bai-1105750;jsessionid=ABC#top")
    c = Request(f"{BASE}/tin/bai-1105751")
    assert fp.fingerprint(a) == fp.fingerprint(b) != fp.fingerprint(c)


def test_numbered_postbacks_are_one_request_whatever_the_viewstate():
    from scrapy import FormRequest

    fp = CanonicalRequestFingerprinter()
    target = "ctl00$ContentPlaceHolder1$gvList"
    p3_from_1 = FormRequest(f"{BASE}/thong-bao", formdata={
        "__EVENTTARGET": target, "__EVENTARGUMENT": "Page$3", "__VIEWSTATE": "AAA"})
    p3_from_2 = FormRequest(f"{BASE}/thong-bao", formdata={
        "__EVENTTARGET": target, "__EVENTARGUMENT": "Page$3", "__VIEWSTATE": "BBB"})
    next_from_1 = FormRequest(f"{BASE}/thong-bao", formdata={
        "__EVENTTARGET": target, "__EVENTARGUMENT": "Page$Next", "__VIEWSTATE": "AAA"})
    next_from_2 = FormRequest(f"{BASE}/thong-bao", formdata={
        "__EVENTTARGET": target, "__EVENTARGUMENT": "Page$Next", "__VIEWSTATE": "BBB"})
    assert fp.fingerprint(p3_from_1) == fp.fingerprint(p3_from_2)
    assert fp.fingerprint(next_from_1) != fp.fingerprint(next_from_2)


# ------------------------------------------------------------------ classification

LISTING_PAGE = """<html><head>
<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>
<div id="header"><a href="/">Trang chủ</a></div>
<ul class="menu"><li><a href="/tin-tuc-su-kien">Tin tức - Sự kiện</a></li>
<li><a href="/thong-bao">Thông báo</a></li><li><a href="/dang-nhap">Đăng nhập</a></li></ul>
<div class="list-news">
 <div class="item"><a class="title-item"
   href="/tin-tuc-su-kien/ubnd-thi-tran-pho-lu-phat-dong-thi-dua-1105750?utm_source=zalo"
   >UBND thị trấn Phố Lu phát động thi đua năm 2023</a>
   <span class="date-item">16/01/2023</span></div>
 <div class="item"><a class="title-item"
   href="/tin-tuc-su-kien/tiep-dan-dinh-ky-thang-1-1105751">Tiếp dân định kỳ tháng 1</a>
   <span class="date-item">17/01/2023 08:30</span></div>
</div>
<div class="pager"><a href="/tin-tuc-su-kien?Page=2">2</a> <a href="/tin-tuc-su-kien?Page=3">3</a>
<a href="/tin-tuc-su-kien?Page=2">Trang sau</a></div>
<div id="footer"><a href="/gioi-thieu">Giới thiệu</a> <a href="/files/qd-12.pdf">Quyết định 12</a>
<a href="https://other.gov.vn/tin/bai-viet-khac-12345">Bài ở cổng khác</a></div>
</body></html>"""


def test_article_links_in_a_listing_are_articles_with_their_listed_dates():
    page = analyse_page(parse_html(LISTING_PAGE), f"{BASE}/tin-tuc-su-kien",
                        allowed_domains=["pholu.baothang.laocai.gov.vn"])
    assert [(a.url.rsplit("/", 1)[1], a.listed_at) for a in page.articles] == [
        ("ubnd-thi-tran-pho-lu-phat-dong-thi-dua-1105750", date(2023, 1, 16)),
        ("tiep-dan-dinh-ky-thang-1-1105751", datetime(2023, 1, 17, 8, 30)),
    ]


def test_menu_links_are_listings_and_login_and_files_are_neither():
    page = analyse_page(parse_html(LISTING_PAGE), f"{BASE}/tin-tuc-su-kien",
                        allowed_domains=["pholu.baothang.laocai.gov.vn"])
    listings = {u.url.rsplit("/", 1)[1] for u in page.listings}
    assert "thong-bao" in listings
    assert "dang-nhap" not in listings
    assert not any(u.url.endswith(".pdf") for u in page.articles + page.listings)


def test_links_to_other_sites_are_not_followed():
    page = analyse_page(parse_html(LISTING_PAGE), f"{BASE}/tin-tuc-su-kien",
                        allowed_domains=["pholu.baothang.laocai.gov.vn"])
    assert not any("other.gov.vn" in link.url for link in page.articles + page.listings)


def test_feed_announced_in_head_is_found():
    assert find_feeds(parse_html(LISTING_PAGE), f"{BASE}/tin-tuc-su-kien") == [
        "https://pholu.baothang.laocai.gov.vn/rss.xml"]


def test_long_slug_in_main_content_is_an_article_under_the_generic_rule():
    url = f"{BASE}/tin/hoi-nghi-tong-ket-cong-tac-thi-dua-khen-thuong-nam-2023"
    assert classify_link(url, CrawlRules(), text="Hội nghị tổng kết công tác thi đua khen "
                         "thưởng năm 2023", region="main") == "article"


def test_short_menu_entry_is_navigation_under_the_generic_rule():
    assert classify_link(f"{BASE}/gioi-thieu", CrawlRules(), text="Giới thiệu",
                         region="nav") == "listing"


def test_numeric_id_link_in_the_footer_with_a_short_text_is_not_an_article():
    assert classify_link(f"{BASE}/p/lien-ket-1234", CrawlRules(), text="Liên kết",
                         region="nav") != "article"


def test_platform_article_pattern_wins_over_the_generic_rule():
    rules = rules_for_platform(platform("liferay"))
    url = f"{BASE}/chi-dao-dieu-hanh/-/view_content/4410022-x"
    assert classify_link(url, rules, text="x", region="nav") == "article"


def test_generic_platform_uses_the_generic_rule():
    assert rules_for_platform(platform("generic")) == CrawlRules()


def test_vnportal_rules_know_the_gridview_postback_pager():
    rules = rules_for_platform(platform("vnportal"))
    assert rules.postback_target is not None
    assert rules.postback_target.search("ctl00$ContentPlaceHolder1$gvList")


# ------------------------------------------------------------------ pagination


def test_numbered_and_next_page_links_are_pagination():
    pages = find_pagination(parse_html(LISTING_PAGE), f"{BASE}/tin-tuc-su-kien")
    by_url = {p.url.rsplit("/", 1)[1]: p for p in pages}
    assert set(by_url) == {"tin-tuc-su-kien?Page=2", "tin-tuc-su-kien?Page=3"}
    assert by_url["tin-tuc-su-kien?Page=2"].is_next
    assert next_page(pages, 1).url.endswith("Page=2")


def test_liferay_cur_parameter_is_a_page_number():
    html = f"""<div class="pager"><a href="{BASE}/chi-dao?p_p_id=101&_101_cur=2">2</a>
    <a href="{BASE}/chi-dao?p_p_id=101&_101_cur=3">Tiếp</a></div>"""
    pages = find_pagination(parse_html(html), f"{BASE}/chi-dao?p_p_id=101&_101_cur=1")
    assert sorted(p.number for p in pages) == [2, 3]
    assert next_page(pages, 1).number == 2


def test_wordpress_page_path_is_a_page_number():
    assert page_number(f"{BASE}/category/tin-tuc/page/4/") == 4
    html = f'<nav><a href="{BASE}/category/tin-tuc/page/2/">»</a></nav>'
    pages = find_pagination(parse_html(html), f"{BASE}/category/tin-tuc/")
    assert [p.number for p in pages] == [2]


def test_next_word_without_number_is_followed_when_no_numbered_page_follows():
    pages = [PageLink(f"{BASE}/x?trang=9", None, True)]
    assert next_page(pages, 4) == pages[0]


def test_aspnet_postback_pager_links_are_found_with_their_page_numbers():
    html = """<form id="aspnetForm"><table id="ctl00_ContentPlaceHolder1_gvList">
    <tr class="pager"><td><table><tr><td><span>1</span></td>
    <td><a href="javascript:__doPostBack('ctl00$ContentPlaceHolder1$gvList','Page$2')">2</a></td>
    <td><a href="javascript:__doPostBack('ctl00$ContentPlaceHolder1$gvList','Page$3')">3</a></td>
    <td><a href="javascript:__doPostBack('ctl00$ContentPlaceHolder1$gvList','Page$Last')"
      >Cuối</a></td>
    <td><a href="javascript:__doPostBack('ctl00$ContentPlaceHolder1$btnSearch','')">Tìm</a></td>
    </tr></table></td></tr></table></form>"""
    tree = parse_html(html)
    postbacks = find_postbacks(tree)
    assert [(p.argument, p.number) for p in postbacks] == [
        ("Page$2", 2), ("Page$3", 3), ("Page$Last", None)]
    assert current_postback_page(tree) == 1
    assert next_postback(postbacks, 1).argument == "Page$2"
    assert next_postback(postbacks, 3) is None


def test_postback_links_are_not_followed_as_get_links():
    html = "<a href=\"javascript:__doPostBack('x$gvList','Page$2')\">2</a>"
    assert list(iter_links(parse_html(html), BASE)) == []


# ------------------------------------------------------------------ sitemaps and feeds


def test_sitemap_index_and_urlset_give_children_and_dated_entries():
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
             b'sitemap/0.9"><sitemap><loc>/sitemap-1.xml</loc></sitemap></sitemapindex>')
    assert parse_sitemap(index, f"{BASE}/sitemap.xml") == ([f"{BASE}/sitemap-1.xml"], [])
    urlset = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
              b"<loc>https://x.gov.vn/a-1234</loc><lastmod>2023-01-16</lastmod></url>"
              b"</urlset>")
    assert parse_sitemap(urlset, "https://x.gov.vn/s.xml") == (
        [], [("https://x.gov.vn/a-1234", date(2023, 1, 16))])


def test_broken_sitemap_gives_nothing_rather_than_an_error():
    assert parse_sitemap(b"\x1f\x8bnot gzip", BASE) == ([], [])
    assert parse_sitemap(b"", BASE) == ([], [])


def test_rss_items_give_links_with_local_dates():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>T</title>'
           b"<link>https://x.gov.vn/a-1234</link>"
           b"<pubDate>Mon, 16 Jan 2023 03:00:00 GMT</pubDate></item></channel></rss>")
    assert parse_feed(rss, "https://x.gov.vn/rss.xml") == [
        ("https://x.gov.vn/a-1234", datetime(2023, 1, 16, 10, 0))]
