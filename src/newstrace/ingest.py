"""Turn what the user gives (paths, folders, URLs, feeds) into leaves, and each leaf into raw pages.

``expand`` walks the inputs lazily and yields a :class:`Leaf` per thing to read: an HTML/text/JSONL/WARC file, a
URL, or an entry of a feed (folders and feeds themselves come out as containers with nothing to read). A leaf's
``read()`` yields :class:`RawPage` records, and :class:`ErrorRecord` for single records that fail (a bad JSONL
line, a truncated WARC tail); it raises :class:`InputError` when the whole leaf fails. Nothing here parses
articles: that is extraction's job.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import json
import logging
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from .errors import ErrorCode, InputError, printable
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
_SURROGATE = re.compile("[\ud800-\udfff]")
# Python codecs that no page is written in: a label naming one is treated like an unknown label (as a browser
# does), since decoding with them raises odd errors ("punycode") or turns escapes into lone surrogates.
_NOT_CHARSETS = {"punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"}  # as codecs.lookup names


def _charset_known(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return False
    return info.name not in _NOT_CHARSETS and getattr(info, "_is_text_encoding", True)


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
    if not _charset_known(encoding):
        try:
            return _no_surrogates(data.decode("utf-8"), ref, "utf-8")
        except UnicodeDecodeError:
            raise InputError(ErrorCode.E_BAD_ENCODING, f"{ref}: unknown charset {encoding!r}") from None
    try:
        return _no_surrogates(data.decode(encoding), ref, encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            ErrorCode.E_BAD_ENCODING,
            f"{ref}: not valid {encoding} at byte {exc.start}" + ("" if declared else " (no charset declared)"),
        ) from None
    except UnicodeError as exc:  # a codec that fails without saying where
        raise InputError(ErrorCode.E_BAD_ENCODING, f"{ref}: not valid {encoding} ({exc})") from None


def _no_surrogates(text: str, ref: str, what: str) -> str:
    """``text``, unless it holds a lone surrogate (UTF-7 and JSON escapes can make one): no store takes those."""
    found = _SURROGATE.search(text)
    if found is not None:
        raise InputError(
            ErrorCode.E_BAD_ENCODING, f"{ref}: a lone surrogate U+{ord(found.group()):04X} in {what} at {found.start()}"
        )
    return text


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def read_bytes(path: Path, settings: Settings) -> bytes:
    """Read a file, gunzipping ``.gz``, refusing anything over ``max_page_bytes`` (before or after unzipping).

    Never reads more than ``max_page_bytes + 1`` bytes; every failure is an :class:`InputError` with its code.
    """
    ref = path_ref(path)
    limit = settings.max_page_bytes
    try:
        with open(path, "rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            if size > limit:
                raise InputError(ErrorCode.E_TOO_LARGE, f"{ref}: {size} bytes, limit {limit}")
            if size == 0:
                raise InputError(ErrorCode.E_EMPTY_TEXT, f"{ref}: empty file")
            if path.suffix != ".gz":
                return raw.read(limit + 1)
            try:
                with gzip.GzipFile(fileobj=raw) as handle:
                    data = handle.read(limit + 1)
            except _GZIP_FAULTS as exc:
                raise InputError(ErrorCode.E_BAD_GZIP, f"{ref}: {_gzip_fault(exc)}") from None
    except OSError as exc:
        raise os_error(ref, exc) from None
    if len(data) > limit:
        raise InputError(ErrorCode.E_TOO_LARGE, f"{ref}: more than {limit} bytes unzipped")
    return data


# What gzip raises on damaged data: a bad header (BadGzipFile), bad deflate data (zlib.error), a cut (EOFError).
_GZIP_FAULTS = (gzip.BadGzipFile, zlib.error, EOFError)


def _gzip_fault(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "gzip data cut short"
    return f"damaged gzip data ({exc})"


def os_error(ref: str, exc: OSError) -> InputError:
    """The coded error for a file that vanished (E_NOT_FOUND) or cannot be read (E_UNREADABLE)."""
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return InputError(ErrorCode.E_NOT_FOUND, f"{ref}: {reason} (it vanished, or a symbolic link points nowhere)")
    return InputError(ErrorCode.E_UNREADABLE, f"{ref}: {reason}")


def path_ref(path: Path | str) -> str:
    """How a path is stored and shown: as given, with bytes that are not UTF-8 (in file names) as ``\\xNN``."""
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeError:  # a string with lone surrogates that no file system encoding gave
        return printable(str(path))


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
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _failing(error: InputError) -> Callable[[], Iterator[Item]]:
    def read() -> Iterator[Item]:
        raise error
        yield  # pragma: no cover - makes this a generator

    return read


# When a reader fails in a way it did not foresee, the input still gets the code of its kind.
_FALLBACK: dict[InputKind, ErrorCode] = {
    "html": ErrorCode.E_EXTRACT_FAILED, "text": ErrorCode.E_EXTRACT_FAILED, "jsonl": ErrorCode.E_BAD_JSON,
    "warc": ErrorCode.E_BAD_WARC, "feed": ErrorCode.E_BAD_FEED, "url": ErrorCode.E_FETCH_FAILED,
    "folder": ErrorCode.E_UNREADABLE,
}  # fmt: skip


def _guarded(read: Callable[[], Iterator[Item]], record: InputRecord) -> Callable[[], Iterator[Item]]:
    """``read`` whose every failure is an :class:`InputError`: one bad input must not end the run.

    What was yielded before the failure stays yielded (and is stored).
    """

    def guarded() -> Iterator[Item]:
        try:
            yield from read()
        except InputError:
            raise
        except OSError as exc:
            raise os_error(record.ref, exc) from None
        except Exception as exc:
            log.exception("reading %s failed", record.ref)
            detail = f"{record.ref}: {type(exc).__name__}: {exc}"
            raise InputError(_FALLBACK.get(record.kind, ErrorCode.E_EXTRACT_FAILED), detail[:2000]) from None

    return guarded


def expand(
    inputs: Iterable[str], settings: Settings, fetcher: Fetcher, stored: Callable[[str], bool] = lambda _: False
) -> Iterator[Leaf]:
    """Yield a leaf for every file, URL and feed entry the inputs name, in a stable order.

    ``stored(input_id)`` tells whether an input was already read to the end; a page URL that was is not fetched
    again (a URL must otherwise be fetched here, to tell a feed from a page). An input named twice (a URL given
    twice, a file given and inside a folder given, a feed entry also given) is one leaf.
    """
    seen: set[str] = set()
    for leaf in _expand(dict.fromkeys(inputs), settings, fetcher, stored):
        if leaf.record.input_id not in seen:
            seen.add(leaf.record.input_id)
            yield leaf


def _expand(
    inputs: Iterable[str], settings: Settings, fetcher: Fetcher, stored: Callable[[str], bool]
) -> Iterator[Leaf]:
    for given in inputs:
        if re.match(r"^[a-z][a-z0-9+.-]*://", given, re.IGNORECASE):
            yield from _expand_url(printable(given), settings, fetcher, stored)
            continue
        path = Path(given)
        error = InputError(ErrorCode.E_NOT_FOUND, f"{path_ref(given)}: no such file, folder or URL")
        try:
            mode = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL byte in the name
            yield Leaf(_record(path_ref(given), "html"), _failing(error))
            continue
        except OSError as exc:  # no permission to look, a link loop
            yield Leaf(_record(path_ref(given), "html"), _failing(os_error(path_ref(given), exc)))
            continue
        if stat.S_ISDIR(mode):
            folder = _record(path_ref(path), "folder")
            try:
                children = _walk(path)
            except InputError as unlisted:
                yield Leaf(folder, _failing(unlisted))
                continue
            yield Leaf(folder, None)
            for child, problem in children:
                kind = kind_of(child)
                if problem is not None:  # a subfolder, or a news file, that cannot be read: recorded, not skipped
                    ref = path_ref(child)
                    yield Leaf(_record(ref, kind or "folder", folder), _failing(problem))
                elif kind is not None:  # other files in a folder (images, CSS …) are not news and are passed over
                    yield from _expand_file(child, kind, settings, fetcher, folder)
        elif stat.S_ISREG(mode):
            yield from _expand_file(path, kind_of(path), settings, fetcher, None)
        else:
            yield Leaf(_record(path_ref(path), kind_of(path) or "html"), _failing(_not_regular(path, mode)))


def _walk(folder: Path) -> list[tuple[Path, InputError | None]]:
    """Every file under ``folder`` in path order, with the error of those that cannot be read.

    Like ``rglob``, symbolic links to folders are not followed (no loops). A subfolder that cannot be listed comes
    out with its error; so does a news file that is a dangling or looping link, a FIFO or a device (opening a FIFO
    would wait for a writer for ever). Raises E_UNREADABLE when ``folder`` itself cannot be listed.
    """
    found: list[tuple[tuple[str, ...], Path, InputError | None]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as exc:
            if current == folder:
                raise os_error(path_ref(current), exc) from None
            found.append((current.parts, current, os_error(path_ref(current), exc)))
            continue
        for entry in listed:
            child = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(child)
                    continue
                if kind_of(child) is None:
                    continue
                mode = entry.stat().st_mode  # follows a link to its file
            except OSError as exc:
                found.append((child.parts, child, os_error(path_ref(child), exc)))
                continue
            if stat.S_ISDIR(mode):
                continue  # a link to a folder
            problem = None if stat.S_ISREG(mode) else _not_regular(child, mode)
            found.append((child.parts, child, problem))
    found.sort(key=lambda item: item[0])
    return [(child, problem) for _, child, problem in found]


def _not_regular(path: Path, mode: int) -> InputError:
    what = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return InputError(ErrorCode.E_UNREADABLE, f"{path_ref(path)}: {what}, not a regular file")


def _expand_file(
    path: Path, kind: InputKind | None, settings: Settings, fetcher: Fetcher, parent: InputRecord | None
) -> Iterator[Leaf]:
    ref = path_ref(path)
    try:
        fingerprint = _file_fingerprint(path)
    except OSError as exc:  # vanished since the folder was listed
        yield Leaf(_record(ref, kind or "html", parent), _failing(os_error(ref, exc)))
        return
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
    yield Leaf(record, _guarded(lambda: reader(path, record, settings), record))


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
    except Exception as exc:  # whatever the HTTP stack raises on a hostile URL or answer, the run goes on
        log.exception("fetching %s failed", url)
        yield Leaf(record, _failing(InputError(ErrorCode.E_FETCH_FAILED, f"{url}: {type(exc).__name__}: {exc}")))
        return
    content_type = fetched.content_type.lower()
    is_feed = any(t in content_type for t in ("rss", "atom", "xml")) and "html" not in content_type
    if is_feed or sniff(fetched.body) == "feed":
        yield from _expand_feed(url, fetched.body, settings, fetcher, None, None)
        return
    yield Leaf(record, _guarded(lambda: iter([_page_from_response(fetched, record)]), record))


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
    try:
        parsed = feedparser.parse(data)
        entries = [e for e in parsed.entries if isinstance(e.get("link"), str) and e["link"]]
    except Exception as exc:  # feedparser is lenient, but a hostile document must not end the run either way
        log.exception("parsing the feed %s failed", ref)
        yield Leaf(feed, _failing(InputError(ErrorCode.E_BAD_FEED, f"{ref}: {type(exc).__name__}: {exc}")))
        return
    if not entries:
        reason = f"{ref}: no entries with links" + (f" ({parsed.bozo_exception})" if parsed.get("bozo") else "")
        yield Leaf(feed, _failing(InputError(ErrorCode.E_BAD_FEED, reason)))
        return
    yield Leaf(feed, None)
    for entry in entries:
        link = printable(entry["link"])
        title = entry.get("title")
        hints = {"title": printable(title) if isinstance(title, str) else None, "published": _feed_date(entry)}
        record = _record(link, "url", feed)
        yield Leaf(record, _guarded(_entry_reader(link, record, hints, fetcher), record))


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
    """One article per line; a bad line is recorded and skipped, the other lines are read.

    Lines are read bounded by ``max_page_bytes`` (a longer one is skipped through in pieces, never held whole). A
    ``.jsonl.gz`` whose data is damaged or cut short keeps the lines before the fault and records E_BAD_GZIP.
    """
    number = lines = 0
    with open(path, "rb") as raw:
        handle = cast(IO[bytes], gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw)
        try:
            for number, line in enumerate(_bounded_lines(handle, settings.max_page_bytes), start=1):
                ref = f"{record.ref}#{number}"
                if isinstance(line, bytes) and not line.strip():
                    continue
                lines += 1
                try:
                    if isinstance(line, int):
                        raise InputError(ErrorCode.E_TOO_LARGE, f"{ref}: line of {line} bytes")
                    yield _page_from_json(_parse_json(line, ref), ref, record)
                except InputError as error:
                    yield _error(record, ref, error)
        except _GZIP_FAULTS as exc:
            ref = f"{record.ref}#{number + 1}"
            yield _error(record, ref, InputError(ErrorCode.E_BAD_GZIP, f"{ref}: {_gzip_fault(exc)}"))
            return
    if lines == 0:
        raise InputError(ErrorCode.E_EMPTY_TEXT, f"{record.ref}: no JSON lines")


def _bounded_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | int]:
    """Each line of ``handle``; for a line over ``limit`` bytes, its length instead (read through, not kept)."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit:
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(1 << 20)):
            size += len(line)
        yield size


