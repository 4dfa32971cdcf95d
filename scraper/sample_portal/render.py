"""HTML of the sample portal: vnPortal (ASP.NET) pages and Liferay 6 pages.

Markup follows the real platforms: the Liferay pages copy the structure of the
sotttt.hanoi.gov.vn pages in the corpus (Asset Publisher portlet `p_p_id_101_`,
`div.asset-full-content-title`, `div.assetPublishDate`, `p.sapo`,
`div.journal-content-article`, `div.related_asset`, `_101_cur` pager); the vnPortal pages
are ASP.NET WebForms pages (one `aspnetForm` with `__VIEWSTATE`/`__EVENTVALIDATION`, a
GridView `ctl00$ContentPlaceHolder1$gvList` paged by `__doPostBack(...,'Page$N')`).

Pages are rendered once per (page, content generation, host) into a `Template` whose
counters (views, visitors) are filled in per request, so every response shows fresh counters
without re-rendering.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from email.utils import format_datetime
from html import escape

from scraper.sample_portal.content import (
    DISTRICT,
    ICT,
    PAGE_SIZE,
    PHOLU_ID,
    PHOLU_IMAGE_AFTER,
    PROVINCE,
    SECTION_BY_KEY,
    SECTIONS,
    UNIT_TITLE,
    WEEKDAYS,
    Article,
    SamplePortal,
)

GRID_TARGET = "ctl00$ContentPlaceHolder1$gvList"
PAGE_BUTTON_COUNT = 10  # ASP.NET GridView PagerSettings.PageButtonCount
LIFERAY_QUERY = (
    "p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-1"
    "&p_p_col_pos=1&p_p_col_count=2&_101_delta=10&_101_keywords=&_101_advancedSearch=false"
    "&_101_andOperator=true&p_r_p_564233524_resetCur=false&_101_cur="
)
# Links of the home page that exercise a crawler (see `quirk_links`).
BROKEN_PATH = "/tin-tuc-su-kien/thong-tin-cu-da-go-bo-999999"
SOFT404_PATHS = ("/lich-cong-tac", "/chi-dao-dieu-hanh/-/view_content/4409999-van-ban-da-thu-hoi")
DISALLOWED_ARTICLE = "/admin/tin-tuc-su-kien/ban-nhap-ke-hoach-cong-tac-nam-2023-9999001"
LOGIN_VNPORTAL = "/admin/Login.aspx?ReturnUrl=%2f"
LOGIN_LIFERAY = "/c/portal/login"
JSESSIONID = "8F3A6C21D0B94E7AA1C5E0F2B7D94C13"

SEP = "\x00"  # counter placeholders in templates: \x00name\x00


class Template:
    """Rendered HTML with counter placeholders, filled per request."""

    __slots__ = ("parts",)

    def __init__(self, html: str) -> None:
        self.parts = [p.encode("utf-8") if i % 2 == 0 else p
                      for i, p in enumerate(html.split(SEP))]

    def fill(self, values: dict[str, int]) -> bytes:
        out = []
        for i, p in enumerate(self.parts):
            out.append(p if i % 2 == 0 else _num(values.get(p, 0)).encode())
        return b"".join(out)


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _ph(name: str) -> str:
    return f"{SEP}{name}{SEP}"


# ------------------------------------------------------------------------- dates
def vn_date(a: Article) -> str:
    """vnPortal article date: 'Thứ hai, 16/01/2023 - 09:35' (no time when there is none)."""
    wd = WEEKDAYS[a.published.weekday()]
    text = f"{wd}, {a.published:%d/%m/%Y}"
    return f"{text} - {a.published:%H:%M}" if a.has_time else text


def lr_date(a: Article) -> str:
    """Liferay's '26/07/2022 | 9:50 AM'."""
    if not a.has_time:
        return f"{a.published:%d/%m/%Y}"
    hour = a.published.hour % 12 or 12
    ampm = "AM" if a.published.hour < 12 else "PM"
    return f"{a.published:%d/%m/%Y} | {hour}:{a.published:%M} {ampm}"


def short_date(a: Article) -> str:
    return f"({a.published:%d/%m/%Y})"


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


# ------------------------------------------------------------------------- ASP.NET state
def _mac(secret: bytes, *parts: object) -> bytes:
    return hmac.new(secret, "|".join(map(str, parts)).encode(), hashlib.sha256).digest()


def make_viewstate(secret: bytes, section: str, page: int) -> str:
    """An opaque `__VIEWSTATE` (starts '/wE' like ASP.NET's) carrying the page shown."""
    state = f"gvList|{section}|{page}".encode()
    filler = hashlib.sha256(state + secret).digest() * 6  # real ones are large
    raw = b"\xff\x01" + len(state).to_bytes(2, "big") + state + _mac(secret, "vs", section,
                                                                      page)[:12] + filler
    return base64.b64encode(raw).decode()


def read_viewstate(secret: bytes, value: str) -> tuple[str, int] | None:
    """(section, page) from a `__VIEWSTATE` this portal issued, None when forged/garbled."""
    try:
        raw = base64.b64decode(value.encode(), validate=True)
        n = int.from_bytes(raw[2:4], "big")
        _, section, page_s = raw[4:4 + n].decode().split("|")
        page = int(page_s)
    except (ValueError, UnicodeDecodeError):
        return None
    if raw[:2] != b"\xff\x01" or not hmac.compare_digest(
            raw[4 + n:16 + n], _mac(secret, "vs", section, page)[:12]):
        return None
    return section, page


