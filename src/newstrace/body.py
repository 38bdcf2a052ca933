"""Main-text and metadata extraction from one HTML page (trafilatura + htmldate).

This module only finds the article body and the page's own metadata. The news-specific clean-up (comments,
captions, datelines, author bios …) is ``cleanup``'s job and runs on every kind of input, not only HTML.

trafilatura finds the main content; the block filters below then remove what trafilatura keeps but an article
body does not hold: the headline and standfirst above the text (the headline is ``title``), links to other
stories wherever they stand, and the furniture at the text's edges (newsletter and share prompts, reporting
credits, copyright lines, "more stories" boxes). Every filter works on trafilatura's block elements (``head``,
``p``, ``list`` …), never on one site's markup, and was kept only where bench/extraction.py showed it helps.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable

import trafilatura
from lxml.etree import _Element, strip_tags
from trafilatura.settings import Document, use_config
from trafilatura.xml import delete_element, xmltotxt

from .models import PageContent
from .settings import Settings

log = logging.getLogger(__name__)

# trafilatura's default config stops extracting on signals (it installs a SIGALRM timeout) and is not safe in
# threads; turning the timeout off makes it usable in worker processes and Ray tasks alike.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&)\s*")
_WORD = re.compile(r"\w+")


def extract_body(html: str, url: str | None, settings: Settings) -> PageContent | None:
    """Return the main text and metadata of ``html``, or ``None`` when no main text is found.

    The text is trafilatura's, minus the blocks the filters in this module recognise as page furniture; the
    headline is not part of it (it is in ``title``).
    """
    doc = _trafilatura(html, url, settings)
    if doc is None or doc.body is None or not (doc.text or "").strip():
        return None
    body = doc.body
    _drop_blocks(body, title=doc.title, description=doc.description)
    strip_tags(body, "ref")
    text = unicodedata.normalize("NFC", xmltotxt(body, False)).strip()
    if not text:
        return None
    authors = tuple(a for a in _AUTHOR_SPLIT.split(doc.author or "") if a.strip())
    return PageContent(
        text=text,
        title=doc.title or None,
        authors=authors,
        published=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or None,
    )


def _trafilatura(html: str, url: str | None, settings: Settings) -> Document | None:
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_links=True,  # links mark teaser blocks (see _is_teaser_link); they are stripped before rendering
        favor_precision=settings.favor_precision,
        deduplicate=False,
        config=_CONFIG,
    )
    return doc if isinstance(doc, Document) else None


# --- block filters -------------------------------------------------------------------------------------------


def _words(text: str | None) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def _block_text(block: _Element) -> str:
    return " ".join(" ".join(block.itertext()).split())


def _is_part_of(words: list[str], whole: list[str]) -> bool:
    """Whether ``words`` occur, in order and contiguously, inside ``whole``."""
    if not words or len(words) > len(whole):
        return False
    n = len(words)
    return any(whole[i : i + n] == words for i in range(len(whole) - n + 1))


def _drop_blocks(body: _Element, title: str | None, description: str | None) -> None:
    """Remove headline, standfirst and edge furniture from trafilatura's ``body`` in place."""
    blocks = list(body)
    keep = [True] * len(blocks)
    _mark_headline(blocks, keep, _words(title), _words(description))
    _mark_teasers(blocks, keep)
    _mark_run(blocks, keep, range(len(blocks)), _is_furniture)
    _mark_run(blocks, keep, range(len(blocks) - 1, -1, -1), _is_chrome)
    if not any(kept and _block_text(block) for block, kept in zip(blocks, keep, strict=True)):
        # every block of text looks like furniture: the page is not an article we understand, so leave it as found
        return
    for block, kept in zip(blocks, keep, strict=True):
        if not kept:
            delete_element(block, keep_tail=True)