def _parse_json(raw: bytes, ref: str) -> dict[str, Any]:
    """One JSONL line as an object, or E_BAD_JSON (what ``json`` refuses, numbers of over 4,300 digits, nesting
    deeper than the interpreter's recursion limit, anything but an object)."""
    try:
        item = json.loads(decode(raw, ref))
    except json.JSONDecodeError as exc:
        raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: nested too deep") from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: {exc}") from None
    if not isinstance(item, dict):
        raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: a JSON {type(item).__name__}, not an object")
    return item


_TEXT_FIELDS = ("id", "url", "title", "text", "html", "published", "source")


def _page_from_json(item: dict[str, Any], ref: str, record: InputRecord) -> RawPage:
    fields: dict[str, str | None] = {}
    for name in _TEXT_FIELDS:
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
            raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: {name!r} is a JSON {_json_type(value)}, not a string")
        fields[name] = _no_surrogates(str(value), ref, repr(name)) if value not in (None, "") else None
    if not fields["html"] and not fields["text"]:
        raise InputError(ErrorCode.E_EMPTY_TEXT, f"{ref}: neither 'text' nor 'html'")
    return RawPage(
        input_id=record.input_id,
        input_ref=ref,
        kind="jsonl",
        url=fields["url"],
        html=fields["html"],
        text=None if fields["html"] else fields["text"],
        title=fields["title"],
        published=fields["published"],
        source=fields["source"],
        authors=_authors(item.get("authors"), ref),
        external_id=fields["id"],
    )


