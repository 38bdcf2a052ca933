"""What each page of the web UI shows, as data: one function per page, over a read-only ``Store``.

A page function returns a ``Page``: ``data`` is exactly the page's JSON twin (``/stories/ID.json``), and the HTML
template renders the same ``data`` (plus ``extra``, things only HTML needs, such as the article text with its
marks). Links between pages travel in the data as ``url`` fields, so a JSON client can follow them too.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from . import pipeline
from .highlight import Span, render
from .store import Store

STORIES_PER_PAGE = 50
ROWS_PER_PAGE = 100
VERDICTS = ("corroborated", "single-origin", "contested", "unattributed")


@dataclass
class Page:
    """A rendered page's template, its JSON-able data (the JSON twin) and what only the HTML needs."""

    template: str
    data: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


class NotFound(Exception):
    """No such story, article, actor or outlet: the page answers 404."""


def story_url(story_id: str) -> str:
    return f"/stories/{quote(story_id, safe='')}"


def article_url(article_id: str) -> str:
    return f"/articles/{quote(article_id, safe='')}"


def span_url(article_id: str, start: int, end: int) -> str:
    """Where a span of an article's text is marked: the article view gives that mark ``id="span-START-END"``."""
    return f"{article_url(article_id)}#span-{start}-{end}"


def actor_url(name: str) -> str:
    return f"/actors/{quote(name, safe='')}"


def outlet_url(source_id: str) -> str:
    return f"/outlets/{quote(source_id, safe='')}"


def safe_href(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else ``None``: an article's URL never becomes a ``javascript:`` or
    ``data:`` link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def paging(path: str, page: int, size: int, total: int, **query: str) -> dict[str, Any]:
    """Where this page sits among ``total`` rows, with the URLs of the pages before and after."""
    pages = max(1, math.ceil(total / size))

    def url(number: int) -> str:
        params = {k: v for k, v in query.items() if v} | ({"page": str(number)} if number > 1 else {})
        return path + (f"?{urlencode(params)}" if params else "")

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "per_page": size,
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
    }


# -- stories --------------------------------------------------------------------------------------------------


def stories(store: Store, search: str = "", page: int = 1) -> Page:
    """Stories, largest first, with how their recurring claims stand; ``search`` looks in titles."""
    total, rows = store.web_stories(search, STORIES_PER_PAGE, (page - 1) * STORIES_PER_PAGE)
    for row in rows:
        row["url"] = story_url(row["story_id"])
    return Page(
        "stories.html",
        {"q": search, "stories": rows, "paging": paging("/stories", page, STORIES_PER_PAGE, total, q=search)},
    )


def story(store: Store, story_id: str) -> Page:
    """The dossier of one story: briefing, claims table (verdicts, origins, who contradicts), pictures, outlets
    and articles."""
    found = _story(store, story_id)
    groups = store.story_groups(story_id)
    spans, origin_spans = store.web_story_evidence(story_id)
    evidence = {(o["group_id"], o["name"]): o for o in origin_spans}
    for group in groups:
        where = spans.get(group["group_id"])
        group["evidence_url"] = span_url(where["article_id"], where["start"], where["end"]) if where else None
        group["evidence_outlet"] = where["outlet"] if where else None
        for origin in group["origins"] or []:
            span = evidence.get((group["group_id"], origin["name"]))
            origin["evidence_url"] = span_url(span["article_id"], span["start"], span["end"]) if span else None
    articles = store.web_story_articles(story_id)
    for row in articles:
        row["url"] = article_url(row["article_id"])
        row["outlet_url"] = outlet_url(row["source"]) if row["source"] else None
    data = {
        "story": found | {"url": story_url(story_id)},
        "briefing": _briefing(store, story_id),
        "verdicts": {v: sum(g["verdict"] == v for g in groups) for v in VERDICTS},
        "claims": groups,
        "pictures": {
            "graph": f"{story_url(story_id)}/graph.svg" if _can_draw("graph") else None,
            "timeline": f"{story_url(story_id)}/timeline.svg" if _can_draw("timeline") else None,
        },
        "outlets": _outlets_of(articles),
        "articles": articles,
    }
    return Page("story.html", data)


def _story(store: Store, story_id: str) -> dict[str, Any]:
    """The stories row of exactly this id (links always carry whole ids)."""
    columns, rows = store.query("SELECT * FROM stories WHERE story_id = ?", [story_id])
    if not rows:
        raise NotFound(f"no story {story_id!r}")
    return dict(zip(columns, rows[0], strict=True))


def _briefing(store: Store, story_id: str) -> dict[str, Any] | None:
    """The story's cited briefing, each evidence span with its URL; ``None`` until the briefing stage exists."""
    make = getattr(pipeline, "briefing", None)
    brief = make(store, story_id) if callable(make) else None
    if brief is None:
        return None
    found: dict[str, Any] = dataclasses.asdict(brief)
    for sentence in found["sentences"]:
        for item in sentence["evidence"]:
            item["url"] = span_url(item["article_id"], item["start"], item["end"])
    return found


