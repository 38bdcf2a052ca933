"""The trained attribution span tagger: source, cue and content spans the rules have no pattern for.

A spaCy ``ner``-architecture component, trained by ``bench/train_attribution.py`` on the PolNeAR training split
(see that script for how), ships as package data in ``data/attribution_spans/``. It reads the tags, dependency
labels and entities of the base pipeline, so it runs after it; because a ``ner`` component writes ``doc.ents``, we
save the base pipeline's entities, run it, move its spans to ``doc.spans["attribution"]`` and put the entities
back. :func:`link` then groups the tagged spans of each sentence into attributions around their cues.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from . import nlp
from .attribution import Found

log = logging.getLogger(__name__)

SPANS_KEY = "attribution"
MODEL_DIR = "attribution_spans"


class SpanTagger:
    """Loads the component once; calling it on a parsed Doc returns attributions proposed from its spans."""

    def __init__(self, path: Path) -> None:
        meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        base = nlp.load()
        self.component = base.create_pipe("ner", name="attribution_spans", config=meta["config"])
        self.component.from_disk(path / "component", exclude=["vocab"])
        self.labels = tuple(meta["labels"])

    @classmethod
    def load_default(cls) -> SpanTagger | None:
        """The tagger shipped with the package, or ``None`` (with a warning) when its weights are missing."""
        path = Path(str(resources.files("newstrace") / "data" / MODEL_DIR))
        if not (path / "meta.json").is_file():
            log.warning("attribution span tagger not installed at %s: using the rules alone", path)
            return None
        return cls(path)

    def spans(self, doc: Doc) -> list[Span]:
        """Tagged SOURCE / CUE / CONTENT spans, also stored in ``doc.spans["attribution"]``; ``doc.ents`` is left
        as the base pipeline set it."""
        entities = doc.ents
        self.component(doc)
        tagged = list(doc.ents)
        doc.ents = entities
        doc.spans[SPANS_KEY] = tagged
        return tagged

    def __call__(self, doc: Doc) -> list[Found]:
        return link(doc, self.spans(doc))


def link(doc: Doc, spans: list[Span]) -> list[Found]:
    """Group tagged spans into attributions: within each sentence, every content and source span goes to the
    nearest cue (a content span that crosses into the next sentence -- a long quotation -- counts for the
    sentence it starts in). Cues without content are dropped; contents without a cue are left to the rules."""
    by_sentence: dict[int, list[Span]] = {}
    for span in spans:
        by_sentence.setdefault(doc[span.start].sent.start, []).append(span)
    found: list[Found] = []
    for group in by_sentence.values():
        cues = [s for s in group if s.label_ == "CUE"]
        if not cues:
            continue
        contents: dict[int, list[Span]] = {i: [] for i in range(len(cues))}
        sources: dict[int, list[Span]] = {i: [] for i in range(len(cues))}
        for span in group:
            if span.label_ == "CUE":
                continue
            nearest = min(range(len(cues)), key=lambda i: _distance(span, cues[i]))
            (contents if span.label_ == "CONTENT" else sources)[nearest].append(span)
        for number, cue in enumerate(cues):
            if not contents[number]:
                continue
            source = min(sources[number], key=lambda s: _distance(s, cue)) if sources[number] else None
            parts = sorted(contents[number], key=lambda s: s.start)
            direct = all(p[0].is_quote and p[-1].is_quote for p in parts)
            found.append(Found(cue, source, parts, direct, origin="tagger"))
    return found


def _distance(span: Span, cue: Span) -> int:
    if span.end <= cue.start:
        return cue.start - span.end
    if cue.end <= span.start:
        return span.start - cue.end
    return 0
