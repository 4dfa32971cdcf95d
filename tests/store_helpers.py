"""Records for the store, search and export tests, built from the real Phố Lu notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scraper.record import Attachment, Image, Official, Record

NOTICE = Path(__file__).parent / "fixtures" / "seed" / "pholu-notice.txt"
FETCHED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

PHOLU_SOURCE = {
    "id": "pholu",
    "name": "Cổng thông tin thị trấn Phố Lu",
    "level": "commune",
    "province": "Lào Cai",
    "district": "Bảo Thắng",
    "commune": "Thị trấn Phố Lu",
    "successor": "Xã Phố Lu",
    "start_urls": ["http://pholu.baothang.laocai.gov.vn/"],
    "platform": "vnportal",
}
OTHER_SOURCE = {
    "id": "sotttt",
    "name": "Sở Thông tin và Truyền thông Hà Nội",
    "level": "province",
    "province": "Hà Nội",
    "district": None,
    "commune": None,
    "successor": None,
    "start_urls": ["https://sotttt.hanoi.gov.vn/"],
    "platform": "liferay",
}


def notice_parts() -> tuple[str, str, str]:
    """(title, lead, body) of the Phố Lu notice as a reader copied it."""
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    title, lead = lines[1].strip(), lines[2].strip()
    end = lines.index("Phạm Thị Ngọc")
    body = "\n".join(line.strip() for line in lines[3:end] if line.strip()
                     and line.strip() != "anh tin bai")
    return title, lead, body


def notice_record(**changes: object) -> Record:
    title, lead, body = notice_parts()
    record = Record(
        kind="article",
        url="http://pholu.baothang.laocai.gov.vn/tin-tuc/phat-dong-thi-dua-2023-1105750",
        canonical_url="http://pholu.baothang.laocai.gov.vn/tin-tuc/phat-dong-thi-dua-2023",
        title=title,
        published_at="2023-01-16",
        published_raw="Ngày16 tháng 01 năm 2023",
        authors=["Phạm Thị Ngọc"],
        officials=[
            Official(name="Dương Thị Tâm", position="Ủy viên BTV huyện ủy, bí thư Đảng ủy thị trấn",
                     position_expanded="Ủy viên Ban Thường vụ huyện ủy, bí thư Đảng ủy thị trấn",
                     cue="đồng chí", key="duong thi tam"),
            Official(name="Nguyễn Văn Chắc", position="Chủ tịch UBND thị trấn Phố Lu",
                     position_expanded="Chủ tịch Ủy ban nhân dân thị trấn Phố Lu",
                     cue="đồng chí", key="nguyen van chac"),
        ],
        lead=lead,
        body_text=body,
        images=[Image(url="http://pholu.baothang.laocai.gov.vn/img/1.jpg", caption="")],
        attachments=[Attachment(url="http://pholu.baothang.laocai.gov.vn/kh-2023.pdf",
                                title="Kế hoạch thi đua 2023", type="pdf")],
        platform="vnportal",
        encoding="utf-8",
        warnings=["glued words split: Ngày16"],
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def flood_record() -> Record:
    """Folds like the notice ("pho lu thi dua") but says "lũ" and "thì dựa"."""
    return Record(
        kind="article",
        url="http://pholu.baothang.laocai.gov.vn/tin-tuc/lu-ve-pho-1105800",
        title="Lũ về phố, người dân thì dựa vào nhau",
        published_at="2023-07-02T08:30:00+07:00",
        published_raw="02/07/2023 08:30",
        lead="Nước lũ dâng cao ở phố Lu, người dân thì dựa vào nhau mà vượt qua.",
        body_text="Đêm 1/7, lũ về nhanh. Bà con trong phố thì dựa vào lực lượng công an, "
                  "quân sự để di dời tài sản. Ông Nguyễn Văn Chắc, Phó Chủ tịch UBND thị trấn "
                  "chỉ đạo khắc phục hậu quả.",
        officials=[Official(name="Nguyễn Văn Chắc", position="Phó Chủ tịch UBND thị trấn",
                            cue="ông", key="nguyen van chac")],
        platform="vnportal",
    )


def reconcile_record() -> Record:
    """Uses the new tone placement "hoà" in the body and the old one "Hòa" in the title."""
    return Record(
        kind="article",
        url="http://pholu.baothang.laocai.gov.vn/tin-tuc/hoa-giai-co-so-1105900",
        title="Hòa giải ở cơ sở năm 2021",
        published_at="2021-05-10",
        body_text="Công tác hoà giải ở cơ sở được thi đua thực hiện tốt, "
                  "đồng chí Nguyễn Văn Chắc, Chủ tịch UBND thị trấn dự.",
        officials=[Official(name="Nguyễn Văn Chắc", position="Chủ tịch UBND thị trấn",
                            cue="đồng chí", key="nguyen van chac")],
        platform="vnportal",
    )


def hanoi_record() -> Record:
    return Record(
        kind="article",
        url="https://sotttt.hanoi.gov.vn/view_content/4417996",
        title="Sở Thông tin và Truyền thông gặp mặt cán bộ là con em gia đình thương binh",
        published_at="2022-07-26T09:50:00+07:00",
        body_text="Phong trào thi đua yêu nước được phát động trong toàn ngành thông tin.",
        platform="liferay",
    )


def seeded_store(url: str):
    """A store holding the four records above from two sources."""
    from archive.store import Store

    store = Store.open(url)
    store.upsert_source(PHOLU_SOURCE)
    store.upsert_source(OTHER_SOURCE)
    for record in (notice_record(), flood_record(), reconcile_record()):
        store.save_page(source_id="pholu", record=record, fetched_at=FETCHED)
    store.save_page(source_id="sotttt", record=hanoi_record(), fetched_at=FETCHED)
    return store
