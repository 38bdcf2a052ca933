"""Attribution: who said what, how, and through whom it reaches us.

For each article we find every attribution -- a source span (who), a cue ("said", "according to", "citing") and a
content span (what) -- and resolve the source to a typed speaker (:mod:`newstrace.speakers`). The rules work on a
parsed spaCy Doc, in this order:

1. **Direct quotes.** Quotation marks are paired over the whole text (:func:`quote_spans`), so a quote may span
   sentences and paragraphs. A quote takes the cue verb right after it (``"…," Price said``) or the one it hangs
   from before it (``Taleblu describes "…"``); a second quote right after that cue continues it (a split quote).
   A quote with no cue of its own is signed (``“…” ― Sonya Herridge``) or continues the speaker of the quote
   just before it. A line that opens with a name and a colon is what that name said (``PENCE: …``).
2. **Reported speech.** A cue verb from :data:`CUE_VERBS` with a clausal complement (``X said (that) …``, ``…,
   analysts say``), a direct object for verbs such as *confirm* and *deny*, or a parenthetical attachment; and
   ``according to X``. The source is the verb's subject -- a relative pronoun (``Budanov, who suggested …``) is
   kept as the span, as PolNeAR marks it, and its speaker is the noun it stands for -- or the subject of the verb
   it depends on (``…, adding that …``).
3. **Chains.** ``X, citing Y, reported …`` and ``X reported, citing Y, that …`` add Y's attribution with X's as
   parent, and Y is listed first so content they share is credited to Y; ``It cited Y, who said …``
   makes X the parent of Y; ``Its sources said`` is reported through the outlet "its" refers to; an attribution
   whose cue lies inside another's content ("the Journal noted how officials claim …") is reported through it.
4. **The article's own voice.** Every other sentence that states something is attributed to the article's outlet
   as an ``implicit`` speaker, so unattributed claims can be counted later.

The trained span tagger (:mod:`newstrace.spans`) reads what the rules found as features and proposes source,
cue and content spans as PolNeAR's annotators mark them; when ``settings.span_model`` is on and its weights are
installed, its proposals come first and the rules complete them (:func:`merge`): the quote a cue introduces,
whom the speaker told, a missing source or content, and the attributions the tagger has no span for (nested
ones among them). Chains are linked after the merge.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from . import nlp
from .errors import ErrorCode
from .models import Article, Attribution, ErrorRecord, content_id
from .settings import Settings
from .speakers import Registry, Speaker, describe

log = logging.getLogger(__name__)

# Lemmas of verbs that introduce what someone said, wrote, thought or found. Drawn from the most frequent cues
# in the PolNeAR training split (said, told, added, wrote, asked, noted, reported, …) plus the verbs the seed
# articles use (estimated, suggested, described, explained).
CUE_VERBS = frozenset(
    """say tell add write ask note report announce suggest show find tweet describe argue think continue explain
    believe acknowledge declare accuse urge recall conclude claim respond agree state insist warn reply reveal
    predict confirm deny estimate admit allege assert indicate mention comment emphasize stress caution
    testify observe contend maintain concede disclose proclaim vow promise pledge complain remark tout boast
    lament speculate hint signal insist recount quip joke charge counter retort acknowledge affirm reiterate
    repeat announce post blog fear hope expect question dispute dismiss reject deny criticize praise blame""".split()
)
# Of those, the verbs whose direct object can be what was said ("Iran denied the report").
OBJECT_CUES = frozenset(
    ["confirm", "deny", "describe", "announce", "report", "estimate", "predict", "reveal", "acknowledge", "admit"]
)
# Verbs of citing: "X, citing Y, reported …" and "It cited Y, who said …".
CITE_VERBS = frozenset({"cite"})
# Tags of relative pronouns: in "Budanov, who said …" and "Meridian Wire, which reported …" the speaker is the noun
# the clause hangs from.
RELATIVE_TAGS = frozenset({"WP", "WDT"})
# Words that open an adverbial clause and that the parser sometimes reads as a preposition ("as Ukraine's air force
# said …"): see _stranded_subject.
SUBORDINATORS = frozenset({"as", "after", "before", "while", "because", "since", "when", "until", "though"})
# Verbs whose object or "to" phrase is who the speaker spoke to ("told CNBC", "explained to journalists").
TOLD_VERBS = frozenset(["tell", "explain", "say", "speak", "write", "describe", "confirm", "deny", "add"])

# Common nouns that can be who a speaker spoke to ("explained to journalists").
LISTENER_NOUNS = frozenset(
    """journalist reporter press lawmaker committee audience crowd supporter congress senator official
    interviewer host newspaper agency network paper outlet broadcaster television station radio magazine
    channel student voter donor delegate parliament panel""".split()
)

OPENING = "“„«"
CLOSING = "”»"
STRAIGHT = '"'
MAX_QUOTE_CHARS = 3000  # a longer "quote" is a pairing error (a stray mark), not a quotation
MIN_QUOTE_WORDS = 3  # shorter quoted phrases are scare quotes or titles, part of reported speech at most
MIN_IMPLICIT_WORDS = 4
INDEFINITE = frozenset({"a", "an", "another", "one", "some", "any"})
_PARAGRAPH = re.compile(r"\n\s*\n")
DASHES = frozenset("―—–") | {"--"}
# First words of "Label: …" lines that name no speaker.
LINE_LABELS = frozenset(
    "update updated note editor photo photos watch related read video image credit caption listen click see "
    "advertisement correction disclosure source sources ap reuters".split()
)


@dataclass
class Found:
    """One attribution found in a Doc, as token spans; turned into an :class:`Attribution` record later."""

    cue: Span | None
    source: Span | None
    content: list[Span]
    direct: bool
    reported_to: Span | None = None
    parent: Found | None = None
    via: Span | None = None  # whose report this reaches us through, before resolution ("It" in "It cited …")
    inherit: bool = False  # a quote with no cue: same speaker as the quote before
    implicit: bool = False
    speaker: Speaker | None = None
    origin: str = "rule"  # which rule found it, for debugging and the benchmark

    @property
    def start(self) -> int:
        return min(span.start_char for span in self.content)

    @property
    def end(self) -> int:
        return max(span.end_char for span in self.content)

    @property
    def anchor(self) -> int:
        """Where the attribution is stated: its cue, else its content."""
        return self.cue.start if self.cue is not None else self.content[0].start


# --------------------------------------------------------------------------------------------------- quotes


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations, quote marks included, in text order; linear in the length of the text.

    Curly and guillemet marks pair by direction; straight marks alternate. A quote left open at the end of a
    paragraph continues when the next paragraph opens with a quote mark (the news convention for a quotation
    over several paragraphs); otherwise it is dropped as unbalanced, as is any closing mark with no opening.
    """
    out: list[tuple[int, int]] = []
    open_at = -1
    for index, char in enumerate(text):
        if char not in OPENING and char not in CLOSING and char != STRAIGHT:
            continue
        if open_at >= 0 and index - open_at > MAX_QUOTE_CHARS:
            open_at = -1  # too long to be a quotation: the opening mark was stray
        opening = char in OPENING or (char in CLOSING + STRAIGHT and open_at < 0 and _opens_line(text, index))
        opening = opening or (char == STRAIGHT and open_at < 0)
        if opening:
            if open_at >= 0 and not (_continues(text, open_at, index) and _PARAGRAPH.search(text, open_at, index)):
                open_at = -1  # the earlier mark was never closed
            if open_at < 0:
                open_at = index
            continue
        if open_at < 0:
            continue  # a stray closing mark
        if not _continues(text, open_at, index):
            open_at = -1  # the quote was left open at a paragraph end: this closing mark is stray
            continue
        if index + 1 - open_at <= MAX_QUOTE_CHARS:
            out.append((open_at, index + 1))
        open_at = -1
    return out


