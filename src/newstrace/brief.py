"""A cited briefing of one story: a few sentences, each a claim found in the articles, with the spans it rests on.

The briefing is **extractive**: every sentence is the text of one stored claim span (tidied: whitespace, a
capital, a full stop), so it cannot say more than its evidence. Its note says what the claim rests on: the
verdict of its claim group, the independent origins, how many outlets relayed it, and who contradicts it. For
each claim group the clearest member is chosen (one that does not open on a pronoun or a relative word, of
moderate length, reported earliest); the evidence lists that member first, then one member per other outlet.
A contradicting member becomes a ``denial`` sentence right after the claim it contradicts. A story whose claims
recur in no other outlet is briefed from its own claims, attributed ones first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .models import Briefing, BriefSentence, Evidence

_VERDICT_ORDER = {"contested": 0, "corroborated": 1, "single-origin": 2, "unattributed": 3}
# A clause opening on these needs the sentence around it to make sense ("which the sources said …").
_DEPENDENT = re.compile(
    r"^(?:which|that|who|whom|whose|it|its|they|their|them|he|his|him|she|her|this|these|those|and|but|or|so"
    r"|as|while|where|when|because|although|if)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class BriefParams:
    """How long a briefing is."""

    max_sentences: int = 10  # claim sentences (denials come on top)
    max_evidence: int = 6  # evidence spans per sentence: the chosen member, then one per other outlet
    ideal_words: tuple[int, int] = (8, 40)


def compose(
    story: Mapping[str, Any],
    groups: Sequence[Mapping[str, Any]],
    claims: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
    params: BriefParams = BriefParams(),
) -> Briefing:
    """Brief one story from its claim groups (with ``members``) and its claims, as ``Store.brief_evidence``
    returns them; ``texts`` holds the text of each article."""
    sentences: list[BriefSentence] = []
    chosen = sorted(groups, key=lambda g: (-g["n_outlets"], _VERDICT_ORDER.get(g["verdict"], 9), -g["n_articles"]))
    for group in chosen[: params.max_sentences]:
        sentences.extend(_group_sentences(group, texts, params))
    if not sentences:
        sentences = _lone_claims(claims, texts, params)
    return Briefing(
        story_id=story["story_id"],
        title=story.get("title"),
        first_published=story.get("first_published"),
        last_published=story.get("last_published"),
        n_articles=story.get("n_articles", 0),
        n_outlets=story.get("n_outlets", 0),
        sentences=tuple(sentences),
    )


def tidy(span: str) -> str:
    """A claim span as a sentence: one line, a capital first letter, ending in a full stop."""
    text = " ".join(span.split()).strip(" ,;:–—-")
    text = text.strip('“”"‘’ ') if text.count("“") != text.count("”") else text
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in '.!?”"’' else text + "."


def _group_sentences(group: Mapping[str, Any], texts: Mapping[str, str], params: BriefParams) -> list[BriefSentence]:
    members: list[dict[str, Any]] = [m for m in group["members"] if m["article_id"] in texts]
    supporting = [m for m in members if m["stance"] == "supports"] or members
    if not supporting:
        return []
    clearest = min(supporting, key=lambda m: _unclear(m, group, texts, params))
    best = dict(clearest)
    text = texts[best["article_id"]]
    if _DEPENDENT.match(text[best["start"] : best["end"]].strip()):
        best["start"], best["end"] = sentence_around(text, best["start"], best["end"])
    sentence = BriefSentence(
        text=tidy(text[best["start"] : best["end"]]),
        kind=group["verdict"],
        note=_note(group),
        group_id=group["group_id"],
        evidence=_evidence(best, supporting, params),
    )
    denials = []
    seen: set[str] = set()
    for member in members:
        if member["stance"] != "contradicts" or member["article_id"] in seen:
            continue
        seen.add(member["article_id"])
        who = member.get("speaker") if member.get("speaker_kind") not in (None, "implicit") else None
        by = f"{who} in {member['outlet']}" if who and member.get("outlet") else who or member.get("outlet")
        denials.append(
            BriefSentence(
                text=tidy(texts[member["article_id"]][member["start"] : member["end"]]),
                kind="denial",
                note=f"contradicts the claim above: {by or 'an article'}" + _reason(member.get("reason")),
                group_id=group["group_id"],
                evidence=(_span(member),),
            )
        )
    return [sentence, *denials]


def _unclear(
    member: Mapping[str, Any], group: Mapping[str, Any], texts: Mapping[str, str], params: BriefParams
) -> tuple[bool, int, bool, bool, date]:
    """Sort key: members that read well alone first, then those nearer the ideal length, then the group's own
    wording (the claim the cross-check chose), then originals before copies, then the earliest."""
    span = texts[member["article_id"]][member["start"] : member["end"]]
    words = len(span.split())
    low, high = params.ideal_words
    off = max(low - words, words - high, 0)
    own = member["claim_id"] == group.get("claim_id")
    return (bool(_DEPENDENT.match(span.strip())), off, not own, member.get("duplicate_of") is not None, _day(member))


def sentence_around(text: str, start: int, end: int, max_words: int = 60) -> tuple[int, int]:
    """The sentence that holds ``text[start:end]`` (a clause opening on "it" or "which" needs it), or the span
    itself when that sentence is longer than ``max_words``."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start))
    left = 0 if left < 0 else left + 1
    while left < start and text[left].isspace():
        left += 1
    stops = [i for i in (text.find(". ", end - 1), text.find("\n", end - 1)) if i >= 0]
    right = min(stops) + 1 if stops else len(text)
    if right > end and text[right - 1] not in ".!?":
        right -= 1
    # A quotation that runs over several sentences: start where it opens, so its marks still pair.
    opened = text.rfind("“", 0, left)
    if text[left:right].count("”") > text[left:right].count("“") and opened >= 0 and "\n" not in text[opened:left]:
        left = opened
    return (left, right) if len(text[left:right].split()) <= max_words else (start, end)


