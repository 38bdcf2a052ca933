"""Main-text and metadata extraction from one HTML page (trafilatura + htmldate).

This module only finds the article body and the page's own metadata. The news-specific clean-up (comments,
captions, datelines, author bios …) is ``cleanup``'s job and runs on every kind of input, not only HTML.
"""

from __future__ import annotations

import logging
import re

import trafilatura
from trafilatura.settings import use_config

from .models import PageContent
from .settings import Settings

log = logging.getLogger(__name__)

# trafilatura's default config stops extracting on signals (it installs a SIGALRM timeout) and is not safe in
# threads; turning the timeout off makes it usable in worker processes and Ray tasks alike.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&)\s*")


def extract_body(html: str, url: str | None, settings: Settings) -> PageContent | None:
    """Return the main text and metadata of ``html``, or ``None`` when no main text is found."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=settings.favor_precision,
        deduplicate=False,
        config=_CONFIG,
    )
    if doc is None or not (doc.text or "").strip():
        return None
    authors = tuple(a for a in _AUTHOR_SPLIT.split(doc.author or "") if a.strip())
    return PageContent(
        text=doc.text,
        title=doc.title or None,
        authors=authors,
        published=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or None,
        language=None,
    )