def _mark_headline(blocks: list[_Element], keep: list[bool], title: list[str], description: list[str]) -> None:
    """Unmark the headline and the standfirst (dek) above the first paragraph, and short chrome above them.

    Why: the headline belongs in ``title``, not in the body, and trafilatura often keeps the page's ``<h1>``
    and the dek rendered as a heading below it. A dek is recognised by matching the page's meta description; a
    description matching a *paragraph* is left alone, because many sites use their first paragraph as it.
    """
    start = 0
    for i, block in enumerate(blocks[:_HEADLINE_SEARCH]):
        if block.tag == "head" and _is_title(_words(_block_text(block)), title):
            start = i
            break
    # Why: short blocks above the headline are a kicker, a section name or a teaser for another story. Text
    # above it is left alone: then the headline sits inside the story's container, not above it.
    if not any(_is_prose(block) for block in blocks[:start]):
        for i in range(start):
            keep[i] = False
    for i in range(start, len(blocks)):
        block = blocks[i]
        if block.tag != "head":
            return
        words = _words(_block_text(block))
        if (i == start and block.get("rend") == "h1") or _is_title(words, title) or words == description:
            keep[i] = False
        else:
            return


def _is_title(words: list[str], title: list[str]) -> bool:
    # page titles often carry the site's name ("Headline | Site"), so a headline is a run of the title's words
    return len(words) >= 2 and _is_part_of(words, title)


# A block of running text: enough words to be more than a label.
_PROSE_MIN_WORDS = 12


def _is_prose(block: _Element) -> bool:
    return block.tag in {"p", "quote"} and len(_WORD.findall(_block_text(block))) >= _PROSE_MIN_WORDS


_HEADLINE_SEARCH = 4  # blocks searched for a headline below leading chrome


