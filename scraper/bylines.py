"""Bylines and credits: who wrote (or photographed, or supplied) an article.

Portals end an article with a short credit paragraph: a bare name ("Phạm Thị Ngọc"), a role
prefix ("Bài, ảnh: Đức Hùng", "Tin, ảnh: …", "Tác giả: …", "PV …"), a source ("Nguồn: Văn
phòng HĐND-UBND xã", "(Theo Báo Lào Cai)"), or several of these ("Bài: A; Ảnh: B").

Decisions:
- Photographers ("Ảnh: X") are authors: the record has one list of credited people, and an
  archivist attributing a page wants everyone credited on it.
- Sources ("Nguồn:", "Theo …") are returned as the unit's name ("Văn phòng HĐND-UBND xã").
- Names are kept exactly as written, also without diacritics ("Pham Thi Ngoc").
- The bare newsroom credits "PV"/"CTV" after a name are dropped ("Minh Anh (PV)" → Minh Anh);
  alone ("PV", "Nhóm PV") they are the credit itself.
- A line without a credit prefix is a byline only when it reads as a Vietnamese name: at most
  8 words, no sentence punctuation, 2–5 capitalised Vietnamese syllables per name (with or
  without diacritics), not a province, capitals only for a surname-led name ("PHẠM THỊ
  NGỌC"). Pen names without a surname ("Đức Hùng") are accepted.
- Credits that name nobody ("Ảnh: Internet", "Ảnh: Minh họa") are still bylines
  (`looks_like_byline` is true, so the extractor keeps them out of the body) with no authors.
- Dates, update times and view counters in a byline element ("Phạm Thị Ngọc | 16/01/2023")
  are ignored; an affiliation in parentheses after a name is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from scraper.fold import fold
from scraper.officials import LOWER, SURNAMES, UPPER, name_key
from scraper.syllables import syllables

__all__ = ["byline_credit", "looks_like_byline", "parse_byline"]

_U = f"[{re.escape(UPPER)}]"
_L = f"[{re.escape(LOWER)}]"
_WS = re.compile(r"\s+")

# A role prefix with its colon: "Bài, ảnh:", "Tin và ảnh:", "Ảnh:", "Tác giả:", "Nguồn:".
_ROLE = (
    r"(?:bài|tin|ảnh|clip|video|tác\s+giả|người\s+viết|người\s+đăng|đăng\s+bởi"
    r"|(?:người\s+)?thực\s+hiện|biên\s+tập(?:\s+viên)?|(?:nhóm\s+)?phóng\s+viên|tổng\s+hợp"
    r"|cộng\s+tác\s+viên|nhóm\s+pv|pv|ctv|btv|nguồn|theo)"
)
_ROLE_LIST = rf"{_ROLE}(?:\s*(?:,|và|&|\+|/)\s*{_ROLE})*"
_PREFIX = re.compile(rf"(?i:(?<!\w)(?P<role>{_ROLE_LIST}))\s*[:：]\s*")
_THEO = re.compile(r"(?i:theo)\s+(?=\S)")
_SOURCE_ROLES = re.compile(r"(?i:nguồn|theo)$")
# "PV Minh Anh" / "CTV Hoàng Long" without a colon.
_NEWSROOM_PREFIX = re.compile(r"(?:PV|CTV|BTV|Nhóm PV)\s+(?=" + _U + ")")
_NEWSROOM_SUFFIX = re.compile(r"\s*(?:\((?:PV|CTV|BTV|TTXVN|TH|tổng hợp)\)|[-–]\s*(?:PV|CTV))$")
# A trailing affiliation: "Phạm Thị Ngọc (Văn phòng HĐND-UBND xã)" → the name.
_AFFILIATION = re.compile(r"\s*\([^()]*\)$")
# Parts of a byline element that are not credits: dates, update times, view counters.
_CHUNK_SEP = re.compile(r"\s*[|•]\s*")
_NOT_CREDIT = re.compile(
    r"(?i:cập\s+nhật|ngày\s+đăng|đăng\s+ngày|ngày|thứ|lượt\s+xem|lượt\s+đọc|lúc)(?!\w)|\d"
)
_NEWSROOM_ALONE = re.compile(
    r"(?:[Nn]hóm\s+)?(?:PV|CTV|[Pp]hóng\s+viên|[Cc]ộng\s+tác\s+viên)(?:\s+[-–]\s*(?:PV|CTV))*$"
)
# Credits that name nobody: skipped ("Ảnh: Internet", "Ảnh: Minh họa", "ST" = sưu tầm).
_NOBODY = frozenset(
    fold(p)
    for p in (
        "Internet",
        "Minh họa",
        "Minh hoạ",
        "Tư liệu",
        "ST",
        "Sưu tầm",
        "admin",
        "Quản trị",
        "Quản trị viên",
        "Nguồn Internet",
        "Ảnh minh họa",
    )
)

_SPLIT_PEOPLE = re.compile(r"\s+[-–—]\s+|\s*[,;/&]\s*|\s+và\s+")
_SPLIT_SOURCES = re.compile(r"\s+[-–—]\s+(?=(?i:theo|nguồn))|\s*;\s*")
_SENTENCE = re.compile(r"[.!?…](?=\s|$)|[\"“”]")
_NAME_TOKEN = re.compile(rf"(?:{_U}{_L}*|{_U}+)(?!\w)")
_UNIT_START = re.compile(
    r"(?i:văn\s+phòng|phòng|ban|trung\s+tâm|ubnd|hđnd|ủy\s+ban|uỷ\s+ban|sở|báo|đài|cổng"
    r"|tạp\s+chí|thông\s+tấn|ttxvn|hội|đoàn|trường|bộ|cục|huyện|tỉnh|xã|công\s+an|đảng\s+ủy"
    r"|mặt\s+trận|bbt|ban\s+biên\s+tập)(?!\w)"
)
_DIGITS = re.compile(r"\d")
_STARTS_UPPER = re.compile(_U)
# Page-chrome phrases in title case that are not people.
_CHROME = frozenset(
    fold(p)
    for p in (
        "Tin Khác",
        "Các Tin Khác",
        "Tin Đã Đưa",
        "Trang Chủ",
        "Liên Hệ",
        "Đăng Nhập",
        "Thống Kê Truy Cập",
        "Đang Online",
        "Hôm Nay",
        "Trong Tuần",
        "Tất Cả",
        "Tin Tức",
        "Sự Kiện",
        "Thông Báo",
        "Văn Bản",
        "Giới Thiệu",
        "Hỏi Đáp",
        "Tin Liên Quan",
        "Xem Thêm",
        "Bản In",
        "Gửi Email",
        "Chia Sẻ",
        "Other News",
        "Read More",
        "Tin Mới",
        "Tin Nổi Bật",
        "Video Clip",
        "Thư Viện Ảnh",
    )
)

# Provinces and cities (before and after the 2025 merger): a bare line naming one is a
# dateline or a menu entry, not a pen name.
_PROVINCE_NAMES = (
    "An Giang|Bà Rịa - Vũng Tàu|Bà Rịa|Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre"
    "|Bình Dương|Bình Định|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk"
    "|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh"
    "|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|Hoà Bình|Hưng Yên|Khánh Hòa|Khánh Hoà"
    "|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|Lạng Sơn|Lào Cai|Long An|Nam Định|Nghệ An"
    "|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh"
    "|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thanh Hoá"
    "|Thừa Thiên Huế|Huế|Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái"
    "|Hồ Chí Minh|TP Hồ Chí Minh|Sài Gòn|Việt Nam|Sa Pa|Bảo Thắng|Bảo Yên|Bát Xát|Bắc Hà"
    "|Mường Khương|Si Ma Cai|Văn Bàn|Phố Lu"
)
_PROVINCES = frozenset(name_key(p) for p in _PROVINCE_NAMES.split("|"))

MAX_BARE_WORDS = 8
MAX_CREDIT_WORDS = 16


def _nfc(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


@lru_cache(maxsize=1)
def _folded_syllables() -> frozenset[str]:
    """Every Vietnamese syllable without diacritics ("ngoc"), for names typed without them."""
    return frozenset(fold(s) for s in syllables())


def _is_syllable(token: str) -> bool:
    return fold(token) in _folded_syllables()


def _is_name(part: str, *, min_tokens: int, bare: bool = False) -> bool:
    """2–5 capitalised (or all-caps) syllables and nothing else: "Phạm Thị Ngọc", "Đức Hùng".

    A `bare` line (no credit prefix) must also be Vietnamese: every token a syllable (with or
    without diacritics), not a province ("Gia Lai"), and in capitals only when it opens with a
    surname ("PHẠM THỊ NGỌC", not "LIÊN KẾT WEBSITE" or "TIN TỨC SỰ KIỆN")."""
    tokens = part.split()
    if not min_tokens <= len(tokens) <= 5:
        return False
    if fold(part) in _CHROME:
        return False
    if not all(_NAME_TOKEN.fullmatch(t) for t in tokens):
        return False
    if not bare:
        return True
    if name_key(part) in _PROVINCES or not all(_is_syllable(t) for t in tokens):
        return False
    capitals = [t for t in tokens if len(t) > 1 and t.isupper()]
    if not capitals:
        return True
    return len(capitals) == len(tokens) and tokens[0].capitalize() in SURNAMES


def _strip_newsroom(part: str) -> str:
    part = _NEWSROOM_SUFFIX.sub("", part).strip()
    return _NEWSROOM_PREFIX.sub("", part, count=1).strip()


def _people(chunk: str, *, min_tokens: int, bare: bool = False) -> list[str] | None:
    """Names (or units) in an author/photo credit; None when a part is not one."""
    chunk = chunk.strip(" .,;:-–")
    if not chunk:
        return None
    if _NEWSROOM_ALONE.fullmatch(chunk):
        return [chunk]
    if _UNIT_START.match(chunk) and not _SENTENCE.search(chunk):
        return [chunk]
    out: list[str] = []
    skipped = False
    for part in _SPLIT_PEOPLE.split(chunk):
        part = _strip_newsroom(part.strip())
        if not part:
            continue
        if fold(part) in _NOBODY:
            skipped = True
            continue
        plain = _AFFILIATION.sub("", part)
        if plain != part and _is_name(plain, min_tokens=min_tokens, bare=bare):
            part = plain
        if not (_is_name(part, min_tokens=min_tokens, bare=bare) or _UNIT_START.match(part)):
            return None
        out.append(part)
    return out if (out or skipped) else None


def _source(chunk: str) -> list[str] | None:
    """A supplying unit or publication ("Báo Lào Cai"); None when it reads like a sentence."""
    chunk = chunk.strip(" .;:-–")
    if not chunk or not _STARTS_UPPER.match(chunk):
        return None
    if _SENTENCE.search(chunk) or _DIGITS.search(chunk) or "," in chunk:
        return None
    return [p.strip() for p in _SPLIT_SOURCES.split(chunk) if p.strip()] or None


def parse_byline(text: str) -> list[str]:
    """Author names or units credited by a byline paragraph; [] when it is not a byline.

    "Phạm Thị Ngọc" → ["Phạm Thị Ngọc"]; "Bài, ảnh: Đức Hùng" → ["Đức Hùng"];
    "Minh Anh - Thu Hà" → ["Minh Anh", "Thu Hà"]; "(Theo Báo Lào Cai)" → ["Báo Lào Cai"];
    "Nguồn: Văn phòng HĐND-UBND xã" → ["Văn phòng HĐND-UBND xã"].
    """
    return _credit(text) or []


def byline_credit(text: str) -> list[str] | None:
    """`parse_byline(text)` when `looks_like_byline(text)`, else None: both answers from one
    reading of the paragraph."""
    return _credit(text)


def _credit(text: str) -> list[str] | None:
    """The credited names of a byline paragraph ([] for a credit naming nobody, such as
    "Ảnh: Internet"), or None when the paragraph is not a byline."""
    s = _nfc(text)
    while len(s) > 2 and s[0] in "([" and s[-1] in ")]":
        s = s[1:-1].strip()
    chunks = _CHUNK_SEP.split(s)
    if len(chunks) > 1:  # "Phạm Thị Ngọc | 16/01/2023 | Lượt xem: 120"
        s = " | ".join(c for c in chunks if c and not _NOT_CREDIT.match(c))
    if not s:
        return None
    # a credit starts with its prefix: only then are the others looked for (a paragraph of
    # body text is read once, not scanned for every "Ảnh:" in it)
    if _PREFIX.match(s) is not None:
        if len(s.split()) > MAX_CREDIT_WORDS:
            return None
        prefixes = list(_PREFIX.finditer(s))
        out: list[str] = []
        for i, m in enumerate(prefixes):
            end = prefixes[i + 1].start() if i + 1 < len(prefixes) else len(s)
            chunk = s[m.end() : end].strip(" ;,|-–")
            role = _WS.sub(" ", m.group("role"))
            got = _source(chunk) if _SOURCE_ROLES.search(role) else _people(chunk, min_tokens=1)
            if got is None:
                return None
            out.extend(got)
        return _dedupe(out)
    theo = _THEO.match(s)
    if theo:
        if len(s.split()) > MAX_BARE_WORDS:
            return None
        return _source(s[theo.end() :])
    if len(s.split()) > MAX_BARE_WORDS or _SENTENCE.search(s.rstrip(".")):
        return None
    if _UNIT_START.match(s):
        return None
    return _dedupe(_people(s, min_tokens=2, bare=True) or []) or None


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        k = fold(n)
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def looks_like_byline(text: str) -> bool:
    """True for a short paragraph that is only a credit: a name (≤ 8 words, capitalised
    syllables, no sentence punctuation) or a credit prefix ("Bài, ảnh:", "Nguồn:", "Theo")."""
    return _credit(text) is not None
