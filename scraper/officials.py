"""Officials named in Vietnamese government news: who, with which position, found by rules.

Portal articles name officials in a handful of set forms ("đồng chí Dương Thị Tâm- Ủy viên
BTV huyện ủy, …"; "Phó Bí thư Thường trực Huyện ủy, đồng chí X"; "Chủ tịch UBND huyện
Nguyễn Văn A"; "các đồng chí: A, …; B, …"). A statistical NER tags these names as places and
gives no positions (see the field notes), so this module reads them with precompiled rules:

- a *cue* (đồng chí, đ/c, a military/police rank, or ông/bà/anh/chị) followed by a name;
- a *position* (Bí thư, Chủ tịch, Trưởng ban, …) after the name ("- ", ", ", "(" or a bare
  space) or right before the cue/name;
- a *name* of 2–4 capitalised syllables; without a strong cue (đồng chí, đ/c, a rank) the
  first syllable must be a known surname (Kinh or northern-highland Hmong/Dao/Tày/Giáy).

Not officials: a name after a place word ("đường Trần Hưng Đạo", "Trường THCS Lê Quý Đôn"),
historical figures that streets and schools are named after (Hồ Chí Minh, Lê Lợi, …), and any
name passed in ``exclude`` (the byline author). ``ông``/``bà``/``anh``/``chị`` count only
when a position is attached. Each person is reported once per text, keyed by ``name_key``;
the first position seen is kept (a later one only fills an empty position).

Cues are reported in one spelling: "đồng chí", "đ/c", "ông", "bà", "anh", "chị" in lower
case, ranks capitalised ("Đại tá"). ``expand_position`` spells out the abbreviations; school
levels (THCS, THPT, …) are kept as written because that is how schools are named and searched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from scraper.fold import fold
from scraper.record import Official

__all__ = ["expand_position", "find_officials", "name_key"]

# --- letters ---------------------------------------------------------------------------------

_LATIN = [
    chr(c)
    for c in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1EA0, 0x1F00))
]
UPPER = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
LOWER = "".join(c for c in _LATIN if c.isalpha() and c.islower())
_U = f"[{re.escape(UPPER)}]"
_L = f"[{re.escape(LOWER)}]"

# One capitalised syllable ("Nguyễn", "A"); never part of an all-caps token such as UBND.
SYLLABLE = rf"{_U}{_L}*(?!\w)"
_NAME_RUN = re.compile(rf"{SYLLABLE}(?:[ \t\u00a0]+{SYLLABLE})*")
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\S+")

# --- vocabularies ----------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    """A vocabulary written as text: words split on whitespace (or on `sep`)."""
    return [w.strip() for w in text.split(sep) if w.strip()]


SURNAMES: frozenset[str] = frozenset(
    _words(
        """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lương
    Mai Đào Đoàn Tạ Hà Cao Lưu Tô Chu Lại Phùng Quách Thái Kiều Triệu Nông Vi Lò Lường Quàng
    Cầm Trịnh Lâm Hứa Mạc Tăng Thân Tống Từ Vương Khổng Khúc Kim La Lã Lạc Lục Nghiêm Ninh
    Phí Quan Thạch Tiêu Tôn Ứng Bạch Cù Diệp Doãn Giáp Hàn Kha Khương Mẫn Nhữ Quản Sầm Thiều
    Trình Ung Đàm Giang Khuất Lăng Mông Âu Bế Lộc Tòng Lèo Đèo Bạc Mè Ma Mã Hầu Lầu Lồ Lù Ly
    Giàng Sùng Thào Vàng Vừ Vù Mùa Sình Tráng Hạng Chảo Tẩn Phàn Bàn Chẻo Sì Phù Lùng Má Cư
    Sần Hờ Chứ Cứ Pờ Lừu Sằm Lưu Viên Tào Ông Hoàng Hán Lìu Xin Thèn Nùng Vừu Mua Lý
    """
    )
)

# Historical figures: streets, schools and wards carry their names; never a current official.
HISTORICAL: frozenset[str] = frozenset(
    fold(n)
    for n in (
        "Hồ Chí Minh",
        "Trần Hưng Đạo",
        "Lê Lợi",
        "Nguyễn Huệ",
        "Quang Trung",
        "Lê Quý Đôn",
        "Nguyễn Du",
        "Nguyễn Trãi",
        "Lý Thường Kiệt",
        "Lý Thái Tổ",
        "Lý Công Uẩn",
        "Trần Phú",
        "Võ Thị Sáu",
        "Lê Hồng Phong",
        "Nguyễn Thị Minh Khai",
        "Phan Bội Châu",
        "Phan Chu Trinh",
        "Phan Đình Phùng",
        "Hai Bà Trưng",
        "Võ Nguyên Giáp",
        "Tôn Đức Thắng",
        "Phạm Văn Đồng",
        "Lê Duẩn",
        "Trường Chinh",
        "Nguyễn Văn Cừ",
        "Hoàng Hoa Thám",
        "Ngô Quyền",
        "Đinh Tiên Hoàng",
        "Lê Thánh Tông",
        "Chu Văn An",
        "Nguyễn Đình Chiểu",
        "Kim Đồng",
        "Lê Văn Tám",
        "Nguyễn Văn Trỗi",
        "Tô Hiệu",
        "Hoàng Văn Thụ",
        "Lê Hữu Trác",
        "Hàm Nghi",
        "Nguyễn Thái Học",
        "Lý Tự Trọng",
        "Trần Quốc Toản",
        "Trần Nhân Tông",
        "Nguyễn Tất Thành",
        "Nguyễn Ái Quốc",
        "Lê Văn Lương",
        "Nguyễn Chí Thanh",
        "Hoàng Quốc Việt",
        "Đinh Bộ Lĩnh",
        "Lê Đại Hành",
        "Trần Quang Khải",
        "Nguyễn Bỉnh Khiêm",
        "Lương Thế Vinh",
        "Nguyễn Khuyến",
        "Tô Vĩnh Diện",
        "Phan Đình Giót",
        "Bế Văn Đàn",
        "Cù Chính Lan",
        "Nguyễn Viết Xuân",
        "Hoàng Diệu",
        "Nguyễn Tri Phương",
        "Lê Thị Hồng Gấm",
        "Nguyễn Văn Linh",
        "Tô Ngọc Vân",
        "Hoàng Văn Thái",
        "Đặng Thai Mai",
        "Nguyễn Hữu Thọ",
    )
)

# Places whose names open with a surname ("Bí thư Tỉnh ủy Ninh Bình", "huyện Hoàng Su Phì"):
# never a person when no cue names them as one.
PLACES: frozenset[str] = frozenset(
    _WS.sub(" ", fold(n)).strip()
    for n in _words(
        """Hà Giang|Hà Nội|Hà Nam|Hà Tĩnh|Cao Bằng|Lâm Đồng|Ninh Bình|Ninh Thuận|Thái Bình
        Thái Nguyên|Bạc Liêu|Hoàng Su Phì|Quản Bạ|Lục Yên|Lục Nam|Lục Ngạn|Thạch An|Hà Quảng
        Cao Lộc|Lộc Bình|Mai Sơn|Mai Châu|Phù Yên|Ma Cai|Si Ma Cai|Hoàng Thu Phố|Lùng Phình
        Lùng Vai|Lùng Cải|Lùng Khấu Nhin|Thào Chư Phìn|Mã Pí Lèng|Thái Niên|Trịnh Tường|Kim Sơn
        Kim Bôi|Kim Bảng|Cao Phong|Lạc Sơn|Lạc Thủy|Lạc Dương|Lương Sơn|Lâm Bình|Lâm Hà
        Lâm Thao|Vũ Thư|Lý Sơn|Nông Cống|Nông Sơn|Hoàng Mai|Hoàng Hóa|Lê Chân|Thạch Thành
        Thạch Hà|Thạch Thất|Hà Trung|Hà Tiên|Hồ Thầu|Cư Jút|Tô Múa|Đoàn Kết|Hà Đông|Hà Tu
        Hà Lầm|Mai Pha|Hoàng Văn Thụ|Kim Đồng|Thái Học|Cao Xanh|Giang Biên|Hà Khẩu|Kim Tân
        Lê Lai|Cốc Lếu|Duyên Hải|Bình Minh|Nam Cường|Pom Hán|Bắc Cường|Xuân Tăng|Đồng Tuyển""",
        "|",
    )
    for n in n.split("\n")
    if n.strip()
)

# Capitalised syllables that belong to a position, an organisation or a cue, never to a name.
# (Words that can also be given names, such as Đại, Thượng, Chính, Anh, Năm, Nguyên or Đồng,
# are not listed: they end a name only where a position, rank or cue starts with them.)
_STOP_SYLLABLES: frozenset[str] = frozenset(
    _words(
        """Chủ Phó Bí Ủy Uỷ Đảng Ban Huyện Tỉnh Xã Phường Sở Phòng Bộ Cục Giám Trưởng Ông Bà
        Chị Các Những Và Tại Trong Theo Ngày Tháng Của Là Có Được Đã Sẽ Đang UBND HĐND"""
    )
)

_POSITION_WORDS = (
    """