def _authors(value: Any, ref: str) -> tuple[str, ...]:
    """``authors`` as names: a string, or a list of strings or of objects with a ``name``; else E_BAD_JSON."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: 'authors' is a JSON {_json_type(value)}, not a list of names")
    names = []
    for author in value:
        name = author.get("name") if isinstance(author, dict) else author
        if name in (None, ""):
            continue
        if not isinstance(name, str):
            raise InputError(ErrorCode.E_BAD_JSON, f"{ref}: an author is a JSON {_json_type(name)}, not a name")
        names.append(_no_surrogates(name, ref, "'authors'"))
    return tuple(names)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _read_warc(path: Path, record: InputRecord, settings: Settings) -> Iterator[Item]:
    """HTML response records of a WARC/WARC.gz. A truncated file keeps the records read before the fault."""
    from warcio.archiveiterator import ArchiveIterator

    size = path.stat().st_size
    end = 0
    number = done = 0  # records begun, records read to their end
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        iterator.loader = _warc_loader()
        _bound_readline(iterator.reader, settings.max_page_bytes)
        try:
            for warc_record in iterator:
                number += 1
                ref = f"{record.ref}#{number}"
                page: Item | None = None
                if warc_record.rec_type == "response" and not warc_record.rec_headers.get_header("WARC-Target-URI"):
                    detail = f"{ref}: a response record without WARC-Target-URI"
                    page = _error(record, ref, InputError(ErrorCode.E_BAD_WARC, detail))
                elif warc_record.rec_type == "response" and warc_record.http_headers is not None:
                    content_type = warc_record.http_headers.get_header("Content-Type") or ""
                    body = warc_record.content_stream().read(settings.max_page_bytes + 1)
                    if "html" in content_type.lower() or (not content_type and sniff(body) == "html"):
                        page = _warc_page(body, content_type, warc_record, ref, record, settings)
                iterator.read_to_end()
                if getattr(warc_record.raw_stream, "limit", 0) > 0:  # the file ended inside this record
                    raise EOFError(f"record {number} is cut short")
                done = number
                if page is not None:
                    yield page
                end = iterator.get_record_offset() + iterator.get_record_length()
        except Exception as exc:  # warcio's own errors, cut or damaged gzip members, and its bugs on odd headers
            error = InputError(ErrorCode.E_BAD_WARC, f"{record.ref}: {type(exc).__name__}: {exc}"[:2000])
            if number == 0:  # not a WARC at all (an HTML page named .warc): the file fails as a whole
                raise error from None
            yield _error(record, f"{record.ref}#{done + 1}", error)  # the record being read at the fault
            return
    if number == 0:
        raise InputError(ErrorCode.E_BAD_WARC, f"{record.ref}: no WARC records")
    # Both WARC readers stop silently at a truncated record; a file that ends well past the last complete
    # record (more than its closing CRLFs) was cut short.
    if size - end > 4:
        detail = f"{record.ref}: truncated after record {number} ({size - end} bytes unread)"
        yield _error(record, f"{record.ref}#{number + 1}", InputError(ErrorCode.E_BAD_WARC, detail))


def _bound_readline(reader: Any, limit: int) -> None:
    """Make warcio's reader refuse a line of over ``limit`` bytes: it reads header lines whole, so a 1 GB header
    line in a small .warc.gz would be held whole before any size check."""
    readline = reader.readline

    def bounded(length: int | None = None) -> bytes:
        line: bytes = readline(limit + 1 if length is None or length > limit + 1 else length)
        if len(line) > limit:
            raise ValueError(f"a line of over {limit} bytes")
        return line

    reader.readline = bounded


def _warc_loader() -> Any:
    """warcio's record loader (as ``ArchiveIterator`` makes it), made to take a record without ``WARC-Target-URI``
    (warcio calls ``None.startswith`` on one)."""
    return _warc_loader_class()(verify_http=False, arc2warc=False)


@functools.cache
def _warc_loader_class() -> Any:
    from warcio.recordloader import ArcWarcRecordLoader

    class Loader(ArcWarcRecordLoader):  # type: ignore[misc]
        def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: Any) -> Any:
            return super().load_http_headers(rec_type, uri or "", stream, length)

    return Loader


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