def _opens_line(text: str, index: int) -> bool:
    """A mark at the start of a line, right before a word: an opening mark even when typed as a closing one
    (``”Mr. Trump embodies …”``)."""
    return (index == 0 or text[index - 1] == "\n") and index + 1 < len(text) and text[index + 1].isalnum()


def _continues(text: str, open_at: int, index: int) -> bool:
    """A quote opened at ``open_at`` is still open at ``index`` when every paragraph break between them is followed
    by an opening mark (a quotation running over several paragraphs)."""
    breaks = list(_PARAGRAPH.finditer(text, open_at, index))
    return all(b.end() < len(text) and text[b.end()] in OPENING + STRAIGHT for b in breaks)


def quotations(doc: Doc) -> list[Span]:
    spans = []
    for start, end in quote_spans(doc.text):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and sum(1 for t in span if t.is_alpha) >= MIN_QUOTE_WORDS:
            spans.append(span)
    return spans


def _inner(span: Span) -> Span:
    """The quote without its marks and the punctuation just inside them."""
    start, end = span.start, span.end
    while start < end and (span.doc[start].is_quote or span.doc[start].is_punct):
        start += 1
    while end > start and (span.doc[end - 1].is_quote or span.doc[end - 1].is_punct):
        end -= 1
    return span.doc[start:end] if end > start else span


# --------------------------------------------------------------------------------------------------- patterns


def is_cue(token: Token) -> bool:
    """A verb of saying from the lexicon, or "point out"."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    lemma = token.lemma_.lower()
    if lemma == "point":
        return any(c.dep_ == "prt" and c.lower_ == "out" for c in token.children)
    return lemma in CUE_VERBS


def _trim(doc: Doc, start: int, end: int) -> Span | None:
    """``doc[start:end]`` without punctuation and spaces at either end (quote marks are kept when paired)."""
    while start < end and (
        doc[start].is_punct and not doc[start].is_quote or doc[start].is_space or doc[start].text in CLOSING
    ):
        start += 1
    while end > start and (
        doc[end - 1].is_punct and not doc[end - 1].is_quote or doc[end - 1].is_space or doc[end - 1].text in OPENING
    ):
        end -= 1
    while (
        end > start
        and doc[end - 1].is_quote
        and doc[end - 1].text in CLOSING + STRAIGHT
        and not _has_open(doc, start, end - 1)
    ):
        end -= 1  # a closing mark whose opening lies outside the span
    while (
        start < end
        and doc[start].is_quote
        and doc[start].text in OPENING + STRAIGHT
        and not _has_close(doc, start + 1, end)
    ):
        start += 1
    return doc[start:end] if end > start else None


def _has_open(doc: Doc, start: int, end: int) -> bool:
    return any(doc[i].text in OPENING + STRAIGHT for i in range(start, end))


def _has_close(doc: Doc, start: int, end: int) -> bool:
    return any(doc[i].text in CLOSING + STRAIGHT for i in range(start, end))


def _source_of(verb: Token) -> Span | None:
    """Who speaks through ``verb``: its subject, the noun a relative clause hangs from, or the subject of the verb
    it depends on ("…, adding that …")."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.dep_ != "nsubjpass":
            if child.tag_ in RELATIVE_TAGS and verb.dep_ == "relcl":
                return verb.doc[child.i : child.i + 1]  # "who said": resolved to the noun it stands for later
            return _source_span(child)
    if verb.dep_ == "relcl":
        if any(child.dep_ == "auxpass" for child in verb.children):
            return None  # "grants, which are expected to …": the noun is what is expected, not who expects it
        return _antecedent(verb)
    if verb.dep_ == "advcl":
        stranded = _stranded_subject(verb)
        if stranded is not None:
            return stranded
    if verb.dep_ in ("advcl", "xcomp", "conj", "pcomp") and verb.head.pos_ in ("VERB", "AUX"):
        for child in verb.head.children:
            if child.dep_ == "nsubj":
                return _source_span(child)
    return None


def _antecedent(verb: Token) -> Span | None:
    """The noun phrase a relative clause hangs from, without the clause: "Meridian Wire" in "Meridian Wire, which
    reported …"."""
    head = verb.head
    stop = min([verb.left_edge.i, *(t.i for t in verb.children if t.tag_ in RELATIVE_TAGS)])
    if head.i >= stop:
        return None
    return _trim(verb.doc, head.left_edge.i, stop)


def _relative_antecedent(source: Span) -> Span | None:
    """For a source that is a relative pronoun ("who", "which", "that" as the subject of a relative clause), the
    noun phrase it stands for. PolNeAR marks the pronoun itself as the source, so the span stays the pronoun and
    only the speaker is resolved through this."""
    if len(source) != 1 or source[0].tag_ not in RELATIVE_TAGS or source[0].head.dep_ != "relcl":
        return None
    return _antecedent(source[0].head)


