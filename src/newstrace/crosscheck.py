"""Across outlets: claim groups, their members' stances, their independent origins and a verdict.

Within one story, claims that state the same thing are grouped (:func:`group`): the same event frame — actor,
event type, target, what was moved or done — or, failing a frame, a close paraphrase (MiniLM cosine) with
compatible actors and event types. What a claim is about is the head noun of its object or its amount's unit
("Iranian-made Shahed drones" → drone), so no list of a story's things is needed. Candidates come from
a frame index and the nearest claims in embedding space, so grouping stays near-linear in the story's claims.

Each member gets a stance toward the group's claim (its earliest positive member): ``contradicts`` for a denial or
negation; ``discusses`` for a hedge, a plan, or a statement about the claim rather than the claim; ``supports``
otherwise. An amount that cannot be the same ("400" against "200") is noted as the member's reason but contradicts
nothing: in real coverage counts rise and get rounded as a story develops, and what contests a claim is a denial.

The origins of a group are the roots of its supporting members' attribution chains (:func:`origin_of`): the outlet
that first carried anonymous sources, the named person or organization, the outlet cited. Copies of an article
stand for their original, and an outlet that only cites another outlet is a relay (``via``), so "02 according to
Meridian Wire" and Meridian Wire's own report citing six people are one origin. Implicit claims (the article's own
voice) have no origin. The verdict follows (:func:`verdict`).
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import faiss
import numpy as np
import numpy.typing as npt

from .embed import DIMENSIONS
from .models import Attribution, Claim, ClaimGroup, GroupMember, Origin, content_id

VERSION = "2"
Vectors = npt.NDArray[np.float32]
Embed = Callable[[list[str]], Vectors]

# Cosine of a claim with a group's centroid above which it states what the group states. Picked by an offline sweep
# (0.50-0.80) over the claims of the real-stories dev sets, holding each story out in turn: the best threshold on
# the other three was 0.60 or 0.65 every time (B3 F1 of the held-out story 0.45-0.54).
GROUP_COSINE = 0.65
RELATED = 0.55  # ... and above which a claim of the same event type, or a denial, states what the group states
NEIGHBOUR_COSINE = 0.5  # nearest claims less similar than this bring no candidate group
NEIGHBOURS = 12
EXACT_SEARCH = 4000  # up to this many distinct claims in a story, nearest neighbours are exact
DATE_SLACK_DAYS = 45  # dates further apart than their precision plus this are different events
NEGATIVE = frozenset({"denied", "negated"})
PERSONS = frozenset({"person", "official"})
CESSATION = frozenset({"stop", "stopped", "halt", "halted", "cease", "ceased", "end", "ended", "suspend", "suspended"})
DISCUSSING = frozenset({"hedged", "future"})
# Units that measure (a distance, a share, money, time) rather than count things: "300 km" and "700 km" are not two
# counts of one thing that disagree. General units of measure, not the words of any story.
MEASURES = frozenset(
    """km kilometre kilometer mile metre meter foot feet inch % percent cent dollar usd euro eur pound gbp yen yuan
    rouble ruble rupee lira $ € £ ton tonne kg kilogram gram litre liter barrel year month week day hour minute
    second degree magnitude point""".split()
)
WORD = re.compile(r"[a-z]+")
_GENERIC = frozenset("it them this that these those thing things one ones some all more".split())


@dataclass(frozen=True, slots=True)
class Reported:
    """A claim with what the cross-check needs from its article and its attribution chain."""

    claim: Claim
    published: date | None
    outlet: str | None  # the article's source id
    carrier: str | None  # the name of the outlet that published the text (the original's, for a copy)
    original: str  # the article id of the original when the article is a copy, else its own id
    chain: tuple[Attribution, ...] = ()  # from the claim's attribution up to the root


@dataclass
class _Group:
    members: list[int] = field(default_factory=list)
    frames: set[tuple[str, ...]] = field(default_factory=set)


def chain_of(
    attribution_id: str | None, attributions: dict[str, Attribution], limit: int = 12
) -> tuple[Attribution, ...]:
    """The attribution a claim rests on and its parents up to the root (a cycle or a missing parent ends it)."""
    chain: list[Attribution] = []
    seen: set[str] = set()
    while attribution_id and attribution_id in attributions and attribution_id not in seen and len(chain) < limit:
        seen.add(attribution_id)
        chain.append(attributions[attribution_id])
        attribution_id = attributions[attribution_id].parent_id
    return tuple(chain)


def kind_of(text: str | None) -> str | None:
    """The kind of thing a phrase names: its head noun, singular ("Iranian-made Shahed drones" → drone), or None.

    The head of an English noun phrase is its last word, so two outlets naming one thing differently
    ("Fateh-110 missiles", "ballistic missiles") meet on it without any list of the things a story is about."""
    words = [w for w in WORD.findall((text or "").lower()) if len(w) > 1]
    if not words or words[-1] in _GENERIC:
        return None
    return _singular(words[-1])


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    """Demonym → country code ("iranian" → IRN), from the actor table's demonym rows (every country, not a story's)."""
    with resources.files("newstrace").joinpath("data/actors.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["alias"].strip().lower(): r["code"].strip().upper() for r in rows if r["kind"].strip() == "demonym"}


def maker_of(text: str | None) -> str | None:
    """The country a phrase names as maker or owner of a thing ("Iranian-designed attack drones" → IRN), or None."""
    words = WORD.findall((text or "").lower())
    demonyms = _demonyms()
    for i, word in enumerate(words):
        for phrase in (" ".join(words[i : i + 2]), word):  # "north korean" before "korean"
            if phrase in demonyms:
                return demonyms[phrase]
    return None


def _kind(claim: Claim) -> str | None:
    """What a claim is about: the head of its object, else of its amount's unit ("400 missiles")."""
    return kind_of(claim.object) or kind_of(claim.unit)


