"""The sample portal's content: articles generated deterministically from a seed.

`SamplePortal` is the in-memory CMS behind the loopback server. Articles carry everything a
real post has (section, slug, title, lead, paragraphs, date and time, author, officials named
in the text, images, sometimes an attachment) and can be added, edited and removed between
two crawls. Metadata (title, date, author) is generated eagerly; the body of an article is
generated on first use, so a 20,000-article portal starts in well under a second.

Every mutation bumps `generation`; the renderer keys its caches on it.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from scraper.fold import fold

Style = Literal["vnportal", "liferay"]
ICT = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Section:
    """A category of the portal and the platform its pages imitate."""

    key: str  # URL slug of the listing: /<key>
    name: str
    style: Style
    pageid: int  # vnPortal's numeric page id (used by the old /Default.aspx?pageid= URLs)
    share: float  # share of generated articles


SECTIONS: tuple[Section, ...] = (
    Section("tin-tuc-su-kien", "Tin tức - Sự kiện", "vnportal", 1056, 0.4),
    Section("thong-bao", "Thông báo", "vnportal", 1057, 0.2),
    Section("chi-dao-dieu-hanh", "Chỉ đạo điều hành", "liferay", 0, 0.4),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

PAGE_SIZE = 10  # listing items per page, both platforms

UNIT = "thị trấn Phố Lu"
UNIT_TITLE = "Thị trấn Phố Lu"
DISTRICT = "huyện Bảo Thắng"
PROVINCE = "tỉnh Lào Cai"


@dataclass(frozen=True)
class Official:
    name: str
    position: str


@dataclass(frozen=True)
class Image:
    src: str  # root-relative path on the portal
    alt: str
    caption: str


@dataclass(frozen=True)
class Attachment:
    href: str  # root-relative path on the portal
    title: str


@dataclass
class Article:
    """One post. `paragraphs` is None until the body is materialised."""

    id: int
    section: str
    slug: str
    title: str
    lead: str
    published: datetime  # naive, local time (+07:00)
    has_time: bool
    author: str
    views: int
    paragraphs: list[str] | None = None
    officials: list[Official] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    attachment: Attachment | None = None
    version: int = 1
    modified: datetime | None = None  # aware UTC; None = the publication time
    topic: str = ""  # what a generated post is about (title, lead and body agree on it)
    kind: str = ""  # meeting, campaign, notice, plan, ... (the templates it was written from)

    @property
    def style(self) -> Style:
        return SECTION_BY_KEY[self.section].style

    @property
    def path(self) -> str:
        """The canonical root-relative URL of the article."""
        if self.style == "liferay":
            return f"/{self.section}/-/view_content/{self.id}-{self.slug}"
        return f"/{self.section}/{self.slug}-{self.id}"

    @property
    def published_iso(self) -> str:
        if self.has_time:
            return self.published.replace(tzinfo=ICT).isoformat()
        return self.published.date().isoformat()

    @property
    def last_modified(self) -> datetime:
        """Aware UTC time of the last change, whole seconds (HTTP dates have no fraction)."""
        if self.modified is not None:
            return self.modified
        return self.published.replace(tzinfo=ICT).astimezone(UTC)

    @property
    def etag(self) -> str:
        return f'W/"{self.id}-{self.version}"'


@dataclass(frozen=True)
class ExpectedArticle:
    """Ground truth for crawl tests: one article a correct crawl must find exactly once."""

    id: int
    url: str  # canonical absolute URL (or root-relative path when no base URL is known)
    title: str
    published: str  # "YYYY-MM-DDTHH:MM:SS+07:00" or "YYYY-MM-DD"
    section: str
    style: Style


def slugify(text: str) -> str:
    """ASCII URL slug the way Vietnamese CMSs make them: fold, keep [a-z0-9], join with '-'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80].rstrip("-")


