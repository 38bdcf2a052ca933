"""What each article is: news, opinion or analysis; written by a machine; derivative of other outlets; how well it
attributes what it says.

Genre is read from the article's **own voice**: the text left after every quotation and every span attributed to
someone else is masked (a columnist quoting an angry minister is not angry). In that voice we count first-person
words, evaluative words from a short lexicon, rhetorical calls ("Just wait and see.", "Make no mistake"),
exclamations and prescriptive modals; their weighted sum per 100 words of the whole text is the opinion score.
An explicit section cue (an ``/opinion/`` URL, an "Analysis:" title, a columnist's bio) decides on its own.
Analysis is the middle ground: little opinion, but an own voice that explains and forecasts (hedges, "because",
"which means") more than it reports.

Derivative: a claim is *lifted* when an earlier article of another outlet carried it first (from the claim groups
across the corpus), or when the article itself says it reached it through another outlet ("Reuters reported",
"told CNBC"). An article is derivative when lifted claims make up a large share of what it attributes, or when
its lead rests on another outlet. Every decision keeps the spans that made it (``cues``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .crosscheck import chain_of
from .models import Article, ArticleProfile, Attribution, Claim, Cue, Relay
from .relays import key

VERSION = "3"


@dataclass(frozen=True, slots=True)
class ProfileParams:
    """Thresholds of the profile rules (README: how profiles are made)."""

    opinion_threshold: float = 1.5  # opinion evidence per 100 words
    opinion_min_weight: float = 4.0  # and at least this much in all, so a short text cannot flip on three pronouns
    analysis_threshold: float = 2.0  # explanation and forecast words per 100 own-voice words
    analysis_max_attributed: float = 0.5  # analysis speaks mostly in its own voice
    derivative_share: float = 0.34  # share of attributed claims lifted from other outlets
    lead_chars: int = 600  # the lead: an article whose first attributed claim here is lifted is derivative


@dataclass(frozen=True, slots=True)
class Earlier:
    """A claim of the article that an earlier article of another outlet carried first; ``claim_id`` None when the
    whole article is a copy of that outlet's article."""

    claim_id: str | None
    outlet: str
    quoted: bool = False  # the same direct quote word for word (strong), not the same claim in its own voice


# -- own voice ---------------------------------------------------------------------------------------------------

_QUOTED = re.compile(r"“[^”]{1,3000}”|\"[^\"\n]{1,3000}\"|‘[^’\n]{12,600}’(?!\w)")


# Voices embedded in a page that are not the writer's: a social post (its markup, its link, the paragraph signed
# "— Name (@handle)") and the lines of an interview transcript ("Q:", "WALLACE:").
_EMBEDDED = re.compile(r"<tweet\b[^>]{0,500}>.{0,3000}?</tweet>|pic\.twitter\.com/", re.S | re.I)
_SIGNED = re.compile(r"—\s?[^\n(—]{1,60}\(@\w{1,30}\)")
_TRANSCRIPT_LINE = re.compile(r"^(?:Q|A|[A-Z][A-Z .'-]{1,30}):\s.*$", re.M)


def own_voice(text: str, attributions: Iterable[Attribution]) -> str:
    """The text with quotations, attributed content, embedded posts and interview lines blanked out (same length,
    so offsets still hold)."""
    chars = list(text)
    spans = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    for embedded in _EMBEDDED.finditer(text):  # a tweet's markup, or the whole line that links a post's picture
        if embedded.group(0).startswith("<"):
            spans.append((embedded.start(), embedded.end()))
        else:
            end = text.find("\n", embedded.end())
            spans.append((text.rfind("\n", 0, embedded.start()) + 1, end if end >= 0 else len(text)))
    for signed in _SIGNED.finditer(text):  # the post is the paragraph before its signature, and the signature line
        line = text.rfind("\n", 0, signed.start())
        post = text.rfind("\n", 0, max(line, 0)) if line > 0 else -1
        end = text.find("\n", signed.end())
        spans.append((post + 1, end if end >= 0 else len(text)))
    transcript = list(_TRANSCRIPT_LINE.finditer(text))
    if len(transcript) >= 3:
        spans += [(m.start(), m.end()) for m in transcript]
    spans += [(a.start, a.end) for a in attributions if a.speaker_kind != "implicit"]
    for start, end in spans:
        chars[max(start, 0) : max(end, 0)] = " " * (max(end, 0) - max(start, 0))
    return "".join(chars)


# -- genre cues ----------------------------------------------------------------------------------------------------