def frames(claim: Claim) -> set[tuple[str, ...]]:
    """The event frames a claim states: (event type, actor, what it is about); transfers also (giver → receiver),
    and so does a claim whose object another country made ("Russia used Iranian drones"); a place (actor, what,
    where); a count (what, how many).

    A claim with no object still states where its actor's things are: "No Iranian military adviser is present in
    Crimea" has no object, so its place frame takes each word of its text, one of which meets the "adviser" of
    "Iran sent advisers to Crimea" (same actor, same place, a shared noun).
    """
    kind = _kind(claim)
    out: set[tuple[str, ...]] = set()
    if claim.place and claim.actor_code:
        about = {kind} if kind else {_singular(w) for w in WORD.findall(claim.text.lower()) if len(w) > 3}
        out |= {("at", claim.actor_code, k, claim.place.lower()) for k in about}
    counted = kind_of(claim.unit) or kind  # "Iran's inventory at more than 3,000 ballistic missiles": missiles
    if claim.quantity is not None and claim.quantity >= 10 and counted and not _measure(claim):
        out.add(("amount", counted, f"{claim.quantity:g}"))  # "3,000 missiles", whoever is said to count them
    if kind is None:
        return out
    if claim.event_type != "statement" and claim.actor_code:
        out.add((claim.event_type, claim.actor_code, kind))
    if claim.event_type == "transfer" and claim.actor_code:
        out.add(("transfer", claim.actor_code, claim.target_code or "*", kind))
    maker = maker_of(claim.object)  # "Russia used Iranian drones" states a transfer from Iran to Russia
    if maker and claim.actor_code and maker != claim.actor_code and claim.event_type != "transfer":
        out.add(("transfer", maker, claim.actor_code, kind))
    return out


def _measure(claim: Claim) -> bool:
    """Whether a claim's amount measures something (km, %, dollars) rather than counting things."""
    unit = (claim.unit or "").lower()
    return unit in MEASURES or _singular(unit) in MEASURES


def negative(claim: Claim) -> bool:
    """Whether a claim says that something did not happen ("have not stopped" says that it goes on)."""
    denied = claim.modality in NEGATIVE or claim.event_type == "reject"
    return denied != ((claim.trigger or "").lower() in CESSATION)