def _stranded_subject(verb: Token) -> Span | None:
    """The subject of an adverbial clause that the parser hung from a preposition: in "The report landed as
    Ukraine's air force said …" it reads "as" as a preposition with object "air force" and leaves "said" with no
    subject, so the main clause's subject ("The report") would be taken for the speaker. The noun phrase that ends
    right before the verb (or its auxiliaries), as the object of a subordinating word, is the real subject."""
    doc = verb.doc
    start = min([verb.i, *(c.i for c in verb.children if c.i < verb.i and c.dep_ in ("aux", "neg", "advmod"))])
    if start == 0:
        return None
    token = doc[start - 1]
    while token.dep_ != "pobj" and token.head.i != token.i and token.head.i < start:
        token = token.head
    if (
        token.dep_ != "pobj"
        or token.pos_ not in ("NOUN", "PROPN")
        or token.right_edge.i != start - 1
        or token.head.lower_ not in SUBORDINATORS
    ):
        return None
    return _source_span(token)


def _source_span(token: Token) -> Span | None:
    """The subject phrase, without a relative clause or a "citing …" phrase hanging from it."""
    end = token.right_edge.i + 1
    for child in token.children:
        if child.dep_ == "relcl" and child.i > token.i:
            end = min(end, child.left_edge.i)
        if child.dep_ == "acl" and child.i > token.i and child.lemma_.lower() in CITE_VERBS:
            end = min(end, child.left_edge.i)  # "The news agency, citing six unnamed sources,": the agency
    start = token.left_edge.i
    while start < token.i and token.doc[start].tag_ in ("WRB", "IN", "CC", "WDT"):
        start += 1  # "how senior officials …", "that analysts …"
    return _trim(token.doc, start, end)


def _cue_span(verb: Token) -> Span:
    """The verb with its particle ("point out")."""
    end = verb.i + 1
    for child in verb.children:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return verb.doc[verb.i : end]


def _reported_to(verb: Token) -> Span | None:
    """Whom the speaker told: ``told CNBC``, ``told an on-line journal, The War Zone``, ``explained to
    journalists``, ``said in an interview with CNN``."""
    if verb.lemma_.lower() not in TOLD_VERBS:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "dative") and verb.lemma_.lower() == "tell" and child.pos_ in ("NOUN", "PROPN"):
            return _listener(child)
        if child.dep_ == "prep" and child.lower_ in ("to", "with") and not child.is_quote:
            for pobj in child.children:
                if pobj.dep_ == "pobj" and (pobj.pos_ == "PROPN" or pobj.lemma_.lower() in LISTENER_NOUNS):
                    return _listener(pobj)
        if child.dep_ == "prep" and child.lower_ == "in":
            for pobj in child.children:
                if pobj.lemma_ == "interview":
                    for prep in pobj.children:
                        if prep.dep_ == "prep" and prep.lower_ == "with":
                            for name in prep.children:
                                if name.dep_ == "pobj":
                                    return _listener(name)
    return None


def _listener(token: Token) -> Span | None:
    for child in token.children:  # "an on-line journal, The War Zone": the name, not the description
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return _trim(token.doc, child.left_edge.i, child.right_edge.i + 1)
    end = token.right_edge.i + 1
    for child in token.children:
        if child.dep_ in ("prep", "relcl", "acl") and child.i > token.i and child.lower_ not in ("of",):
            end = min(end, child.left_edge.i)
    return _trim(token.doc, token.left_edge.i, end)


# --------------------------------------------------------------------------------------------------- the rules


def find_attributions(doc: Doc, proposals: Sequence[Found] = ()) -> list[Found]:
    """Every attribution in ``doc`` in text order, speakers unresolved; ``proposals`` come from a span tagger and
    are kept where the rules found nothing at the same cue."""
    return merge(doc, rule_attributions(doc), proposals)


def rule_attributions(doc: Doc) -> list[Found]:
    """What the patterns alone find -- direct quotes, reported speech, "according to" -- before any tagger
    proposal is merged and before chains are linked. The span tagger reads these as features (:mod:`.spans`)."""
    found: list[Found] = []
    used: set[int] = set()  # token indices of cues already used
    quotes = quotations(doc)
    in_quote = [False] * len(doc)
    for quote in quotes:
        for i in range(quote.start, quote.end):
            in_quote[i] = True
    _direct_quotes(doc, quotes, found, used, in_quote)
    _reported_speech(doc, found, used, in_quote)
    _according_to(doc, found, used)
    _speaker_lines(doc, found, used)
    return found


def merge(doc: Doc, rules: list[Found], proposals: Sequence[Found] = ()) -> list[Found]:
    """The attributions of ``doc`` in text order, chains linked: the tagger's proposals completed by the rules
    (:func:`_tagger_first`), or the rules alone when there are no proposals."""
    found = _tagger_first(doc, rules, proposals) if proposals else [replace(r, content=list(r.content)) for r in rules]
    found.sort(key=lambda f: (f.anchor, f.start))
    _chains(doc, found)
    return found


def _tagger_first(doc: Doc, rules: list[Found], proposals: Sequence[Found]) -> list[Found]:
    """The tagger's attributions, each completed from the rule that found the same cue (:func:`_completed`), plus
    every rule attribution whose cue and content the tagger did not touch, or whose cue lies inside a tagged
    content (a nested attribution, which PolNeAR-trained tagging never proposes).

    The tagger comes first because it learned where annotators start and stop a span, which the parse subtree
    only approximates; on PolNeAR dev, tagger first vs rules first with the tagger's bounds adopted where both
    found a cue: source exact F1 73.5 vs 71.7, cue 71.2 vs 66.8, content 51.6 vs 45.4 (measured with the
    tagger trained without hints)."""
    quotes = quotations(doc)
    claimed = [c for r in rules if r.direct and r.cue is not None for c in r.content]  # quotes the rules gave a cue
    found = []
    for proposal in proposals:
        if proposal.cue is None or proposal.cue.root.lemma_.lower() in CITE_VERBS:
            continue  # "citing" links a chain: see _chains
        twin = next((r for r in rules if r.cue is not None and _overlaps(r.cue, proposal.cue)), None)
        item = _completed(doc, proposal, twin, claimed, quotes)
        if item is not None:
            found.append(item)
    tagged = list(found)
    for rule in rules:
        if rule.cue is not None and any(_overlaps(rule.cue, f.cue) for f in tagged if f.cue is not None):
            continue
        sharing = [
            f for f in tagged if any(_overlaps(a, b) and not _nested(rule, a) for a in f.content for b in rule.content)
        ]
        if sharing and not (rule.origin == "quote" and len(sharing) == 1):
            continue
        item = replace(rule, content=list(rule.content))
        if sharing and _wraps(sharing[0], item):  # the outer content is now all the inner one says, and who said it
            outer = sharing[0]
            parts = [*outer.content, *item.content, *(s for s in (item.cue, item.source) if s is not None)]
            whole = _trim(doc, min(p.start for p in parts), max(p.end for p in parts))
            outer.content = [whole] if whole is not None else outer.content
            item.parent = outer
        found.append(item)
    _nest_as_rules_do(rules, found)
    return found