def make_eventvalidation(secret: bytes, section: str, page: int) -> str:
    return base64.b64encode(b"\xff\x01" + _mac(secret, "ev", section, page)[:20]).decode()


def check_eventvalidation(secret: bytes, value: str, section: str, page: int) -> bool:
    return hmac.compare_digest(value, make_eventvalidation(secret, section, page))


def pager_arguments(page: int, pages: int) -> list[tuple[str, str]]:
    """(label, __EVENTARGUMENT) of the GridView pager links (NumericFirstLast mode)."""
    start = (page - 1) // PAGE_BUTTON_COUNT * PAGE_BUTTON_COUNT + 1
    end = min(start + PAGE_BUTTON_COUNT - 1, pages)
    links: list[tuple[str, str]] = []
    if start > 1:
        links += [("Đầu", "Page$First"), ("...", f"Page${start - 1}")]
    links += [(str(n), f"Page${n}") for n in range(start, end + 1) if n != page]
    if end < pages:
        links += [("...", f"Page${end + 1}"), ("Cuối", "Page$Last")]
    return links


def resolve_argument(argument: str, page: int, pages: int) -> int | None:
    """The page a GridView `Page$…` argument asks for, None when it is not one."""
    if not argument.startswith("Page$"):
        return None
    word = argument[5:]
    named = {"First": 1, "Last": pages, "Next": min(page + 1, pages), "Prev": max(page - 1, 1)}
    if word in named:
        return named[word]
    return int(word) if word.isdigit() else None


def page_count(n_items: int) -> int:
    return max(1, -(-n_items // PAGE_SIZE))


# ------------------------------------------------------------------------- vnPortal chrome
def _postback_script() -> str:
    return (
        '<script type="text/javascript">\n//<![CDATA[\n'
        "var theForm = document.forms['aspnetForm'];\n"
        "if (!theForm) {\n    theForm = document.aspnetForm;\n}\n"
        "function __doPostBack(eventTarget, eventArgument) {\n"
        "    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {\n"
        "        theForm.__EVENTTARGET.value = eventTarget;\n"
        "        theForm.__EVENTARGUMENT.value = eventArgument;\n"
        "        theForm.submit();\n    }\n}\n//]]>\n</script>\n"
    )


def _counter_vn() -> str:
    return (
        '<div class="box-thongke"><div class="box-title">Thống kê truy cập</div>'
        '<ul class="thongke">'
        f'<li class="online">Đang online: <span>{_ph("online")}</span></li>'
        f'<li class="today">Hôm nay: <span>{_ph("today")}</span></li>'
        f'<li class="week">Trong tuần: <span>{_ph("week")}</span></li>'
        f'<li class="total">Tất cả: <span>{_ph("total")}</span></li>'
        "</ul></div>"
    )


def _menu(active: str = "") -> str:
    items = [("/", "Trang chủ"), ("/gioi-thieu", "Giới thiệu")]
    items += [(f"/{s.key}", s.name) for s in SECTIONS]
    items += [("/lich-cong-tac", "Lịch công tác")]
    active_cls = ' class="active"'
    lis = "".join(
        f'<li{active_cls if href == active else ""}><a href="{href}">{escape(name)}</a></li>'
        for href, name in items)
    return f'<ul class="menu-top">{lis}</ul>'


def vn_page(title: str, content: str, *, action: str, viewstate: str, eventvalidation: str,
            sidebar: str, description: str = "", canonical: str = "", active: str = "") -> str:
    """A full vnPortal page: one ASP.NET form around banner, menu, content, sidebar, footer."""
    head_extra = f'<link rel="canonical" href="{escape(canonical)}" />\n' if canonical else ""
    if description:
        head_extra += f'<meta name="description" content="{escape(description)}" />\n'
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">\n<head id="ctl00_Head1">'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"<title>\n\t{escape(title)}\n</title>\n{head_extra}"
        '<link href="/vnp-resources/portal/skins/laocai/css/style.css" rel="stylesheet" '
        'type="text/css" />\n'
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml" />\n'
        '<script src="/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZA2&amp;t=637811873229275760" '
        'type="text/javascript"></script>\n'
        "</head>\n<body>\n"
        f'<form name="aspnetForm" method="post" action="{escape(action)}" id="aspnetForm">\n'
        "<div>\n"
        '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />\n'
        '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />\n'
        f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate}" />\n'
        "</div>\n" + _postback_script() +
        "<div>\n"
        '\t<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" '
        'value="CA0B0334" />\n'
        f'\t<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" '
        f'value="{eventvalidation}" />\n</div>\n'
        '<div id="wrapper" class="vnp-portal">\n'
        '<div id="header"><a href="/"><img src="/Portals/0/banner-pholu.jpg" '
        'alt="Image banner" /></a></div>\n'
        f'<div id="menu">{_menu(active)}</div>\n'
        '<div class="search-box"><input name="ctl00$txtSearch" type="text" id="ctl00_txtSearch" '
        'class="txt-search" /> <input type="submit" name="ctl00$btnSearch" value="Tìm kiếm" '
        'id="ctl00_btnSearch" class="btn-search" /></div>\n'
        '<div id="main"><div class="col-main" id="ctl00_ContentPlaceHolder1_pnMain">\n'
        f"{content}\n</div>\n"
        f'<div class="col-right">{sidebar}{_counter_vn()}</div></div>\n'
        '<div id="footer"><p>Cơ quan chủ quản: UBND thị trấn Phố Lu - '
        f"{escape(DISTRICT)} - {escape(PROVINCE)}</p>"
        "<p>Địa chỉ: Tổ dân phố số 3, thị trấn Phố Lu, huyện Bảo Thắng, tỉnh Lào Cai</p>"
        '<p>Ghi rõ nguồn "Cổng thông tin điện tử thị trấn Phố Lu" khi phát hành lại thông tin '
        "từ website này.</p>"
        f'<p class="login"><a href="{escape(LOGIN_VNPORTAL)}">Đăng nhập</a></p></div>\n'
        "</div>\n</form>\n</body>\n</html>\n"
    )


