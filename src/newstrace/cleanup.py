"""News-specific clean-up of an article body, after main-text extraction.

trafilatura finds the main text of a page but leaves news furniture in it: reader-comment sections, photo captions
repeated in the body, "Read More:" teasers, newsletter prompts, author bios and wire datelines. Each rule below
removes one kind and, where the removed text is worth keeping (caption, bio, dateline), returns it as a field.
The same rules run on plain-text and JSONL input, so they work on lines of text, never on HTML.

Rules are small functions ``rule(paragraphs, found) -> paragraphs``; ``found`` collects what they lift out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .models import Cleaned

# --- normalisation ----------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs: one per non-empty line, with broken lines joined back.

    Extractors and copy-paste often break a sentence across lines ("between the two U.S.\\nadversaries"); a line
    that ends without closing punctuation and is followed by one starting in lower case is the same paragraph.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    paragraphs: list[str] = []
    previous_blank = True
    for line in lines:
        if not line:
            previous_blank = True
            continue
        if paragraphs and not previous_blank and line[0].islower():
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous_blank = False
    return paragraphs


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    """The stored article text: paragraphs separated by a blank line, so sentence splitters see the break."""
    return "\n\n".join(paragraphs)


# --- the rules --------------------------------------------------------------------------------------------


@dataclass
class Found:
    """What the rules lift out of the text."""

    caption: str | None = None
    dateline_place: str | None = None
    dateline_outlet: str | None = None
    author_bio: str | None = None
    byline: str | None = None
    machine_written: bool = False
    removed: list[tuple[str, str]] = field(default_factory=list)


Rule = Callable[[list[str], "Found"], list[str]]

_COMMENT_START = re.compile(
    r"""^(?:
        \d+\s+(?:thoughts?|comments?|responses?|replies|reactions?)\s+(?:on|to)\b   # "0 thoughts on “…”"
      | (?:one|two|three)\s+(?:thoughts?|comments?|responses?)\s+(?:on|to)\b
      | leave\s+a\s+(?:reply|comment)\b
      | post\s+a\s+comment\b | add\s+(?:a\s+)?comment\b | join\s+the\s+(?:discussion|conversation)\b
      | comments?\s*(?:\(\d+\))?$ | comments\s+are\s+closed\b
      | your\s+email\s+address\s+will\s+not\s+be\s+published
      | you\s+must\s+be\s+logged\s+in\s+to\s+post\s+a\s+comment
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def drop_comment_section(paragraphs: list[str], found: Found) -> list[str]:
    """Cut everything from a reader-comment heading or comment form to the end.

    Only in the latter part of the text: a comment heading in the first paragraphs is more likely a page that
    trafilatura mis-read than a comment section, and cutting there would lose the article.
    """
    start = max(1, len(paragraphs) // 3)
    for i in range(start, len(paragraphs)):
        if _COMMENT_START.match(paragraphs[i]):
            found.removed += [("comments", p) for p in paragraphs[i:]]
            return paragraphs[:i]
    return paragraphs


_TEASER = re.compile(
    r"""^(?:read\s+(?:more|also|next)|also\s+read|see\s+also|related(?:\s+(?:stories|articles|coverage|reading))?
        |recommended|more\s+on\s+this\s+story|watch|listen|most\s+read|trending|don'?t\s+miss)\s*[:|»>–—-]""",
    re.IGNORECASE | re.VERBOSE,
)
_NEWSLETTER = re.compile(
    r"""\b(?:sign\s+up\s+(?:for|to)\b.*\bnewsletter|subscribe\s+to\s+(?:our|the)\b.*\b(?:newsletter|channel|podcast)
        |newsletter\s*:|delivered\s+(?:straight\s+)?to\s+your\s+inbox|follow\s+us\s+on\s+(?:twitter|x|facebook|telegram|instagram)
        |click\s+here\s+to\s+(?:subscribe|sign\s+up)|get\s+our\s+free\s+\w+\s+newsletter)""",
    re.IGNORECASE | re.VERBOSE,
)


def drop_teasers(paragraphs: list[str], found: Found) -> list[str]:
    """Remove "Read More: …", "Related: …" and newsletter-prompt lines, which link elsewhere and say nothing here."""
    kept = []
    for p in paragraphs:
        words = len(p.split())
        if _TEASER.match(p) and words <= 40:
            found.removed.append(("teaser", p))
        elif _NEWSLETTER.search(p) and words <= 40:
            found.removed.append(("newsletter", p))
        else:
            kept.append(p)
    return kept


_CAPTION_CUE = re.compile(
    r"""\b(?:as\s+seen\s+in\s+this|in\s+this\s+(?:picture|photo|image|handout|file\s+photo)|pictured|file\s+photo
        |photo\s*(?:by|:|credit)|image\s*(?:by|:|credit)|picture\s+(?:provided|released|taken)|handout
        |\((?:photo|image|file)[^)]*\)|/\s*(?:AFP|Reuters|AP|Getty(?:\s+Images)?|EPA|Anadolu)\b|getty\s+images|(?:AFP|AP)\s+photo)""",
    re.IGNORECASE | re.VERBOSE,
)


# A repeated paragraph of sentence length is an extraction artefact; short repeated lines ("Breakfast: oats",
# poll options, list items) are often genuine, and removing them cost recall on the extraction benchmark.
_REPEAT_MIN_WORDS = 12


def lift_captions(paragraphs: list[str], found: Found, captions: Sequence[str] = ()) -> list[str]:
    """Keep a photo caption once, as the caption, and not as body text.

    A paragraph is a caption when the page marked it as one (``captions``, from ``<figcaption>``) or when it appears
    more than once and reads like one (picture cues). Other repeated sentence-length paragraphs keep their first
    copy only.
    """
    declared = {_key(c) for c in captions if c.strip()}
    counts = Counter(_key(p) for p in paragraphs)
    kept: list[str] = []
    seen: set[str] = set()
    for p in paragraphs:
        key = _key(p)
        repeated = counts[key] > 1 and len(p.split()) >= 6
        if key in declared or (repeated and _CAPTION_CUE.search(p)):
            found.caption = found.caption or p
            found.removed.append(("caption", p))
        elif repeated and key in seen and len(p.split()) >= _REPEAT_MIN_WORDS:
            found.removed.append(("repeat", p))
        else:
            kept.append(p)
        seen.add(key)
    return kept


def _key(paragraph: str) -> str:
    return " ".join(re.findall(r"\w+", paragraph.lower()))


_BYLINE = re.compile(r"^(?:author|written\s+by|by|about\s+the\s+author)\s*[:\-–—]?\s*(?P<name>.{0,80})$", re.IGNORECASE)
_BIO_START = re.compile(
    r"""^(?:who\s+am\s+i\b|about\s+(?:the\s+)?author\b|about\s+me\b|i'?m\s+[A-Z]|i\s+am\s+[A-Z]
        |[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s+(?:is|was)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,5}
         (?:writer|journalist|reporter|correspondent|editor|columnist|contributor|analyst|fellow|author|freelancer))""",
    re.VERBOSE,
)
_MACHINE = re.compile(
    r"""(?<!\w)(?:A\.I\.|AI|artificial\s+intelligence|GPT[-\w]*|chatbot|language\s+model|bot
        |automated(?:ly)?\s+(?:written|generated))(?!\w)""",
    re.VERBOSE,
)


def lift_author_bio(paragraphs: list[str], found: Found) -> list[str]:
    """Move a closing "Author: …" line and the bio after it out of the body.

    Looks at the last few paragraphs only: bios close articles. An author named or describing itself as an AI
    ("Hermes A.I.", "an artificial intelligence") marks the article machine-written.
    """
    tail_start = max(0, len(paragraphs) - 4)
    for i in range(tail_start, len(paragraphs)):
        p = paragraphs[i]
        byline = _BYLINE.match(p)
        if byline and len(p.split()) <= 12 and byline.group("name").strip():
            found.byline = byline.group("name").strip()
            bio = paragraphs[i + 1 :]
        elif _BIO_START.match(p) and i >= len(paragraphs) - 2:
            bio = paragraphs[i:]
        else:
            continue
        if bio:
            found.author_bio = " ".join(bio)
        found.machine_written = bool(_MACHINE.search(" ".join(paragraphs[i:])))
        found.removed += [("author_bio", q) for q in paragraphs[i:]]
        return paragraphs[:i]
    return paragraphs


# "WASHINGTON DC, United States (Kurdistan24) - ", "DUBAI, Feb 21 (Reuters) -", "KYIV, Ukraine — "
_DATELINE = re.compile(
    r"""^(?P<place>[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*(?:,\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)?)
        (?:,\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s*\d{4})?)?
        \s*(?:\((?P<outlet>[^()]{2,40})\))?\s*[-–—]{1,2}\s+(?=\S)""",
    re.VERBOSE,
)


def lift_dateline(paragraphs: list[str], found: Found) -> list[str]:
    """Strip a wire-style dateline from the start of one of the first paragraphs, keeping place and outlet."""
    for i, p in enumerate(paragraphs[:3]):
        match = _DATELINE.match(p)
        if not match:
            continue
        place = match.group("place").strip().rstrip(",")
        first_word = place.split(",")[0].split()[0]
        # An all-caps first word of two letters or more tells a dateline from an ordinary sentence opening.
        if len(first_word.strip(".")) < 2 or not first_word.isupper():
            continue
        found.dateline_place = place
        found.dateline_outlet = (match.group("outlet") or "").strip() or None
        found.removed.append(("dateline", match.group(0)))
        rest = p[match.end() :]
        return paragraphs[:i] + ([rest] if rest else []) + paragraphs[i + 1 :]
    return paragraphs


RULES: tuple[Rule, ...] = (drop_comment_section, lift_author_bio, drop_teasers, lift_dateline)


def clean_text(text: str, *, captions: Sequence[str] = (), title: str | None = None) -> Cleaned:
    """Apply every clean-up rule to ``text`` and return the clean body with what was lifted out of it."""
    paragraphs = split_paragraphs(text)
    if title and paragraphs and _key(paragraphs[0]) == _key(title):
        paragraphs = paragraphs[1:]
    found = Found()
    paragraphs = lift_captions(paragraphs, found, captions)
    for rule in RULES:
        paragraphs = rule(paragraphs, found)
    return Cleaned(
        text=join_paragraphs(paragraphs),
        caption=found.caption,
        dateline_place=found.dateline_place,
        dateline_outlet=found.dateline_outlet,
        author_bio=found.author_bio,
        byline=found.byline,
        machine_written=found.machine_written,
        removed=tuple(found.removed),
    )
