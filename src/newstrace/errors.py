"""One exception tree with coded, actionable messages.

Every failure that concerns a single input or record carries a code (``E_…``) so that it can be stored in the
``errors`` table, counted, and looked up in the README. Library code raises these; the pipeline catches them per
record, records them and goes on.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Codes for per-input failures; the value is what is stored and printed."""

    E_NOT_FOUND = "E_NOT_FOUND"  # a path given on the command line does not exist
    E_UNSUPPORTED = "E_UNSUPPORTED"  # a file whose kind newstrace cannot read
    E_NOT_HTML = "E_NOT_HTML"  # binary content, or a response that is not HTML/text
    E_TOO_LARGE = "E_TOO_LARGE"  # a page or file over settings.max_page_bytes
    E_EMPTY_TEXT = "E_EMPTY_TEXT"  # nothing left after extraction and clean-up
    E_BAD_ENCODING = "E_BAD_ENCODING"  # bytes that decode in no plausible encoding
    E_BAD_GZIP = "E_BAD_GZIP"  # a .gz file whose compressed data is damaged or cut short
    E_UNREADABLE = "E_UNREADABLE"  # a file or folder that exists but cannot be read (permissions, FIFO, symlink loop)
    E_BAD_WARC = "E_BAD_WARC"  # a truncated or malformed WARC file
    E_BAD_JSON = "E_BAD_JSON"  # a JSONL line that is not a JSON object
    E_BAD_FEED = "E_BAD_FEED"  # an RSS/Atom document with no entries
    E_BAD_URL = "E_BAD_URL"  # a URL that is not http(s) or has no host
    E_PRIVATE_ADDRESS = "E_PRIVATE_ADDRESS"  # a URL resolving to a private/loopback/link-local address
    E_ROBOTS = "E_ROBOTS"  # robots.txt disallows the URL for our user agent
    E_FETCH_TIMEOUT = "E_FETCH_TIMEOUT"  # connect or read timed out after all retries
    E_FETCH_HTTP = "E_FETCH_HTTP"  # the server answered with an HTTP error status
    E_FETCH_FAILED = "E_FETCH_FAILED"  # DNS failure, refused connection, TLS error …
    E_EXTRACT_FAILED = "E_EXTRACT_FAILED"  # the extractor raised on a page it should have handled
    E_LANGUAGE = "E_LANGUAGE"  # an article in a language the NLP stages do not read (English only)
    E_NLP_FAILED = "E_NLP_FAILED"  # the language pipeline raised on an article it should have handled


HINTS: dict[ErrorCode, str] = {
    ErrorCode.E_NOT_FOUND: "check the path; relative paths are taken from the current directory",
    ErrorCode.E_UNSUPPORTED: "give .html/.htm(.gz), .txt, .jsonl, .warc(.gz), an RSS/Atom file or an http(s) URL",
    ErrorCode.E_NOT_HTML: "the content is binary or not a web page; newstrace reads HTML and text only",
    ErrorCode.E_TOO_LARGE: "raise settings.max_page_bytes (or max_nlp_words for analysis) if the input is genuine",
    ErrorCode.E_EMPTY_TEXT: "the page has no article text after boilerplate removal",
    ErrorCode.E_BAD_ENCODING: "save the file as UTF-8, or declare its charset in the HTML",
    ErrorCode.E_BAD_GZIP: "the gzip data is damaged or cut short; what was read before the fault was kept",
    ErrorCode.E_UNREADABLE: "check the file's permissions; newstrace reads regular files and folders only",
    ErrorCode.E_BAD_WARC: "the WARC is truncated or malformed; records read before the fault were kept",
    ErrorCode.E_BAD_JSON: "each JSONL line must be one JSON object; the other lines were read",
    ErrorCode.E_BAD_FEED: "the document parsed as a feed with no entries",
    ErrorCode.E_BAD_URL: "only http:// and https:// URLs with a host are fetched",
    ErrorCode.E_PRIVATE_ADDRESS: "pass --allow-private to fetch from private or loopback addresses",
    ErrorCode.E_ROBOTS: "the site's robots.txt forbids this URL; newstrace respects it",
    ErrorCode.E_FETCH_TIMEOUT: "the server did not answer in time; re-run later to retry",
    ErrorCode.E_FETCH_HTTP: "the server refused the page; check the URL",
    ErrorCode.E_FETCH_FAILED: "the host could not be reached; check the URL and network",
    ErrorCode.E_EXTRACT_FAILED: "please report this page; the rest of the run went on",
    ErrorCode.E_LANGUAGE: "attribution reads English only; the article is stored but not analysed",
    ErrorCode.E_NLP_FAILED: "please report this article; the rest of the run went on",
}


def printable(text: str) -> str:
    """``text`` with lone surrogates written as escapes (``\\udcff``), so it can be stored and printed.

    They come from file names that are not UTF-8 (Python decodes those with ``surrogateescape``) and from JSON
    escapes like ``"\\ud800"``; DuckDB and UTF-8 output refuse them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class NewstraceError(Exception):
    """Base of every error newstrace raises on purpose."""


class InputError(NewstraceError):
    """One input (file, URL, record) could not be turned into an article.

    ``code`` is stored in the ``errors`` table; ``detail`` says what exactly went wrong.
    """

    def __init__(self, code: ErrorCode, detail: str) -> None:
        self.code = code
        self.detail = printable(detail)
        super().__init__(f"{code.value}: {detail}")

    @property
    def hint(self) -> str:
        return HINTS.get(self.code, "")


class StoreError(NewstraceError):
    """The DuckDB file cannot be opened or migrated."""


class StoreBusy(StoreError):
    """Another process held the DuckDB file for longer than the store waits (DuckDB: one writer or many readers)."""


class UsageError(NewstraceError):
    """A command was called with arguments it cannot use (bad table name, unknown id …)."""