def _links_box() -> str:
    return (
        '<div class="box-lienket"><div class="box-title">Liên kết website</div><ul>'
        '<li><a href="https://www.laocai.gov.vn/" target="_blank">Cổng TTĐT tỉnh Lào Cai</a></li>'
        '<li><a href="https://baothang.laocai.gov.vn/" target="_blank">Cổng TTĐT huyện Bảo '
        "Thắng</a></li>"
        '<li><a href="https://chinhphu.vn/" target="_blank">Cổng TTĐT Chính phủ</a></li>'
        "</ul></div>"
    )


def _vn_item(a: Article, with_lead: bool) -> str:
    img = a.images[0].src if a.images else "/Portals/0/no-image.jpg"
    lead = f'<div class="sapo-item">{escape(a.lead)}</div>' if with_lead else ""
    return (
        f'<div class="item"><a class="img-item" href="{a.path}"><img src="{escape(img)}" '
        f'alt="{escape(a.title)}" /></a><a class="title-item" href="{a.path}" '
        f'title="{escape(a.title)}">{escape(a.title)}</a> '
        f'<span class="date-item">{short_date(a)}</span>{lead}</div>'
    )


# ------------------------------------------------------------------------- pages
def render_home(portal: SamplePortal) -> Template:
    """Home: latest news, a box per section, quick links (the crawler's obstacle course)."""
    with portal.lock:
        latest = [portal.meta(a.id) for a in portal.latest(8)]
        boxes = []
        for s in SECTIONS:
            ids = portal.section_ids(s.key)[:5]
            items = "".join(
                f'<li><a href="{a.path}">{escape(a.title)}</a> '
                f'<span class="date">{short_date(a)}</span></li>'
                for a in (portal.meta(i) for i in ids) if a is not None)
            boxes.append(
                f'<div class="box-cat"><div class="box-title"><a href="/{s.key}">'
                f"{escape(s.name)}</a></div><ul>{items}</ul>"
                f'<a class="more" href="/{s.key}">Xem thêm</a></div>')
        quick = _quick_links(portal)
    head = latest[0]
    hot = (
        f'<div class="hot-news"><a href="{head.path}"><img src="'
        f'{escape(head.images[0].src if head.images else "/Portals/0/no-image.jpg")}" '
        f'alt="" /></a><h2><a href="{head.path}">{escape(head.title)}</a></h2>'
        f'<span class="date-item">{short_date(head)}</span>'
        f'<div class="news-sapo">{escape(head.lead)}</div></div>'
    )
    content = (
        '<div class="box-news-home"><div class="box-title">Tin mới nhất</div>'
        + hot + "".join(_vn_item(a, False) for a in latest[1:]) + "</div>\n"
        + "\n".join(boxes)
    )
    sidebar = quick + _links_box()
    return Template(vn_page(
        f"Cổng thông tin điện tử {UNIT_TITLE}", content, action="/", viewstate=make_viewstate(
            portal.secret, "home", 1), eventvalidation=make_eventvalidation(portal.secret, "home",
                                                                            1),
        sidebar=sidebar, description=f"Cổng thông tin điện tử {UNIT_TITLE}, {DISTRICT}",
        active="/"))


def _quick_links(portal: SamplePortal) -> str:
    """'Tin nổi bật' sidebar: an old URL (301), tracking-parameter and jsessionid duplicates,
    a broken link (404), soft 404s, and a draft under the robots-disallowed /admin/."""
    vn_ids = portal.section_ids("tin-tuc-su-kien")
    lr_ids = portal.section_ids("chi-dao-dieu-hanh")
    items = []
    if PHOLU_ID in vn_ids:
        pholu = portal.meta(PHOLU_ID)
        assert pholu is not None
        items.append((f"/Default.aspx?pageid=1056&ItemID={PHOLU_ID}", pholu.title))
    if vn_ids:
        a = portal.meta(vn_ids[0])
        assert a is not None
        items.append((f"{a.path}?utm_source=zalo&utm_medium=social&utm_campaign=chia-se",
                      a.title))
    if lr_ids:
        a = portal.meta(lr_ids[0])
        assert a is not None
        items.append((f"{a.path};jsessionid={JSESSIONID}?utm_source=facebook&utm_medium=share",
                      a.title))
    items += [
        (BROKEN_PATH, "Thông tin về lễ phát động năm 2019"),
        (SOFT404_PATHS[1], "Văn bản chỉ đạo đã thu hồi"),
        (DISALLOWED_ARTICLE, "[Bản nháp] Kế hoạch công tác năm 2023"),
    ]
    lis = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in items)
    return (f'<div class="box-noibat"><div class="box-title">Tin nổi bật</div><ul>{lis}</ul>'
            '<p class="rss"><a href="/rss.xml">RSS</a></p></div>')


