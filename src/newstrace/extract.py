"""Extraction stage: a raw page (HTML or text) becomes an :class:`Article`.

HTML goes through ``body.extract_body`` (trafilatura); every kind of input then goes through the same news
clean-up (``cleanup.clean_text``), language identification, outlet and date resolution, and gets its id: the hash
of the canonical URL when there is one, else of the text, so the same article read twice is the same row.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from urllib.parse import urlsplit

import lxml.html
from courlan import extract_domain, normalize_url
from dateutil import parser as dateparser

from .body import extract_body
from .cleanup import clean_text
from .errors import ErrorCode, InputError
from .models import Article, ErrorRecord, PageContent, RawPage, Source, content_id
from .settings import Settings

log = logging.getLogger(__name__)


def article_text_from_html(html: str, url: str | None, settings: Settings) -> str:
    """The clean article body of one HTML page ('' when none is found); what the extraction benchmark scores."""
    html = bounded_tags(html)
    content = extract_body(html, url, settings)
    if content is None:
        return ""
    return clean_text(content.text, captions=figure_captions(html), title=content.title).text


# libxml2 checks each attribute of a tag against the ones before it, so a tag with 100,000 attributes (1.5 MB)
# takes minutes to parse, and trafilatura parses a page several times. A tag that long keeps its first attributes.
_LONG_TAG = re.compile(r"<([a-zA-Z][\w:-]*)([^<>]{8000,})>")
_ATTRIBUTE = re.compile(r"""\s*[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?""")
MAX_ATTRIBUTES = 100


def bounded_tags(html: str) -> str:
    """``html`` with every tag of over 8,000 characters and ``MAX_ATTRIBUTES`` attributes cut to its first ones."""
    return _LONG_TAG.sub(_bound_tag, html) if len(html) > 8000 else html


def _bound_tag(match: re.Match[str]) -> str:
    attributes = _ATTRIBUTE.findall(match.group(2))
    if len(attributes) <= MAX_ATTRIBUTES:
        return match.group(0)
    return f"<{match.group(1)}{''.join(attributes[:MAX_ATTRIBUTES])}>"


def extract_page(raw: RawPage, settings: Settings) -> Article:
    """Turn one raw page into an article, or raise InputError (E_EMPTY_TEXT, E_EXTRACT_FAILED)."""
    content: PageContent | None = None
    captions: list[str] = []
    if raw.html is not None:
        html = bounded_tags(raw.html)
        try:
            content = extract_body(html, raw.url, settings)
        except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not end the run
            log.exception("extraction failed on %s", raw.input_ref)
            raise InputError(ErrorCode.E_EXTRACT_FAILED, f"{raw.input_ref}: {type(exc).__name__}: {exc}") from None
        if content is None:
            raise InputError(ErrorCode.E_EMPTY_TEXT, f"{raw.input_ref}: no main text found in the HTML")
        captions = figure_captions(html)
        body = content.text
    else:
        body = raw.text or ""
    title = raw.title or (content.title if content else None)
    cleaned = clean_text(body, captions=captions, title=title)
    if len(cleaned.text) < settings.min_text_chars:
        raise InputError(
            ErrorCode.E_EMPTY_TEXT, f"{raw.input_ref}: {len(cleaned.text)} characters of text after clean-up"
        )
    url = canonical_url(raw.url or (content.url if content else None))
    source = resolve_source(url, raw.source or (content.sitename if content else None) or cleaned.dateline_outlet)
    authors = raw.authors or (content.authors if content else ()) or ((cleaned.byline,) if cleaned.byline else ())
    digest = text_hash(cleaned.text)
    return Article(
        article_id=content_id("url", url) if url else content_id("text", digest),
        input_id=raw.input_id,
        input_ref=raw.input_ref,
        text=cleaned.text,
        text_hash=digest,
        url=url,
        external_id=raw.external_id,
        source=source.source_id if source else None,
        source_name=source.name if source else None,
        title=title,
        authors=tuple(authors),
        published=parse_date(raw.published or (content.published if content else None)),
        language=detect_language(cleaned.text),
        caption=cleaned.caption,
        dateline_place=cleaned.dateline_place,
        dateline_outlet=cleaned.dateline_outlet,
        author_bio=cleaned.author_bio,
        machine_written=cleaned.machine_written,
        word_count=len(cleaned.text.split()),
    )


def extract_pages(pages: Iterable[RawPage | ErrorRecord], settings: Settings) -> Iterator[Article | ErrorRecord]:
    """Batch form of :func:`extract_page` that turns failures into error records instead of raising."""
    for page in pages:
        if isinstance(page, ErrorRecord):
            yield page
            continue
        try:
            yield extract_page(page, settings)
        except InputError as error:
            yield ErrorRecord(page.input_ref, error.code.value, error.detail, "extract", page.input_id)


# --- helpers ----------------------------------------------------------------------------------------------


def figure_captions(html: str) -> list[str]:
    """Texts of the page's ``<figcaption>`` elements, which the clean-up keeps out of the body."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [" ".join(node.text_content().split()) for node in tree.iter("figcaption")]


def canonical_url(url: str | None) -> str | None:
    """Normalised http(s) URL without tracking parameters or fragment; ``None`` for anything else."""
    if not url or not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    try:
        return normalize_url(url).split("#", 1)[0]
    except ValueError:
        return None


def text_hash(text: str) -> str:
    """Hash of the text's words, lower-cased: two copies differing only in spacing or punctuation share it."""
    words = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def resolve_source(url: str | None, name: str | None) -> Source | None:
    """The outlet: keyed by registered domain when the URL is known, else by a slug of the name it gives."""
    name = (name or "").strip() or None
    domain = (extract_domain(url) or _host(url)) if url else None
    if domain:
        return Source(source_id=domain, name=name or domain, domain=domain)
    if name and slug(name):
        return Source(source_id=slug(name), name=name, domain=None)
    return None


def _host(url: str) -> str | None:
    """The last two labels of the URL's host, for hosts whose registered domain courlan cannot tell (``.example``)."""
    host = urlsplit(url).hostname
    if host and re.fullmatch(r"[\d.]+|.*:.*", host):  # an IP is kept whole: its last labels name nothing
        return host
    return ".".join(host.split(".")[-2:]) if host else None


def parse_date(value: str | None) -> date | None:
    """A calendar date from ISO, RFC 2822 or common written forms; ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = dateparser.parse(value.strip(), default=datetime(1900, 1, 1), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if parsed.year < 1900 or parsed.year > date.today().year + 1:
        return None
    day: date = parsed.date()
    return day


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), or ``None`` for too little text to tell."""
    import py3langid

    sample = text[:3000]
    if len(re.findall(r"\w+", sample)) < 5:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