def _completed(doc: Doc, proposal: Found, twin: Found | None, claimed: list[Span], quotes: list[Span]) -> Found | None:
    """A tagger proposal completed from ``twin`` (the rule attribution at the same cue, if any) and the parse:

    * content: the tagger's bounds, except that a direct quote the rule paired keeps its marks' bounds when the
      tagger took only a sentence of it or ran into a quotation the rules gave another cue ("…,” he added);
      a cue with no tagged content takes the rule's, else what the parse says the verb reports, else the rest
      of its clause (:func:`_untagged_content`); with none of these the proposal is dropped;
    * direct: the content lies inside quotation marks;
    * source: the tagger's, else the rule's, else the cue verb's subject; whom it was told to: the rule's."""
    assert proposal.cue is not None
    item = replace(proposal, content=list(proposal.content))
    if (
        twin is not None
        and twin.direct
        and (_strays(item.content, twin.content, claimed) or _within(item.content, twin.content))
    ):
        item.content, item.direct = list(twin.content), True
    elif item.content:
        item.direct = all(any(q.start <= c.start and c.end <= q.end for q in quotes) for c in item.content)
    else:
        item.content = list(twin.content) if twin is not None else _untagged_content(doc, item)
        if not item.content:
            return None
        item.direct = twin.direct if twin is not None else all(_is_quoted(c) for c in item.content)
    if twin is not None:
        item.reported_to = twin.reported_to
        if item.source is None and twin.source is not None and not any(_overlaps(twin.source, c) for c in item.content):
            item.source = twin.source
    if item.source is None:
        item.source = _subject_outside(item)
    return item


def _wraps(outer: Found, inner: Found) -> bool:
    """``"…," Okonjo said, according to Meridian Wire``: an attribution whose cue follows another's in the same
    sentence, over the same quote, is the one the quote reaches us through (the tagger, trained on one layer of
    attributions, proposes only the outer one)."""
    assert inner.cue is not None
    return outer.cue is not None and outer.cue.start > inner.cue.start and outer.cue.sent == inner.cue.sent


def _nest_as_rules_do(rules: list[Found], found: list[Found]) -> None:
    """Keep the rules' nesting ("The Journal noted how senior officials claim …": the claim is reported through
    the Journal) where the tagger, trained on one layer of attributions, cut the outer content short."""

    def merged(rule: Found) -> Found | None:
        assert rule.cue is not None
        return next((f for f in found if f.cue is not None and _overlaps(f.cue, rule.cue)), None)

    for outer in rules:
        for inner in rules:
            if inner is outer or inner.cue is None or outer.cue is None:
                continue
            if any(c.start <= inner.cue.start and inner.cue.end <= c.end for c in outer.content):
                parent, child = merged(outer), merged(inner)
                if parent is not None and child is not None and child is not parent and child.parent is None:
                    child.parent = parent


def _nested(rule: Found, content: Span) -> bool:
    """Whether a rule's attribution is reported inside another's content ("The Journal noted how senior officials
    claim …"): PolNeAR marks one layer only, so the tagger never proposes the inner one; the rules do."""
    return rule.cue is not None and content.start <= rule.cue.start and rule.cue.end <= content.end


def _within(tagged: list[Span], quoted: list[Span]) -> bool:
    """Whether the tagged content is part of the rule's quotation and shorter (one sentence of a longer quote)."""
    inside = all(any(q.start <= t.start and t.end <= q.end for q in quoted) for t in tagged)
    return bool(tagged) and inside and sum(len(t) for t in tagged) < sum(len(_inner(q)) for q in quoted)


def _strays(tagged: list[Span], quoted: list[Span], claimed: list[Span]) -> bool:
    """Whether tagged content runs into a quotation that a rule gave another cue (the same speaker's next quote,
    "…,” he added)."""
    others = [q for q in claimed if not any(_overlaps(q, mine) for mine in quoted)]
    return any(_overlaps(t, q) for t in tagged for q in others)


def _untagged_content(doc: Doc, item: Found) -> list[Span]:
    """Content for a tagged speech cue whose content the tagger missed: the verb's complement, else the longer
    side of its sentence around the cue and source ("…, the source added." / "According to X, …")."""
    assert item.cue is not None
    root = item.cue.root
    if not (is_cue(root) or item.cue[0].lower_ == "according"):
        return []  # "boarded", "published": not speech, and the tagger found nothing said
    content = _content_of(root) if is_cue(root) else []
    if content:
        return content
    sentence = item.cue.sent
    left, right = item.cue.start, item.cue.end
    if item.source is not None and item.source.sent == sentence:
        left, right = min(left, item.source.start), max(right, item.source.end)
    sides = [s for s in (_trim(doc, sentence.start, left), _trim(doc, right, sentence.end)) if s is not None]
    best = max(sides, key=lambda s: sum(1 for t in s if t.is_alpha), default=None)
    return [best] if best is not None and sum(1 for t in best if t.is_alpha) >= 3 else []