# --------------------------------------------------------------------------------------------
# The Phố Lu notice, as published on the town portal (text: corpus/seed/pholu-notice.txt).
# Glued words ("Ngày16", "củathị", "côngtác") and the stray "ngànhm" are kept: they are what
# the portal served.
PHOLU_ID = 1105750
PHOLU_TITLE = (
    "UBND THỊ TRẤN PHỐ LU PHÁT ĐỘNG THI ĐUA QUYẾT TÂM THỰC HIỆN THẮNG LỢI CÁC CHỈ TIÊU "
    "PHÁT TRIỂN KINH TẾ - XÃ HỘI NĂM 2023"
)
PHOLU_LEAD = (
    "Phát huy thành tích đã đạt được trên các lĩnh vực phát triển kinh tế - xã hội năm 2022, "
    "nhằm đẩy mạnh các phong trào thi đua yêu nước quyết tâm thực hiện thắng lợi các chỉ tiêu "
    "phát triển kinh tế - xã hội năm 2023."
)
PHOLU_PARAGRAPHS = [
    "Ngày16 tháng 01 năm 2023 UBND thị trấn Phố Lu phát động thi đua năm 2023 vượt mức các "
    "mục tiêu, nhiệm vụ phát triển kinh tế - xã hội năm 2023. Tới dự có đồng chí Dương Thị Tâm- "
    "Ủy viên BTV huyện ủy, bí thư Đảng ủy thị trấn; đồng chí Nguyễn Văn Chắc -  Chủ tịch UBND "
    "thị trấn Phố Lu; HĐND- UBND, MTTQ và các đoàn thể chính trị, công an, quân sự; bí thư chi "
    "bộ và tổ trưởng TDP thị trấn Phố Lu.",
    "Nhằm Phát huy sức mạnh của cả hệ thống chính trị, khắc phục những khó khăn, khuyến khích, "
    "động viên các tập thể, cán bộ, công chức, viên chức, người lao động phấn đấu hoàn thành "
    "toàn diện và vượt mức các chỉ tiêu phát triển kinh tế xã hội, đảm bảo an sinh xã hội, thực "
    "thi công vụ, nâng cao năng xuất lao động, cải thiện môi trường kinh doanh, phát triển toàn "
    "diện, bền vững về an ninh quốc phòng, kinh tế - xã hội và môi trường.",
    "Thi đua hoàn thành toàn diện và vượt mức kế hoạch phát triển kinh tế - xã hội năm 2023, "
    "trong đó trọng tâm là phát triển kinh tế, nâng cao giá trị sản xuất canh tác, xóa đói giảm "
    "nghèo, tiếp tục nâng cao chất lượng giáo dục, đào tạo và phát triển nguồn nhân lực, chăm lo "
    "y tế, văn hóa, cải thiện đời sống nhân dân, giữ gìn an ninh trật tự, nâng cao chất lượng "
    "đội ngũ cán bộ, công chức, viên\nchức và củng cố hệ thống chính trị trong sạch vững mạnh.",
    "Thi đua thực hiện tốt các quy định về công tác thi đua khen thưởng, phong trào thi đua phải "
    "được triển khai sâu rộng, phải bám sát mục tiêu, chỉ tiêu kế hoạch nhiệm vụ được giao năm "
    "2023. Nội dung thi đua tập trung vào giải quyết các vấn đề còn tồn tại, những khó khăn vướng "
    "mắc củathị trấn, của thôn, tổ dân phố để phát triển nhanh và bền vững. Thường xuyên  đôn "
    "đốc hướng dẫn các ban ngànhm, đoàn thể các tổ dân phố, thôn  và doanh nghiệp trên địa bàn "
    "tham gia các phong trào do \nUBND tỉnh, UBND huyện phát động.",
    "Phát huy sáng kiến, cải tiến lề lối làm việc; dân chủ, đổi mới trong côngtác; nâng cao hiệu "
    "quả chỉ đạo, điều hành, ý thức, trách nhiệm thực thi công vụ,tinh thần thái độ phục vụ nhân "
    "dân của đội ngũ cán bộ, công chức, viên chức, đặc biệt là công tác đối thoại, giải quyết đơn "
    "thư, giải quyết ý kiến, kiến nghị của cử tri và giải quyết các thủ tục hành chính nhằm tạo "
    "bước đột phá để hoàn thành vượt mức các chỉ tiêu kế hoạch năm 2023. Tiếp tục nâng cao hiệu "
    "lực, hiệu quả thực thi pháp luật và chỉ đạo điều hành ở các ngành và các địa phương; Đầy "
    "mạnh cải cách hành chính, cắt giảm thời gian giải quyết các thủ tục, tạo điều kiện cho "
    "người dân đến liên hệ công tác; đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động quản "
    "lý và giải quyết công việc.",
    "Tiếp tục phát hiện, bồi dưỡng các nhân tố mới, điển hình mới trong các phong trào thi đua "
    "yêu nước. Đẩy mạnh tuyên truyền, biểu dương các mô hình, điển hình, nhân tố mới, những tấm "
    "gương có thành tích xuất sắc trong lao động, học tập, sản xuất, công tác.",
]
PHOLU_AUTHOR = "Phạm Thị Ngọc"
PHOLU_OFFICIALS = [
    Official("Dương Thị Tâm", "Ủy viên BTV huyện ủy, bí thư Đảng ủy thị trấn"),
    Official("Nguyễn Văn Chắc", "Chủ tịch UBND thị trấn Phố Lu"),
]
# Images follow paragraphs 2 and 5 (0-based 1 and 4), alt text "anh tin bai" as served.
PHOLU_IMAGE_AFTER = (1, 4)

