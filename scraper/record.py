"""The article record: what extraction produces and everything downstream consumes.

One record per fetched page. `kind` says what the page is; only `article` records carry
content worth storing as an article version. The record is plain data (dataclasses) so it
serialises to JSON, travels through Scrapy as an item field and is stored field by field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["article", "listing", "home", "not_found", "error"]
KINDS: tuple[str, ...] = ("article", "listing", "home", "not_found", "error")


@dataclass(slots=True)
class Official:
    """A person named in the text with an official role."""

    name: str
    position: str = ""
    position_expanded: str = ""
    cue: str = ""
    key: str = ""  # folded name (no diacritics, lower case): the same person across articles


@dataclass(slots=True)
class Image:
    url: str
    caption: str = ""


@dataclass(slots=True)
class Attachment:
    url: str
    title: str = ""
    type: str = ""  # file type from the extension or link: pdf, doc, docx, xls, xlsx, zip, ...


@dataclass(slots=True)
class Record:
    """A page as bantin understood it."""

    kind: Kind
    url: str
    canonical_url: str | None = None
    title: str | None = None
    published_at: str | None = None  # "YYYY-MM-DDTHH:MM:SS+07:00" or "YYYY-MM-DD"
    published_raw: str | None = None
    updated_at: str | None = None
    authors: list[str] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    lead: str | None = None
    body_text: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    platform: str = "generic"
    language: str = "vi"
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The record as plain dicts and lists: what `dataclasses.asdict` gives (same keys
        in the same order, fresh lists), written out because asdict's generic deep copy cost
        about 2% of a crawl's parse CPU."""
        return {
            "kind": self.kind,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "published_at": self.published_at,
            "published_raw": self.published_raw,
            "updated_at": self.updated_at,
            "authors": list(self.authors),
            "officials": [
                {"name": o.name, "position": o.position,
                 "position_expanded": o.position_expanded, "cue": o.cue, "key": o.key}
                for o in self.officials
            ],
            "lead": self.lead,
            "body_text": self.body_text,
            "images": [{"url": i.url, "caption": i.caption} for i in self.images],
            "attachments": [
                {"url": a.url, "title": a.title, "type": a.type} for a in self.attachments
            ],
            "platform": self.platform,
            "language": self.language,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        data = dict(data)
        data["officials"] = [Official(**o) for o in data.get("officials") or []]
        data["images"] = [Image(**i) for i in data.get("images") or []]
        data["attachments"] = [Attachment(**a) for a in data.get("attachments") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# Fields that make up an article's content. Chrome, counters and extraction warnings are not
# content: two fetches that differ only there are the same version.
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "published_at",
    "updated_at",
    "authors",
    "lead",
    "body_text",
    "images",
    "attachments",
)


def content_hash(record: Record | dict[str, Any]) -> str:
    """SHA-256 of the normalised content fields; equal hashes mean an unchanged article."""
    data = record.to_dict() if isinstance(record, Record) else record
    content = {name: data.get(name) for name in CONTENT_FIELDS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
