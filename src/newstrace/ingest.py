"""Turn what the user gives (paths, folders, URLs, feeds) into leaves, and each leaf into raw pages.

``expand`` walks the inputs lazily and yields a :class:`Leaf` per thing to read: an HTML/text/JSONL/WARC file, a
URL, or an entry of a feed (folders and feeds themselves come out as containers with nothing to read). A leaf's
``read()`` yields :class:`RawPage` records, and :class:`ErrorRecord` for single records that fail (a bad JSONL
line, a truncated WARC tail); it raises :class:`InputError` when the whole leaf fails. Nothing here parses
articles: that is extraction's job.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ErrorCode, InputError
from .fetch import Fetched, Fetcher
from .models import ErrorRecord, InputKind, InputRecord, RawPage, content_id
from .settings import Settings

log = logging.getLogger(__name__)

Item = RawPage | ErrorRecord


@dataclass(frozen=True)
class Leaf:
    """One input to record in the ``inputs`` table; ``read`` is ``None`` for containers (folders, feeds)."""

    record: InputRecord
    read: Callable[[], Iterator[Item]] | None


# --- bytes to text ----------------------------------------------------------------------------------------

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF", b"RIFF", b"\x1f\x8b")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode(data: bytes, ref: str, declared: str | None = None) -> str:
    """Decode page or file bytes to text.

    A charset declared by the server or in a ``<meta>`` tag is honoured; undeclared bytes must be UTF-8 (a BOM is
    recognised). Binary content fails with E_NOT_HTML and undecodable bytes with E_BAD_ENCODING, rather than being
    turned into mojibake that would pollute every later stage.
    """
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.startswith(_BINARY_MAGIC):
        raise InputError(ErrorCode.E_NOT_HTML, f"{ref}: binary content")
    if head.startswith(b"\xef\xbb\xbf"):
        declared = "utf-8-sig"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        declared = "utf-16"
    if not declared:
        meta = _META_CHARSET.search(data[:4096])
        declared = meta.group(1).decode("ascii", "ignore") if meta else None
    encoding = declared or "utf-8"
    try:
        return data.decode(encoding)
    except LookupError:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(ErrorCode.E_BAD_ENCODING, f"{ref}: unknown charset {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            ErrorCode.E_BAD_ENCODING,
            f"{ref}: not valid {encoding} at byte {exc.start}" + ("" if declared else " (no charset declared)"),
        ) from None


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def read_bytes(path: Path, settings: Settings) -> bytes:
    """Read a file, gunzipping ``.gz``, refusing anything over ``max_page_bytes`` (before or after unzipping)."""
    limit = settings.max_page_bytes
    size = path.stat().st_size
    if size > limit:
        raise InputError(ErrorCode.E_TOO_LARGE, f"{path}: {size} bytes, limit {limit}")
    if size == 0:
        raise InputError(ErrorCode.E_EMPTY_TEXT, f"{path}: empty file")
    if path.suffix == ".gz":
        try:
            with gzip.open(path) as handle:
                data = handle.read(limit + 1)
        except (OSError, EOFError) as exc:
            raise InputError(ErrorCode.E_NOT_HTML, f"{path}: broken gzip ({exc})") from None
        if len(data) > limit:
            raise InputError(ErrorCode.E_TOO_LARGE, f"{path}: more than {limit} bytes unzipped")
        return data
    return path.read_bytes()


# --- kinds ------------------------------------------------------------------------------------------------

_SUFFIXES: dict[str, InputKind] = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text", ".md": "text",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".warc": "warc", ".rss": "feed", ".atom": "feed", ".xml": "feed",
}  # fmt: skip


def kind_of(path: Path) -> InputKind | None:
    """The input kind from a file name (``.gz`` looked through), or ``None`` when the name does not say."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIXES.get(os.path.splitext(name)[1])


def sniff(data: bytes) -> InputKind:
    """The kind of a file or response whose name or content type does not say."""
    head = data[:2048].lstrip().lower()
    if head.startswith(b"warc/"):
        return "warc"
    if re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head) and not re.search(rb"<html[\s>]", head):
        return "feed"
    if re.search(rb"<(!doctype html|html|head|body|article|p)[\s>]", head):
        return "html"
    return "text"


# --- expanding inputs into leaves --------------------------------------------------------------------------


def _record(
    ref: str, kind: InputKind, parent: InputRecord | None = None, fingerprint: str | None = None
) -> InputRecord:
    return InputRecord(
        input_id=content_id(kind, ref),
        ref=ref,
        kind=kind,
        parent_id=parent.input_id if parent else None,
        fingerprint=fingerprint,
    )


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _failing(error: InputError) -> Callable[[], Iterator[Item]]:
    def read() -> Iterator[Item]:
        raise error
        yield  # pragma: no cover - makes this a generator

    return read


