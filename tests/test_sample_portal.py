"""The sample portal, over real loopback HTTP: content, both pagers, and every crawler obstacle."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

from scraper.sample_portal import SamplePortal, serve
from scraper.sample_portal.content import PHOLU_ID, slugify
from scraper.sample_portal.render import GRID_TARGET, JSESSIONID
from tests.sample_portal_helpers import (
    POSTBACK,
    fetch,
    hidden_fields,
    lr_listing_links,
    postback,
    vn_listing_links,
)


@pytest.fixture
def portal() -> SamplePortal:
    return SamplePortal(n_articles=60, seed=1, flaky_failures=0)


@pytest.fixture
def site(portal: SamplePortal) -> Iterator:
    running = serve(portal)
    yield running
    running.stop()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ------------------------------------------------------------------------------ content
def test_expected_articles_cover_every_article_once_with_absolute_canonical_urls(site) -> None:
    expected = site.expected_articles()
    assert len(expected) == 60
    assert len({e.url for e in expected}) == 60
    assert len({e.id for e in expected}) == 60
    assert all(e.url.startswith(site.url + "/") for e in expected)
    assert {e.style for e in expected} == {"vnportal", "liferay"}
    dates = [e.published for e in expected]
    assert dates == sorted(dates, reverse=True, key=lambda d: d[:10])


def test_every_expected_article_is_served_with_its_title_and_canonical_link(site) -> None:
    for e in site.expected_articles():
        reply = fetch(e.url)
        assert reply.status == 200, e.url
        doc = reply.doc()
        assert doc.xpath("//link[@rel='canonical']/@href") == [e.url]
        title = doc.xpath("string(//h2[@class='title-detail'] | "
                          "//div[@class='asset-full-content-title'])")
        assert title == e.title


def test_pholu_notice_is_served_as_published(site, portal: SamplePortal) -> None:
    (notice,) = [e for e in site.expected_articles() if e.id == PHOLU_ID]
    assert notice.published == "2023-01-16"
    assert notice.title.startswith("UBND THỊ TRẤN PHỐ LU PHÁT ĐỘNG THI ĐUA")
    assert notice.url == (f"{site.url}/tin-tuc-su-kien/"
                          f"{slugify(notice.title)}-{PHOLU_ID}")
    page = fetch(notice.url).doc()
    assert page.xpath("string(//div[@class='date-detail'])") == "Thứ hai, 16/01/2023"
    assert page.xpath("string(//div[@class='author-detail'])") == "Phạm Thị Ngọc"
    body = page.xpath("string(//div[@class='content-detail'])")
    for glued in ("Ngày16 tháng 01 năm 2023", "củathị trấn", "trong côngtác"):
        assert glued in body
    assert "đồng chí Dương Thị Tâm- Ủy viên BTV huyện ủy" in body
    assert page.xpath("//div[@class='content-detail']//img/@alt") == ["anh tin bai"] * 2
    assert page.xpath("//div[@id='header']//img/@alt") == ["Image banner"]
    other = page.xpath("//div[@class='other-news']")[0]
    assert other.xpath("string(div[@class='title'])") == "Tin khác"
    assert re.search(r"\(\d\d/\d\d/\d{4}\)", other.text_content())


def test_generated_articles_name_officials_with_positions_and_bylines(portal) -> None:
    texts = []
    for a in portal.articles()[:20]:
        full = portal.article(a.id)
        assert full.paragraphs and full.lead and full.author
        texts.append(" ".join(full.paragraphs))
        for official in full.officials:
            assert official.name in texts[-1]
    joined = "\n".join(texts)
    assert re.search(r"đồng chí [A-ZĐ]\w+ [A-ZĐ]\w+ [A-ZĐ]\w+ - (Phó )?(Chủ tịch|Bí thư|Trưởng"
                     r"|Chỉ huy|Ủy viên)", joined)
    assert "các đồng chí:" in joined


def test_some_articles_carry_images_and_an_attachment_that_are_served(site, portal) -> None:
    arts = [portal.article(a.id) for a in portal.articles()]
    with_attachment = [a for a in arts if a.attachment]
    assert with_attachment and len(with_attachment) < len(arts)
    a = with_attachment[0]
    page = fetch(site.url + a.path)
    assert a.attachment.href in page.text
    pdf = fetch(site.url + a.attachment.href)
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body.startswith(b"%PDF-")
    image = fetch(site.url + a.images[0].src)
    assert (image.status, image.headers["content-type"]) == (200, "image/gif")


def test_same_seed_gives_the_same_portal_and_another_seed_another() -> None:
    def titles(p: SamplePortal) -> list[str]:
        return [(e.id, e.title, e.published) for e in p.expected_articles("http://x")]

    assert titles(SamplePortal(40, seed=7)) == titles(SamplePortal(40, seed=7))
    assert titles(SamplePortal(40, seed=7)) != titles(SamplePortal(40, seed=8))
    assert (SamplePortal(40, 7).article(PHOLU_ID).paragraphs
            == SamplePortal(40, 8).article(PHOLU_ID).paragraphs)


# ------------------------------------------------------------------------------ home
def test_home_links_sections_latest_news_counter_login_and_feed(site, portal) -> None:
    home = fetch(site.url + "/")
    assert home.status == 200
    doc = home.doc()
    hrefs = set(doc.xpath("//a/@href"))
    assert {"/tin-tuc-su-kien", "/thong-bao", "/chi-dao-dieu-hanh"} <= hrefs
    newest = portal.articles()[0]
    assert newest.path in hrefs
    assert "Thống kê truy cập" in home.text and "Đang online" in home.text
    assert doc.xpath("//a[text()='Đăng nhập']/@href") == ["/admin/Login.aspx?ReturnUrl=%2f"]
    assert doc.xpath("//link[@type='application/rss+xml']/@href") == ["/rss.xml"]


# ------------------------------------------------------------------------------ vnPortal pager
def test_vnportal_listing_has_no_get_link_to_its_other_pages(site) -> None:
    page1 = fetch(site.url + "/tin-tuc-su-kien")
    doc = page1.doc()
    assert doc.xpath("//form[@id='aspnetForm']/@method") == ["post"]
    hidden = hidden_fields(page1)
    assert {"__VIEWSTATE", "__EVENTVALIDATION", "__EVENTTARGET", "__EVENTARGUMENT"} <= set(hidden)
    assert hidden["__VIEWSTATE"].startswith("/wE")
    pager = doc.xpath("//tr[@class='pager']//a/@href")
    assert pager and all(h.startswith("javascript:__doPostBack(") for h in pager)
    assert POSTBACK.findall(page1.text)[0] == (GRID_TARGET, "Page$2")


def test_postback_walks_every_page_of_the_section_exactly_once(site, portal) -> None:
    url = site.url + "/tin-tuc-su-kien"
    page = fetch(url)
    seen = vn_listing_links(page)
    n = 1
    while (args := [a for t, a in POSTBACK.findall(page.text) if a == f"Page${n + 1}"]):
        page = postback(url, page, GRID_TARGET, args[0])
        assert page.status == 200
        seen += vn_listing_links(page)
        n += 1
    expected = [portal.article(i).path for i in portal.section_ids("tin-tuc-su-kien")]
    assert n == -(-len(expected) // 10) and n > 1
    assert seen == expected
    posts = [e for e in site.access_log if e[0] == "POST"]
    assert [(m, p, s) for m, p, s in posts] == [("POST", "/tin-tuc-su-kien", 200)] * (n - 1)


def test_postback_without_the_viewstate_fails(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    form = hidden_fields(fetch(url))
    del form["__VIEWSTATE"]
    form.update(__EVENTTARGET=GRID_TARGET, __EVENTARGUMENT="Page$2")
    reply = fetch(url, data=form)
    assert reply.status == 500
    assert "Validation of viewstate MAC failed" in reply.text


def test_postback_with_a_forged_viewstate_fails(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    form = hidden_fields(fetch(url))
    form.update(__VIEWSTATE="/wEPDwUKMTY1NDU2MTA1MmRk", __EVENTTARGET=GRID_TARGET,
                __EVENTARGUMENT="Page$2")
    assert fetch(url, data=form).status == 500


def test_postback_of_another_sections_form_fails(site) -> None:
    other = hidden_fields(fetch(site.url + "/thong-bao"))
    other.update(__EVENTTARGET=GRID_TARGET, __EVENTARGUMENT="Page$2")
    assert fetch(site.url + "/tin-tuc-su-kien", data=other).status == 500


def test_postback_without_event_validation_fails(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    form = hidden_fields(fetch(url))
    del form["__EVENTVALIDATION"]
    form.update(__EVENTTARGET=GRID_TARGET, __EVENTARGUMENT="Page$2")
    reply = fetch(url, data=form)
    assert reply.status == 500 and "Invalid postback or callback argument" in reply.text


def test_postback_argument_not_rendered_on_the_page_is_rejected(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    reply = postback(url, fetch(url), GRID_TARGET, "Page$99")
    assert reply.status == 500 and "Page$99" in reply.text


def test_postback_for_another_control_returns_the_same_page(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    page1 = fetch(url)
    same = postback(url, page1, "ctl00$btnSearch", "")
    assert same.status == 200
    assert vn_listing_links(same) == vn_listing_links(page1)


def test_get_of_a_listing_always_shows_page_one(site) -> None:
    url = site.url + "/tin-tuc-su-kien"
    page1 = fetch(url)
    assert vn_listing_links(fetch(url + "?Page=2")) == vn_listing_links(page1)


def test_long_listings_page_in_blocks_of_ten_with_ellipsis_first_and_last() -> None:
    portal = SamplePortal(n_articles=500, seed=3, flaky_failures=0)
    with serve(portal) as site:
        url = site.url + "/tin-tuc-su-kien"
        pages = -(-len(portal.section_ids("tin-tuc-su-kien")) // 10)
        assert pages > 20
        page1 = fetch(url)
        args = [a for _, a in POSTBACK.findall(page1.text)]
        assert args == [f"Page${n}" for n in range(2, 12)] + ["Page$Last"]
        page11 = postback(url, page1, GRID_TARGET, "Page$11")
        args11 = [a for _, a in POSTBACK.findall(page11.text)]
        assert args11[:2] == ["Page$First", "Page$10"]
        cells = page11.doc().xpath("//tr[@class='pager']//td[not(.//td)]")
        texts = [c.text_content() for c in cells]
        assert texts[:4] == ["Đầu", "...", "11", "12"]  # the current page: an unlinked span
        assert cells[2].xpath("span") and not cells[2].xpath("a")
        last = postback(url, page11, GRID_TARGET, "Page$Last")
        ids = portal.section_ids("tin-tuc-su-kien")
        assert vn_listing_links(last) == [portal.article(i).path for i in ids[(pages - 1) * 10:]]
        first = postback(url, last, GRID_TARGET, "Page$First")
        assert vn_listing_links(first) == vn_listing_links(page1)


# ------------------------------------------------------------------------------ Liferay pager
def test_liferay_listing_pages_by_get_cur_parameter(site, portal) -> None:
    url = site.url + "/chi-dao-dieu-hanh"
    page = fetch(url)
    seen = lr_listing_links(page)
    assert re.search(r"Hiển thị 1 - 10 of \d+ kết quả\.", page.text)
    while True:
        nxt = page.doc().xpath("//ul[contains(@class,'lfr-pagination-buttons')]"
                               "/li[not(contains(@class,'disabled'))]"
                               "/a[normalize-space()='next']/@href")
        if not nxt:
            break
        assert "_101_cur=" in nxt[0]
        page = fetch(site.url + nxt[0])
        seen += lr_listing_links(page)
    expected = [portal.article(i).path for i in portal.section_ids("chi-dao-dieu-hanh")]
    assert seen == expected
    assert all("/-/view_content/" in p for p in seen)


def test_liferay_pages_carry_liferay_markup_and_header(site, portal) -> None:
    a = portal.article(portal.section_ids("chi-dao-dieu-hanh")[0])
    reply = fetch(site.url + a.path)
    assert reply.headers["liferay-portal"].startswith("Liferay Portal")
    doc = reply.doc()
    assert doc.xpath("//html/@class") == ["aui ltr"]
    assert doc.xpath("string(//div[@class='asset-full-content-title'])") == a.title
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \| \d{1,2}:\d\d [AP]M",
                        doc.xpath("string(//div[contains(@class,'assetPublishDate')])").strip())
    assert doc.xpath("string(//p[@class='sapo'])").strip() == a.lead
    assert doc.xpath("string(//p[contains(@class,'texttacgia')]//em)") == a.author
    assert doc.xpath("string(//div[@class='related_asset_title'])") == "Các tin khác"


def test_pages_are_recognised_as_the_platform_they_imitate(site, portal) -> None:
    from scraper.platforms import detect

    vn = portal.article(PHOLU_ID)
    lr = portal.article(portal.section_ids("chi-dao-dieu-hanh")[0])
    cases = {"/tin-tuc-su-kien": "vnportal", vn.path: "vnportal", "/": "vnportal",
             "/chi-dao-dieu-hanh": "liferay", lr.path: "liferay"}
    for path, platform in cases.items():
        reply = fetch(site.url + path)
        assert detect(reply.doc(), site.url + path, reply.text).name == platform, path


# ------------------------------------------------------------------------------ obstacles
def test_robots_disallows_admin_and_names_the_sitemap(site) -> None:
    robots = fetch(site.url + "/robots.txt")
    assert robots.status == 200 and robots.headers["content-type"].startswith("text/plain")
    assert "User-agent: *\nDisallow: /admin/\n" in robots.text
    assert f"Sitemap: {site.url}/sitemap.xml" in robots.text


def test_an_article_looking_link_under_the_disallowed_path_is_on_the_home_page(site) -> None:
    hrefs = fetch(site.url + "/").doc().xpath("//a/@href")
    drafts = [h for h in hrefs if h.startswith("/admin/") and re.search(r"-\d{5,}$", h)]
    assert drafts
    assert fetch(site.url + drafts[0]).status == 200  # an impolite crawler would get a page


def test_sitemap_index_leads_to_liferay_articles(site, portal) -> None:
    index = fetch(site.url + "/sitemap.xml")
    assert index.status == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", index.text)
    assert locs == [f"{site.url}/sitemap-0.xml", f"{site.url}/sitemap-1.xml"]
    pages = re.findall(r"<loc>([^<]+)</loc>", fetch(locs[0]).text)
    assert f"{site.url}/chi-dao-dieu-hanh" in pages
    articles = re.findall(r"<loc>([^<]+)</loc>", fetch(locs[1]).text)
    lr = [e.url for e in site.expected_articles() if e.style == "liferay"]
    assert articles == lr
    assert fetch(site.url + "/sitemap-2.xml").status == 404


def test_rss_lists_the_latest_posts(site) -> None:
    import feedparser

    feed = feedparser.parse(fetch(site.url + "/rss.xml").body)
    expected = site.expected_articles()[:20]
    assert [e.link for e in feed.entries] == [e.url for e in expected]
    assert feed.entries[0].title == expected[0].title


def test_old_default_aspx_url_redirects_permanently_to_the_article(site, portal) -> None:
    old = f"/Default.aspx?pageid=1056&ItemID={PHOLU_ID}"
    assert old.replace("&", "&amp;") in fetch(site.url + "/").text
    reply = fetch(site.url + old)
    assert reply.status == 301
    assert reply.headers["location"] == site.url + portal.article(PHOLU_ID).path
    assert fetch(site.url + "/Default.aspx?pageid=1057").headers["location"] == (
        site.url + "/thong-bao")


def test_tracking_parameter_duplicates_serve_the_article_with_its_canonical_url(site,
                                                                                portal) -> None:
    hrefs = fetch(site.url + "/").doc().xpath("//a/@href")
    utm = [h for h in hrefs if "utm_source=" in h and "utm_medium=" in h]
    jsession = [h for h in hrefs if ";jsessionid=" in h]
    assert utm and jsession
    for href in utm + jsession:
        reply = fetch(site.url + href)
        assert reply.status == 200
        canonical = reply.doc().xpath("//link[@rel='canonical']/@href")[0]
        bare = href.split(";")[0].split("?")[0]
        assert canonical == site.url + bare
        assert canonical in [e.url for e in site.expected_articles()]
    assert JSESSIONID in jsession[0]


def test_broken_link_is_a_real_404(site) -> None:
    hrefs = fetch(site.url + "/").doc().xpath("//a/@href")
    broken = [h for h in hrefs if h.endswith("-999999")]
    assert broken
    reply = fetch(site.url + broken[0])
    assert reply.status == 404 and "404 - File or directory not found" in reply.text


def test_flaky_article_fails_with_500_before_it_is_served() -> None:
    portal = SamplePortal(n_articles=30, seed=1, flaky_failures=2)
    with serve(portal) as site:
        path = portal.article(portal.flaky_article_id).path
        assert path in [path_of(e.url) for e in site.expected_articles()]
        assert [fetch(site.url + path).status for _ in range(3)] == [500, 500, 200]
        portal.fail_next(portal.flaky_article_id, 1)
        assert [fetch(site.url + path).status for _ in range(2)] == [500, 200]
        assert [s for _, p, s in site.access_log if p == path] == [500, 500, 200, 500, 200]


@pytest.mark.parametrize(("href_pattern", "chrome"), [
    (r"^/lich-cong-tac$", "//form[@id='aspnetForm']"),  # vnPortal menu entry, page deleted
    (r"/view_content/4409999-", "//nav[@id='navigation']"),  # Liferay unknown content id
])
def test_soft_404_links_answer_200_with_khong_tim_thay(site, href_pattern: str,
                                                       chrome: str) -> None:
    hrefs = fetch(site.url + "/").doc().xpath("//a/@href")
    (href,) = {h for h in hrefs if re.search(href_pattern, h)}
    reply = fetch(site.url + href)
    assert reply.status == 200
    assert "Không tìm thấy" in reply.text
    assert reply.doc().xpath(chrome)  # full portal chrome around it


def test_soft_404_pages_are_what_extraction_calls_not_found(site) -> None:
    from scraper.extract import extract

    for path in ("/lich-cong-tac", "/chi-dao-dieu-hanh/-/view_content/4409999-van-ban-da-thu-hoi"):
        reply = fetch(site.url + path)
        assert extract(reply.body, site.url + path, headers=reply.headers).kind == "not_found"


# ------------------------------------------------------------------------------ conditional GET
def test_article_has_validators_and_answers_304_when_unchanged(site, portal) -> None:
    url = site.url + portal.article(PHOLU_ID).path
    first = fetch(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag == f'W/"{PHOLU_ID}-1"'
    assert parsedate_to_datetime(modified).date() == date(2023, 1, 15)  # 00:00 +07 in UTC
    assert fetch(url, headers={"If-None-Match": etag}).status == 304
    assert fetch(url, headers={"If-Modified-Since": modified}).status == 304
    not_modified = fetch(url, headers={"If-None-Match": etag})
    assert not_modified.body == b"" and not_modified.headers["etag"] == etag
    assert fetch(url, headers={"If-None-Match": 'W/"other"'}).status == 200


def test_edit_changes_etag_and_last_modified_so_conditional_get_refetches(site, portal) -> None:
    a = portal.article(PHOLU_ID)
    url = site.url + a.path
    first = fetch(url)
    portal.edit_article(PHOLU_ID, title="UBND THỊ TRẤN PHỐ LU PHÁT ĐỘNG THI ĐUA NĂM 2023")
    again = fetch(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 200
    assert again.headers["etag"] == f'W/"{PHOLU_ID}-2"'
    assert "PHÁT ĐỘNG THI ĐUA NĂM 2023</h2>" in again.text
    since = fetch(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status == 200
    assert fetch(url, headers={"If-Modified-Since": again.headers["last-modified"]}).status == 304


def test_if_modified_since_before_the_publication_refetches(site, portal) -> None:
    url = site.url + portal.article(PHOLU_ID).path
    from datetime import datetime

    old = format_datetime(datetime(2022, 1, 1, tzinfo=UTC), usegmt=True)
    assert fetch(url, headers={"If-Modified-Since": old}).status == 200


# ------------------------------------------------------------------------------ counters
def test_view_counter_changes_on_every_request(site, portal) -> None:
    vn = site.url + portal.article(PHOLU_ID).path
    lr = site.url + portal.article(portal.section_ids("chi-dao-dieu-hanh")[0]).path

    def views(url: str, label: str) -> int:
        m = re.search(label + r": (\d[\d.]*)", fetch(url).text)
        assert m, label
        return int(m.group(1).replace(".", ""))

    a, b = views(vn, "Lượt xem"), views(vn, "Lượt xem")
    assert b == a + 1
    c, d = views(lr, "Số lượt người xem"), views(lr, "Số lượt người xem")
    assert d == c + 1
    home1, home2 = fetch(site.url + "/").text, fetch(site.url + "/").text
    assert home1 != home2  # visitor counter moved; nothing else did
    assert re.sub(r"<span>[\d.]+</span>", "", home1) == re.sub(r"<span>[\d.]+</span>", "", home2)


# ------------------------------------------------------------------------------ mutations
def test_added_article_is_listed_first_and_expected(site, portal) -> None:
    a = portal.add_article("tin-tuc-su-kien", title="Khai mạc Hội xuân Phố Lu năm 2023",
                           paragraphs=["Sáng 28/02, UBND thị trấn Phố Lu khai mạc hội xuân."])
    listing = fetch(site.url + "/tin-tuc-su-kien")
    assert vn_listing_links(listing)[0] == a.path
    assert site.expected_articles()[0].url == site.url + a.path
    page = fetch(site.url + a.path)
    assert page.status == 200 and "khai mạc hội xuân" in page.text
    assert a.path in fetch(site.url + "/").text


def test_added_liferay_article_gets_a_view_content_url(site, portal) -> None:
    a = portal.add_article("chi-dao-dieu-hanh", title="Chỉ đạo phòng chống rét cho gia súc")
    assert a.path == f"/chi-dao-dieu-hanh/-/view_content/{a.id}-chi-dao-phong-chong-ret-cho-gia-suc"
    assert lr_listing_links(fetch(site.url + "/chi-dao-dieu-hanh"))[0] == a.path


def test_edited_article_keeps_its_url_and_shows_the_new_text(site, portal) -> None:
    target = portal.articles()[5]
    before = site.expected_articles()
    portal.edit_article(target.id, paragraphs=["Nội dung đã được cập nhật."])
    after = site.expected_articles()
    assert [e.url for e in before] == [e.url for e in after]
    page = fetch(site.url + target.path)
    assert "Nội dung đã được cập nhật." in page.text


def test_removed_articles_leave_listings_and_answer_404_or_soft_404(site, portal) -> None:
    vn = portal.section_ids("tin-tuc-su-kien")[3]
    lr = portal.section_ids("chi-dao-dieu-hanh")[0]
    vn_path, lr_path = portal.article(vn).path, portal.article(lr).path
    portal.remove_article(vn)
    portal.remove_article(lr)
    assert vn_path not in vn_listing_links(fetch(site.url + "/tin-tuc-su-kien"))
    assert lr_path not in lr_listing_links(fetch(site.url + "/chi-dao-dieu-hanh"))
    urls = [e.url for e in site.expected_articles()]
    assert len(urls) == 58 and site.url + vn_path not in urls
    assert fetch(site.url + vn_path).status == 404  # vnPortal: a real 404
    gone = fetch(site.url + lr_path)  # Liferay: "Không tìm thấy" under 200
    assert gone.status == 200 and "Không tìm thấy" in gone.text
    with pytest.raises(KeyError):
        portal.remove_article(vn)


# ------------------------------------------------------------------------------ server
def test_access_log_records_method_path_and_status(site) -> None:
    fetch(site.url + "/robots.txt")
    fetch(site.url + "/khong-co?x=1")
    fetch(site.url + "/tin-tuc-su-kien", method="HEAD")
    assert site.access_log == [("GET", "/robots.txt", 200), ("GET", "/khong-co?x=1", 404),
                               ("HEAD", "/tin-tuc-su-kien", 200)]


def test_concurrent_requests_are_all_answered(site) -> None:
    urls = [e.url for e in site.expected_articles()] + [site.url + "/"] * 20
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(chunk: list[str]) -> None:
        for url in chunk:
            status = fetch(url).status
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker, args=(urls[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(urls)


def test_twenty_thousand_articles_are_generated_lazily_and_served() -> None:
    portal = SamplePortal(n_articles=20_000, seed=1, flaky_failures=0)
    expected = portal.expected_articles("http://h")
    assert len(expected) == len({e.url for e in expected}) == 20_000
    assert min(e.published for e in expected) > "1990"
    with serve(portal) as site:
        last = -(-len(portal.section_ids("chi-dao-dieu-hanh")) // 10)
        listing = fetch(f"{site.url}/chi-dao-dieu-hanh?_101_cur={last}")
        oldest = [portal.article(i).path for i in portal.section_ids("chi-dao-dieu-hanh")]
        assert lr_listing_links(listing)[-1] == oldest[-1]
        assert fetch(site.url + oldest[-1]).status == 200


def test_write_sources_gives_a_valid_registry_for_this_port(site, tmp_path) -> None:
    from scraper.sources import load_sources

    (source,) = load_sources(site.write_sources(tmp_path / "sources.yaml"))
    assert source.id == "sample"
    assert source.start_urls == (site.url + "/",)
    assert source.allowed_domains == ("127.0.0.1",)


# ------------------------------------------------------------------------------ HTTP details
def test_home_page_is_streamed_chunked_without_content_length(site) -> None:
    import http.client

    conn = http.client.HTTPConnection(site.host, site.port, timeout=10)
    conn.request("GET", "/")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.getheader("Transfer-Encoding") == "chunked"
    assert resp.getheader("Content-Length") is None
    assert body.rstrip().endswith(b"</html>")


def test_platform_servers_and_session_cookies_are_sent_once(site, portal) -> None:
    vn = fetch(site.url + "/tin-tuc-su-kien")
    assert vn.headers["server"] == "Microsoft-IIS/8.5"
    assert vn.headers["x-powered-by"] == "ASP.NET"
    (session,) = vn.set_cookies
    assert re.fullmatch(r"ASP\.NET_SessionId=[a-z2-7]{24}; path=/; HttpOnly; SameSite=Lax",
                        session)
    again = fetch(site.url + "/tin-tuc-su-kien", headers={"Cookie": session.split(";")[0]})
    assert again.set_cookies == []
    lr = fetch(site.url + "/chi-dao-dieu-hanh")
    assert lr.headers["server"] == "Apache-Coyote/1.1"
    assert [c.split("=")[0] for c in lr.set_cookies] == ["JSESSIONID", "GUEST_LANGUAGE_ID",
                                                          "COOKIE_SUPPORT"]


def test_gzip_is_served_only_when_asked_and_accepted(portal) -> None:
    import gzip as gz

    with serve(portal, compress=True) as site:
        url = site.url + portal.article(PHOLU_ID).path
        zipped = fetch(url, headers={"Accept-Encoding": "gzip, deflate"})
        plain = fetch(url)
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) == len(zipped.body)
    assert "PHỐ LU" in gz.decompress(zipped.body).decode()
    assert "content-encoding" not in plain.headers
    with serve(portal) as site:  # off by default
        assert "content-encoding" not in fetch(
            site.url + "/", headers={"Accept-Encoding": "gzip"}).headers


def test_stop_closes_kept_alive_connections(portal) -> None:
    import http.client

    site = serve(portal)
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    conn.request("GET", "/robots.txt")
    assert conn.getresponse().read().startswith(b"User-agent")
    site.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/robots.txt")
        conn.getresponse().read()
    assert len(site.access_log) == 1


def test_bad_content_length_is_a_400_not_a_crash(site) -> None:
    import socket as sock

    with sock.create_connection((site.host, site.port), timeout=5) as s:
        s.sendall(b"POST /tin-tuc-su-kien HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")
    assert site.access_log == [("POST", "/tin-tuc-su-kien", 400)]
    assert fetch(site.url + "/robots.txt").status == 200