def render_vn_listing(portal: SamplePortal, section: str, page: int) -> Template:
    """A vnPortal category page: GridView of 10 posts, pager by postback only."""
    s = SECTION_BY_KEY[section]
    with portal.lock:
        ids = portal.section_ids(section)
        pages = page_count(len(ids))
        page = min(max(page, 1), pages)
        arts = [portal.meta(i) for i in ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
    rows = "".join(f'<tr class="item">\n\t\t<td>{_vn_item(a, True)}</td>\n\t</tr>'
                   for a in arts if a)
    if pages > 1:
        # GridView pager: links for the other pages, the current page as a plain span
        current = f"<td><span>{page}</span></td>"
        cells: list[str] = []
        for label, arg in pager_arguments(page, pages):
            n = arg[5:]
            if current not in cells and n.isdigit() and int(n) > page:
                cells.append(current)
            cells.append(f"<td><a href=\"javascript:__doPostBack('{GRID_TARGET}','{arg}')\">"
                         f"{label}</a></td>")
        if current not in cells:
            cells.append(current)
        rows += (f'<tr class="pager">\n\t\t<td><table border="0">\n\t\t\t<tr>'
                 f'{"".join(cells)}</tr>\n\t\t</table></td>\n\t</tr>')
    content = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/{s.key}">'
        f"{escape(s.name)}</a></div>\n"
        f'<div class="cat-title"><h1>{escape(s.name)}</h1></div>\n'
        f'<div>\n\t<table class="list-news" cellspacing="0" border="0" '
        f'id="ctl00_ContentPlaceHolder1_gvList" style="width:100%;border-collapse:collapse;">'
        f"\n\t{rows}\n\t</table>\n</div>"
    )
    return Template(vn_page(
        f"{s.name} - Cổng thông tin điện tử {UNIT_TITLE}", content, action=f"/{s.key}",
        viewstate=make_viewstate(portal.secret, section, page),
        eventvalidation=make_eventvalidation(portal.secret, section, page),
        sidebar=_links_box(), active=f"/{s.key}"))


def _other_news(portal: SamplePortal, a: Article, limit: int = 5) -> list[Article]:
    """'Tin khác': the section's latest posts other than this one (never the older chain,
    so old posts stay reachable only through the paged listing)."""
    ids = [i for i in portal.section_ids(a.section)[: limit + 1] if i != a.id][:limit]
    return [o for o in (portal.meta(i) for i in ids) if o is not None]


def _vn_body(a: Article) -> str:
    assert a.paragraphs is not None
    after = PHOLU_IMAGE_AFTER if a.id == PHOLU_ID else (0, 2)
    images = list(a.images)
    out = []
    for i, para in enumerate(a.paragraphs):
        indent = "&nbsp; " * 4
        out.append(f'<p style="text-align: justify;">{indent}{escape(para)}</p>')
        if i in after and images:
            img = images.pop(0)
            out.append(f'<p style="text-align: center;"><img alt="{escape(img.alt)}" '
                       f'src="{escape(img.src)}" style="width: 600px;" /></p>')
            if img.caption:
                out.append(f'<p class="caption" style="text-align: center;"><em>'
                           f"{escape(img.caption)}</em></p>")
    return "\n".join(out)


def render_vn_article(portal: SamplePortal, a: Article, base: str) -> Template:
    """A vnPortal article: title (h2.title-detail), date, "Lượt xem", lead, body, author,
    attachment, tools and the "Tin khác" block with other posts' dates."""
    s = SECTION_BY_KEY[a.section]
    with portal.lock:
        others = _other_news(portal, a)
    attach = ""
    if a.attachment:
        attach = (f'<div class="attach-detail">Tệp đính kèm: <a class="file-pdf" '
                  f'href="{escape(a.attachment.href)}">{escape(a.attachment.title)}</a></div>')
    other_items = "".join(
        f'<li><a href="{o.path}">{escape(o.title)}</a> <span class="date">'
        f"{short_date(o)}</span></li>" for o in others)
    content = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/{s.key}">'
        f"{escape(s.name)}</a></div>\n"
        '<div class="news-detail" id="ctl00_ContentPlaceHolder1_ctl00_divArticle">\n'
        f'<h2 class="title-detail">{escape(a.title)}</h2>\n'
        f'<div class="date-detail">{vn_date(a)}</div>\n'
        f'<div class="view-count">Lượt xem: {_ph("views")}</div>\n'
        f'<div class="sapo-detail"><strong>{escape(a.lead)}</strong></div>\n'
        '<div class="content-detail" id="ctl00_ContentPlaceHolder1_ctl00_divContent">\n'
        f"{_vn_body(a)}\n</div>\n"
        f'<div class="author-detail"><strong>{escape(a.author)}</strong></div>\n{attach}\n'
        '<div class="tools-detail"><a href="javascript:window.print();">In bài viết</a> '
        '<a href="javascript:void(0);" onclick="shareFacebook();">Chia sẻ</a></div>\n'
        '</div>\n<div class="other-news"><div class="title">Tin khác</div>'
        f'<ul class="list-other">{other_items}</ul>'
        '<div class="pager-other"><span class="current">1</span> '
        '<a href="javascript:void(0);" onclick="loadOtherNews(2);">2</a> </div></div>'
    )
    return Template(vn_page(
        f"{a.title} - {s.name}", content, action=a.path,
        viewstate=make_viewstate(portal.secret, f"article-{a.id}", 1),
        eventvalidation=make_eventvalidation(portal.secret, f"article-{a.id}", 1),
        sidebar=_links_box(), description=a.lead, canonical=base + a.path,
        active=f"/{s.key}"))