# "World War I", "Phase I", "(I-Vt.)" and "I-95" are not the writer.
_FIRST_PERSON = re.compile(
    r"(?<![\w’'])(?<!War )(?<!Phase )(?<!Part )(?:I|I[’']m|I[’']ve|I[’']d|me|my|mine|myself)(?![\w’'-])"
)
_FIRST_PLURAL = re.compile(r"(?<![\w’'])(?:[Ww]e|[Ww]e[’']re|[Ww]e[’']ve|[Oo]ur|ours|ourselves|us)(?![\w’'])")
_EVALUATIVE_WORDS = """
    absurd absurdity abhorrent appalling arrogance arrogant atrocious audacious blatant blatantly brazen brilliant
    callous clever cleverness cowardice cowardly craven cynical cynicism delusion delusional deplorable despicable
    disastrous disgrace disgraceful dishonest draconian egregious evil farce farcical folly foolish foolishness
    grotesque heinous hypocrisy hypocrite hypocritical idiocy idiotic ignominious ignominiously incompetence
    incompetent inexcusable insane lamentable laughable ludicrous malign monstrous nefarious nonsense obscene
    outrage outrageous pathetic preposterous reckless recklessness ridiculous scandalous shameful shameless
    short-sighted short-sightedness shortsighted sinister spineless stupid stupidity stupidly unconscionable
    vile wicked zealous zealously naturally obviously undoubtedly surely sadly unfortunately thankfully frankly
    admittedly arguably regrettably tragically mercifully ironically shockingly astonishingly
    """.split()
_EVALUATIVE = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, _EVALUATIVE_WORDS)) + r")(?![\w-])", re.I)
_RHETORICAL = re.compile(
    r"""(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?:Just\s+wait|Wait\s+and\s+see|Mark\s+my\s+words|Make\s+no\s+mistake|Let\s+us
        |Let[’']s|Imagine|Think\s+about\s+it|Consider\s+this|Ask\s+yourself|Don[’']t\s+forget|Remember\s+this
        |Never\s+forget|Time\s+will\s+tell|You\s+(?:can|could|might)|So\s+much\s+for)\b[^.!?\n]*[.!?]""",
    re.VERBOSE,
)
_EXCLAIM = re.compile(r"[^.!?\n]{3,200}!(?=\s|$)")
_PRESCRIPTIVE = re.compile(r"(?<!\w)(?:should|must|ought\s+to|needs?\s+to|has\s+to|have\s+to)(?!\w)", re.I)
_QUESTION = re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))[A-Z][^.!?\n]{3,200}\?(?=\s|$)")
_EXPLAIN = re.compile(
    r"""(?<!\w)(?:could|may|might|likely|unlikely|probably|perhaps|possibly|appears?\s+to|seems?\s+to|suggests?
        |because|which\s+means|as\s+a\s+result|that\s+is\s+why|the\s+reason|in\s+other\s+words|implications?
        |in\s+the\s+long\s+run|is\s+expected\s+to|remains\s+to\s+be\s+seen)(?!\w)""",
    re.VERBOSE | re.I,
)
# What each kind of own-voice cue weighs towards opinion.
_WEIGHTS = {"first-person": 2.0, "first-plural": 1.0, "evaluative": 1.0, "rhetorical": 3.0, "exclamation": 1.0}
_WEIGHTS |= {"prescriptive": 0.5, "question": 0.5}
_PATTERNS = {
    "first-person": _FIRST_PERSON,
    "first-plural": _FIRST_PLURAL,
    "evaluative": _EVALUATIVE,
    "rhetorical": _RHETORICAL,
    "exclamation": _EXCLAIM,
    "prescriptive": _PRESCRIPTIVE,
    "question": _QUESTION,
}

_SECTION_URL = re.compile(
    r"/(?P<opinion>opinions?|op-?eds?|commentisfree|comment|commentary|columns?|columnists?|editorials?|views?"
    r"|letters)/|/(?P<analysis>analysis|news-analysis|explainers?|explained|fact-?check)/",
    re.I,
)
_SECTION_TITLE = re.compile(
    r"^\s*(?:(?P<opinion>opinion|op-ed|editorial|column|commentary|comment|view|letter)"
    r"|(?P<analysis>analysis|news analysis|explainer|explained))\s*[:|–—-]\s"
    r"|\|\s*(?:(?P<opinion2>opinion|editorial|op-ed)|(?P<analysis2>analysis))\b",
    re.I,
)
_COLUMNIST = re.compile(r"\b(?:columnist|opinion\s+writer|op-ed\s+contributor|editorial\s+board|commentator)\b", re.I)
_AI_BIO = re.compile(
    r"(?<!\w)(?:A\.I\.|AI|artificial\s+intelligence|GPT[-\w]*|chatbot|language\s+model|automated(?:ly)?\s+"
    r"(?:written|generated))(?!\w)",
    re.I,
)