phó bí thư thường trực|bí thư chi bộ|tổng bí thư|bí thư đảng ủy|bí thư đoàn|bí thư
phó chủ tịch thường trực|chủ tịch nước|chủ tịch
đảng ủy viên|huyện ủy viên|tỉnh ủy viên|thành ủy viên|ủy viên
trưởng ban|phó ban|trưởng phòng|phó phòng|giám đốc|chánh văn phòng|chánh thanh tra|chánh án
viện trưởng|chỉ huy trưởng|chỉ huy phó|chính trị viên|trưởng công an|hiệu trưởng|hiệu phó
trưởng thôn|trưởng bản|trưởng khu|trưởng ấp|tổ trưởng|tổ phó|đại biểu quốc hội|đại biểu
thường trực|thường vụ|chủ nhiệm|kế toán trưởng|kế toán|trưởng đoàn|đoàn trưởng|trạm trưởng
trưởng trạm|bộ trưởng|thứ trưởng|cục trưởng|vụ trưởng|thủ tướng|trưởng khoa|trưởng đài
thủ trưởng|chuyên viên|công chức|cán bộ|trưởng|thư ký|chủ tịch hội|trưởng văn phòng
PCT|PBT|PGĐ|GĐ
""".replace("\n", "|")
    .strip("|")
    .split("|")
)


def _variants(word: str) -> set[str]:
    """Spellings of one vocabulary entry: both tone placements of ủy/úy."""
    out = {word}
    for old, new in (("ủy", "uỷ"), ("úy", "uý")):
        out |= {w.replace(old, new) for w in out}
    return out


def _trie(words: Iterable[str], *, title: bool = True) -> str:
    """A regex matching any of `words`, factored as a trie (Python's re tries alternatives
    one by one; a trie keeps the scan over long texts fast). Spaces match any whitespace;
    with `title`, each word may start upper or lower case ("Chủ tịch", "chủ Tịch").

    The first letter is always a plain literal (both cases listed when `title`): a pattern
    that opens with literals lets the regex engine skip ahead by first character, which
    makes scanning a whole article several times faster."""
    root: dict[str, dict] = {}
    spellings = set()
    for w in words:
        w = " ".join(w.split())
        spellings.add(w)
        if title:
            spellings.add(w[:1].upper() + w[1:])
    for w in spellings:
        for v in _variants(w):
            node = root
            for ch in v:
                node = node.setdefault(ch, {})
            node[""] = {}

    def emit(node: dict[str, dict], word_start: bool) -> str:
        alts = []
        for ch, child in sorted(node.items(), key=lambda kv: kv[0] == ""):
            if ch == "":
                alts.append("")
                continue
            if ch == " ":
                frag = r"\s+"
            elif title and word_start and ch.upper() != ch:
                frag = f"[{re.escape(ch.upper())}{re.escape(ch)}]"
            else:
                frag = re.escape(ch)
            alts.append(frag + emit(child, ch == " "))
        if len(alts) == 1:
            return alts[0]
        optional = "" in alts
        body = "|".join(a for a in alts if a)
        return f"(?:{body})" + ("?" if optional else "")

    return emit(root, False)


# A position starts here: optional "nguyên/quyền" (former/acting), optional "Phó"/"Tổng".
POSITION = (
    rf"(?:[Nn]guyên\s+|[Qq]uyền\s+)?(?:[Pp]hó\s+)?(?:[Tt]ổng\s+)?(?:{_trie(_POSITION_WORDS)})(?!\w)"
)
_POSITION_AT = re.compile(POSITION)
_POSITION_ANY = re.compile(rf"\b{POSITION}")
_POSITION_SCAN = re.compile(
    rf"{_trie((*_POSITION_WORDS, *(f'phó {w}' for w in _POSITION_WORDS)))}(?!\w)"
)
_SURNAME_SCAN = re.compile(rf"(?:{_trie(SURNAMES, title=False)})(?!\w)")

_FORMER_BEFORE = re.compile(r"(?:[Nn]guyên|[Qq]uyền)\s+$")

_RANKS = """đại tướng|thượng tướng|trung tướng|thiếu tướng|đại tá|thượng tá|trung tá|thiếu tá
đại úy|thượng úy|trung úy|thiếu úy|chuẩn úy|thượng sĩ|trung sĩ|hạ sĩ""".replace("\n", "|")
_STRONG_CUES = ("đồng chí", "đ/c")
_WEAK_CUES = ("ông", "bà", "anh", "chị", "cô", "thầy", "cô giáo", "thầy giáo")
_RANK_CUES = tuple(_RANKS.split("|"))
# spelling as matched (lower case) → (kind, the label reported as `cue`)
_CUE_KIND: dict[str, tuple[str, str]] = {
    **{v: ("rank", r.capitalize()) for r in _RANK_CUES for v in _variants(r)},
    **{c: ("strong", c) for c in _STRONG_CUES},
    **{c: ("weak", c) for c in _WEAK_CUES},
}
_CUES = _trie((*_RANK_CUES, *_STRONG_CUES, "Đ/C", *_WEAK_CUES))
# Scanning patterns open with plain literals (fast skip ahead); word starts are checked in
# Python, which is cheaper than a leading look-behind.
_CUE_SCAN = re.compile(rf"(?P<cue>{_CUES})(?![\w/])[ \t\u00a0]*:?[ \t\u00a0]*(?={_U})")
_PLURAL_BEFORE = re.compile(r"(?<!\w)[Cc]ác\s+$")
_CUE_AHEAD = rf"(?:[Cc]ác\s+)?(?:{_CUES})\s+{_U}"

# Verbs (lower case as written) that end a position: "… Chủ tịch UBND huyện phát biểu".
_VERBS = """phát biểu|chủ trì|tham dự|dự|tới dự|đến dự|trao|tặng|yêu cầu|nhấn mạnh|đề nghị
cho biết|khẳng định|đánh giá|ghi nhận|biểu dương|đã|đang|sẽ|đến|tới|chúc mừng|thăm|làm việc
kiểm tra|báo cáo|quán triệt|trình bày|thông qua|kết luận|giao|khai mạc|bế mạc|với|tại|là|có
được|nhận|tiếp|gặp|cùng|lên|đọc|phổ biến|triển khai|chia sẻ|tặng quà|động viên|mong muốn
nêu|thay mặt|đại diện cho|cũng|vừa|trả lời|giải trình|phát động|hướng dẫn|lưu ý|bày tỏ
làm|tham gia|trực tiếp|kiểm tra|thăm hỏi|tặng|trao tặng|nghe|điều hành|dẫn đầu""".replace("\n", "|")
_VERB_STOP = rf"(?<![Bb]an )(?:{_trie((*_VERBS.split('|'), 'chỉ đạo'), title=False)})(?!\w)"

# Where a position ends (the first of these at or after its start).
_POSITION_END = re.compile(
    rf"[;\n:()\[\]]"
    rf"|(?<!\bTP)(?<!\bTp)(?<!\bTX)(?<!\bTT)(?<!\bQ)(?<!\bP)\.(?!\w)"
    rf"|,"
    rf"|(?<![ \t\u00a0])[ \t\u00a0]++(?:và\s+)?(?=(?:{_CUE_AHEAD}))"
    rf"|(?<![ \t\u00a0])[ \t\u00a0]++và\s+(?=(?i:các|những)\b)"
    rf"|(?<![ \t\u00a0])[ \t\u00a0]++và\s+(?={_U}{_L}*(?:[ \t]+{_U}{_L}*){{1,3}}[ \t]*[-–,(])"
    rf"|(?<![ \t\u00a0])[ \t\u00a0]++(?={_VERB_STOP})"
    rf"|(?<![ \t\u00a0])[ \t\u00a0]++[-–—][ \t\u00a0]+(?=(?:{_CUE_AHEAD}))"
)
_CONTINUES = re.compile(rf"\s*(?:kiêm\s+|đồng\s+thời\s+(?:là\s+)?)?{POSITION}")

# After a name: the separator before a position written after it.
_AFTER_SEP = re.compile(r"[ \t\u00a0]*(?P<sep>[-–—,(:])?[ \t\u00a0]*")
# Between list items: "A, Chủ tịch …; B, Phó Chủ tịch …" / "A và B".
_GAP_SEP = re.compile(r"[ \t\u00a0]*([-–,(])[ \t\u00a0]*")
_MAX_POSITION_CHARS = 160
_LIST_SEP = re.compile(r"[ \t\u00a0]*(?:[;,]|\bvà\b)[ \t\u00a0]*")

# Place words: a name right after one of these names a street, ward, school, bridge, prize …
_STREET_WORDS: frozenset[str] = frozenset(
    """đường|phố|phường|số nhà|ngõ|ngách|hẻm|quận|đại lộ|cầu|chợ|công viên|quảng trường|trường
    tiểu học|mầm non|trung học cơ sở|trung học phổ thông|phổ thông|dân tộc nội trú|đại học
    dân tộc bán trú|cao đẳng|trường chính trị|khu phố|sân vận động|nhà văn hóa|nhà văn hoá
    bệnh viện|giải|giải thưởng|huân chương|đền|chùa|đình|tượng đài|lăng|bảo tàng|di tích|thcs
    thpt|ptdtbt|ptdtnt|ptcs|th&thcs|ptdtbt-thcs|thcs-thpt|mn|th|liên đội|chi đội|tàu
    công ty|tnhh|cổ phần|cp|doanh nghiệp|dntn|hợp tác xã|htx|cửa hàng|khách sạn|nhà hàng
    tập đoàn|nhà máy|câu lạc bộ|clb|quỹ|báo|đài|nhà sách|xí nghiệp|homestay|trang trại""".replace(
        "\n", "|"
    )
    .replace("    ", "")
    .split("|")
)
# Administrative units: "Chủ tịch UBND huyện Nguyễn Văn A" is a person, "xã Trịnh Tường" is not.
_UNIT_WORDS: frozenset[str] = frozenset(
    _words("xã|huyện|tỉnh|thị trấn|thị xã|thành phố|tp.|tp|tx.|thôn|bản|làng|xóm|ấp|khu|tổ", "|")
)
# --- public helpers --------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def name_key(name: str) -> str:
    """Folded key of a person's name: no diacritics, lower case, single spaces.

    "Nguyễn Văn Chắc", "NGUYỄN VĂN CHẮC" and "Nguyen Van Chac" share the key
    "nguyen van chac", so the same person is found across articles.
    """
    return _WS.sub(" ", fold(unicodedata.normalize("NFC", name))).strip()


_ABBREVIATIONS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "MTTQVN": "Mặt trận Tổ quốc Việt Nam",
    "MTTQ": "Mặt trận Tổ quốc",
    "BTV": "Ban Thường vụ",
    "BCH": "Ban Chấp hành",
    "TDP": "tổ dân phố",
    "BCĐ": "Ban Chỉ đạo",
    "BQL": "Ban Quản lý",
    "CCB": "Cựu chiến binh",
    "ĐTNCS": "Đoàn Thanh niên Cộng sản",
    "ĐTN": "Đoàn Thanh niên Cộng sản",
    "HLHPN": "Hội Liên hiệp Phụ nữ",
    "LHPN": "Liên hiệp Phụ nữ",
    "HND": "Hội Nông dân",
    "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "LĐLĐ": "Liên đoàn Lao động",
    "TNCS": "Thanh niên Cộng sản",
    "BCHQS": "Ban Chỉ huy Quân sự",
    "TTYT": "Trung tâm Y tế",
    "VP": "Văn phòng",
    "NTM": "nông thôn mới",
    "ANTT": "an ninh trật tự",
    "QP-AN": "quốc phòng - an ninh",
    "VH-XH": "văn hóa - xã hội",
    "TC-KH": "Tài chính - Kế hoạch",
    "GD-ĐT": "Giáo dục - Đào tạo",
    "HPN": "Hội Liên hiệp Phụ nữ",
    "CA": "Công an",
    "QS": "Quân sự",
    "CHQS": "Chỉ huy Quân sự",
    "KT-XH": "kinh tế - xã hội",
    "ĐBQH": "Đại biểu Quốc hội",
    "UBKT": "Ủy ban Kiểm tra",
    "HTX": "Hợp tác xã",
    "BHXH": "Bảo hiểm xã hội",
    "NN&PTNT": "Nông nghiệp và Phát triển nông thôn",
    "TN&MT": "Tài nguyên và Môi trường",
    "GD&ĐT": "Giáo dục và Đào tạo",
    "LĐTB&XH": "Lao động - Thương binh và Xã hội",
    "VH-TT": "Văn hóa - Thông tin",
    "PCT": "Phó Chủ tịch",
    "PBT": "Phó Bí thư",
    "PGĐ": "Phó Giám đốc",
    "GĐ": "Giám đốc",
    "TP.": "thành phố",
    "TP": "thành phố",
}
_ABBR_ALT = "|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True))
# Whole tokens only: no letter, digit, "&" or "-letter" glued on either side.
_ABBR_RE = re.compile(rf"(?<![\w&])(?:{_ABBR_ALT})(?![\w&]|-\w)")
_ABBR_DASH = re.compile(rf"(?<![\w&])({_ABBR_ALT})[ \t]*([-–])[ \t]*(?=(?:{_ABBR_ALT})(?![\w&]))")


@lru_cache(maxsize=16384)
def expand_position(position: str) -> str:
    """The position with its abbreviations spelt out ("Chủ tịch UBND xã" → "Chủ tịch Ủy ban
    nhân dân xã"); only whole upper-case tokens are replaced, all other text is kept as is.
    "HĐND- UBND" becomes "Hội đồng nhân dân - Ủy ban nhân dân"."""
    text = unicodedata.normalize("NFC", position)
    text = _ABBR_DASH.sub(r"\1 \2 ", text)
    return _ABBR_RE.sub(lambda m: _ABBREVIATIONS[m.group(0)], text)


# --- extraction ------------------------------------------------------------------------------


def _clean_position(s: str) -> str:
    return _WS.sub(" ", s).strip(" \t,-–—:(")


def _position_end(text: str, start: int, *, paren: bool = False) -> int:
    """End of the position that starts at `start`: at ; : ( ) [ ] a newline or a full stop
    (not the one of "TP."), at a comma unless another position follows it ("Ủy viên BTV
    huyện ủy, bí thư Đảng ủy thị trấn"), before a following cue, before "và các/những" or
    "và" + the next named official, and before a verb ("phát biểu", "chủ trì", "cùng", …).
    In parentheses (`paren`) it runs to the closing parenthesis."""
    if paren:
        close = text.find(")", start)
        nl = text.find("\n", start)
        ends = [i for i in (close, nl) if i >= 0]
        return min(ends) if ends else len(text)
    pos = start
    while True:
        m = _POSITION_END.search(text, pos)
        if m is None:
            return len(text)
        if m.group(0) == "," and _CONTINUES.match(text, m.end()):
            pos = m.end()
            continue
        return m.start()


def _place_before(text: str, start: int) -> frozenset[str] | None:
    """_STREET_WORDS or _UNIT_WORDS when the words right before `start` name a place."""
    words = text[max(0, start - 40) : start].lower().split()[-4:]
    if not words or text[start - 1 : start] not in (" ", "\t", "\u00a0"):
        return None
    for n in range(len(words), 0, -1):
        phrase = " ".join(words[-n:])
        if phrase in _STREET_WORDS:
            return _STREET_WORDS
        if phrase in _UNIT_WORDS:
            return _UNIT_WORDS
    return None


def _syllables(text: str, run: re.Match[str]) -> list[re.Match[str]]:
    """The syllables of a capitalised run, up to the first that opens a position, a rank or
    a cue, or is never part of a name ("Nguyễn Văn A Trưởng ban …" → Nguyễn Văn A)."""
    out: list[re.Match[str]] = []
    for tok in _TOKEN.finditer(text, run.start(), run.end()):
        if (
            tok.group(0) in _STOP_SYLLABLES
            or _POSITION_AT.match(text, tok.start())
            or _CUE_SCAN.match(text, tok.start())
        ):
            break
        out.append(tok)
    return out


def _tail_syllables(text: str, run: re.Match[str]) -> list[re.Match[str]]:
    """The syllables of a run after its last stop ("Tỉnh Lào Cai Nguyễn Văn A" → from Lào)."""
    toks = list(_TOKEN.finditer(text, run.start(), run.end()))
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i]
        if (
            t.group(0) in _STOP_SYLLABLES
            or _POSITION_AT.match(text, t.start())
            or _CUE_SCAN.match(text, t.start())
        ):
            return toks[i + 1 :]
    return toks


def _name_in_run(syls: list[str], first: int) -> int | None:
    """Start index of a surname-led name of 2–4 syllables ending the run, or None."""
    for i in range(max(first, len(syls) - 4), len(syls) - 1):
        if syls[i] in SURNAMES:
            return i
    return None


class _Collector:
    def __init__(self, exclude: Iterable[str]) -> None:
        self.excluded = {name_key(n) for n in exclude}
        self.found: list[tuple[int, Official]] = []
        # spans of the cue pass: disjoint and in text order, so a bisect finds the one at i
        self.span_starts: list[int] = []
        self.span_ends: list[int] = []

    def covered(self, i: int) -> bool:
        k = bisect_right(self.span_starts, i) - 1
        return k >= 0 and i < self.span_ends[k]

    def add(self, at: int, span: tuple[int, int], name: str, position: str, cue: str) -> None:
        if span[0] >= (self.span_ends[-1] if self.span_ends else 0):
            self.span_starts.append(span[0])
            self.span_ends.append(span[1])
        name = _WS.sub(" ", name).strip()
        key = name_key(name)
        if key in self.excluded or key in HISTORICAL:
            return
        position = _clean_position(position)
        self.found.append(
            (at, Official(name, position, expand_position(position) if position else "", cue, key))
        )

    def result(self) -> list[Official]:
        by_key: dict[str, Official] = {}
        for _, off in sorted(self.found, key=lambda t: t[0]):
            seen = by_key.get(off.key)
            if seen is None:
                by_key[off.key] = off
            elif not seen.position and off.position:
                seen.position, seen.position_expanded = off.position, off.position_expanded
        return list(by_key.values())


def _cue_label(cue: str) -> tuple[str, str]:
    """(kind, label) of a matched cue: ranks capitalised, other cues in lower case."""
    key = _WS.sub(" ", cue.lower())
    return _CUE_KIND.get(key, ("strong", key))


def _position_after(text: str, end: int) -> tuple[int, int] | None:
    """(start, end) of a position written right after a name ending at `end`."""
    sep = _AFTER_SEP.match(text, end)
    if sep is None or (sep.group("sep") is None and sep.end() == end):
        return None
    p = _POSITION_AT.match(text, sep.end())
    if p is None:
        return None
    return p.start(), _position_end(text, p.start(), paren=sep.group("sep") == "(")


def _position_before(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """(start, end) of a position written right before a cue at `hi` ("…Huyện ủy, đồng chí")."""
    head = text[lo:hi]
    stripped = head.rstrip(" \t\u00a0")
    if not stripped or len(stripped) == len(head) and not stripped.endswith(","):
        return None
    stripped = stripped.rstrip(",:–- \t")
    # The position is the tail of the clause, after the last hard break.
    cut = max(stripped.rfind(c) for c in ";.:()\n")
    segs_text = stripped[cut + 1 :]
    m = _POSITION_ANY.search(segs_text)
    if m is None:
        return None
    start = lo + cut + 1 + m.start()
    end = lo + len(stripped)
    if _position_end(text, start) < end:
        return None  # a verb or another cue in between: not one position
    runs = list(_NAME_RUN.finditer(text, start, end))
    if runs and runs[-1].end() == end and _trailing_name(text, runs[-1]):
        return None  # "Chủ tịch UBND xã Lê Văn B, đồng chí C": the title is B's
    return start, end


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_/")


def _cue_pass(text: str, col: _Collector) -> None:
    until = 0
    for m in _CUE_SCAN.finditer(text):
        if m.start() < until or not _word_start(text, m.start()):
            continue
        run = _NAME_RUN.match(text, m.end())
        if run is None:
            continue
        kind, cue = _cue_label(m.group("cue"))
        strong = kind != "weak"
        plural = bool(_PLURAL_BEFORE.search(text, max(0, m.start() - 12), m.start()))
        if _place_before(text, m.start()) is _STREET_WORDS:
            continue
        pos_end = until
        item_start = m.end()
        first = True
        span_start = m.start()
        while True:
            toks = _syllables(text, run)
            syls = [t.group(0) for t in toks]
            name_end = toks[-1].end() if toks else run.start()
            ok = 2 <= len(syls) <= 4 and (strong or syls[0] in SURNAMES)
            if not ok:
                break
            after = _position_after(text, name_end)
            position = ""
            end = name_end
            if after:
                position = text[after[0] : after[1]]
                end = after[1]
            elif first:
                before = _position_before(
                    text, max(until, m.start() - _MAX_POSITION_CHARS), m.start()
                )
                if before:
                    position = text[before[0] : before[1]]
                    span_start = before[0]
            if not strong and not position:
                break
            if not first and not plural and not position:
                break
            col.add(item_start, (span_start, max(end, name_end)), " ".join(syls), position, cue)
            pos_end = max(end, name_end)
            first = False
            nxt = _LIST_SEP.match(text, pos_end)
            if nxt is None or nxt.end() == pos_end or _CUE_SCAN.match(text, nxt.end()):
                break
            run = _NAME_RUN.match(text, nxt.end())
            if run is None:
                break
            if not plural and run.group(0).split()[0] not in SURNAMES:
                break
            item_start = run.start()
            span_start = run.start()
        until = max(until, pos_end)


def _run_start(text: str, i: int) -> int:
    """Start of the capitalised run that reaches `i` ("Lào Cai Trịnh…" → at "Lào")."""
    while i > 1 and text[i - 1] in " \t\u00a0":
        j = i - 1
        while j > 0 and text[j - 1] == text[i - 1]:
            j -= 1
        k = j
        while k > 0 and text[k - 1].isalpha():
            k -= 1
        word = text[k:j]
        if not word or not word[0].isupper() or not (len(word) == 1 or word[1:].islower()):
            break
        if k > 0 and text[k - 1].isalnum():
            break
        i = k
    return i


def _surname_runs(text: str) -> tuple[list[int], list[int], list[re.Match[str]]]:
    """Capitalised runs of 2+ syllables that contain a known surname (name candidates)."""
    starts: list[int] = []
    ends: list[int] = []
    runs: list[re.Match[str]] = []
    for hit in _SURNAME_SCAN.finditer(text):
        at = hit.start()
        if (ends and at < ends[-1]) or (at > 0 and text[at - 1].isalnum()):
            continue
        run = _NAME_RUN.match(text, _run_start(text, at))
        if run is None or run.end() <= hit.end():
            continue  # the surname ends the run: no given name follows
        starts.append(run.start())
        ends.append(run.end())
        runs.append(run)
    return starts, ends, runs


def _position_pass(text: str, col: _Collector) -> None:
    """Names without a cue: "Chủ tịch UBND huyện Nguyễn Văn A" / "Nguyễn Văn A, Chủ tịch …"."""
    starts, ends, runs = _surname_runs(text)
    if not runs:
        return
    until = 0
    for p in _POSITION_SCAN.finditer(text):
        if p.start() < until or col.covered(p.start()) or not _word_start(text, p.start()):
            continue
        start = p.start()
        former = _FORMER_BEFORE.search(text, max(0, start - 8), start)
        if former:
            start = former.start()
        # forward: a name closes the position phrase ("Chủ tịch UBND huyện Nguyễn Văn A")
        k = bisect_left(starts, p.end())
        near = k < len(runs) and starts[k] - p.end() < _MAX_POSITION_CHARS
        if near and (added_end := _name_after_position(text, start, runs[k], col)):
            until = added_end
            continue
        # backward: "Nguyễn Văn A, Chủ tịch …" / "Nguyễn Văn A - Chủ tịch …"
        k = bisect_right(ends, start) - 1
        if k < 0:
            continue
        gap = _GAP_SEP.fullmatch(text, ends[k], start)
        if gap is None:
            continue
        toks = _tail_syllables(text, runs[k])
        i = _name_in_run([t.group(0) for t in toks], 0)
        if i is None:
            continue
        name_start = toks[i].start()
        if col.covered(name_start) or _place_before(text, name_start):
            continue
        name = " ".join(t.group(0) for t in toks[i:])
        if name_key(name) in PLACES:
            continue
        end = _position_end(text, start, paren=gap.group(1) == "(")
        col.add(name_start, (name_start, end), name, text[start:end], "")
        until = end


def _name_after_position(text: str, start: int, run: re.Match[str], col: _Collector) -> int:
    """Add the official whose name ends the position phrase at `start`; return the span end
    (0 when the run is not such a name)."""
    end = _position_end(text, start)
    if run.start() > end or col.covered(run.start()):
        return 0
    found = _trailing_name(text, run)
    if found is None:
        return 0
    name_start, name_end, name = found
    col.add(name_start, (start, name_end), name, text[start:name_start], "")
    return name_end


def _trailing_name(text: str, run: re.Match[str]) -> tuple[int, int, str] | None:
    """(start, end, name) of a surname-led name closing a capitalised run that follows a
    title ("… huyện Bảo Thắng Nguyễn Văn Thắng"), or None when the run names a place."""
    toks = _tail_syllables(text, run)
    if len(toks) < 2:
        return None
    syls = [t.group(0) for t in toks]
    place = _place_before(text, toks[0].start())
    first = 0
    if place is _STREET_WORDS:
        first = 2
    elif place is _UNIT_WORDS:
        first = 0 if len(syls) >= 3 else 1
    i = _name_in_run(syls, first)
    if i is None:
        return None
    name = " ".join(syls[i:])
    if name_key(name) in PLACES:
        return None
    return toks[i].start(), toks[-1].end(), name


def find_officials(text: str, *, exclude: Iterable[str] = ()) -> list[Official]:
    """Every person named in `text` with an official role, in order of first mention.

    `exclude` holds names never to report (the byline authors), compared by `name_key`.
    """
    text = unicodedata.normalize("NFC", text)
    col = _Collector(exclude)
    _cue_pass(text, col)
    _position_pass(text, col)
    return col.result()