def vn_message_page(portal: SamplePortal, title: str, body_html: str) -> Template:
    return Template(vn_page(
        f"{title} - Cổng thông tin điện tử {UNIT_TITLE}", body_html, action="/",
        viewstate=make_viewstate(portal.secret, "static", 1),
        eventvalidation=make_eventvalidation(portal.secret, "static", 1), sidebar=_links_box()))


def render_intro(portal: SamplePortal) -> Template:
    body = (
        '<div class="cat-title"><h1>Giới thiệu chung</h1></div><div class="static-content">'
        "<p>Thị trấn Phố Lu là trung tâm kinh tế, chính trị, văn hóa - xã hội của huyện Bảo "
        "Thắng, tỉnh Lào Cai, nằm bên bờ sông Hồng, có tuyến quốc lộ 70 và đường sắt Hà Nội - "
        "Lào Cai chạy qua.</p><p>Thị trấn có 10 tổ dân phố và 2 thôn, với các dân tộc Kinh, "
        "Tày, Dao, Mông, Giáy cùng sinh sống.</p></div>"
    )
    return vn_message_page(portal, "Giới thiệu", body)


def render_vn_not_found(portal: SamplePortal) -> Template:
    """vnPortal's "page not found" inside the full portal chrome, served with HTTP 200."""
    body = (
        '<div class="cat-title"><h1>Không tìm thấy trang</h1></div>'
        '<div class="static-content"><p>Không tìm thấy nội dung bạn yêu cầu. Trang có thể đã '
        'bị xóa hoặc chuyển sang địa chỉ khác.</p><p><a href="/">Quay về trang chủ</a></p>'
        "</div>"
    )
    return vn_message_page(portal, "Không tìm thấy trang", body)


def render_draft(portal: SamplePortal) -> Template:
    """The page behind the robots-disallowed draft link (a polite crawler never sees it)."""
    body = (
        '<div class="news-detail"><h2 class="title-detail">[Bản nháp] Kế hoạch công tác năm '
        '2023</h2><div class="date-detail">Thứ sáu, 20/01/2023 - 08:00</div>'
        '<div class="content-detail"><p>Bản nháp nội bộ, chưa xuất bản. Không được phép thu '
        "thập.</p></div></div>"
    )
    return vn_message_page(portal, "Bản nháp", body)


def render_login(portal: SamplePortal) -> Template:
    body = (
        '<div class="login-box"><h1>Đăng nhập hệ thống</h1>'
        '<p>Tên đăng nhập: <input name="ctl00$ContentPlaceHolder1$txtUser" type="text" /></p>'
        '<p>Mật khẩu: <input name="ctl00$ContentPlaceHolder1$txtPass" type="password" /></p>'
        '<input type="submit" name="ctl00$ContentPlaceHolder1$btnLogin" value="Đăng nhập" /></div>'
    )
    return vn_message_page(portal, "Đăng nhập", body)


# ------------------------------------------------------------------------- Liferay
def _lr_nav(active: str) -> str:
    lis = "".join(
        f'<li class="{"selected" if f"/{s.key}" == active else ""}"><a href="/{s.key}">'
        f"<span>{escape(s.name)}</span></a></li>" for s in SECTIONS)
    return (f'<nav class="sort-pages modify-pages" id="navigation" role="navigation">'
            f'<ul aria-label="Trang web" role="menubar"><li><a href="/"><span>Trang chủ</span>'
            f"</a></li>{lis}</ul></nav>")