def expand(
    inputs: Iterable[str], settings: Settings, fetcher: Fetcher, stored: Callable[[str], bool] = lambda _: False
) -> Iterator[Leaf]:
    """Yield a leaf for every file, URL and feed entry the inputs name, in a stable order.

    ``stored(input_id)`` tells whether an input was already read to the end; a page URL that was is not fetched
    again (a URL must otherwise be fetched here, to tell a feed from a page).
    """
    for given in inputs:
        if re.match(r"^[a-z][a-z0-9+.-]*://", given, re.IGNORECASE):
            yield from _expand_url(given, settings, fetcher, stored)
            continue
        path = Path(given)
        if path.is_dir():
            folder = _record(str(path), "folder")
            yield Leaf(folder, None)
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                kind = kind_of(child)
                if kind is not None:  # other files in a folder (images, CSS …) are not news and are passed over
                    yield from _expand_file(child, kind, settings, fetcher, folder)
        elif path.is_file():
            yield from _expand_file(path, kind_of(path), settings, fetcher, None)
        else:
            error = InputError(ErrorCode.E_NOT_FOUND, f"{given}: no such file, folder or URL")
            yield Leaf(_record(given, "html"), _failing(error))


def _expand_file(
    path: Path, kind: InputKind | None, settings: Settings, fetcher: Fetcher, parent: InputRecord | None
) -> Iterator[Leaf]:
    ref = str(path)
    fingerprint = _file_fingerprint(path)
    if kind is None or kind == "feed":  # the name does not settle it: look at the bytes
        try:
            data = read_bytes(path, settings)
            if kind is None and (b"\x00" in data[:4096] or data.startswith(_BINARY_MAGIC)):
                raise InputError(ErrorCode.E_NOT_HTML, f"{ref}: binary content")
        except InputError as error:
            yield Leaf(_record(ref, kind or "html", parent, fingerprint), _failing(error))
            return
        kind = kind or sniff(data)
        if kind == "feed":
            yield from _expand_feed(ref, data, settings, fetcher, parent, fingerprint)
            return
    record = _record(ref, kind, parent, fingerprint)
    readers = {"html": _read_html_file, "text": _read_text_file, "jsonl": _read_jsonl, "warc": _read_warc}
    reader = readers[kind]
    yield Leaf(record, lambda: reader(path, record, settings))


def _expand_url(url: str, settings: Settings, fetcher: Fetcher, stored: Callable[[str], bool]) -> Iterator[Leaf]:
    """A URL is fetched once here: a feed expands into its entries, a page becomes one leaf."""
    record = _record(url, "url")
    if stored(record.input_id):
        yield Leaf(record, lambda: iter(()))  # the pipeline sees it done and skips it
        return
    try:
        fetched = fetcher.fetch(url)
    except InputError as error:
        yield Leaf(record, _failing(error))
        return
    content_type = fetched.content_type.lower()
    is_feed = any(t in content_type for t in ("rss", "atom", "xml")) and "html" not in content_type
    if is_feed or sniff(fetched.body) == "feed":
        yield from _expand_feed(url, fetched.body, settings, fetcher, None, None)
        return
    yield Leaf(record, lambda: iter([_page_from_response(fetched, record)]))


def _page_from_response(fetched: Fetched, record: InputRecord, hints: dict[str, Any] | None = None) -> RawPage:
    content_type = fetched.content_type.lower()
    if content_type and not any(t in content_type for t in ("html", "text/plain", "xml")):
        raise InputError(ErrorCode.E_NOT_HTML, f"{fetched.url}: content type {fetched.content_type!r}")
    text = decode(fetched.body, record.ref, _charset(fetched.content_type))
    hints = hints or {}
    is_text = "text/plain" in content_type
    return RawPage(
        input_id=record.input_id,
        input_ref=record.ref,
        kind="url",
        url=fetched.url,
        html=None if is_text else text,
        text=text if is_text else None,
        title=hints.get("title"),
        published=hints.get("published"),
    )


def _expand_feed(
    ref: str, data: bytes, settings: Settings, fetcher: Fetcher, parent: InputRecord | None, fingerprint: str | None
) -> Iterator[Leaf]:
    import feedparser  # only needed for feeds

    feed = _record(ref, "feed", parent, fingerprint)
    parsed = feedparser.parse(data)
    entries = [e for e in parsed.entries if e.get("link")]
    if not entries:
        reason = f"{ref}: no entries with links" + (f" ({parsed.bozo_exception})" if parsed.get("bozo") else "")
        yield Leaf(feed, _failing(InputError(ErrorCode.E_BAD_FEED, reason)))
        return
    yield Leaf(feed, None)
    for entry in entries:
        link = entry["link"]
        hints = {"title": entry.get("title"), "published": _feed_date(entry)}
        record = _record(link, "url", feed)
        yield Leaf(record, _entry_reader(link, record, hints, fetcher))


def _entry_reader(
    link: str, record: InputRecord, hints: dict[str, Any], fetcher: Fetcher
) -> Callable[[], Iterator[Item]]:
    def read() -> Iterator[Item]:
        yield _page_from_response(fetcher.fetch(link), record, hints)

    return read


def _feed_date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"