# Furniture: short blocks about the page or the outlet, not the story. Patterns match at the start of a block's
# whitespace-normalised text, case-insensitively, and only on blocks of at most _FURNITURE_MAX_WORDS words, so a
# paragraph that merely mentions a newsletter stays. _TEASER holds what is furniture wherever it stands (links to
# other stories); _EDGE what is furniture only before the first or after the last paragraph of text, since
# inside the text the same words ("Sign up for …", "Click here to …", a bare link) are often the story's own.
_FURNITURE_MAX_WORDS = 40
_TEASER = re.compile(
    r"""^(?:
      (?:read|see|watch|listen)\s+(?:more|also|next)\b\s*[:|]?\s*\w    # "Read more: <another story>"
    | related(?:\s+(?:articles?|stories|content|posts?|coverage|reading))?\s*[:|]\s*\w
    | also\s+(?:read|see)\s*:
    | don'?t\s+miss\b
    | (?:you\s+)?(?:may|might)\s+also\s+(?:like|enjoy|be\s+interested)
    | (?:most\s+(?:read|popular|viewed|shared)|popular\s+on|trending\s+(?:now|on))\b
    | advertisement$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_EDGE = re.compile(
    r"""^(?:
      (?:sign\s+up|subscribe|register)\b
    | get\s+(?:the\s+)?(?:latest|best|day'?s|our)\b.{0,80}\b(?:inbox|newsletter|app)
    | click\s+here\b
    | (?:follow|like|find)\s+(?:\S+\s+){0,6}on\s+(?:twitter|facebook|instagram|linkedin|youtube)
    | (?:\w+\s+){0,6}(?:can|may)\s+be\s+reached\s+at\b
    | have\s+a\s+(?:news\s+)?tip\b
    | if\s+you\s+(?:enjoyed|liked)\s+this\b
    | (?:share|like)\s+this\s+(?:story|article|post)
    | (?:copyright|©|\(c\)\s)
    | all\s+rights\s+reserved
    | comments?$
    | (?:more|related)\s*:?$
    | (?:write|reach|email|contact)\s+(?:to\s+)?(?:the\s+)?(?:\w+\s+){0,4}(?:at|on)\s+\S+@
    | (?:additional\s+)?reporting\s+by\b
    | (?:\w+\s+){0,12}contributed\s+(?:reporting|to\s+this\s+(?:report|story|article))
    | (?:editing|edited|writing)\s+by\b
    | (?:source|sources|via)\s*:\s*\S.{0,60}$
    | (?:updated|published|posted)(?:\s+on)?\s*:?\s*\S.{0,40}$        # a date line
    | filed\s+under\b
    | tags?\s*:
    | \S+@\S+\.\w+$                                                # a bare e-mail address
    | (?:https?://|www\.)\S+$                                      # a bare link
    | [\w.-]*twitter\.com/\S+$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _matches(pattern: re.Pattern[str], block: _Element) -> bool:
    text = _block_text(block)
    return bool(text) and len(_WORD.findall(text)) <= _FURNITURE_MAX_WORDS and pattern.match(text) is not None


_LINK_TEASER_MIN_DENSITY = 0.8
_LINK_TEASER_MAX_WORDS = 40
_INNER_SENTENCE_END = re.compile(r"""\w\w[.!?]["'”’)]*\s*[A-Z]""")  # "… business.Click to Tweet"
_STATEMENT_END = re.compile(r"""[.:;…]["'”’»)\]]*$""")


def _link_density(block: _Element) -> float:
    words = len(_WORD.findall(" ".join(block.itertext())))
    linked = sum(len(_WORD.findall(" ".join(ref.itertext()))) for ref in block.iter("ref"))
    return linked / words if words else 0.0


def _is_teaser_link(block: _Element) -> bool:
    """A paragraph or list that is (nearly) all link text and reads like a headline, not a sentence.

    Why: links to other stories placed between or after the paragraphs ("CO-FOUNDER PROUD OF …", "Who will
    make the Rock Hall in 2020?") are whole-link blocks; a sentence of the story that happens to be a link
    usually ends with a full stop.
    """
    if block.tag not in {"p", "list"}:
        return False
    text = _block_text(block)
    if len(_WORD.findall(text)) > _LINK_TEASER_MAX_WORDS or _STATEMENT_END.search(text):
        return False
    if block.tag == "p" and _INNER_SENTENCE_END.search(text):
        return False
    return _link_density(block) >= _LINK_TEASER_MIN_DENSITY


def _mark_teasers(blocks: list[_Element], keep: list[bool]) -> None:
    """Unmark links to other stories wherever they stand ("Read more: …", whole-link headline blocks).

    Why: trafilatura keeps them because they sit inside the article container; article bodies never hold them.
    """
    for i, block in enumerate(blocks):
        if _matches(_TEASER, block) or _is_teaser_link(block):
            keep[i] = False


def _is_furniture(block: _Element) -> bool:
    """Edge furniture: newsletter and share prompts, credits, copyright, date lines, bare links."""
    return _matches(_EDGE, block) or _matches(_TEASER, block)


_LINK_LIST_MIN_DENSITY = 0.25


def _is_chrome(block: _Element) -> bool:
    """Furniture, a heading, or a list of links: what the boxes after a story are made of.

    Why: a "more stories" box is a list of linked headlines with their teasers, a newsletter box a few short
    headings; both follow the article inside its container. A heading or a list is only dropped in the run
    after the story's last paragraph, so a story that ends with a plain list of facts keeps it.
    """
    if block.tag == "head":
        return True
    if block.tag == "list":
        return _link_density(block) >= _LINK_LIST_MIN_DENSITY
    return _is_furniture(block)


def _mark_run(
    blocks: list[_Element], keep: list[bool], order: Iterable[int], is_junk: Callable[[_Element], bool]
) -> None:
    """Walking ``order`` (from the top or from the bottom), unmark blocks while ``is_junk`` holds.

    Empty and already unmarked blocks are stepped over; the first kept block of text that is not junk ends the run.
    """
    for i in order:
        if not keep[i] or not _block_text(blocks[i]):
            continue
        if not is_junk(blocks[i]):
            return
        keep[i] = False