def genre_cues(text: str, voice: str) -> list[Cue]:
    """Every own-voice cue towards opinion, in text order."""
    cues = [
        Cue(kind, text[m.start() : m.end()].strip(), m.start(), m.end())
        for kind, pattern in _PATTERNS.items()
        for m in pattern.finditer(voice)
    ]
    # A rhetorical call ending in "!" or "?" is counted once, as rhetorical.
    calls = [(c.start, c.end) for c in cues if c.kind == "rhetorical"]
    cues = [
        c
        for c in cues
        if c.kind not in ("exclamation", "question") or not any(s <= c.end and c.start <= e for s, e in calls)
    ]
    return sorted(cues, key=lambda c: (c.start, c.kind))


def section_cue(article: Article) -> tuple[str, Cue] | None:
    """The genre an explicit section marker gives (URL path, title prefix, a columnist's bio), with the marker."""
    if article.url and (m := _SECTION_URL.search(article.url)):
        return _group(m), Cue("section", m.group(0), -1, -1)
    if article.title and (m := _SECTION_TITLE.search(article.title)):
        return _group(m), Cue("section", m.group(0).strip(), -1, -1)
    if article.author_bio and (m := _COLUMNIST.search(article.author_bio)):
        return "opinion", Cue("section", m.group(0), -1, -1)
    return None


def _group(match: re.Match[str]) -> str:
    names = match.groupdict()
    return "opinion" if names.get("opinion") or names.get("opinion2") else "analysis"


# -- the profile ---------------------------------------------------------------------------------------------------


def profile(
    article: Article,
    attributions: Sequence[Attribution],
    claims: Sequence[Claim],
    earlier: Sequence[Earlier],
    origins: Mapping[str, int],
    params: ProfileParams = ProfileParams(),
    relays: Sequence[Relay] | None = None,
) -> ArticleProfile:
    """Profile one article from its attributions and claims. ``earlier`` lists its claims that earlier articles
    of other outlets carried first; ``origins`` maps a claim id to the number of origins of its claim group;
    ``relays`` are the outlets the article says it carries (:func:`newstrace.relays.find`), wire first; when
    they are given, an earlier outlet's claim restated in the article's own voice is a cue, not a relay."""
    relays_known = relays is not None
    relays = relays or ()
    text = article.text
    words = max(len(text.split()), 1)
    voice = own_voice(text, attributions)
    cues = genre_cues(text, voice)
    score = sum(_WEIGHTS[c.kind] for c in cues) * 100 / words

    by_id = {a.attribution_id: a for a in attributions}
    speakers = [_speaker(chain_of(c.attribution_id, by_id)) for c in claims]
    n_named = sum(s == "named" for s in speakers)
    n_anonymous = sum(s == "anonymous" for s in speakers)
    n_attributed = n_named + n_anonymous
    n_no_origin = sum(s is None and not origins.get(c.claim_id) for s, c in zip(speakers, claims, strict=True))

    section = section_cue(article)
    if section:
        genre, cue = section
        cues.insert(0, cue)
    elif score >= params.opinion_threshold and sum(_WEIGHTS[c.kind] for c in cues) >= params.opinion_min_weight:
        genre = "opinion"
    else:
        own_words = max(len(voice.split()), 1)
        explaining = len(_EXPLAIN.findall(voice)) * 100 / own_words
        attributed = n_attributed / len(claims) if claims else 0.0
        analysing = explaining >= params.analysis_threshold and attributed <= params.analysis_max_attributed
        genre = "analysis" if analysing else "news"

    lifted = _lifted(article, claims, by_id, earlier)
    copy_of = next((e.outlet for e in earlier if e.claim_id is None and not _same_outlet(e.outlet, article)), None)
    lead = next((c for c, s in zip(claims, speakers, strict=True) if s and c.start < params.lead_chars), None)
    derivative, derived_from = _derivative(lead, lifted, copy_of, n_attributed, params)
    # What the article says it carries comes first (a copy's relays are its original's: the wire it carries, else
    # the original's outlet; see pipeline), then the outlets whose direct quotes it repeats word for word. The same
    # claim in its own voice after another outlet's is kept as a cue only: two outlets report one fact alone.
    said = [r.outlet for r in relays]
    quoted = {e.outlet for e in earlier if e.quoted}
    kept = [o for o in derived_from if key(o) not in {key(r) for r in said} and not (said and o == copy_of)]
    if relays_known:
        kept = [o for o in kept if o in quoted or not any(e.outlet == o for e in earlier if e.claim_id)]
    derived_from = (*said, *kept)
    derivative = derivative or any(r.is_wire for r in relays)
    cues += [Cue("relay", f"{r.marker}: {r.outlet}", r.start, r.end) for r in relays if r.start >= 0]
    cues += [
        Cue("lifted", f"{lifted[c.claim_id]}: {c.text[:160]}", c.start, c.end) for c in claims if c.claim_id in lifted
    ]

    machine_evidence = _machine_evidence(article)
    return ArticleProfile(
        article_id=article.article_id,
        genre=genre,
        genre_score=round(score, 3),
        cues=tuple(cues),
        machine_written=article.machine_written or machine_evidence is not None,
        machine_evidence=machine_evidence,
        derivative=derivative,
        derived_from=derived_from,
        n_lifted=len(lifted),
        n_claims=len(claims),
        n_attributed=n_attributed,
        n_named=n_named,
        n_anonymous=n_anonymous,
        n_no_origin=n_no_origin,
    )