# --- readers ----------------------------------------------------------------------------------------------


def _read_html_file(path: Path, record: InputRecord, settings: Settings) -> Iterator[Item]:
    html = decode(read_bytes(path, settings), record.ref)
    yield RawPage(input_id=record.input_id, input_ref=record.ref, kind="html", html=html)


def split_title(text: str) -> tuple[str | None, str]:
    """Plain-text convention: the first non-empty line is the title, the rest the body."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    if not rest.strip():
        return None, stripped
    return first.strip(), rest


def _read_text_file(path: Path, record: InputRecord, settings: Settings) -> Iterator[Item]:
    title, body = split_title(decode(read_bytes(path, settings), record.ref))
    yield RawPage(input_id=record.input_id, input_ref=record.ref, kind="text", title=title, text=body)


def _read_jsonl(path: Path, record: InputRecord, settings: Settings) -> Iterator[Item]:
    """One article per line; a bad line is recorded and skipped, the other lines are read."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            ref = f"{record.ref}#{number}"
            if not raw.strip():
                continue
            try:
                if len(raw) > settings.max_page_bytes:
                    raise InputError(ErrorCode.E_TOO_LARGE, f"{ref}: line of {len(raw)} bytes")
                item = json.loads(decode(raw, ref))
                if not isinstance(item, dict):
                    raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: a JSON {type(item).__name__}, not an object")
                yield _page_from_json(item, ref, record)
            except json.JSONDecodeError as exc:
                yield _error(record, ref, InputError(ErrorCode.E_BAD_JSON, f"{ref}: {exc.msg} at column {exc.colno}"))
            except InputError as error:
                yield _error(record, ref, error)


def _page_from_json(item: dict[str, Any], ref: str, record: InputRecord) -> RawPage:
    def text_field(name: str) -> str | None:
        value = item.get(name)
        return str(value) if value not in (None, "") else None

    if not text_field("html") and not text_field("text"):
        raise InputError(ErrorCode.E_EMPTY_TEXT, f"{ref}: neither 'text' nor 'html'")
    authors = item.get("authors") or ()
    if isinstance(authors, str):
        authors = [authors]
    return RawPage(
        input_id=record.input_id,
        input_ref=ref,
        kind="jsonl",
        url=text_field("url"),
        html=text_field("html"),
        text=None if text_field("html") else text_field("text"),
        title=text_field("title"),
        published=text_field("published"),
        source=text_field("source"),
        authors=tuple(str(a) for a in authors if a),
        external_id=text_field("id"),
    )


def _read_warc(path: Path, record: InputRecord, settings: Settings) -> Iterator[Item]:
    """HTML response records of a WARC/WARC.gz. A truncated file keeps the records read before the fault."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    size = path.stat().st_size
    end = 0
    number = 0
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        try:
            for warc_record in iterator:
                number += 1
                ref = f"{record.ref}#{number}"
                page = None
                if warc_record.rec_type == "response" and warc_record.http_headers is not None:
                    content_type = warc_record.http_headers.get_header("Content-Type") or ""
                    body = warc_record.content_stream().read(settings.max_page_bytes + 1)
                    if "html" in content_type.lower() or (not content_type and sniff(body) == "html"):
                        page = _warc_page(body, content_type, warc_record, ref, record, settings)
                iterator.read_to_end()
                if getattr(warc_record.raw_stream, "limit", 0) > 0:  # the file ended inside this record
                    raise EOFError(f"record {number} is cut short")
                if page is not None:
                    yield page
                end = iterator.get_record_offset() + iterator.get_record_length()
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield _error(record, f"{record.ref}#{number}", InputError(ErrorCode.E_BAD_WARC, f"{record.ref}: {exc}"))
            return
    if number == 0:
        raise InputError(ErrorCode.E_BAD_WARC, f"{record.ref}: no WARC records")
    # Both WARC readers stop silently at a truncated record; a file that ends well past the last complete
    # record (more than its closing CRLFs) was cut short.
    if size - end > 4:
        detail = f"{record.ref}: truncated after record {number} ({size - end} bytes unread)"
        yield _error(record, f"{record.ref}#{number + 1}", InputError(ErrorCode.E_BAD_WARC, detail))


def _warc_page(
    body: bytes, content_type: str, warc_record: Any, ref: str, record: InputRecord, settings: Settings
) -> Item:
    try:
        if len(body) > settings.max_page_bytes:
            raise InputError(ErrorCode.E_TOO_LARGE, f"{ref}: response over {settings.max_page_bytes} bytes")
        html = decode(body, ref, _charset(content_type))
    except InputError as error:
        return _error(record, ref, error)
    url = warc_record.rec_headers.get_header("WARC-Target-URI")
    return RawPage(input_id=record.input_id, input_ref=ref, kind="warc", url=url, html=html)


def _error(record: InputRecord, ref: str, error: InputError) -> ErrorRecord:
    return ErrorRecord(
        input_ref=ref, code=error.code.value, detail=error.detail, stage="ingest", input_id=record.input_id
    )