def _subject_outside(proposal: Found) -> Span | None:
    """The cue verb's subject for a tagger proposal that found no source, unless it overlaps the content: the
    tagger misses long subjects ("Iran's Foreign Ministry spokesman Hossein Karimi on Friday dismissed …")."""
    assert proposal.cue is not None
    source = _source_of(proposal.cue.root) if is_cue(proposal.cue.root) else None
    if source is None or any(_overlaps(source, c) for c in proposal.content):
        return None
    return source


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _direct_quotes(doc: Doc, quotes: list[Span], found: list[Found], used: set[int], in_quote: list[bool]) -> None:
    taken: set[int] = set()  # quotes already made part of an attribution (second half of a split quote)
    for number, quote in enumerate(quotes):
        if number in taken:
            continue
        verb = _cue_after(doc, quote, in_quote) or _cue_before(doc, quote, in_quote)
        signed = _signature(doc, quote) if verb is None else None
        if signed is not None:
            dash, name = signed
            used.add(dash.start)
            quoted = quote if dash.start >= quote.end else doc[quote.start : dash.start]
            found.append(Found(dash, name, [quoted], True, origin="signed quote"))
            continue
        if verb is None:
            previous = found[-1] if found and found[-1].direct else None
            whole = _starts_sentence(doc, quote) and _ends_sentence(doc, quote)
            if whole and previous is not None and _near(doc, previous.end, quote.start_char):
                found.append(Found(None, None, [quote], True, inherit=True, origin="continued quote"))
            continue
        content = [quote]
        if number + 1 < len(quotes) and verb.i > quote.start and _continues_quote(doc, verb, quotes[number + 1]):
            content.append(quotes[number + 1])
            taken.add(number + 1)
        used.add(verb.i)
        cue = _cue_span(verb)
        found.append(Found(cue, _source_of(verb), content, True, _reported_to(verb), origin="quote"))


def _cue_after(doc: Doc, quote: Span, in_quote: list[bool]) -> Token | None:
    """``"…," Price said`` / ``"…," said Price`` / ``"…?" he asked.``: a cue verb within the clause after the
    quote, whose subject is also after the quote. A quote that ends its own sentence with a full stop is not
    introduced by what follows it (``… "peace for our time." Chamberlain is now …``)."""
    last = _inner_end(quote)
    if last is not None and last.text in (".", "…", ";", ":"):
        return None
    i = quote.end
    while i < len(doc) and (doc[i].is_punct or doc[i].is_space) and not in_quote[i]:
        i += 1
    limit = min(len(doc), i + 25)
    for j in range(i, limit):
        token = doc[j]
        if in_quote[j] or (token.is_punct and token.text in ".!?;"):
            return None
        if is_cue(token):
            source = _source_of(token)
            if source is not None:  # "listeners to his "Keepin' It Real" program who said": not the quote's cue
                source = _relative_antecedent(source) or source
            if source is not None and source.start >= quote.end and not any(in_quote[k] for k in range(i, j)):
                return token
            return None
    return None


def _inner_end(quote: Span) -> Token | None:
    """The last token inside the quote marks (often the comma or full stop that ends the quotation)."""
    return quote[-2] if len(quote) >= 2 and quote[-1].is_quote else None


def _cue_before(doc: Doc, quote: Span, in_quote: list[bool]) -> Token | None:
    """``Caddell said: "…"`` / ``Taleblu describes "…"`` / ``told CNBC, "…"``: a quote that runs to the end of its
    sentence and follows a cue verb closely (at most a few words between, such as the listener), after a colon
    or comma or as the verb's complement. A short quote inside reported speech ("asked for "increased air
    defense," which …") is not one."""
    if not _ends_sentence(doc, quote):
        return None
    sentence = doc[quote.start].sent
    before = doc[quote.start - 1] if quote.start > 0 else None
    for j in range(quote.start - 1, max(sentence.start, quote.start - 8) - 1, -1):
        token = doc[j]
        if in_quote[j]:
            return None
        if is_cue(token):
            inside = token.left_edge.i <= quote.start and quote.start <= token.right_edge.i
            after_mark = before is not None and before.text in (":", ",")
            if (inside or after_mark) and _source_of(token) is not None:
                return token
            return None
    return None


def _starts_sentence(doc: Doc, quote: Span) -> bool:
    """Only punctuation or space precedes the quote in its sentence."""
    sentence = doc[quote.start].sent
    return all(t.is_punct or t.is_space for t in doc[sentence.start : quote.start])


def _ends_sentence(doc: Doc, quote: Span) -> bool:
    """Nothing but punctuation follows the quote before the sentence (or the text) ends."""
    sentence_end = doc[quote.end - 1].sent.end
    i = quote.end
    while i < len(doc) and (doc[i].is_punct or doc[i].is_space) and doc[i].text not in OPENING:
        if doc[i].text in ".!?" or "\n" in doc[i].text:
            return True
        i += 1
    return i >= len(doc) or i >= sentence_end or doc[i].is_sent_start is True


def _continues_quote(doc: Doc, verb: Token, following: Span) -> bool:
    """The next quote continues a split quote when it follows the cue clause in the same sentence, separated by
    a comma (``"A," Price said, "B."``)."""
    if following.start - verb.i > 12 or doc[following.start].sent.start != verb.sent.start:
        return False
    gap = doc[verb.i + 1 : following.start]
    return any(t.text in (",", ":") for t in gap) and not any(t.text in ".!?;" for t in gap)


def _near(doc: Doc, end_char: int, start_char: int) -> bool:
    """Two positions are in the same or the next paragraph and at most two sentences apart."""
    between = doc.text[end_char:start_char]
    return len(_PARAGRAPH.findall(between)) <= 1 and len(re.findall(r"[.!?][”\"]?\s", between)) <= 2


def _reported_speech(doc: Doc, found: list[Found], used: set[int], in_quote: list[bool]) -> None:
    for token in doc:
        if token.i in used or not is_cue(token) or in_quote[token.i]:
            continue
        content = _content_of(token)
        if not content:
            continue
        source = _source_of(token)
        if source is not None and any(source.start < c.end and c.start < source.end for c in content):
            continue
        if source is None and token.dep_ != "ROOT" and token.lemma_ in ("say", "tell"):
            continue  # "it is said", an infinitive "to say": no speaker, usually not an attribution
        used.add(token.i)
        direct = all(_is_quoted(c) for c in content)
        found.append(Found(_cue_span(token), source, content, direct, _reported_to(token), origin="verb"))