# --------------------------------------------------------------------------------------------
# Vocabulary for generated posts.
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Đinh", "Lương")
MIDDLE_M = ("Văn", "Đức", "Quang", "Minh", "Hữu", "Xuân", "Thanh", "Mạnh")
MIDDLE_F = ("Thị", "Thị", "Thu", "Thanh", "Ngọc", "Hồng")
GIVEN_M = ("Hùng", "Dũng", "Thắng", "Cường", "Tuấn", "Sơn", "Hải", "Long", "Quân", "Tiến",
           "Bình", "Chiến", "Khánh", "Lâm", "Toàn")
GIVEN_F = ("Lan", "Hoa", "Hương", "Mai", "Hằng", "Thủy", "Ngọc", "Tâm", "Nga", "Yến", "Hà",
           "Loan")
ETHNIC = ("Giàng Seo Phử", "Sùng A Lềnh", "Thào Mí Dính", "Lò Thị Mai", "Hầu A Lềnh",
          "Vàng Thị Dung", "Lù Văn Sinh", "Hoàng Thị Thào", "Tẩn Láo Lở", "Ly Seo Chứ")
POSITIONS = (
    "Chủ tịch UBND {unit}",
    "Phó Chủ tịch UBND {unit}",
    "Bí thư Đảng ủy {unit}",
    "Phó Bí thư Thường trực Đảng ủy {unit}",
    "Chủ tịch HĐND {unit}",
    "Chủ tịch Ủy ban MTTQ {unit}",
    "Trưởng Công an {unit}",
    "Chỉ huy trưởng Ban CHQS {unit}",
    "Ủy viên BTV Huyện ủy, Trưởng Ban Tuyên giáo Huyện ủy",
    "Phó Chủ tịch UBND huyện Bảo Thắng",
    "Trưởng phòng Văn hóa - Thông tin huyện",
    "Bí thư Huyện đoàn Bảo Thắng",
)
AUTHORS = ("Phạm Thị Ngọc", "Nguyễn Thu Hà", "Trần Văn Toàn", "Lê Thị Hằng", "Văn phòng HĐND-UBND",
           "Đỗ Minh Khánh", "Hoàng Thị Thào")
TOPICS = ("cải cách hành chính", "phòng chống thiên tai", "xây dựng nông thôn mới",
          "chuyển đổi số", "phòng chống dịch bệnh", "an toàn giao thông",
          "bảo vệ môi trường", "giảm nghèo bền vững", "phổ cập giáo dục", "thu ngân sách",
          "phòng cháy chữa cháy", "quốc phòng toàn dân", "dân số - kế hoạch hóa gia đình",
          "đảm bảo an ninh trật tự", "phát triển du lịch cộng đồng")
CAMPAIGNS = ("Ngày Chủ nhật xanh", "Toàn dân bảo vệ an ninh Tổ quốc",
             "Toàn dân đoàn kết xây dựng đời sống văn hóa", "Tháng thanh niên",
             "Tết trồng cây đời đời nhớ ơn Bác Hồ", "Vì người nghèo", "Hiến máu tình nguyện",
             "Chung tay xây dựng đô thị văn minh")
NOTICES = ("tạm dừng cung cấp nước sạch trên địa bàn", "lịch tiếp công dân tháng {m}",
           "tổ chức tiêm chủng mở rộng đợt {n}", "thu phí vệ sinh môi trường năm {y}",
           "đăng ký nghĩa vụ quân sự năm {y}", "niêm yết công khai danh sách hộ nghèo năm {y}",
           "cắt điện để bảo dưỡng lưới điện ngày {d}/{m}", "tuyển dụng công chức cấp xã năm {y}")
PLACES = ("tổ dân phố số {n}", "thôn Phú Hà", "thôn Phú Long", "tổ dân phố số {n}",
          "khu dân cư Cánh Chín", "chợ trung tâm thị trấn", "trường Tiểu học Phố Lu số {k}")
GROUPS = ("cán bộ, công chức thị trấn", "bí thư chi bộ và tổ trưởng các tổ dân phố",
          "đại diện các ban, ngành, đoàn thể", "đoàn viên thanh niên", "hội viên Hội Phụ nữ",
          "hội viên Hội Cựu chiến binh", "lực lượng công an, quân sự")
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


