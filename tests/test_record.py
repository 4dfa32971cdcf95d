"""Record.to_dict: the plain-data form every store, export and pipeline reads."""

from __future__ import annotations

from dataclasses import asdict, fields

from scraper.record import Attachment, Image, Official, Record


def _full_record() -> Record:
    return Record(
        kind="article", url="https://a.gov.vn/tin-1", canonical_url="https://a.gov.vn/tin",
        title="Tiêu đề", published_at="2024-01-02", published_raw="02/01/2024",
        updated_at="2024-01-03", authors=["Minh Anh"],
        officials=[Official("Nguyễn Văn A", "Chủ tịch", "Chủ tịch UBND", "cue", "nguyen van a")],
        lead="Sapo", body_text="Nội dung", images=[Image("https://a.gov.vn/1.jpg", "Ảnh")],
        attachments=[Attachment("https://a.gov.vn/a.pdf", "Văn bản", "pdf")],
        platform="vnportal", language="vi", encoding="utf-8", warnings=["w"],
    )


def test_to_dict_is_what_dataclasses_asdict_gives() -> None:
    record = _full_record()
    assert record.to_dict() == asdict(record)
    assert list(record.to_dict()) == [f.name for f in fields(Record)]


def test_to_dict_lists_are_copies_not_the_records_own() -> None:
    record = _full_record()
    data = record.to_dict()
    data["authors"].append("X")
    data["warnings"].append("X")
    assert record.authors == ["Minh Anh"] and record.warnings == ["w"]