def _content_of(verb: Token) -> list[Span]:
    """What ``verb`` reports: its clausal complement, a direct object (for :data:`OBJECT_CUES`), or -- for a
    parenthetical "…, Price explained, …" -- the rest of the clause it interrupts."""
    doc = verb.doc
    for child in verb.children:
        if child.dep_ == "ccomp":
            span = _trim(doc, child.left_edge.i, child.right_edge.i + 1)
            if span is not None and sum(1 for t in span if t.is_alpha) >= 2:
                return [span]
    cited = _after_citing(verb)
    if cited is not None:
        return [cited]
    lemma = verb.lemma_.lower()
    if lemma in OBJECT_CUES:
        for child in verb.children:
            if child.dep_ == "dobj" and child.i > verb.i:
                span = _trim(doc, child.left_edge.i, child.right_edge.i + 1)
                if span is not None and sum(1 for t in span if t.is_alpha) >= 2:
                    return [span]
    if verb.dep_ in ("parataxis", "advcl") and verb.head.i < verb.i and verb.head.pos_ in ("VERB", "AUX"):
        head = verb.head
        own = set(range(verb.left_edge.i, verb.right_edge.i + 1))
        parts = []
        before = _trim(doc, head.left_edge.i, verb.left_edge.i)
        if before is not None and before.start < verb.left_edge.i:
            parts.append(before)
        after = _trim(doc, verb.right_edge.i + 1, head.right_edge.i + 1)
        if after is not None and not own & set(range(after.start, after.end)):
            parts.append(after)
        if parts and verb.dep_ == "parataxis":
            return parts
    return []


def _after_citing(verb: Token) -> Span | None:
    """The "that" clause after a "citing" phrase that interrupts the cue: in "Meridian Wire reported, citing six
    sources, that Iran had …" the parser cannot hang the clause from "reported" across the phrase, so it is found
    by position (a comma, "citing …", a comma, then "that")."""
    doc = verb.doc
    i = _cue_span(verb).end
    if i + 1 >= len(doc) or doc[i].text != "," or doc[i + 1].lemma_.lower() not in CITE_VERBS:
        return None
    j = doc[i + 1].right_edge.i + 1
    while j < len(doc) and doc[j].text == ",":
        j += 1
    if j >= len(doc) or doc[j].lower_ != "that" or doc[j].dep_ != "mark" or doc[j].head.i <= j:
        return None
    return _trim(doc, j, doc[j].head.right_edge.i + 1)


def _is_quoted(span: Span) -> bool:
    return span[0].is_quote and span[-1].is_quote


