"""WARC/1.1 files: write every HTTP exchange as received, read records back by offset.

The store's records are interpretations; these files are the evidence. The writer builds
records with warcio (digests, record ids, revisit profiles) but hands warcio the HTTP head
exactly as bantin received it, so nothing is re-encoded: repeated headers stay repeated,
the status line keeps its protocol, and the body is the bytes on the wire (still gzip when
the server sent gzip).

Files are named `<prefix>-<timestamp>-<serial>-<host>.warc.gz`, hold one gzip member per
record, open with a `warcinfo` record, are written under `<name>.open` and renamed when
closed, and roll over once they pass `max_size` bytes. Once renamed a file is never touched
again.

Re-fetched content that is byte-identical to a capture of the same URL becomes a `revisit`
record (profile identical-payload-digest); a 304 becomes a `revisit` record with profile
server-not-modified. A small sidecar index (`digests.jsonl` in the WARC directory, appended
to, never rewritten) remembers which URL + payload digest is stored where.

Reading: `iter_records(path)` walks a file member by member, so one damaged record is
reported with its offset and the walk goes on with the next record.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter as _WarcioWriter

from scraper import __version__

DEFAULT_MAX_SIZE = 1_000_000_000  # bytes: roll over to a new file past about 1 GB
DIGEST_INDEX_NAME = "digests.jsonl"
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
WARC_1_1_SPEC = (
    "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
)

# Hop-by-hop framing that no longer describes the body we store: the client removed the
# chunking, so the header would make the record unparseable. Kept under a crawler name, as
# Heritrix and warcprox do, so the fact is not lost.
_FRAMING_HEADERS = {b"transfer-encoding"}


def sha1_digest(data: bytes) -> str:
    """`sha1:<BASE32>`, the digest form warcio, Heritrix and pywb write and check."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC-Date with microseconds (WARC/1.1), UTC."""
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1", "replace")


@dataclass(slots=True)
class Exchange:
    """One HTTP request and the response as received (no decompression, no redirects)."""

    url: str
    method: str
    request_headers: Sequence[tuple[bytes | str, bytes | str]]
    request_body: bytes
    status: int
    response_headers: Sequence[tuple[bytes | str, bytes | str]]
    body: bytes
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    ip_address: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    truncated: str | None = None  # WARC-Truncated reason when the body is incomplete


@dataclass(slots=True, frozen=True)
class Pointer:
    """Where a payload lives: what an article version cites as its evidence."""

    warc_file: str
    offset: int
    record_id: str
    payload_digest: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "warc_file": self.warc_file,
            "offset": self.offset,
            "record_id": self.record_id,
            "payload_digest": self.payload_digest,
        }


@dataclass(slots=True, frozen=True)
class CaptureResult:
    """What `write_exchange` wrote.

    `pointer` is the record that holds the payload (the new response record, or for a
    revisit the earlier response it refers to); `record_type`, `record_id`, `warc_file` and
    `offset` describe the record written now.
    """

    pointer: Pointer | None
    record_type: str
    record_id: str
    warc_file: str
    offset: int
    length: int