def _day(member: Mapping[str, Any]) -> date:
    return member.get("published") or date.max


def _evidence(
    best: Mapping[str, Any], supporting: Sequence[Mapping[str, Any]], params: BriefParams
) -> tuple[Evidence, ...]:
    spans = [_span(best)]
    outlets = {best.get("outlet") or best["article_id"]}
    for member in sorted(supporting, key=_day):
        outlet = member.get("outlet") or member["article_id"]
        if outlet in outlets or member.get("duplicate_of") or len(spans) >= params.max_evidence:
            continue
        outlets.add(outlet)
        spans.append(_span(member))
    return tuple(spans)


def _span(member: Mapping[str, Any]) -> Evidence:
    return Evidence(member["article_id"], member.get("outlet"), member["start"], member["end"])


def origin_text(origin: Mapping[str, Any]) -> str:
    """One origin as a reader says it: "Meridian Wire (six people familiar with the matter)"; a parenthesis the
    speaker's name left open is closed, so the note's own brackets still pair."""
    name = str(origin["name"])
    return name + ")" * max(name.count("(") - name.count(")"), 0)


def _note(group: Mapping[str, Any]) -> str:
    origins = group.get("origins") or []
    names = "; ".join(origin_text(o) for o in origins)
    outlets = group["n_outlets"]
    reported = f"reported by {outlets} outlet{'s' * (outlets != 1)}"
    verdict = group["verdict"]
    if verdict == "corroborated":
        return f"corroborated: {len(origins)} independent origins ({names}); {reported}"
    if verdict == "single-origin":
        relays = [v for o in origins for v in (o.get("via") or "").split(", ") if v]
        carried = f"relayed by {len(relays)} outlet{'s' * (len(relays) != 1)}" if relays else reported
        return f"single origin: {names}; {carried}"
    if verdict == "contested":
        against = sorted({a["outlet"] for a in group.get("against") or [] if a.get("outlet")})
        rests = f"rests on {names}" if names else "no origin named"
        return f"contested: {rests}; contradicted by {', '.join(against) or 'another report'}; {reported}"
    return f"unattributed: no origin named; asserted by {outlets} outlet{'s' * (outlets != 1)} in their own voice"


def _reason(reason: str | None) -> str:
    return f" ({reason})" if reason else ""


def _lone_claims(
    claims: Sequence[Mapping[str, Any]], texts: Mapping[str, str], params: BriefParams
) -> list[BriefSentence]:
    """A briefing from claims that recur nowhere: attributed, factual-looking claims first, in text order."""
    usable = [c for c in claims if c["article_id"] in texts and not c.get("duplicate_of")]

    def weight(claim: Mapping[str, Any]) -> tuple[int, int, int, int]:
        span = texts[claim["article_id"]][claim["start"] : claim["end"]]
        attributed = claim.get("speaker_kind") not in (None, "implicit")
        factual = claim.get("event_type") != "statement" or claim.get("quantity") is not None
        return (bool(_DEPENDENT.match(span.strip())), not attributed, not factual, claim["start"])

    picked = sorted(sorted(usable, key=weight)[: params.max_sentences], key=lambda c: (c["article_id"], c["start"]))
    sentences: list[BriefSentence] = []
    for claim in picked:
        claim = dict(claim)
        text = texts[claim["article_id"]]
        if _DEPENDENT.match(text[claim["start"] : claim["end"]].strip()):
            claim["start"], claim["end"] = sentence_around(text, claim["start"], claim["end"])
        if any(
            claim["start"] == e.start and claim["article_id"] == e.article_id for b in sentences for e in b.evidence
        ):
            continue  # widened to a sentence already briefed
        outlet = claim.get("outlet") or "an article"
        if claim.get("speaker_kind") in (None, "implicit"):
            kind, note = "unattributed", f"unattributed: asserted by {outlet} in its own voice; in no other outlet"
        else:
            kind, note = "single-origin", f"single origin: {claim.get('speaker')}, in {outlet}; in no other outlet"
        sentences.append(
            BriefSentence(
                text=tidy(text[claim["start"] : claim["end"]]),
                kind=kind,
                note=note,
                group_id=None,
                evidence=(_span(claim),),
            )
        )
    return sentences


