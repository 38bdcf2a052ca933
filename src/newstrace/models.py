"""Typed records that flow between stages. Stages import these, never each other's internals.

Records are frozen dataclasses of plain values (str, int, bool, tuples, dates) so they pickle cheaply for process
pools and Ray, and map one-to-one onto store tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

_Date = date  # for fields named "date"
InputKind = Literal["html", "text", "jsonl", "warc", "feed", "url", "folder"]
SpeakerKind = Literal["person", "organization", "outlet", "anonymous", "document", "implicit"]


def content_id(*parts: str, length: int = 16) -> str:
    """A stable hex id from the given strings: the same inputs always give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One thing the user gave, or one leaf found inside it (a file in a folder, an entry of a feed)."""

    input_id: str
    ref: str  # path, URL, or path#line / path#record
    kind: InputKind
    parent_id: str | None = None
    fingerprint: str | None = None  # hash of the bytes read, so a changed file is read again


@dataclass(frozen=True, slots=True)
class RawPage:
    """What ingest hands to extraction: an HTML page or already-plain text, plus whatever metadata came with it."""

    input_id: str
    input_ref: str
    kind: InputKind
    url: str | None = None
    html: str | None = None
    text: str | None = None
    title: str | None = None
    published: str | None = None  # as given by the input (feed, JSONL); parsed in extraction
    source: str | None = None
    authors: tuple[str, ...] = ()
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of the news-specific clean-up of an article body."""

    text: str
    caption: str | None = None
    dateline_place: str | None = None
    dateline_outlet: str | None = None
    author_bio: str | None = None
    byline: str | None = None  # the name in a closing "Author: …" line
    machine_written: bool = False
    removed: tuple[tuple[str, str], ...] = ()  # (rule, removed text), for debugging and tests


@dataclass(frozen=True, slots=True)
class Article:
    """One news item after extraction and clean-up."""

    article_id: str
    input_id: str
    input_ref: str
    text: str
    text_hash: str
    url: str | None = None
    external_id: str | None = None
    source: str | None = None  # source_id: the outlet's domain, or a slug of its name
    source_name: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    language: str | None = None
    caption: str | None = None
    dateline_place: str | None = None
    author_bio: str | None = None
    machine_written: bool = False
    word_count: int = 0
    dateline_outlet: str | None = None  # the wire a dateline named ("DUBAI, Feb 21 (Reuters) -" → Reuters)


@dataclass(frozen=True, slots=True)
class Source:
    """An outlet: ``source_id`` is its registered domain when known, else a slug of its name."""

    source_id: str
    name: str
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """Why one input or record was skipped. Stored, never dropped silently."""

    input_ref: str
    code: str
    detail: str
    stage: str
    input_id: str | None = None
    at: datetime = field(default_factory=datetime.now)

    @property
    def error_id(self) -> str:
        return content_id(self.input_ref, self.code, self.stage)


@dataclass(frozen=True, slots=True)
class PageContent:
    """Main text and metadata read from one HTML page, before the news-specific clean-up."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO date string as found in the page
    sitename: str | None = None
    url: str | None = None  # canonical URL declared by the page, when it declares one


@dataclass(frozen=True, slots=True)
class Relay:
    """One outlet an article carries (``relays.find``), the kind of evidence — ``dateline``, ``tag``, ``credit``,
    ``byline``, ``site`` (the article reproduces that outlet's report), ``cited``, ``speaker``, ``told`` (it cites
    the outlet), ``copy`` (the outlet of the article it copies) — and where (character offsets; -1 when it is not
    in the text)."""

    outlet: str
    marker: str
    start: int = -1
    end: int = -1

    @property
    def is_wire(self) -> bool:
        """Whether the marker says the article reproduces this outlet's report (not merely cites it)."""
        return self.marker in {"dateline", "tag", "credit", "byline", "site"}


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who said what in one article: a speaker, a cue and the content span, with the chain it is reported through.

    ``start``/``end`` are character offsets of the content in the article text; a split quote ("A," he said, "B.")
    is one attribution whose ``content`` joins its fragments and whose offsets cover them all. ``parent_id`` is the
    attribution this one reaches us through (Reuters → "six separate sources"); ``speaker_kind`` ``implicit`` marks
    what the article asserts in its own voice, attributed to its outlet.
    """

    attribution_id: str
    article_id: str
    speaker: str | None  # the source span as written ("he", "Reuters news agency")
    speaker_name: str | None  # normalised full name ("Ned Price"), or the description of an anonymous source
    speaker_kind: SpeakerKind
    content: str
    start: int
    end: int
    direct: bool = False
    cue: str | None = None
    speaker_role: str | None = None
    speaker_affiliation: str | None = None
    anonymous_count: int | None = None
    parent_id: str | None = None
    reported_to: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """One check-worthy clause of one article with its event fields: actor → event → target, what and how many,
    when and where, how firmly it is stated, and the attribution that carries it.

    ``start``/``end`` are character offsets of the clause in the article text. ``actor`` and ``target`` are
    normalised names ("Iran's government" for "Tehran"; several joined by "; "), their codes ISO 3166 alpha-3 (or
    IGO / NGO / IMG). ``quantity`` is the lower value, ``quantity_max`` the upper one of a range or vague amount.
    ``date`` is the first day of the period named, at ``date_precision``; it is null when the text cannot be
    resolved, and ``date_text`` keeps what was written.
    """

    claim_id: str
    article_id: str
    text: str
    start: int
    end: int
    event_type: str
    modality: str  # denied | negated | hedged | future | reported | asserted
    trigger: str | None = None
    actor: str | None = None
    actor_code: str | None = None
    actor_kind: str | None = None  # country | government | organization | person | group
    actor_role: str | None = None
    target: str | None = None
    target_code: str | None = None
    object: str | None = None
    quantity: float | None = None
    quantity_approx: str | None = None  # around | at least | over | up to | under | hundreds | dozens | ...
    quantity_max: float | None = None
    quantity_text: str | None = None
    unit: str | None = None
    date: _Date | None = None
    date_text: str | None = None
    date_precision: str | None = None  # day | week | month | year
    place: str | None = None
    attribution_id: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A cluster of articles about the same real-world event or development."""

    story_id: str
    title: str | None  # the title of its first article
    first_published: date | None
    last_published: date | None
    n_articles: int
    n_outlets: int