def _can_draw(kind: str) -> bool:
    """Whether the picture module (``graph`` or ``timeline``) and its pipeline function are there; found without
    importing matplotlib, which the picture route does."""
    builder = "actor_graph" if kind == "graph" else "story_timeline"
    return importlib.util.find_spec(f"newstrace.{kind}") is not None and callable(getattr(pipeline, builder, None))


def _outlets_of(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outlets of a story's articles: how many each published, the first date, and how many were copies."""
    outlets: dict[str, dict[str, Any]] = {}
    for row in articles:
        key = row["source"] or row["article_id"]
        outlet = outlets.setdefault(
            key,
            {"outlet": row["outlet"], "url": row["outlet_url"], "n_articles": 0, "n_copies": 0, "first": None,
             "genres": []},
        )  # fmt: skip
        outlet["n_articles"] += 1
        outlet["n_copies"] += row["duplicate_of"] is not None
        if row["published"] and (outlet["first"] is None or row["published"] < outlet["first"]):
            outlet["first"] = row["published"]
        if row.get("genre") and row["genre"] not in outlet["genres"]:
            outlet["genres"].append(row["genre"])
    return sorted(outlets.values(), key=lambda o: (o["first"] is None, o["first"] or 0, o["outlet"] or ""))


def picture(store: Store, story_id: str, kind: str) -> str:
    """The SVG of a story's actor graph or timeline, drawn by ``graph.svg`` / ``timeline.svg``; NotFound when the
    story or the drawing code is missing (never a stand-in picture)."""
    _story(store, story_id)
    try:
        module = importlib.import_module(f"newstrace.{kind}")
    except ImportError:
        raise NotFound(f"the {kind} picture is not available in this version") from None
    build = getattr(pipeline, "actor_graph" if kind == "graph" else "story_timeline", None)
    draw = getattr(module, "svg", None)
    if not callable(build) or not callable(draw):
        raise NotFound(f"the {kind} picture is not available in this version")
    return str(draw(build(store, story_id)))


# -- articles -------------------------------------------------------------------------------------------------


def article(store: Store, article_id: str) -> Page:
    """One article: metadata, profile, the text with attributions and claims marked, who said what (with the
    chain each is reported through) and the claims with their event fields and the verdicts of their groups."""
    found = store.web_article(article_id)
    if found is None:
        raise NotFound(f"no article {article_id!r}")
    attributions = store.attributions_of(article_id)
    claims = store.claims_of(article_id)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in store.web_article_groups(article_id):
        row["url"] = f"{story_url(found['story_id'])}#group-{row['group_id']}" if found["story_id"] else None
        groups.setdefault(row.pop("claim_id"), []).append(row)
    by_id = {a["attribution_id"]: a for a in attributions}
    said = [a for a in attributions if a["speaker_kind"] != "implicit"]
    for number, item in enumerate(said, 1):
        item["n"] = number
        item["chain"] = _chain(item, by_id)
        item["anchor"] = f"span-{item['start']}-{item['end']}"
    for claim in claims:
        claim["groups"] = groups.get(claim["claim_id"], [])
        claim["anchor"] = f"span-{claim['start']}-{claim['end']}"
        speaker = by_id.get(claim["attribution_id"] or "")
        claim["said_by"] = (speaker["speaker_name"] or speaker["speaker"]) if speaker else None
    text = found.pop("text")
    meta = found | {
        "page_url": article_url(article_id),  # ``url`` stays the article's own (source) URL
        "href": safe_href(found["url"]),
        "outlet_url": outlet_url(found["source"]) if found["source"] else None,
        "story_url": story_url(found["story_id"]) if found["story_id"] else None,
        "original_url": article_url(found["duplicate_of"]) if found["duplicate_of"] else None,
    }
    copies = store.web_copies(article_id)
    for row in copies:
        row["url"] = article_url(row["article_id"])
    data = {
        "article": meta,
        "text": text,
        "attributions": attributions,
        "n_own_voice": len(attributions) - len(said),
        "claims": claims,
        "briefed": _briefed(store, found["story_id"], article_id),
        "copies": copies,
    }
    spans = _spans(said, claims, data["briefed"])
    return Page("article.html", data, {"paragraphs": render(text, spans), "said": said})


def _briefed(store: Store, story_id: str | None, article_id: str) -> list[dict[str, Any]]:
    """The sentences of the story's briefing that cite this article, each with its spans here. Their spans are
    claims, or the sentence around a claim, so the article view marks them itself for the dossier's links."""
    brief = _briefing(store, story_id) if story_id else None
    found = []
    for number, sentence in enumerate(brief["sentences"] if brief else [], 1):
        spans = [e for e in sentence["evidence"] if e["article_id"] == article_id]
        if spans:
            found.append({"n": number, "text": sentence["text"], "kind": sentence["kind"], "spans": spans})
    return found


def _chain(item: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[str]:
    """The speakers this attribution is reported through, nearest first ("six sources" → ["Reuters"])."""
    chain, seen = [], {item["attribution_id"]}
    parent = by_id.get(item["parent_id"] or "")
    while parent is not None and parent["attribution_id"] not in seen:
        seen.add(parent["attribution_id"])
        chain.append(parent["speaker_name"] or parent["speaker"] or parent["speaker_kind"])
        parent = by_id.get(parent["parent_id"] or "")
    return chain


def _spans(said: list[dict[str, Any]], claims: list[dict[str, Any]], briefed: list[dict[str, Any]]) -> list[Span]:
    """The marks of the article view: each attribution's content, speaker and cue, each claim, and each span the
    story's briefing cites."""
    spans = [
        Span(e["start"], e["end"], "evidence", f"brief-{b['n']}", (f"kind-{b['kind']}",), f"briefing {b['n']}")
        for b in briefed
        for e in b["spans"]
    ]
    for a in said:
        who = a["speaker_name"] or a["speaker"] or "?"
        kind = a["speaker_kind"] + (f" ×{a['anonymous_count']}" if a["anonymous_count"] else "")
        ref = a["attribution_id"]
        quoted = "direct" if a["direct"] else "indirect"
        spans.append(Span(a["start"], a["end"], "content", ref, (quoted,), f"[{a['n']}] {who} ({kind})"))
        if a["speaker_start"] is not None and a["speaker_end"] is not None:
            spans.append(Span(a["speaker_start"], a["speaker_end"], "speaker", ref, (a["speaker_kind"],), who))
        if a["cue_start"] is not None and a["cue_end"] is not None:
            spans.append(Span(a["cue_start"], a["cue_end"], "cue", ref, (), f"cue: {a['cue'] or ''}"))
    for c in claims:
        verdicts = [g["verdict"] for g in c["groups"]]
        classes = (f"modality-{c['modality']}", *(f"verdict-{v}" for v in verdicts))
        title = " · ".join([c["event_type"], c["modality"], *verdicts])
        spans.append(Span(c["start"], c["end"], "claim", c["claim_id"], classes, title))
    return spans


# -- actors and outlets ---------------------------------------------------------------------------------------


def actors(store: Store, search: str = "", page: int = 1) -> Page:
    """Actors and targets of claims, by the number of claims that name them as actor."""
    total, rows = store.web_actors(search, ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE)
    for row in rows:
        row["url"] = actor_url(row["name"])
    return Page(
        "actors.html", {"q": search, "actors": rows, "paging": paging("/actors", page, ROWS_PER_PAGE, total, q=search)}
    )


def actor(store: Store, name: str, page: int = 1) -> Page:
    """One actor: the claims naming it as actor or target, and what it said as a speaker."""
    found = store.web_actor(name, ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE)
    if not found["n_claims"] and not found["n_said"]:
        raise NotFound(f"no actor or speaker named {name!r}")
    for row in found["claims"]:
        row["url"] = span_url(row["article_id"], row["start"], row["end"])
        row["story_url"] = story_url(row["story_id"]) if row["story_id"] else None
    for row in found["said"]:
        row["url"] = span_url(row["article_id"], row["start"], row["end"])
    found["paging"] = paging(actor_url(name), page, ROWS_PER_PAGE, found["n_claims"])
    return Page("actor.html", {"actor": name, "url": actor_url(name), **found})


def outlets(store: Store, page: int = 1) -> Page:
    """Outlets by number of articles, with their source profiles."""
    total, rows = store.web_outlets(ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE)
    for row in rows:
        row["url"] = outlet_url(row["source_id"])
    return Page("outlets.html", {"outlets": rows, "paging": paging("/outlets", page, ROWS_PER_PAGE, total)})


def outlet(store: Store, key: str, page: int = 1) -> Page:
    """One outlet (by source id or name): its source profile, its articles and the stories it reports most."""
    found = store.web_outlet(key, ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE)
    if found is None:
        raise NotFound(f"no outlet {key!r}")
    found["url"] = outlet_url(found["source_id"])
    for row in found["articles"]:
        row["url"] = article_url(row["article_id"])
        row["story_url"] = story_url(row["story_id"]) if row["story_id"] else None
    for row in found["stories"]:
        row["url"] = story_url(row["story_id"])
    found["paging"] = paging(found["url"], page, ROWS_PER_PAGE, found["n_articles"])
    return Page("outlet.html", {"outlet": found})