def _according_to(doc: Doc, found: list[Found], used: set[int]) -> None:
    for token in doc:
        if token.lower_ != "according" or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
            continue
        to = doc[token.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"] or [c for c in token.children if c.dep_ == "pobj"]
        if not objects:
            continue
        source = _source_span(objects[0])
        phrase_end = max(token.right_edge.i, objects[0].right_edge.i) + 1
        sentence = token.sent
        if token.i - sentence.start <= 1:
            content = _trim(doc, phrase_end, sentence.end)
        else:
            content = _trim(doc, sentence.start, token.i)
        if content is None or source is None:
            continue
        used.update((token.i, to.i))
        found.append(Found(doc[token.i : token.i + 2], source, [content], False, origin="according to"))


def _signature(doc: Doc, quote: Span) -> tuple[Span, Span] | None:
    """``“…” ― Sonya Herridge``: a quotation signed with a dash and a name that ends the line. Returns the dash
    (the cue) and the name (the source); a closing mark fused with the dash (``”―``) is the cue."""
    i = quote.end
    if len(quote[-1].text) > 1 and quote[-1].text[-1] in DASHES:
        i -= 1
    while i < len(doc) and doc[i].is_space:
        i += 1
    dash = i
    i += 1
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1  # "― Julie" or "―\xa0Julie"
    if i >= len(doc) or doc[dash].text.lstrip(CLOSING + STRAIGHT) not in DASHES or not doc[i].text[:1].isupper():
        return None
    end = i
    while end < len(doc) and "\n" not in doc[end - 1].whitespace_ and not doc[end].is_space and end - i <= 6:
        end += 1
    name = _trim(doc, i, end)
    if name is None or len(name) > 5 or not (end >= len(doc) or doc[end].is_space or "\n" in doc[end - 1].whitespace_):
        return None
    return doc[dash : dash + 1], name


def _speaker_lines(doc: Doc, found: list[Found], used: set[int]) -> None:
    """``WALLACE: Let's start …`` (a transcript) and ``Pat Caddell: Democrat Voters Worried …`` (a headline): a
    line that opens with one to four capitalised words and a colon; what follows, to the line's end, is what they
    said. Labels such as "Update:" or "Photo:" are not speakers."""
    for colon in doc:
        if colon.text != ":" or colon.i in used or colon.i == 0:
            continue
        start = colon.i  # walk back to the line's start, but no further than a speaker's name can reach
        while start > 0 and colon.i - start <= 6 and not _line_ends(doc[start - 1]):
            start -= 1
        if start > 0 and not _line_ends(doc[start - 1]):
            continue
        while start < colon.i and (doc[start].is_space or doc[start].is_quote):
            start += 1
        words = doc[start : colon.i]
        if not 1 <= len(words) <= 4 or not all(t.text[:1].isupper() or t.text in (".", "'s", "’s") for t in words):
            continue
        if words[0].lower_ in LINE_LABELS or not any(t.pos_ == "PROPN" or t.is_upper for t in words):
            continue
        end = colon.i + 1
        while end < len(doc) and not _line_ends(doc[end - 1]) and "\n" not in doc[end].text:
            end += 1
        content = _trim(doc, colon.i + 1, end)
        if content is None or sum(1 for t in content if t.is_alpha) < 3:
            continue
        used.add(colon.i)
        found.append(Found(doc[colon.i : colon.i + 1], words, [content], False, origin="speaker line"))


def _line_ends(token: Token) -> bool:
    """Whether a line break follows ``token`` (in its trailing whitespace, or as the token itself)."""
    return "\n" in token.whitespace_ or "\n" in token.text


def _chains(doc: Doc, found: list[Found]) -> None:
    """Link attributions reported through another: "citing", "It cited …, who …", and nesting."""
    by_cue = {f.cue.root.i: f for f in found if f.cue is not None}
    for token in doc:
        if token.lemma_.lower() not in CITE_VERBS or token.pos_ != "VERB":
            continue
        objects = [c for c in token.children if c.dep_ == "dobj"]
        if not objects:
            continue
        cited = _source_span(objects[0])
        if cited is None:
            continue
        governing = _cited_through(token, by_cue)
        if governing is not None:  # "Reuters, citing six separate sources, reported that …"
            chained = Found(_cue_span(token), cited, list(governing.content), governing.direct, parent=governing,
                            origin="citing")  # fmt: skip
            found.append(chained)
            continue
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        # "It cited Maj. Gen. Kyrylo Budanov, …, who suggested …": Budanov's attribution is reported through "It"
        tree = set(range(objects[0].left_edge.i, objects[0].right_edge.i + 1))
        for other in found:
            if other.source is not None and other.source.start in tree and subjects:
                other.via = _source_span(subjects[0])
    found.sort(key=lambda f: (f.anchor, f.start))
    for inner in found:
        if inner.parent is not None or inner.cue is None or inner.via is not None:
            continue
        for outer in found:
            if outer is inner or outer.cue is None:
                continue
            if any(c.start <= inner.cue.start and inner.cue.end <= c.end for c in outer.content):
                inner.parent = outer
                break


def _cited_through(citing: Token, by_cue: dict[int, Found]) -> Found | None:
    """The attribution a "citing" phrase belongs to: the cue it hangs from ("Reuters, citing …, reported"), the cue
    whose subject it describes ("The news agency, citing …, said"), or the cue just before it ("Meridian Wire
    reported, citing …, that …", where the parser hangs "citing" from a verb inside the content)."""
    head = citing.head
    if citing.dep_ in ("advcl", "xcomp", "conj", "parataxis") and head.i in by_cue:
        return by_cue[head.i]
    if citing.dep_ == "acl" and head.dep_ == "nsubj" and head.head.i in by_cue:
        return by_cue[head.head.i]
    i = citing.left_edge.i - 1
    while i >= 0 and citing.doc[i].is_punct and citing.doc[i].text not in ".!?;":
        i -= 1
    found = next((f for f in by_cue.values() if f.cue is not None and f.cue.end - 1 == i), None)
    if found is not None and any(c.start > citing.i for c in found.content):
        return found
    return None


# --------------------------------------------------------------------------------------------------- speakers


def resolve(doc: Doc, found: list[Found], outlet: str | None) -> list[Found]:
    """Give each attribution its speaker in text order (so later mentions resolve to earlier ones), link chains
    through possessives ("Its sources") and ``via`` subjects, and add the article's own voice."""
    registry = Registry()
    latest: dict[str, Found] = {}  # speaker name → latest attribution by that speaker
    previous: Found | None = None
    for item in sorted(found, key=lambda f: (f.anchor, f.start)):
        if item.inherit and previous is not None:
            item.speaker = previous.speaker
            item.parent = item.parent or previous.parent
        elif item.source is not None:
            antecedent = _relative_antecedent(item.source)
            if antecedent is not None:  # "Meridian Wire, which reported …": the speaker is Meridian Wire
                item.speaker = replace(describe(antecedent, registry), text=item.source.text)
            else:
                item.speaker = describe(item.source, registry)
                _possessive_parent(item, registry, latest)
        if item.via is not None and item.parent is None:
            speaker = describe(item.via, registry)
            if speaker.name in latest:
                item.parent = latest[speaker.name]
        if item.speaker is not None and item.speaker.name:
            latest[item.speaker.name] = item
        if item.direct:
            previous = item
    _name_descriptions(found)
    found.extend(_implicit(doc, found, outlet))
    found.sort(key=_text_order)
    return found


def _text_order(item: Found) -> tuple[int, int, int]:
    """Text order of where attributions are stated, except that sources cited by another ("citing six sources")
    come just before the attribution that cites them: later stages credit content shared by both to the first,
    the original source, whose parent chain then leads to the outlet."""
    if item.origin == "citing" and item.parent is not None:
        return (item.parent.anchor, item.start, 0)
    return (item.anchor, item.start, 1)


def _name_descriptions(found: list[Found]) -> None:
    """A definite description ("Iran's foreign ministry spokesman", "the spokesman") is the one person in the
    article named with that role, even when the name comes later (a lede often names the person only in the
    second paragraph). An indefinite one ("a senior official") is left alone: it is usually someone else."""
    people: dict[str, set[str]] = {}
    full: dict[str, Speaker] = {}
    for item in found:
        speaker = item.speaker
        role = (speaker.role or "").split() if speaker is not None else []
        if speaker is not None and speaker.kind == "person" and speaker.name and role:
            people.setdefault(role[-1].lower(), set()).add(speaker.name)
            known = full.get(speaker.name)
            if known is None or (known.affiliation is None and speaker.affiliation is not None):
                full[speaker.name] = speaker
    for item in found:
        speaker = item.speaker
        if speaker is None or speaker.kind != "anonymous" or speaker.anonymous_count != 1 or item.source is None:
            continue
        names = people.get((speaker.role or "").lower(), set())
        if len(names) != 1 or any(t.dep_ == "det" and t.lower_ in INDEFINITE for t in item.source):
            continue
        person = full[next(iter(names))]
        item.speaker = Speaker(speaker.text, "person", person.name, person.role, person.affiliation)


def _possessive_parent(item: Found, registry: Registry, latest: dict[str, Found]) -> None:
    """``Its sources said``: the sources are reported through the outlet "its" refers to."""
    assert item.source is not None
    for token in item.source:
        if token.dep_ != "poss":
            continue
        if token.pos_ == "PRON":
            owner = registry.last("outlet", "organization") if token.lower_ in ("its", "their") else None
        else:
            owner = registry.named(token.text.rstrip("'’s"), "outlet")
        if owner is not None and owner.name in latest and item.parent is None:
            item.parent = latest[owner.name]
            if item.speaker is not None and item.speaker.affiliation is None:
                item.speaker = Speaker(item.speaker.text, item.speaker.kind, item.speaker.name, item.speaker.role,
                                       owner.name, item.speaker.anonymous_count)  # fmt: skip


def _implicit(doc: Doc, found: list[Found], outlet: str | None) -> Iterator[Found]:
    """Sentences asserted in the article's own voice: not part of any attribution, with a verb and some words."""
    covered = [False] * len(doc)
    for item in found:
        for span in [*item.content, item.source, item.cue]:
            if span is not None:
                for i in range(span.start, span.end):
                    covered[i] = True
    speaker = Speaker(outlet or "the article", "implicit", name=outlet)
    for sentence in doc.sents:
        if any(covered[i] for i in range(sentence.start, sentence.end)):
            continue
        words = sum(1 for t in sentence if t.is_alpha)
        if words < MIN_IMPLICIT_WORDS or not any(t.pos_ in ("VERB", "AUX") for t in sentence):
            continue
        if sentence.text.rstrip().endswith("?"):
            continue  # a question asserts nothing
        span = _trim(doc, sentence.start, sentence.end)
        if span is not None:
            yield Found(None, None, [span], False, implicit=True, speaker=speaker, origin="implicit")


# --------------------------------------------------------------------------------------------------- the stage

VERSION = "4"  # bump when the rules change, so stored articles are attributed again


class Attributor:
    """The attribution stage: loads spaCy (and the span tagger) in ``__init__``; ``__call__`` takes a batch of
    articles and returns their attribution records, plus an error record for each article it had to skip
    (not English: ``E_LANGUAGE``; over ``settings.max_nlp_words``: ``E_TOO_LARGE``; a crash: ``E_NLP_FAILED``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        nlp.load()
        self.tagger = None
        if settings.span_model:
            from .spans import SpanTagger  # the trained tagger is optional: rules work without it

            self.tagger = SpanTagger.load_default()

    def find(self, texts: Sequence[str], outlets: Sequence[str | None] | None = None) -> list[list[Found]]:
        """Attributions (as token spans, speakers resolved) for each text, in order."""
        return [found for _, found in self.read(texts, outlets)]

    def read(self, texts: Sequence[str], outlets: Sequence[str | None] | None = None) -> list[tuple[Doc, list[Found]]]:
        """Each text's parse and its attributions, in order: for later stages that read the same parse."""
        results = []
        for number, doc in enumerate(nlp.parse(texts, self.settings.nlp_chunk_chars)):
            rules = rule_attributions(doc)
            proposals: list[Found] = self.tagger(doc, rules) if self.tagger is not None else []
            outlet = outlets[number] if outlets is not None else None
            results.append((doc, resolve(doc, merge(doc, rules, proposals), outlet)))
        return results

    def __call__(self, articles: Sequence[Article]) -> list[Attribution | ErrorRecord]:
        out: list[Attribution | ErrorRecord] = []
        for result in self.analyse(articles):
            if isinstance(result, ErrorRecord):
                out.append(result)
            else:
                article, doc, found = result
                out.extend(to_records(article.article_id, doc, found))
        return out

    def analyse(self, articles: Sequence[Article]) -> list[tuple[Article, Doc, list[Found]] | ErrorRecord]:
        """Each article with its parse and attributions, or the coded error that made it skip the article."""
        out: list[tuple[Article, Doc, list[Found]] | ErrorRecord] = []
        ready = []
        for article in articles:
            skip = self._skip(article)
            if skip is not None:
                out.append(skip)
            else:
                ready.append(article)
        outlets = [a.source_name or a.source for a in ready]
        try:
            read = self.read([a.text for a in ready], outlets)
        except Exception:  # one bad article must not sink the batch: retry one by one to find it
            read = []
            for article, outlet in zip(ready, outlets, strict=True):
                try:
                    read.extend(self.read([article.text], [outlet]))
                except Exception as exc:
                    log.exception("attribution failed on %s", article.article_id)
                    out.append(_error(article, ErrorCode.E_NLP_FAILED, f"{type(exc).__name__}: {exc}"))
                    read.append((None, []))  # type: ignore[arg-type]
        for article, (doc, found) in zip(ready, read, strict=True):
            if doc is not None:
                out.append((article, doc, found))
        return out

    def _skip(self, article: Article) -> ErrorRecord | None:
        if article.language not in (None, "", "en"):
            return _error(article, ErrorCode.E_LANGUAGE, f"language {article.language!r}: attribution reads English")
        words = article.word_count or len(article.text.split())
        if words > self.settings.max_nlp_words:
            detail = f"{words:,} words, over max_nlp_words={self.settings.max_nlp_words:,}"
            return _error(article, ErrorCode.E_TOO_LARGE, detail)
        return None


def _error(article: Article, code: ErrorCode, detail: str) -> ErrorRecord:
    return ErrorRecord(f"{article.input_ref}#{article.article_id}", code.value, detail, "attribution", article.input_id)


# --------------------------------------------------------------------------------------------------- records


def to_records(article_id: str, doc: Doc, found: Iterable[Found]) -> list[Attribution]:
    """The store's records for one article; ids are hashes of the article and the content and cue offsets."""
    ids: dict[int, str] = {}
    items = list(found)
    for item in items:
        cue_start = item.cue.start_char if item.cue is not None else -1
        ids[id(item)] = content_id(article_id, str(item.start), str(item.end), str(cue_start), item.origin)
    records = []
    for item in items:
        speaker = item.speaker
        content = " ".join(_content_text(span) for span in item.content)
        records.append(
            Attribution(
                attribution_id=ids[id(item)],
                article_id=article_id,
                speaker=item.source.text if item.source is not None else (speaker.text if speaker else None),
                speaker_name=speaker.name if speaker else None,
                speaker_kind=speaker.kind if speaker else "anonymous",
                content=content,
                start=item.start,
                end=item.end,
                direct=item.direct,
                cue=item.cue.text if item.cue is not None else None,
                speaker_role=speaker.role if speaker else None,
                speaker_affiliation=speaker.affiliation if speaker else None,
                anonymous_count=speaker.anonymous_count if speaker else None,
                parent_id=ids.get(id(item.parent)) if item.parent is not None else None,
                reported_to=_listener_name(item.reported_to),
                speaker_start=item.source.start_char if item.source is not None else None,
                speaker_end=item.source.end_char if item.source is not None else None,
                cue_start=item.cue.start_char if item.cue is not None else None,
                cue_end=item.cue.end_char if item.cue is not None else None,
            )
        )
    return records


def _content_text(span: Span) -> str:
    inner = _inner(span) if _is_quoted(span) else span
    return inner.text


def _listener_name(span: Span | None) -> str | None:
    if span is None:
        return None
    tokens = list(span)
    if tokens and tokens[0].lower_ in ("the", "a", "an") and not tokens[0].text[0].isupper():
        tokens = tokens[1:]
    return "".join(t.text_with_ws for t in tokens).strip() or None