def _frames_meet(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> bool:
    """Whether two claims share a frame; a transfer frame with an unknown receiver meets any receiver."""
    for x in a:
        for y in b:
            if x == y:
                return True
            transfers = len(x) == len(y) == 4 and x[0] == y[0] == "transfer"
            if transfers and x[1] == y[1] and x[3] == y[3] and "*" in (x[2], y[2]):
                return True
    return False


def _compatible(a: Claim, b: Claim, framed: bool = False) -> bool:
    """Nothing in the event fields of two claims says they are different events. Claims that share a frame are
    checked on what they are about and when only: the frame has matched their actors and event already, and
    two claims giving the same count of the same thing may name different actors (one counts, the other holds)."""
    generic = {"statement", "reject"}  # a statement or a denial can be about an event of any type
    if not framed:
        if a.actor_code and b.actor_code and a.actor_code != b.actor_code:
            return False
        if a.target_code and b.target_code and a.target_code != b.target_code:
            return False
        if a.event_type != b.event_type and not generic & {a.event_type, b.event_type}:
            return False
    kinds = _kind(a), _kind(b)
    # ... and its object is often what is said rather than what happened ("dismissed the reports that …")
    if kinds[0] and kinds[1] and kinds[0] != kinds[1] and not generic & {a.event_type, b.event_type}:
        return False
    return _dates_meet(a, b)


_SLACK = {"day": 0, "week": 7, "month": 31, "year": 366}


def _dates_meet(a: Claim, b: Claim) -> bool:
    if a.date is None or b.date is None:
        return True
    slack = max(_SLACK.get(a.date_precision or "day", 0), _SLACK.get(b.date_precision or "day", 0))
    return abs((a.date - b.date).days) <= slack + DATE_SLACK_DAYS


def amounts_conflict(a: Claim, b: Claim) -> bool:
    """Two counts of the same thing that cannot both be right ("about 400" against "200"); vague amounts
    ("hundreds") and measures of something else (km, %) never conflict."""
    if a.quantity is None or b.quantity is None:
        return False
    if _measure(a) or _measure(b):
        return False
    kinds = kind_of(a.unit) or _kind(a), kind_of(b.unit) or _kind(b)
    if kinds[0] and kinds[1] and kinds[0] != kinds[1]:  # 400 missiles and 200 launchers: two counts
        return False
    low = [a.quantity, b.quantity]
    high = [a.quantity_max or a.quantity, b.quantity_max or b.quantity]
    for i, c in enumerate((a, b)):
        if c.quantity_approx and c.quantity_max is None:  # "about", "over", "at least": a quarter either way
            low[i], high[i] = low[i] * 0.75, high[i] * 1.25 if c.quantity_approx != "over" else float("inf")
    return high[0] < low[1] or high[1] < low[0]


def group(reported: Sequence[Reported], embed: Embed) -> list[list[int]]:
    """Indices of ``reported`` grouped by what they state, each group in publication order.

    Claims are taken in publication order; each joins the candidate group it shares an event frame with, else the
    one it is most like — the cosine of its vector with the group's centroid, so that a group is judged by
    everything said in it, not by its first words — when that is at least :data:`GROUP_COSINE` (:data:`RELATED`
    for the same event or a denial) and nothing in the event fields of the group's first claim contradicts it;
    else it starts a group. Candidates are the groups of its nearest claims and of its frames, so the work per
    claim is bounded. Identical texts are embedded once.
    """
    order = sorted(range(len(reported)), key=lambda i: _when(reported[i]))
    texts = sorted({r.claim.text.strip() for r in reported})
    vectors = embed(texts) if texts else np.zeros((0, DIMENSIONS), np.float32)
    row_of = {t: i for i, t in enumerate(texts)}
    rows = [row_of[r.claim.text.strip()] for r in reported]
    claim_frames = [frames(r.claim) for r in reported]
    index = _index(vectors)
    groups: list[_Group] = []
    sums: list[Vectors] = []  # per group, the sum of its members' vectors (its centroid's direction)
    by_frame: dict[tuple[str, ...], list[int]] = defaultdict(list)
    by_row: dict[int, list[int]] = defaultdict(list)  # text row → groups holding a claim with that text
    k = min(NEIGHBOURS, len(texts))
    for i in order:
        claim, row = reported[i].claim, rows[i]
        vector = vectors[row]
        candidates: set[int] = set(by_row.get(row, ()))
        similar, neighbours = index.search(vector[None, :], k) if k else ([[]], [[]])
        for other, cosine in zip(neighbours[0], similar[0], strict=True):
            if other >= 0 and int(other) in by_row and cosine >= NEIGHBOUR_COSINE:
                candidates.update(by_row[int(other)][-NEIGHBOURS:])
        for frame in claim_frames[i]:
            candidates.update(by_frame.get(frame, [])[-NEIGHBOURS:])  # the latest groups with the frame: bounded
        # a group that shares an event frame comes before one that is only close: the frame names the same event
        scored = sorted(
            ((_frames_meet(claim_frames[i], groups[g].frames), _centroid_cosine(sums[g], vector), g)
             for g in candidates),
            reverse=True,
        )  # fmt: skip
        chosen = None
        for _, cosine, g in scored:
            if _joins(claim, claim_frames[i], reported[groups[g].members[0]].claim, groups[g].frames, cosine):
                chosen = g
                break
        if chosen is None:
            chosen = len(groups)
            groups.append(_Group())
            sums.append(np.zeros(vectors.shape[1], np.float32))
        groups[chosen].members.append(i)
        groups[chosen].frames |= claim_frames[i]
        sums[chosen] = sums[chosen] + vector
        if chosen not in by_row[row]:
            by_row[row].append(chosen)
        for frame in claim_frames[i]:
            if chosen not in by_frame[frame][-NEIGHBOURS:]:
                by_frame[frame].append(chosen)
    return [g.members for g in groups]


def _centroid_cosine(total: Vectors, vector: Vectors) -> float:
    norm = float(np.linalg.norm(total))
    return float(total @ vector) / norm if norm else 0.0


def _joins(claim: Claim, own: set[tuple[str, ...]], first: Claim, theirs: set[tuple[str, ...]], cosine: float) -> bool:
    """Whether a claim states what a group states: the group's first claim does not contradict its event fields,
    and it shares a frame with the group or is close to the group's centroid."""
    # a shared frame names its own actors and event ("Iran sent missiles" and "Tehran shipped missiles")
    framed = _frames_meet(own, theirs)
    if not _compatible(claim, first, framed):
        return False
    if framed or cosine >= GROUP_COSINE:
        return True
    # a denial, or the same event, is worded apart from what it answers: "dismissed as baseless claims that …"
    same_event = claim.event_type == first.event_type != "statement"
    return cosine >= RELATED and (same_event or "reject" in (claim.event_type, first.event_type))


def _index(vectors: Vectors) -> faiss.Index:
    """Exact inner-product search for small stories, HNSW beyond :data:`EXACT_SEARCH` claims."""
    dimensions = vectors.shape[1]
    if len(vectors) <= EXACT_SEARCH:
        index: faiss.Index = faiss.IndexFlatIP(dimensions)
    else:
        index = faiss.IndexHNSWFlat(dimensions, 32, faiss.METRIC_INNER_PRODUCT)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _when(r: Reported) -> tuple[bool, date, str, int]:
    return (r.published is None, r.published or date.min, r.original, r.claim.start)


def _events(found: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {f for f in found if f[0] != "amount"}


def stance(claim: Claim, of: Claim) -> tuple[str, str | None]:
    """The stance of a member toward the group's claim, and the reason for a contradiction.

    A negation contradicts only when it is about the same event: a denial, the same event type, or the same
    frame ("No Iranian adviser is present in Crimea" against "Iran sent advisers to Crimea"); "400 missiles is
    not a symbolic gesture" only discusses the 400 missiles.
    """
    about_same = (
        claim.event_type == of.event_type
        or claim.event_type == "reject"
        or claim.modality == "denied"
        or _frames_meet(_events(frames(claim)), _events(frames(of)))
    )
    if negative(claim) != negative(of) and about_same:
        return "contradicts", f"{'rejected' if claim.event_type == 'reject' else claim.modality}: {claim.trigger}"
    # a developing story's counts change (a death toll rises, a second batch arrives) and outlets round: a
    # different count is noted on the member, but it contradicts nothing unless it is denied
    note = f"amount {claim.quantity_text} against {of.quantity_text}" if amounts_conflict(claim, of) else None
    if claim.modality in DISCUSSING and of.modality not in DISCUSSING:
        return "discusses", note
    if claim.event_type != of.event_type and claim.event_type == "statement" or not about_same:
        return "discusses", note
    if of.actor_code and not claim.actor_code and claim.quantity is None:  # "a missile transfer to Moscow"
        return "discusses", note
    return "supports", note


@dataclass(frozen=True, slots=True)
class _Root:
    key: str
    name: str
    kind: str
    anonymous_count: int | None
    via: str | None


def origin_of(r: Reported) -> _Root | None:
    """The independent origin a claim rests on, or None when the article asserts it in its own voice."""
    chain = [a for a in r.chain if a.speaker_kind != "implicit"]
    if not chain:
        return None
    root = chain[-1]
    anonymous = max((a.anonymous_count or 0 for a in chain if a.speaker_kind == "anonymous"), default=0) or None
    carrier = r.carrier
    relays = [a.speaker_name for a in chain[:-1] if a.speaker_kind == "outlet" and a.speaker_name]
    if root.speaker_kind == "anonymous":  # unnamed sources surface in the outlet that carries them
        described = root.speaker_name or root.speaker or "unnamed sources"
        name = f"{carrier} ({described})" if carrier else described
        return _Root(_key(carrier or described), name, "anonymous", root.anonymous_count or anonymous, None)
    name = root.speaker_name or root.speaker or ""
    if not name.strip(". ") or not _names_someone(root, name):
        return None
    key = _key(name)
    if root.speaker_kind == "outlet" and anonymous:  # "Reuters, citing six separate sources"
        described = next(a.speaker_name or a.speaker or "" for a in chain if a.speaker_kind == "anonymous")
        name = f"{name} ({described})"
    kind: str = root.speaker_kind
    if kind == "person" and (root.speaker_role or root.speaker_affiliation):
        kind = "official"
    if kind == "outlet" and anonymous:
        kind = "anonymous"
    via = [v for v in [*relays, carrier] if v and _key(v) != key]
    return _Root(key, name, kind, anonymous, ", ".join(dict.fromkeys(via)) or None)


def _names_someone(root: Attribution, name: str) -> bool:
    """Whether a root names who said it: "news reports", "reports" or an unresolved "he" name no one."""
    if root.speaker_kind in ("document", "person", "organization", "outlet"):  # "he" left unresolved: no one
        return any(word[:1].isupper() for word in name.split())
    return True


def _same_person(a: _Root, b: _Root) -> bool:
    """Two person roots are one person when one name is the other's surname or both share first initial and
    surname ("Blinken", "Antony Blinken", "Anthony Blinken")."""
    if a.kind not in PERSONS or b.kind not in PERSONS:
        return False
    x, y = a.key.split(), b.key.split()
    if not x or not y or x[-1] != y[-1]:
        return False
    return len(x) == 1 or len(y) == 1 or x[0][:1] == y[0][:1]


def _key(name: str) -> str:
    """Names that differ only in case, a leading "the", a possessive or a "news agency" tail are one origin."""
    words = WORD.findall(name.lower().replace("’", "'"))
    while words and words[0] in {"the", "a"}:
        words = words[1:]
    while words and words[-1] in {"news", "agency", "s", "reported", "report"}:
        words = words[:-1]
    return " ".join(words)


def _quote_key(r: Reported) -> str:
    """The words of the direct quote a claim comes from, when it is long enough to be a fingerprint."""
    if not r.chain or not r.chain[0].direct:
        return ""
    words = WORD.findall(r.chain[0].content.lower())
    return " ".join(words) if len(words) >= 8 else ""


def verdict(stances: Iterable[str], origins: int) -> str:
    if "contradicts" in stances:
        return "contested"
    if origins >= 2:
        return "corroborated"
    return "single-origin" if origins == 1 else "unattributed"


def check_story(
    story_id: str, reported: Sequence[Reported], embed: Embed
) -> tuple[list[ClaimGroup], list[GroupMember], list[Origin]]:
    """Group a story's claims and give each group that recurs in two independent articles its members' stances,
    its origins and its verdict."""
    groups: list[ClaimGroup] = []
    members: list[GroupMember] = []
    origins: list[Origin] = []
    for indices in group(reported, embed):
        if len({reported[i].original for i in indices}) < 2:
            continue
        # the group's claim: its first firm, positive member, preferably one that names where it comes from
        positive = [i for i in indices if not negative(reported[i].claim)]
        positive = [i for i in positive if reported[i].claim.modality not in DISCUSSING] or positive
        named = {i: origin_of(reported[i]) for i in indices}
        positive = [i for i in positive if named[i] is not None] or positive
        head = reported[(positive or indices)[0]].claim
        group_id = "g" + content_id(story_id, head.claim_id, length=15)
        stances = {i: stance(reported[i].claim, head) for i in indices}
        roots: dict[str, tuple[_Root, str]] = {}
        vias: dict[str, list[str]] = defaultdict(list)
        quoted: dict[str, tuple[str, _Root]] = {}  # a direct quote's words → (original article, its origin)
        for i in indices:
            root = named[i] if stances[i][0] == "supports" else None
            if root is None:
                continue
            quote = _quote_key(reported[i])
            if quote in quoted and quoted[quote][0] != reported[i].original:
                # the same words quoted earlier by another article: lifted from it, whoever is named now
                first = quoted[quote][1]
                root = _Root(first.key, first.name, first.kind, first.anonymous_count, reported[i].carrier)
            elif quote:
                quoted.setdefault(quote, (reported[i].original, root))
            same = next((k for k, (kept, _) in roots.items() if _same_person(kept, root)), None)
            if same is not None:  # "Blinken" after "Antony Blinken": the origin already found, under its full name
                longer = max((roots[same][0], root), key=lambda r: len(r.key))
                root = _Root(same, longer.name, longer.kind, root.anonymous_count, root.via)
                roots[same] = (_Root(same, longer.name, longer.kind, roots[same][0].anonymous_count,
                                     roots[same][0].via), roots[same][1])  # fmt: skip
            if root.key in roots:  # the same origin again: keep the larger anonymous count and the relays
                kept = roots[root.key][0]
                count = max(kept.anonymous_count or 0, root.anonymous_count or 0) or None
                roots[root.key] = (_Root(kept.key, kept.name, kept.kind, count, kept.via), roots[root.key][1])
            else:
                roots[root.key] = (root, reported[i].claim.claim_id)
            if root.via:
                vias[root.key].extend(root.via.split(", "))
        for key, (root, claim_id) in roots.items():
            via = ", ".join(dict.fromkeys(vias[key])) or None
            origins.append(Origin(group_id, root.name, root.kind, root.anonymous_count, via, claim_id))
        articles = {reported[i].claim.article_id for i in indices}
        outlets = {reported[i].outlet or reported[i].claim.article_id for i in indices}
        groups.append(
            ClaimGroup(
                group_id, story_id, head.claim_id, head.text.strip(),
                verdict((s for s, _ in stances.values()), len(roots)), len(articles), len(outlets), len(roots),
            )
        )  # fmt: skip
        members += [
            GroupMember(group_id, reported[i].claim.claim_id, reported[i].claim.article_id, *stances[i])
            for i in indices
        ]
    return groups, members, origins