# -- rendering -----------------------------------------------------------------------------------------------------


def _quote(evidence: Evidence, texts: Mapping[str, str], limit: int = 220) -> str:
    span = " ".join(texts.get(evidence.article_id, "")[evidence.start : evidence.end].split())
    return span if len(span) <= limit else span[: limit - 1] + "…"


def _heading(briefing: Briefing) -> str:
    first, last = briefing.first_published, briefing.last_published
    when = f", {first} – {last}" if first and last and first != last else f", {first}" if first else ""
    articles, outlets = briefing.n_articles, briefing.n_outlets
    return f"{articles} article{'s' * (articles != 1)} from {outlets} outlet{'s' * (outlets != 1)}{when}"


def to_markdown(briefing: Briefing, texts: Mapping[str, str]) -> str:
    """The briefing as Markdown: numbered sentences with their notes, each followed by its evidence quotes."""
    lines = [
        f"# {briefing.title or briefing.story_id}",
        "",
        f"Story `{briefing.story_id}`: {_heading(briefing)}. Every sentence below is a claim found in the "
        "articles; the brackets say what it rests on, and the quotes under it are the spans it was drawn from.",
        "",
    ]
    number = 0
    for sentence in briefing.sentences:
        if sentence.kind == "denial":
            lines.append(f"   - **Denied:** {sentence.text} **[{sentence.note}]**")
            indent = "     "
        else:
            number += 1
            lines.append(f"{number}. {sentence.text} **[{sentence.note}]**")
            indent = "   "
        for evidence in sentence.evidence:
            where = (
                f"{evidence.outlet or 'article'}, article `{evidence.article_id}` chars {evidence.start}–{evidence.end}"
            )
            lines.append(f"{indent}- {where}: “{_quote(evidence, texts)}”")
    if not briefing.sentences:
        lines.append("_No claims were found in this story's articles._")
    return "\n".join(lines) + "\n"


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
.note{font-size:.85em;padding:.05em .4em;border-radius:.3em;background:#eef}
.corroborated .note{background:#e3f4e1}.single-origin .note{background:#fff4d6}
.contested .note,.denial .note{background:#fde2e1}.unattributed .note{background:#eee}
.denial{margin-left:2rem;list-style:none}.evidence{font-size:.85em;color:#555;margin:.2em 0 .8em}
blockquote{margin:.2em 0 .2em 1rem;padding-left:.6rem;border-left:3px solid #ccc}"""


def to_html(briefing: Briefing, texts: Mapping[str, str], link: str | None = None) -> str:
    """The briefing as a standalone HTML page; every text is escaped. With ``link`` (a format string with
    ``{article_id}``, ``{start}`` and ``{end}``), each evidence quote links to its span."""
    e = html.escape
    items = []
    for sentence in briefing.sentences:
        quotes = []
        for evidence in sentence.evidence:
            where = (
                f"{e(evidence.outlet or 'article')}, article {e(evidence.article_id)} [{evidence.start}:{evidence.end}]"
            )
            if link:
                href = e(link.format(article_id=evidence.article_id, start=evidence.start, end=evidence.end))
                where = f'<a href="{href}">{where}</a>'
            quotes.append(f"<blockquote>{where}: “{e(_quote(evidence, texts))}”</blockquote>")
        label = "Denied: " if sentence.kind == "denial" else ""
        items.append(
            f'<li class="{e(sentence.kind)}"><strong>{label}</strong>{e(sentence.text)} '
            f'<span class="note">[{e(sentence.note)}]</span><div class="evidence">{"".join(quotes)}</div></li>'
        )
    body = "".join(items) or "<li>No claims were found in this story's articles.</li>"
    title = e(briefing.title or briefing.story_id)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>"
        f"<p>Story {e(briefing.story_id)}: {e(_heading(briefing))}. Every sentence is a claim found in the "
        "articles; the brackets say what it rests on, the quotes are the spans it was drawn from.</p>"
        f"<ol>{body}</ol></body></html>\n"
    )