def lr_page(title: str, column1: str, *, active: str, canonical: str = "",
            description: str = "") -> str:
    """A full Liferay 6.2 page (theme chrome, two portlet columns, visitor counter)."""
    head_extra = f'<link href="{escape(canonical)}" rel="canonical" />\n' if canonical else ""
    if description:
        head_extra += (f'<meta content="{escape(description)}" lang="vi-VN" '
                       'name="description" />\n')
    sitemap = "".join(f'<li><a href="/{s.key}" > {escape(s.name)}</a></li>' for s in SECTIONS)
    return (
        '<!DOCTYPE html>\n<html class="aui ltr" dir="ltr" lang="vi-VN">\n<head>\n'
        f"<title>{escape(title)} - Cổng thông tin điện tử {UNIT_TITLE}</title>\n"
        '<meta content="initial-scale=1.0, width=device-width" name="viewport" />\n'
        '<meta content="text/html; charset=UTF-8" http-equiv="content-type" />\n'
        f"{head_extra}"
        '<link href="/pholu-theme/images/favicon.ico" rel="Shortcut Icon" />\n'
        '<link class="lfr-css-file" href="/pholu-theme/css/main.css?browserId=other&amp;'
        'themeId=pholutheme_WAR_pholutheme&amp;languageId=vi_VN&amp;b=6205&amp;t=1658800000000"'
        ' rel="stylesheet" type="text/css" />\n'
        '<script type="text/javascript">var Liferay={Browser:{},ThemeDisplay:{getLanguageId:'
        'function(){return "vi_VN";}}};</script>\n'
        "</head>\n"
        '<body class=" yui3-skin-sam controls-visible guest-site signed-out public-page site">\n'
        '<div class="container-fluid" id="wrapper">\n'
        '<header id="banner" role="banner"><div id="heading"><h1 class="site-title">'
        '<a class="logo custom-logo" href="/" title="Cổng thông tin điện tử thị trấn Phố Lu">'
        '<img alt="Image banner" src="/image/company_logo?img_id=10197&amp;t=1658800000000" />'
        f"</a></h1></div>{_lr_nav(active)}</header>\n"
        '<div id="main"><div class="so_4thn" id="main-content" role="main">\n'
        '<div class="portlet-layout row-fluid">\n'
        '<div class="portlet-column portlet-column-first span9" id="column-1">\n'
        '<div class="portlet-dropzone portlet-column-content portlet-column-content-first" '
        'id="layout-column_column-1">\n'
        f"{column1}\n</div></div>\n"
        '<div class="portlet-column portlet-column-last span3" id="column-2">'
        '<div class="portlet-dropzone portlet-column-content portlet-column-content-last" '
        'id="layout-column_column-2">'
        '<div class="portlet-boundary portlet-boundary_85_ portlet-static portlet-static-end '
        'portlet-site-map " id="p_p_id_85_INSTANCE_9hXnNYnoFFZI_"><section class="portlet">'
        '<header class="portlet-topper"><h1 class="portlet-title"><span class="portlet-title-text">'
        "Chuyên mục</span></h1></header><div class=\"portlet-content\"><div class=\"portlet-body\">"
        f"<ul>{sitemap}</ul></div></div></section></div>"
        '<div class="portlet-boundary portlet-boundary_1_WAR_portalsessiontrackingportlet_ '
        'portlet-static portlet-static-end" id="p_p_id_1_WAR_portalsessiontrackingportlet_">'
        '<section class="portlet"><header class="portlet-topper"><h1 class="portlet-title">'
        '<span class="portlet-title-text">Số lượng truy cập</span></h1></header>'
        '<div class="portlet-content"><div class="visitor-tracking-wraper">'
        '<div class="current-visitor-online"><span class="online-lable">Đang truy cập: </span>'
        f'<span style="font-weight: bold;color: blue;">{_ph("online")} </span></div>'
        '<div class="total-visitor"><span class="online-lable">Tổng: </span>'
        f'<span style="font-weight: bold;color: red;">{_ph("total")} </span></div>'
        "</div></div></section></div>"
        "</div></div>\n</div></div></div>\n"
        '<div class="footer-wrapper"><div id="footer" class="clearfix">'
        '<p class="vetrang"><a href="#">| Về đầu trang |</a>'
        f'<a href="{LOGIN_LIFERAY}"> Đăng nhập |</a></p>'
        '<div class="footleft"><h3>CỔNG THÔNG TIN ĐIỆN TỬ THỊ TRẤN PHỐ LU</h3>'
        f"<p>{escape(DISTRICT.capitalize())} - {escape(PROVINCE.capitalize())}</p></div>"
        "</div></div>\n</div>\n</body>\n</html>\n"
    )


def _portlet_101(inner: str) -> str:
    return (
        '<div class="portlet-boundary portlet-boundary_101_  portlet-static portlet-static-end '
        'portlet-borderless portlet-asset-publisher " id="p_p_id_101_" >\n'
        '\t\t<span id="p_101"></span>\n'
        '\t\t\t\t<div class="portlet-borderless-container" style="">\n'
        f'\t<div class="portlet-body">\n{inner}\n\t</div>\n\t\t\t\t</div>\n\t</div>'
    )


def _breadcrumb_lr(name: str) -> str:
    return (
        '<div class="portlet-boundary portlet-boundary_ddlk_WAR_pointportalddlkportlet_ '
        'portlet-static portlet-static-end portlet-borderless ddlk-portlet " '
        'id="p_p_id_ddlk_WAR_pointportalddlkportlet_INSTANCE_4IBlHdFLGKFU_" >'
        '<div class="portlet-borderless-container" style=""><div class="portlet-body">'
        '<div class="dd_chuyenmuc"><span class="trangchu"><a href="/">Trang chủ</a></span>'
        f'<span class="tintuc"><p>{escape(name)}</p></span></div></div></div></div>'
    )


def lr_listing_url(section: str, page: int) -> str:
    return f"/{section}?{LIFERAY_QUERY}{page}"