def _speaker(chain: Sequence[Attribution]) -> str | None:
    """named / anonymous / None (the article's own voice) for the speaker a claim rests on."""
    if not chain or chain[0].speaker_kind == "implicit":
        return None
    return "anonymous" if chain[0].speaker_kind == "anonymous" else "named"


def _same_outlet(name: str | None, article: Article) -> bool:
    """Whether ``name`` is the article's own outlet (a regional outlet citing itself in a dateline is not lifting),
    or the wire agency in its byline (an AP story on another site that cites "The Associated Press")."""
    key = _key(name)
    own = [_key(article.source_name), _key(article.source), *(_key(a) for a in article.authors)]
    return bool(key) and any(o and (key.startswith(o) or _WIRES.get(o) == _WIRES.get(key, "-")) for o in own)


# A wire agency's names, as bylines and citations write them.
_WIRES = {"ap": "ap", "associatedpress": "ap", "reuters": "reuters", "afp": "afp", "agencefrancepresse": "afp"}
_WIRES |= {"upi": "upi", "unitedpressinternational": "upi"}


def _key(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", re.sub(r"[’']s$", "", (name or "").lower().removeprefix("the ")))


def _lifted(
    article: Article, claims: Sequence[Claim], by_id: dict[str, Attribution], earlier: Sequence[Earlier]
) -> dict[str, str]:
    """claim id → the other outlet it was first carried by (in the corpus) or reached the article through (in
    the text: an outlet in its attribution chain, or the outlet a speaker told it to)."""
    lifted = {e.claim_id: e.outlet for e in earlier if e.claim_id and not _same_outlet(e.outlet, article)}
    for claim in claims:
        if claim.claim_id in lifted:
            continue
        for link in chain_of(claim.attribution_id, by_id):
            outlet = link.speaker_name if link.speaker_kind == "outlet" else link.reported_to
            outlet = (outlet or "").split(",")[0].strip()  # "Meridian Wire, a transfer that …" is Meridian Wire
            outlet = re.sub(r"[’']s$", "", outlet)  # "ABC's" is ABC
            if outlet and link.speaker_kind != "implicit" and _is_outlet(outlet) and not _same_outlet(outlet, article):
                lifted[claim.claim_id] = outlet
                break
    return lifted


def _is_outlet(name: str) -> bool:
    """``reported_to`` also records "journalists" or "reporters": an audience, not an outlet."""
    return name[:1].isupper() and name.lower() not in {"reporters", "journalists", "the press", "the media"}


def _derivative(
    lead: Claim | None,
    lifted: Mapping[str, str],
    copy_of: str | None,
    n_attributed: int,
    params: ProfileParams,
) -> tuple[bool, tuple[str, ...]]:
    """Whether the article mostly carries other outlets' reporting, and which outlets (most lifted first); a
    copy of another outlet's article is derivative of that outlet; ``lead`` is its first attributed claim."""
    derived_from = tuple(name for name, _ in Counter(lifted.values()).most_common())
    if copy_of:
        return True, (copy_of, *[o for o in derived_from if o != copy_of])
    if not lifted:
        return False, ()
    share = len(lifted) / max(n_attributed, 1) if len(lifted) >= 2 else 0.0  # one lift is not a pattern
    return share >= params.derivative_share or (lead is not None and lead.claim_id in lifted), derived_from


def _machine_evidence(article: Article) -> str | None:
    """The words of the byline or author bio that say a machine wrote the article."""
    for text in (" ".join(article.authors), article.author_bio or ""):
        if m := _AI_BIO.search(text):
            start = max(text.rfind(".", 0, m.start()) + 1, 0)
            return text[start : m.end() + 40].strip()
    return None