def request_head(method: str, url: str, headers: Sequence[tuple[Any, Any]], body: bytes,
                 protocol: str = "HTTP/1.1") -> bytes:
    """The request line and headers as Twisted's HTTP/1.1 client sends them: Content-Length
    first when there is a body, the request's headers in order, then Host, each added only
    when the request object does not carry it already."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"{method} {target} {protocol}".encode("latin-1", "replace")]
    names = {_b(k).lower() for k, _ in headers}
    if body and b"content-length" not in names:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    for name, value in headers:
        lines.append(_b(name) + b": " + _b(value))
    if b"host" not in names:
        lines.append(b"Host: " + _b(parts.netloc.rsplit("@", 1)[-1]))
    return b"\r\n".join(lines) + b"\r\n\r\n"


def response_head(protocol: str, status: int, reason: str | None,
                  headers: Sequence[tuple[Any, Any]], body_length: int) -> bytes:
    """The status line and headers as received, minus framing the client already undid.

    `Transfer-Encoding` is renamed `X-Crawler-Transfer-Encoding` (the body is stored
    de-chunked); a `Content-Length` that does not match the stored body (a truncated
    download) is renamed `X-Crawler-Content-Length`.
    """
    if reason is None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    status_line = f"{protocol} {status} {reason}".rstrip()
    lines = [status_line.encode("latin-1", "replace")]
    for name, value in headers:
        name_b, value_b = _b(name), _b(value)
        lower = name_b.lower()
        length_mismatch = (lower == b"content-length"
                           and value_b.strip() != str(body_length).encode())
        if lower in _FRAMING_HEADERS or length_mismatch:
            name_b = b"X-Crawler-" + name_b
        lines.append(name_b + b": " + value_b)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class _RawHead(StatusAndHeaders):
    """warcio headers whose bytes are exactly the head we were given (no re-encoding)."""

    def __init__(self, raw: bytes) -> None:
        text = raw.decode("latin-1")
        first, _, rest = text.partition("\r\n")
        headers = []
        for line in rest.split("\r\n"):
            if ":" in line:
                name, _, value = line.partition(":")
                headers.append((name, value.strip()))
        protocol, _, statusline = first.partition(" ")
        super().__init__(statusline, headers, protocol=protocol)
        self._raw = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._raw


class DigestIndex:
    """Which URL + payload digest is already stored where (append-only JSONL sidecar).

    Loaded once into memory; other processes writing the same directory are seen on the
    next start (until then they produce full records instead of revisits, never wrong ones).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._latest: dict[str, dict[str, Any]] = {}
        if path.exists():
            with path.open("r", encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self._remember(entry)
                    except (ValueError, KeyError):
                        continue  # a torn last line after a crash: the record is still in WARC
        self._fh: io.TextIOWrapper | None = None

    def _remember(self, entry: dict[str, Any]) -> None:
        self._by_key[(entry["uri"], entry["payload_digest"])] = entry
        self._latest[entry["uri"]] = entry

    def lookup(self, uri: str, digest: str) -> dict[str, Any] | None:
        return self._by_key.get((uri, digest))

    def latest(self, uri: str) -> dict[str, Any] | None:
        return self._latest.get(uri)

    def add(self, uri: str, date: str, pointer: Pointer) -> None:
        entry = {"uri": uri, "date": date, **pointer.to_dict()}
        self._remember(entry)
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class WarcWriter:
    """Writes exchanges into rolling `.warc.gz` files in `directory`.

    `info` goes into each file's warcinfo record (operator, robots policy, user agent, run
    id, ...). Not thread-safe: one writer per crawl process, called from one thread.
    """

    def __init__(self, directory: str | Path, *, prefix: str = "bantin",
                 max_size: int = DEFAULT_MAX_SIZE, info: Mapping[str, Any] | None = None,
                 gzip_level: int = 6, dedup: bool = True) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or {})
        self.gzip_level = gzip_level
        self.dedup = dedup
        self.hostname = socket.gethostname()
        self.digests = DigestIndex(self.directory / DIGEST_INDEX_NAME)
        self.files: list[str] = []  # every file this writer finished, in order
        self._builder = RecordBuilder(warc_version="WARC/1.1")
        self._fh: io.BufferedWriter | None = None
        self._name: str | None = None
        self._serial = 0
        self._warcinfo_id: str | None = None

    # --- files -------------------------------------------------------------------------
    @property
    def current_file(self) -> str | None:
        return self._name

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}{WARC_SUFFIX}"
            self._serial += 1
            if (self.directory / name).exists():
                continue
            try:
                self._fh = open(self.directory / (name + OPEN_SUFFIX), "xb")  # noqa: SIM115
            except FileExistsError:
                continue
            break
        self._name = name
        fields = {
            "software": f"bantin/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1_SPEC,
            "hostname": self.hostname,
        }
        for key, value in self.info.items():
            if value not in (None, ""):
                fields[key] = value
        record = self._builder.create_warcinfo_record(name, fields)
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)

    def _write(self, record: Any) -> tuple[int, int]:
        """Serialise one record with warcio, gzip it as its own member, append it."""
        assert self._fh is not None
        raw = io.BytesIO()
        _WarcioWriter(raw, gzip=False, warc_version="WARC/1.1").write_record(record)
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        member = compressor.compress(raw.getvalue()) + compressor.flush()
        offset = self._fh.tell()
        self._fh.write(member)
        return offset, len(member)

    def close(self) -> None:
        """Finish the current file: flush, fsync, rename from `.open` to its final name."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            assert self._name is not None
            os.replace(self.directory / (self._name + OPEN_SUFFIX), self.directory / self._name)
            self.files.append(self._name)
            self._name = None
        self.digests.close()

    def _ensure_file(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_size:
            fh, name = self._fh, self._name
            self._fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            assert name is not None
            os.replace(self.directory / (name + OPEN_SUFFIX), self.directory / name)
            self.files.append(name)
            self._fh = None
        if self._fh is None:
            self._open()

    # --- records -----------------------------------------------------------------------
    def write_exchange(self, ex: Exchange) -> CaptureResult:
        """Write the response (or revisit) record and its request record; return pointers."""
        self._ensure_file()
        assert self._name is not None and self._fh is not None
        date = warc_date(ex.started_at)
        uri = ex.url.split("#", 1)[0]
        payload_digest = sha1_digest(ex.body)
        head = response_head(ex.protocol, ex.status, ex.reason, ex.response_headers,
                             len(ex.body))
        common = {"WARC-Date": date}
        if self._warcinfo_id:
            common["WARC-Warcinfo-ID"] = self._warcinfo_id
        if ex.ip_address:
            common["WARC-IP-Address"] = str(ex.ip_address)
        response_extra = {"WARC-Truncated": ex.truncated} if ex.truncated else {}

        earlier = None
        profile = None
        if ex.status == 304:
            earlier = self.digests.latest(uri)
            profile = PROFILE_NOT_MODIFIED
        elif self.dedup and ex.body and not ex.truncated:
            earlier = self.digests.lookup(uri, payload_digest)
            profile = PROFILE_IDENTICAL if earlier else None

        if profile is not None:
            record = self._builder.create_warc_record(
                uri, "revisit", payload=io.BytesIO(b""), length=0,
                http_headers=_RawHead(head), warc_headers_dict=dict(common))
            record.rec_headers.add_header("WARC-Profile", profile)
            if earlier:
                record.rec_headers.add_header("WARC-Refers-To", earlier["record_id"])
                record.rec_headers.add_header("WARC-Refers-To-Target-URI", earlier["uri"])
                record.rec_headers.add_header("WARC-Refers-To-Date", earlier["date"])
            # warcio leaves revisits without a payload digest: name the payload they stand for
            if profile == PROFILE_IDENTICAL:
                record.rec_headers.add_header("WARC-Payload-Digest", payload_digest)
            elif earlier:  # a 304 confirms the payload of the capture it refers to
                record.rec_headers.add_header("WARC-Payload-Digest", earlier["payload_digest"])
            rec_type = "revisit"
        else:
            record = self._builder.create_warc_record(
                uri, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
                http_headers=_RawHead(head), warc_headers_dict={**common, **response_extra})
            rec_type = "response"

        response_id = record.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._write(record)

        req_head = request_head(ex.method, uri, ex.request_headers, ex.request_body,
                                ex.protocol if ex.protocol.startswith("HTTP/1") else "HTTP/1.1")
        request = self._builder.create_warc_record(
            uri, "request", payload=io.BytesIO(ex.request_body), length=len(ex.request_body),
            http_headers=_RawHead(req_head),
            warc_headers_dict={**common, "WARC-Concurrent-To": response_id})
        self._write(request)
        self._fh.flush()

        if rec_type == "response":
            pointer: Pointer | None = Pointer(self._name, offset, response_id, payload_digest)
            if ex.body and self.dedup and not ex.truncated:
                self.digests.add(uri, date, pointer)
        elif earlier:
            pointer = Pointer(earlier["warc_file"], int(earlier["offset"]),
                              earlier["record_id"], earlier["payload_digest"])
        else:
            pointer = None
        return CaptureResult(pointer, rec_type, response_id, self._name, offset, length)


# --- reading ---------------------------------------------------------------------------
@dataclass(slots=True)
class WarcRecord:
    """One record as stored: its offset in the file, WARC headers and content block."""

    offset: int
    length: int  # compressed member length (or raw length for an uncompressed file)
    headers: dict[str, str]
    block: bytes

    @property
    def type(self) -> str:
        return self.headers.get("warc-type", "")

    @property
    def record_id(self) -> str:
        return self.headers.get("warc-record-id", "")

    @property
    def target_uri(self) -> str:
        return self.headers.get("warc-target-uri", "")

    def http_split(self) -> tuple[bytes, bytes]:
        """(HTTP head, payload) of an application/http block."""
        head, sep, payload = self.block.partition(b"\r\n\r\n")
        if not sep:
            return self.block, b""
        return head + b"\r\n\r\n", payload


class RecordError(Exception):
    """A record that cannot be read; says where."""

    def __init__(self, path: str | Path, offset: int, message: str) -> None:
        super().__init__(f"{path} at offset {offset}: {message}")
        self.path = str(path)
        self.offset = offset
        self.message = message


def parse_record(data: bytes, path: str | Path = "?", offset: int = 0) -> WarcRecord:
    """Parse one uncompressed WARC record (headers + block + CRLFCRLF)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        raise RecordError(path, offset, "not a WARC record (no WARC/ version line)")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers[name.strip().decode("utf-8", "replace").lower()] = (
                value.strip().decode("utf-8", "replace"))
    try:
        length = int(headers["content-length"])
    except (KeyError, ValueError):
        raise RecordError(path, offset, "missing or bad Content-Length") from None
    if len(rest) < length:
        raise RecordError(path, offset, f"block is {len(rest)} bytes, Content-Length {length}")
    return WarcRecord(offset, 0, headers, rest[:length])