def render_lr_listing(portal: SamplePortal, section: str, page: int) -> Template:
    """A Liferay Asset Publisher listing, paged by GET `_101_cur=N`."""
    s = SECTION_BY_KEY[section]
    with portal.lock:
        ids = portal.section_ids(section)
        pages = page_count(len(ids))
        arts = [portal.meta(i) for i in ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
    items = []
    for a in arts:
        if a is None:
            continue
        img = a.images[0].src if a.images else "/image/journal/article?img_id=0"
        items.append(
            '<div class="asset-bounddary"><div class="asset-abstract "><div class="asset-content '
            f'normal-news"><div class="asset-image"><a href="{a.path}"><img src="{escape(img)}" '
            'alt=""/></a> </div> <div class="asset-content-custom" > <h3 class="asset-title"> '
            f'<a href="{a.path}">{escape(a.title)}</a> </h3> <div class="assetPublishDate '
            f'block_timer"> {lr_date(a)} </div> <div class="asset-summary"> {escape(a.lead)} '
            '</div> </div> </div> <div class="asset-metadata"> </div> </div> </div>')
    if not items:
        items.append('<div class="alert alert-info">Không có kết quả nào được tìm thấy.</div>')
    n_total = len(ids)
    first, last = (page - 1) * PAGE_SIZE + 1, min(page * PAGE_SIZE, n_total)
    window = range(1, pages + 1) if pages <= 25 else sorted(
        {1, pages, *range(max(1, page - 10), min(pages, page + 10) + 1)})
    menu = "".join(
        f'<li class="custom-paging" role="presentation"> <a href="'
        f'{escape(lr_listing_url(section, n))}" class=" taglib-icon" role="menuitem" > '
        f'<span class="taglib-text-icon">{n}</span> </a> </li>' for n in window if n != page)

    def button(label: str, n: int, enabled: bool, cls: str = "") -> str:
        if not enabled:
            return (f'<li class="disabled {cls}"> <a href="javascript:;" target="_self"> {label} '
                    "</a> </li>")
        return (f'<li class="{cls}"> <a href="{escape(lr_listing_url(section, n))}" '
                f'target="_self"> {label} </a> </li>')

    pager = (
        '<div class="taglib-page-iterator" id="_101_ocerSearchContainerPageIterator"> '
        '<div class="clearfix lfr-pagination"> <div class="lfr-pagination-config"> '
        '<div class="lfr-pagination-page-selector"> <div class="btn-group lfr-icon-menu"> '
        f'<a class="dropdown-toggle direction-down max-display-items-15 btn" href="javascript:;" '
        f'title="Trang {page} của {pages}"> <span class="lfr-icon-menu-text">Trang {page} của '
        f'{pages}</span> </a> <ul class="dropdown-menu lfr-menu-list direction-down" role="menu">'
        f"{menu}</ul></div> </div> </div> "
        f'<small class="search-results"> Hiển thị {first} - {last} of {n_total} kết quả. '
        '</small> <ul class="pager lfr-pagination-buttons"> '
        + button("&larr; Đầu tiên", 1, page > 1, "first")
        + button("Trước", page - 1, page > 1)
        + button("next", page + 1, page < pages)
        + button("Cuối cùng &rarr;", pages, page < pages, "last")
        + "</ul> </div> </div>"
    )
    inner = ('<div class="subscribe-action"></div>' + "".join(items) + pager)
    return Template(lr_page(s.name, _breadcrumb_lr(s.name) + _portlet_101(inner),
                            active=f"/{s.key}"))


def _lr_body(a: Article) -> str:
    assert a.paragraphs is not None
    out = []
    if a.images:  # Liferay journal articles show the first image above the text
        img = a.images[0]
        cap = f"<i>{escape(img.caption)}</i>" if img.caption else ""
        out.append(
            '&nbsp; <p class="fontr" style="margin-right: auto;margin-left: auto;'
            'text-align: center;"> <img alt="" class="imageClassDetail" '
            f'src="{escape(img.src)}" style="width: 605px;" /> <span style="display: block;'
            f'width: auto;"> {cap}</span></p>')
    paras = "".join(f"<div>{escape(p)}</div> <div>&nbsp;</div>" for p in a.paragraphs)
    out.append(f'&nbsp; <div class="han6-content-detail" style="color: black;text-align: '
               f'justify;"> {paras}</div>')
    out.append(
        '&nbsp; <p class="tintomtat textnoidung texttacgia" style="text-align: right;"> <b> '
        f"<em>{escape(a.author)}</em></b></p>")
    return "\n".join(out)


def render_lr_article(portal: SamplePortal, a: Article, base: str) -> Template:
    s = SECTION_BY_KEY[a.section]
    with portal.lock:
        others = _other_news(portal, a)
    sapo_img = ""
    if len(a.images) > 1:
        sapo_img = (f'<img src="{escape(a.images[1].src)}" alt="" class="pull-left" '
                    'style="margin-right: 5px; width: 250px; padding: 0 10px 10px 0;">')
    attach = ""
    if a.attachment:
        attach = (f'<div class="asset-attachments"><span>Tài liệu đính kèm: </span>'
                  f'<a href="{escape(a.attachment.href)}">{escape(a.attachment.title)}</a></div>')
    related = "".join(
        f'<li><a href="{o.path}">{escape(o.title)}</a> <span class="related-date">'
        f"{short_date(o)}</span></li>" for o in others)
    inner = (
        "\t<div>\n"
        f'<div class="asset-full-content-title">{escape(a.title)}</div>\n'
        f'<div class="assetPublishDate block_timer">\n\t\t\t{lr_date(a)}\n</div>\n'
        '<div class="asset-full-content  show-asset-title">\n'
        f'\t<div class="asset-content" id="_101_{a.id}">\n'
        f'<div class="sapo-wrapper clearfix">\n\t\t{sapo_img}\n\t<p class="sapo">\n'
        f"\t\t<strong>{escape(a.lead)}</strong>\n\t</p>\n</div>\n"
        f'<div class="journal-content-article">\n{_lr_body(a)}\n</div>\n{attach}\n'
        "\t</div>\n</div>\n"
        '<div class="asset-control-detail"> <span class="print-action" > <a href="javascript:'
        '_101_printPage_0();" class=" taglib-icon" > <span class="taglib-text ">In bài viết'
        '</span> </a> </span> <span class="mailto-action" > <a href="mailto:" class=" '
        'taglib-icon" > <span class="taglib-text ">Gửi mail</span> </a> </span> '
        f'<span class="view-count">Số lượt người xem: {_ph("views")}</span> </div>\n'
        '<div class="related_asset"> <div class="related_asset_title">Các tin khác</div> '
        f'<ul class="related_asset_list"> {related} </ul> </div>\n\t</div>'
    )
    return Template(lr_page(a.title, _breadcrumb_lr(s.name) + _portlet_101(inner),
                            active=f"/{s.key}", canonical=base + a.path, description=a.lead))


def render_lr_not_found(url: str) -> Template:
    """Liferay's 'Không tìm thấy' status page, served with HTTP 200 (a soft 404)."""
    column = (
        '<section class="portlet" id="portlet_status"> <header class="portlet-topper"> '
        '<h1 class="portlet-title"> <span class="portlet-title-icon"> &nbsp; </span> '
        '<span class="portlet-title-text">Trạng thái</span> </h1> </header> '
        '<div class="portlet-content"> <h3 class="alert alert-error"> Không tìm thấy </h3> '
        "Tài nguyên không được tìm thấy. <br /><br /> "
        f'<code class="lfr-url-error">{escape(url)}</code> '
        '<div class="separator"><!-- --></div> <a href="javascript:history.go(-1);">&laquo; '
        "Quay lại</a> </div> </section>"
    )
    return Template(lr_page("Trạng thái", column, active=""))


def render_lr_login() -> Template:
    column = ('<section class="portlet"><div class="portlet-content"><h1>Đăng nhập</h1>'
              '<form action="/c/portal/login" method="post"><input name="_58_login" '
              'type="text" /><input name="_58_password" type="password" />'
              '<input type="submit" value="Đăng nhập" /></form></div></section>')
    return Template(lr_page("Đăng nhập", column, active=""))


def not_found_html(path: str) -> bytes:
    """IIS's plain 404 page (a real HTTP 404)."""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/'
        '1999/xhtml">\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
        'charset=iso-8859-1"/>\n<title>404 - File or directory not found.</title>\n</head>\n'
        '<body>\n<div id="header"><h1>Server Error</h1></div>\n<div id="content">\n'
        '<div class="content-container"><fieldset>\n<h2>404 - File or directory not found.</h2>\n'
        "<h3>The resource you are looking for might have been removed, had its name changed, or "
        f"is temporarily unavailable.</h3>\n</fieldset></div>\n</div>\n<!-- {escape(path)} -->\n"
        "</body>\n</html>\n"
    ).encode("ascii", "xmlcharrefreplace")