@dataclass(frozen=True, slots=True)
class ClaimGroup:
    """The same claim across articles of one story: its wording (that of ``claim_id``), its verdict and counts.

    ``verdict`` is ``contested`` when a member contradicts it (a denial, a negation or a conflicting amount),
    else ``corroborated`` with two or more independent origins, ``single-origin`` with one, ``unattributed`` with
    none.
    """

    group_id: str
    story_id: str
    claim_id: str
    claim: str
    verdict: str  # corroborated | single-origin | contested | unattributed
    n_articles: int
    n_outlets: int
    n_origins: int


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One claim of a group, with its stance toward the group's claim and why (for a contradiction)."""

    group_id: str
    claim_id: str
    article_id: str
    stance: str  # supports | contradicts | discusses
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """One independent origin of a group: the root of its members' attribution chains after copies and relays are
    collapsed. ``via`` names the outlets that relayed it; ``claim_id`` is one member that rests on it (evidence)."""

    group_id: str
    name: str
    kind: str  # outlet | person | official | organization | document | anonymous
    anonymous_count: int | None
    via: str | None
    claim_id: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A piece of text that made a profile decision, with its offsets in the article text (evidence)."""

    kind: str  # first-person | evaluative | rhetorical | section | ai-byline | lifted | cites-outlet | relay
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArticleProfile:
    """What one article is: its genre, whether a machine wrote it, whether it is derivative of other outlets, and
    how well it attributes what it says.

    ``n_claims`` counts the article's claims; ``n_attributed`` those resting on a named or anonymous speaker rather
    than the article's own voice; ``n_no_origin`` those in no claim group with an origin and not attributed.
    ``derived_from`` names the other outlets whose reporting or quotes the article carries (``n_lifted`` claims).
    """

    article_id: str
    genre: str  # news | opinion | analysis
    genre_score: float  # opinion evidence per 100 words (README: how profiles are made)
    cues: tuple[Cue, ...]
    machine_written: bool
    machine_evidence: str | None
    derivative: bool
    derived_from: tuple[str, ...]
    n_lifted: int
    n_claims: int
    n_attributed: int
    n_named: int
    n_anonymous: int
    n_no_origin: int

    @property
    def attribution_density(self) -> float | None:
        return self.n_attributed / self.n_claims if self.n_claims else None

    @property
    def named_share(self) -> float | None:
        said = self.n_named + self.n_anonymous
        return self.n_named / said if said else None

    @property
    def anonymous_share(self) -> float | None:
        said = self.n_named + self.n_anonymous
        return self.n_anonymous / said if said else None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of one stored article's text that supports a statement: ``text[start:end]`` of ``article_id``."""

    article_id: str
    outlet: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BriefSentence:
    """One sentence of a briefing: drawn from a claim of the story, with the spans it rests on.

    ``kind`` is the claim group's verdict, or ``denial`` for a contradicting statement; ``note`` is the bracketed
    citation printed after the sentence ("single origin: Reuters (six separate sources); relayed by 4 outlets").
    """

    text: str
    kind: str  # corroborated | single-origin | contested | denial | unattributed
    note: str
    group_id: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Briefing:
    """A short cited summary of one story: every sentence is a claim of the story with its evidence."""

    story_id: str
    title: str | None
    first_published: date | None
    last_published: date | None
    n_articles: int
    n_outlets: int
    sentences: tuple[BriefSentence, ...]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One point on a story's timeline: a claim group (``kind`` ``group``) or a dated claim in no group (``claim``).

    ``date`` is the earliest date the claims state (``dated_by`` ``claim``, at ``date_precision``), else for a group
    the earliest publication of a member (``dated_by`` ``published``); ``None`` when neither is known. ``claim_id``
    and ``article_id`` point at the evidence: the group's claim, or the claim itself.
    """

    story_id: str
    kind: str  # group | claim
    item_id: str  # group_id or claim_id
    claim_id: str
    article_id: str
    text: str
    event_type: str
    modality: str
    verdict: str | None  # the group's verdict; None for a claim that is in no group
    n_outlets: int
    date: _Date | None
    date_precision: str | None  # day | week | month | year, or None when dated by publication
    dated_by: str | None  # claim | published