def iter_records(path: str | Path) -> Iterator[WarcRecord | RecordError]:
    """Every record of a `.warc.gz` (one gzip member per record) or `.warc` file.

    Streams the file. A damaged record is yielded as a RecordError (with its offset) and
    reading resumes at the next gzip member, so one flipped byte costs one record, not the
    rest of the file.
    """
    path = Path(path)
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            fh.seek(0)
            yield from _iter_plain(path, fh.read())
            return
        fh.seek(0)
        pos = 0
        buf = b""
        while True:
            if not buf:
                buf = fh.read(_CHUNK)
                if not buf:
                    return
            decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
            out: list[bytes] = []
            consumed = 0
            try:
                while True:
                    out.append(decomp.decompress(buf))
                    if decomp.eof:
                        consumed += len(buf) - len(decomp.unused_data)
                        buf = decomp.unused_data
                        break
                    consumed += len(buf)
                    buf = fh.read(_CHUNK)
                    if not buf:
                        raise zlib.error("truncated gzip member")
            except zlib.error as exc:
                yield RecordError(path, pos, f"damaged gzip member ({exc})")
                nxt = _find_magic(fh, pos + 1)
                if nxt < 0:
                    return
                pos, buf = nxt, b""
                fh.seek(nxt)
                continue
            try:
                record = parse_record(b"".join(out), path, pos)
                record.length = consumed
                yield record
            except RecordError as exc:
                yield exc
            pos += consumed