def server_error_html(message: str) -> bytes:
    """ASP.NET's yellow screen (HTTP 500)."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<title>Runtime Error</title>\n</head>\n"
        '<body bgcolor="white">\n<span><H1>Server Error in \'/\' Application.<hr width=100% '
        f"size=1 color=silver></H1>\n<h2> <i>{escape(message)}</i> </h2></span>\n"
        "<b> Description: </b>An unhandled exception occurred during the execution of the "
        "current web request.\n</body>\n</html>\n"
    ).encode()


# ------------------------------------------------------------------------- feeds
def robots_txt(base: str) -> bytes:
    return (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /c/\n"
        "\n"
        f"Sitemap: {base}/sitemap.xml\n"
    ).encode()


SITEMAP_CHUNK = 1000


def sitemap_index(portal: SamplePortal, base: str) -> bytes:
    """Index of sitemaps: the portal's pages plus the Liferay part's articles, in chunks.

    The vnPortal part publishes no sitemap (as on the real portals): its older posts are
    reachable only through the postback-paged listings.
    """
    n = len(portal.section_ids("chi-dao-dieu-hanh"))
    chunks = max(1, -(-n // SITEMAP_CHUNK))
    lastmod = portal.newest_date().isoformat()
    entries = "".join(
        f"<sitemap><loc>{base}/sitemap-{k}.xml</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for k in range(0, chunks + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n").encode()


def sitemap_chunk(portal: SamplePortal, base: str, k: int) -> bytes | None:
    """sitemap-0.xml: home and section listings; sitemap-K.xml: Liferay articles, K-th 1000."""
    urls: list[tuple[str, str]] = []
    if k == 0:
        today = portal.newest_date().isoformat()
        urls = [(f"{base}/", today)] + [(f"{base}/{s.key}", today) for s in SECTIONS]
    else:
        ids = portal.section_ids("chi-dao-dieu-hanh")[(k - 1) * SITEMAP_CHUNK: k * SITEMAP_CHUNK]
        if not ids:
            return None
        for i in ids:
            a = portal.meta(i)
            if a is not None:
                urls.append((base + a.path, a.last_modified.date().isoformat()))
    body = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{m}</lastmod></url>\n" for u, m in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{body}</urlset>\n").encode()


def rss(portal: SamplePortal, base: str, n: int = 20) -> bytes:
    with portal.lock:
        arts = [portal.meta(a.id) for a in portal.latest(n)]
    items = "".join(
        "<item>"
        f"<title>{escape(a.title)}</title><link>{escape(base + a.path)}</link>"
        f'<guid isPermaLink="true">{escape(base + a.path)}</guid>'
        f"<description>{escape(a.lead)}</description>"
        f"<pubDate>{format_datetime(a.published.replace(tzinfo=ICT))}</pubDate>"
        "</item>\n" for a in arts if a)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>Cổng thông tin điện tử {UNIT_TITLE}</title><link>{base}/</link>"
            f"<description>Tin mới - {UNIT_TITLE}, {DISTRICT}, {PROVINCE}</description>"
            "<language>vi</language>\n"
            f"{items}</channel></rss>\n").encode()