def _person(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(ETHNIC)
    if rng.random() < 0.5:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def _fill(template: str, rng: random.Random, when: datetime) -> str:
    return template.format(
        unit=UNIT, m=f"{when.month:02d}", y=when.year, d=f"{when.day:02d}",
        n=rng.randint(1, 9), k=rng.randint(1, 3),
    )


KINDS: dict[str, tuple[str, ...]] = {
    "tin-tuc-su-kien": ("meeting", "campaign", "inspection", "training", "ceremony"),
    "thong-bao": ("notice", "notice", "result", "plan"),
    "chi-dao-dieu-hanh": ("plan", "directive", "review", "meeting"),
}
MODELS = ("Khu dân cư tự quản về an ninh trật tự", "Tuyến đường hoa", "Camera an ninh",
          "Dân vận khéo", "Phân loại rác tại nguồn", "Tổ dân phố không có tội phạm")
ORGS = ("Hội Liên hiệp Phụ nữ Việt Nam", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
        "Hội Cựu chiến binh Việt Nam", "Mặt trận Tổ quốc Việt Nam", "Hội Nông dân Việt Nam")
OCCASIONS = ("trong dịp Tết Nguyên đán {y}", "mùa mưa bão năm {y}", "trên địa bàn thị trấn",
             "trong các tháng cuối năm {y}", "đợt cao điểm tháng {m}/{y}")


def _period(rng: random.Random, when: datetime) -> str:
    y, q = when.year, (when.month - 1) // 3 + 1
    return rng.choice((f"năm {y}", f"6 tháng đầu năm {y}", f"quý {q}/{y}",
                       f"tháng {when.month}/{y}", "giai đoạn 2021 - 2025", f"năm {y + 1}"))


def _compose(rng: random.Random, section: str, when: datetime) -> tuple[str, str, str, str]:
    """(kind, topic, title, lead) of a generated post; the body follows the same kind/topic."""
    kind = rng.choice(KINDS[section])
    topic = rng.choice(TOPICS)
    campaign = rng.choice(CAMPAIGNS)
    place = _fill(rng.choice(PLACES), rng, when)
    group = rng.choice(GROUPS)
    period = _period(rng, when)
    num = rng.randint(12, 389)
    y, day = when.year, f"{when.day}/{when.month}"
    if kind == "meeting":
        verb = rng.choice(("triển khai", "sơ kết", "tổng kết", "đánh giá"))
        title = f"Hội nghị {verb} công tác {topic} {period}"
        lead = (f"Ngày {day}, UBND {UNIT} tổ chức hội nghị {verb} công tác {topic} {period}, "
                "đánh giá kết quả đạt được và đề ra nhiệm vụ trọng tâm thời gian tới.")
    elif kind == "campaign":
        title = rng.choice((f"{UNIT_TITLE} phát động phong trào \u201c{campaign}\u201d {period}",
                            f"Ra quân hưởng ứng \u201c{campaign}\u201d tại {place}",
                            f"Đoàn Thanh niên thị trấn ra quân \u201c{campaign}\u201d đợt "
                            f"{rng.randint(1, 4)} năm {y}"))
        lead = (f"Hưởng ứng phong trào \u201c{campaign}\u201d, sáng {day}, {UNIT} tổ chức lễ ra "
                f"quân, thu hút đông đảo {group} và nhân dân tham gia.")
    elif kind == "inspection":
        title = rng.choice((f"Kiểm tra công tác {topic} tại {place}",
                            f"Đoàn công tác huyện Bảo Thắng kiểm tra công tác {topic} tại {UNIT}"))
        lead = (f"Ngày {day}, đoàn công tác đã kiểm tra thực tế công tác {topic} tại {place}, "
                "ghi nhận nhiều kết quả tích cực và chỉ ra một số tồn tại cần khắc phục.")
    elif kind == "training":
        title = rng.choice((f"Tập huấn {topic} cho {group}",
                            f"{UNIT_TITLE} tổ chức lớp tập huấn {topic} {period}"))
        lead = (f"Trong {rng.randint(1, 3)} ngày, {rng.randint(40, 160)} học viên là {group} đã "
                f"được trang bị kiến thức, kỹ năng về {topic}.")
    elif kind == "ceremony":
        title = rng.choice((f"Ra mắt mô hình \u201c{rng.choice(MODELS)}\u201d tại {place}",
                            f"Trao nhà Đại đoàn kết cho hộ nghèo tại tổ dân phố số "
                            f"{rng.randint(1, 10)}",
                            f"Kỷ niệm {rng.randint(40, 95)} năm Ngày thành lập "
                            f"{rng.choice(ORGS)}",
                            f"Lễ giao nhận quân năm {y}"))
        lead = (f"Sáng {day}, {UNIT} long trọng tổ chức {title[0].lower() + title[1:]}, với sự "
                f"tham dự của lãnh đạo huyện Bảo Thắng và {group}.")
    elif kind == "notice":
        title = rng.choice((f"Thông báo về việc {_fill(rng.choice(NOTICES), rng, when)}",
                            f"Thông báo số {num}/TB-UBND về công tác {topic}"))
        lead = (f"UBND {UNIT} thông báo tới toàn thể nhân dân, cơ quan, đơn vị trên địa bàn "
                f"nội dung {title[0].lower() + title[1:]}.")
    elif kind == "result":
        title = f"Kết quả thực hiện công tác {topic} {period}"
        lead = (f"UBND {UNIT} công khai kết quả thực hiện công tác {topic} {period} để nhân dân "
                "được biết và giám sát.")
    elif kind == "plan":
        title = rng.choice((f"Kế hoạch số {num}/KH-UBND triển khai công tác {topic} {period}",
                            f"UBND {UNIT} ban hành kế hoạch {topic} {period}"))
        lead = (f"Ngày {day}, UBND {UNIT} ban hành Kế hoạch số {num}/KH-UBND về {topic} "
                f"{period}, giao nhiệm vụ cụ thể cho các ban, ngành, đoàn thể và tổ dân phố.")
    elif kind == "directive":
        title = (f"Chỉ đạo tăng cường công tác {topic} "
                 f"{_fill(rng.choice(OCCASIONS), rng, when)}")
        lead = (f"Chủ tịch UBND {UNIT} yêu cầu các ban, ngành, đoàn thể và tổ dân phố tập trung "
                f"triển khai đồng bộ các giải pháp về {topic}.")
    else:  # review
        title = (f"Sơ kết {rng.randint(2, 5)} năm thực hiện Nghị quyết số {num}-NQ/ĐU về "
                 f"{topic}")
        lead = (f"Đảng ủy {UNIT} đánh giá kết quả thực hiện nghị quyết về {topic}, chỉ ra "
                "những tồn tại, hạn chế và giải pháp trong thời gian tới.")
    return kind, topic, title, lead


def _date_vi(when: datetime) -> str:
    return f"Ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"


def _body(rng: random.Random, when: datetime, kind: str,
          topic: str) -> tuple[list[str], list[Official]]:
    """Paragraphs and the officials named in them, for a generated post of `kind` on `topic`."""
    officials = [Official(_person(rng), _fill(rng.choice(POSITIONS), rng, when))
                 for _ in range(rng.randint(1, 3))]
    group = rng.choice(GROUPS)
    if kind in ("notice", "result", "plan", "directive"):
        opener = rng.choice((
            f"Căn cứ Kế hoạch của UBND huyện Bảo Thắng về {topic}; xét đề nghị của công chức "
            f"chuyên môn, {_date_vi(when).lower()}, UBND {UNIT} ban hành văn bản chỉ đạo.",
            f"Thực hiện chỉ đạo của UBND huyện Bảo Thắng, UBND {UNIT} triển khai các nội dung "
            f"về {topic} như sau.",
        ))
    else:
        opener = rng.choice((
            f"{_date_vi(when)}, UBND {UNIT} tổ chức hội nghị về công tác {topic}.",
            f"Sáng {when.day}/{when.month}, tại hội trường UBND {UNIT}, {group} đã tham dự buổi "
            f"triển khai công tác {topic}.",
            f"Vào hồi {when.hour:02d}h{when.minute:02d} ngày {when.day:02d}/{when.month:02d}/"
            f"{when.year}, {UNIT} tổ chức lễ ra quân về {topic}.",
        ))
    first = officials[0]
    rest = "; ".join(f"{o.name}, {o.position}" for o in officials[1:])
    if kind in ("notice", "result", "plan", "directive"):
        people = f"Giao đồng chí {first.name} - {first.position} chỉ đạo thực hiện"
        if rest:
            people += f"; phân công các đồng chí: {rest} phối hợp triển khai"
        paragraphs = [f"{opener} {people}."]
    else:
        people = f"Tới dự có đồng chí {first.name} - {first.position}"
        if rest:
            people += f"; các đồng chí: {rest}"
        paragraphs = [f"{opener} {people}; cùng {group}."]
    fillers = (
        f"Thời gian qua, công tác {topic} trên địa bàn {UNIT} đã đạt được nhiều kết quả quan "
        f"trọng; tỷ lệ hộ dân tham gia đạt {rng.randint(70, 99)}%, vượt {rng.randint(2, 15)}% "
        "so với kế hoạch đề ra.",
        f"Bên cạnh kết quả đạt được, công tác {topic} vẫn còn một số hạn chế như: việc phối "
        "hợp giữa các ban, ngành, đoàn thể có lúc chưa chặt chẽ; ý thức của một bộ phận người "
        "dân chưa cao.",
        f"Phát biểu chỉ đạo, {('ông', 'bà')[' Thị ' in first.name]} {first.name}, "
        f"{first.position} đề nghị các tổ dân phố, thôn tiếp tục tuyên truyền sâu rộng đến "
        f"từng hộ gia đình, phấn đấu hoàn thành {rng.randint(3, 9)} chỉ tiêu trong năm "
        f"{when.year}.",
        f"Dịp này, UBND {UNIT} đã tặng giấy khen cho {rng.randint(3, 25)} tập thể và "
        f"{rng.randint(5, 40)} cá nhân có thành tích xuất sắc trong phong trào "
        f"\u201c{rng.choice(CAMPAIGNS)}\u201d.",
        f"Theo kế hoạch, từ ngày {rng.randint(1, 28):02d}/{when.month:02d} đến hết ngày "
        f"{rng.randint(1, 28):02d}/{when.month % 12 + 1:02d}/{when.year}, các đơn vị rà soát, "
        f"tổng hợp kết quả và báo cáo về Văn phòng HĐND-UBND {UNIT}.",
        "Kinh phí thực hiện được bố trí từ nguồn ngân sách thị trấn và nguồn xã hội hóa, "
        f"tổng dự toán khoảng {rng.randint(50, 900)} triệu đồng.",
        f"Các đại biểu cũng đã thảo luận, thống nhất các giải pháp trọng tâm về "
        f"{rng.choice(TOPICS)} và {rng.choice(TOPICS)} trong thời gian tới.",
    )
    paragraphs += rng.sample(fillers, rng.randint(2, 5))
    return paragraphs, officials


def _rng(seed: int, *salt: object) -> random.Random:
    digest = hashlib.blake2b(repr((seed, *salt)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


class SamplePortal:
    """The content of a commune portal, deterministic from `seed`, mutable between crawls.

    `flaky_failures`: how many requests to the flaky article (`flaky_article_id`) fail with
    HTTP 500 before it is served; `fail_next(id, n)` arms further failures.
    All methods are thread-safe (the server calls them from many threads).
    """

    END = datetime(2023, 2, 28, 17, 0)
    PHOLU_PUBLISHED = datetime(2023, 1, 16)

    def __init__(self, n_articles: int = 60, seed: int = 1, *, flaky_failures: int = 2) -> None:
        if n_articles < 1:
            raise ValueError("n_articles must be at least 1 (the Phố Lu notice)")
        self.seed = seed
        self.n_articles = n_articles
        self.base_url: str | None = None  # set by serve(): absolute URLs for expected_articles
        self.generation = 0
        self.lock = threading.RLock()
        self.secret = hashlib.sha256(f"bantin-sample-{seed}".encode()).digest()
        self._articles: dict[int, Article] = {}
        self._by_section: dict[str, list[int]] | None = None
        self._sorted: list[Article] | None = None
        self._failures: dict[int, int] = {}
        self.site_hits = 150_000 + _rng(seed, "hits").randint(0, 50_000)
        self.site_hits_at_start = self.site_hits
        self._generate(n_articles)
        self.flaky_article_id = self._pick_flaky()
        if flaky_failures:
            self._failures[self.flaky_article_id] = flaky_failures

    # ---------------------------------------------------------------- generation
    def _generate(self, n: int) -> None:
        rng = _rng(self.seed, "layout")
        span = max(timedelta(days=150), timedelta(hours=3) * n)
        start = self.END - span
        seconds = int(span.total_seconds())
        stamps = sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(n - 1))
        # Office hours look real; keep the order of the draws.
        stamps = [s.replace(hour=7 + s.hour % 10, second=0, microsecond=0) for s in stamps]
        weights = [s.share for s in SECTIONS]
        sections = [rng.choices(SECTIONS, weights)[0].key for _ in stamps]
        # The Phố Lu notice sits in "Tin tức - Sự kiện" at its real date and id.
        entries = [(when, sec, False) for when, sec in zip(stamps, sections, strict=True)]
        entries.append((self.PHOLU_PUBLISHED, "tin-tuc-su-kien", True))
        entries.sort(key=lambda e: e[0])
        vn = [e for e in entries if SECTION_BY_KEY[e[1]].style == "vnportal"]
        lr = [e for e in entries if SECTION_BY_KEY[e[1]].style == "liferay"]
        pholu_index = next(i for i, e in enumerate(vn) if e[2])
        for i, (when, sec, is_pholu) in enumerate(vn):
            art_id = PHOLU_ID + (i - pholu_index) * 3
            self._articles[art_id] = (self._pholu() if is_pholu
                                      else self._generated(art_id, sec, when))
        for i, (when, sec, _) in enumerate(lr):
            art_id = 4_410_001 + i * 7
            self._articles[art_id] = self._generated(art_id, sec, when)

    def _pholu(self) -> Article:
        return Article(
            id=PHOLU_ID, section="tin-tuc-su-kien", slug=slugify(PHOLU_TITLE), title=PHOLU_TITLE,
            lead=PHOLU_LEAD, published=self.PHOLU_PUBLISHED, has_time=False, author=PHOLU_AUTHOR,
            views=_rng(self.seed, "views", PHOLU_ID).randint(80, 900),
            paragraphs=list(PHOLU_PARAGRAPHS), officials=list(PHOLU_OFFICIALS),
            images=[Image(f"/Uploads/images/tin-tuc/2023/01/pholu-thi-dua-{k}.jpg",
                          "anh tin bai", "") for k in (1, 2)],
        )

    def _generated(self, art_id: int, section: str, when: datetime) -> Article:
        """An article's metadata (all a listing shows); the body comes in `_materialize`."""
        rng = _rng(self.seed, "meta", art_id)
        kind, topic, title, lead = _compose(rng, section, when)
        a = Article(
            id=art_id, section=section, slug=slugify(title), title=title, lead=lead,
            published=when, has_time=True, author=rng.choice(AUTHORS),
            views=rng.randint(20, 3000), topic=topic, kind=kind,
        )
        captions = ("hội nghị", "buổi ra quân", "buổi làm việc")
        stamp = int(when.replace(tzinfo=ICT).timestamp() * 1000)
        if a.style == "vnportal":
            srcs = [f"/Uploads/images/tin-tuc/{when:%Y/%m}/{art_id}-{k}.jpg" for k in (1, 2)]
            doc = f"/Uploads/files/{when:%Y/%m}/ke-hoach-{art_id}.pdf"
        else:  # Liferay serves journal images and Documents & Media files
            srcs = [f"/image/journal/article?img_id={art_id * 10 + k}&t={stamp}" for k in (1, 2)]
            doc = f"/documents/10180/0/ke-hoach-{art_id}.pdf"
        a.images = [Image(srcs[k - 1], "", f"Quang cảnh {captions[k % 3]}")
                    for k in range(1, rng.randint(1, 3))]
        if rng.random() < 0.3:
            a.attachment = Attachment(doc, f"Kế hoạch số {rng.randint(10, 250)}/KH-UBND")
        return a

    def _materialize(self, a: Article) -> Article:
        """The article with its body. Generated bodies are not kept (a copy is returned):
        they are cheap to regenerate and a 20,000-article portal stays small in memory."""
        if a.paragraphs is not None:
            return a
        a = replace(a)
        a.paragraphs, a.officials = _body(_rng(self.seed, "body", a.id), a.published,
                                          a.kind or "meeting", a.topic or TOPICS[0])
        return a

    def _pick_flaky(self) -> int:
        ids = self.section_ids("tin-tuc-su-kien")
        candidates = [i for i in ids if i != PHOLU_ID]
        return candidates[min(1, len(candidates) - 1)] if candidates else ids[0]

    # ---------------------------------------------------------------- reading
    def article(self, art_id: int) -> Article | None:
        """The article with its body materialised, or None when it does not exist."""
        with self.lock:
            a = self._articles.get(art_id)
            return self._materialize(a) if a is not None else None

    def meta(self, art_id: int) -> Article | None:
        """The article as stored: everything a listing shows, the body maybe not generated."""
        with self.lock:
            return self._articles.get(art_id)

    def articles(self) -> list[Article]:
        """Every live article, newest first (bodies not materialised)."""
        with self.lock:
            if self._sorted is None:
                self._sorted = sorted(self._articles.values(), key=lambda a: (a.published, a.id),
                                      reverse=True)
            return list(self._sorted)

    def section_ids(self, section: str) -> list[int]:
        """Ids of a section's articles, newest first (the listing order)."""
        with self.lock:
            if self._by_section is None:
                by: dict[str, list[int]] = {s.key: [] for s in SECTIONS}
                for a in self.articles():
                    by[a.section].append(a.id)
                self._by_section = by
            return self._by_section[section]

    def latest(self, n: int) -> list[Article]:
        with self.lock:
            self.articles()
            assert self._sorted is not None
            return self._sorted[:n]

    def expected_articles(self, base_url: str | None = None) -> list[ExpectedArticle]:
        """Every article a correct crawl must find, exactly once, with its canonical URL.

        Excludes what robots.txt disallows (the /admin/ draft link is not an article of the
        portal) and soft/hard 404 targets. Newest first.
        """
        base = (base_url or self.base_url or "").rstrip("/")
        with self.lock:
            return [ExpectedArticle(a.id, base + a.path, a.title, a.published_iso, a.section,
                                    a.style) for a in self.articles()]

    # ---------------------------------------------------------------- mutations
    def _changed(self) -> None:
        self.generation += 1
        self._by_section = None
        self._sorted = None

    def add_article(self, section: str = "tin-tuc-su-kien", *, title: str | None = None,
                    lead: str | None = None, paragraphs: list[str] | None = None,
                    published: datetime | None = None, author: str | None = None) -> Article:
        """Publish a new article (newest of the portal unless `published` is given)."""
        if section not in SECTION_BY_KEY:
            raise ValueError(f"unknown section {section!r}; one of {sorted(SECTION_BY_KEY)}")
        with self.lock:
            newest = max((a.published for a in self._articles.values()), default=self.END)
            when = published or (newest + timedelta(hours=1)).replace(second=0, microsecond=0)
            style = SECTION_BY_KEY[section].style
            same = [i for i, a in self._articles.items() if a.style == style]
            art_id = max(same, default=PHOLU_ID if style == "vnportal" else 4_410_001) + (
                3 if style == "vnportal" else 7)
            a = self._generated(art_id, section, when)
            if title:
                a.title, a.slug = title, slugify(title)
            if author:
                a.author = author
            a = self._materialize(a)
            if lead is not None:
                a.lead = lead
            if paragraphs is not None:
                a.paragraphs = list(paragraphs)
            self._articles[art_id] = a
            self._changed()
            return a

    def edit_article(self, art_id: int, *, title: str | None = None, lead: str | None = None,
                     paragraphs: list[str] | None = None, author: str | None = None,
                     published: datetime | None = None) -> Article:
        """Change an article in place (its URL stays); bumps its version and Last-Modified."""
        with self.lock:
            a = self.article(art_id)
            if a is None:
                raise KeyError(f"no article {art_id}")
            previous = a.last_modified
            changes: dict[str, object] = {}
            if title is not None:
                changes["title"] = title
            if lead is not None:
                changes["lead"] = lead
            if paragraphs is not None:
                changes["paragraphs"] = list(paragraphs)
            if author is not None:
                changes["author"] = author
            if published is not None:
                changes["published"] = published
            now = datetime.now(UTC).replace(microsecond=0)
            modified = max(now, previous + timedelta(seconds=1))
            new = replace(a, **changes, version=a.version + 1, modified=modified)
            self._articles[art_id] = new
            self._changed()
            return new

    def remove_article(self, art_id: int) -> None:
        """Unpublish an article: gone from listings; its URL answers 404 (vnPortal) or a
        soft 404 (Liferay), as the real platforms do."""
        with self.lock:
            if self._articles.pop(art_id, None) is None:
                raise KeyError(f"no article {art_id}")
            self._failures.pop(art_id, None)
            self._changed()

    def fail_next(self, art_id: int, times: int = 1) -> None:
        """Make the next `times` requests of an article answer HTTP 500."""
        with self.lock:
            self._failures[art_id] = self._failures.get(art_id, 0) + times

    def take_failure(self, art_id: int) -> bool:
        """True (and one failure used up) when this request of the article must fail."""
        with self.lock:
            left = self._failures.get(art_id, 0)
            if left <= 0:
                return False
            self._failures[art_id] = left - 1
            return True

    def count_view(self, art_id: int) -> int:
        """One more view of the article; returns the new count."""
        with self.lock:
            a = self._articles.get(art_id)
            if a is None:  # removed while this request was on its way
                return 0
            a.views += 1
            return a.views

    def count_hit(self) -> int:
        with self.lock:
            self.site_hits += 1
            return self.site_hits

    def newest_date(self) -> date:
        with self.lock:
            return max(a.published for a in self._articles.values()).date()