_CHUNK = 1 << 20
_MAGIC = b"\x1f\x8b\x08"


def _find_magic(fh: Any, start: int) -> int:
    """Offset of the next gzip member header at or after `start`, -1 when none."""
    fh.seek(start)
    carry = b""
    base = start
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return -1
        data = carry + chunk
        found = data.find(_MAGIC)
        if found >= 0:
            return base - len(carry) + found
        carry = data[-(len(_MAGIC) - 1):]
        base += len(chunk)


def _iter_plain(path: Path, data: bytes) -> Iterator[WarcRecord | RecordError]:
    pos = 0
    while pos < len(data):
        try:
            record = parse_record(data[pos:], path, pos)
        except RecordError as exc:
            yield exc
            return
        head_len = data.index(b"\r\n\r\n", pos) + 4 - pos
        total = head_len + len(record.block) + 4
        record.length = total
        yield record
        pos += total


def read_record_at(path: str | Path, offset: int) -> WarcRecord:
    """The record starting at `offset` (a store pointer); RecordError when there is none."""
    path = Path(path)
    with path.open("rb") as fh:
        fh.seek(offset)
        magic = fh.read(2)
        fh.seek(offset)
        if magic != b"\x1f\x8b":
            return parse_record(fh.read(), path, offset)
        decomp = zlib.decompressobj(zlib.MAX_WBITS + 16)
        out = []
        try:
            while not decomp.eof:
                chunk = fh.read(1 << 20)
                if not chunk:
                    raise RecordError(path, offset, "truncated gzip member")
                out.append(decomp.decompress(chunk))
        except zlib.error as exc:
            raise RecordError(path, offset, f"damaged gzip member ({exc})") from None
    return parse_record(b"".join(out), path, offset)


def parse_http_head(head: bytes) -> tuple[str, int, list[tuple[str, str]]]:
    """(protocol, status, headers) from a stored HTTP response head; headers in order."""
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    first = lines[0].decode("latin-1").split(" ", 2)
    protocol = first[0]
    try:
        status = int(first[1]) if len(first) > 1 else 0
    except ValueError:
        status = 0
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    return protocol, status, headers


def decoded_payload(payload: bytes, headers: Sequence[tuple[str, str]]) -> bytes:
    """The entity body as a browser would see it: Content-Encoding (gzip, deflate, br)
    undone, and chunking undone for records written by tools that keep it."""
    lower = {k.lower(): v for k, v in headers}
    if "chunked" in lower.get("transfer-encoding", "").lower():
        payload = _dechunk(payload)
    for coding in reversed([c.strip().lower() for c in
                            lower.get("content-encoding", "").split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            payload = zlib.decompressobj(zlib.MAX_WBITS + 32).decompress(payload)
        elif coding == "deflate":
            try:
                payload = zlib.decompress(payload)
            except zlib.error:
                payload = zlib.decompress(payload, -zlib.MAX_WBITS)
        elif coding == "br":
            import brotli  # optional; Scrapy uses the same package when installed

            payload = brotli.decompress(payload)
    return payload


def _dechunk(data: bytes) -> bytes:
    out, pos = [], 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        size = int(data[pos:end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(data[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


def warc_files(directory: str | Path, *, include_open: bool = False) -> list[Path]:
    """The WARC files of a directory, oldest name first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    names = sorted(p for p in directory.iterdir()
                   if p.name.endswith((".warc.gz", ".warc"))
                   or (include_open and p.name.endswith(WARC_SUFFIX + OPEN_SUFFIX)))
    return names


def warcinfo_fields(path: str | Path) -> dict[str, str]:
    """The fields of a file's opening warcinfo record ({} when it does not open with one)."""
    for item in iter_records(path):
        if isinstance(item, RecordError) or item.type != "warcinfo":
            return {}
        fields = {}
        for line in item.block.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                fields[name.strip()] = value.strip()
        return fields
    return {}
