"""The trained attribution span tagger: source, cue and content spans the rules have no pattern for.

A spaCy ``ner``-architecture component, trained by ``bench/train_attribution.py`` on the PolNeAR training split
(see that script for how), ships as package data in ``data/attribution_spans/``. It reads the tags, dependency
labels, lemmas and entity types of the base pipeline, so it runs after it, on a shadow copy of the Doc because a
``ner`` component writes ``doc.ents``; its spans go to ``doc.spans["attribution"]``. :func:`link` then groups the
tagged spans of each sentence into attributions around their cues.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.attrs import DEP, ENT_TYPE, LEMMA, TAG
from spacy.tokens import Doc, Span

from . import nlp
from .attribution import Found

log = logging.getLogger(__name__)

SPANS_KEY = "attribution"
MODEL_DIR = "attribution_spans"


# What the component reads from the base pipeline's analysis of each token.
FEATURE_ATTRS = [TAG, DEP, LEMMA]


class SpanTagger:
    """Loads the component once; calling it on a parsed Doc returns attributions proposed from its spans."""

    def __init__(self, path: Path) -> None:
        meta: dict[str, Any] = json.loads((path / "component.json").read_text(encoding="utf-8"))
        # a spaCy EntityRecognizer; typed Any because spaCy declares pipes as plain callables
        component: Any = nlp.load().create_pipe(meta["factory"], name=meta["component"], config=meta["config"])
        component.from_disk(path, exclude=["vocab"])
        self.component = component
        self.labels = tuple(meta["labels"])

    @classmethod
    def load_default(cls) -> SpanTagger | None:
        """The tagger shipped with the package, or ``None`` (with a warning) when its weights are missing."""
        path = Path(str(resources.files("newstrace") / "data" / MODEL_DIR))
        if not (path / "component.json").is_file():
            log.warning("attribution span tagger not installed at %s: using the rules alone", path)
            return None
        return cls(path)

    def spans(self, doc: Doc) -> list[Span]:
        """Tagged SOURCE / CUE / CONTENT spans, also stored in ``doc.spans["attribution"]``. The component runs on
        a shadow copy (:func:`feature_doc`), so ``doc.ents`` stay as the base pipeline set them."""
        tagged = self.component(feature_doc(doc))
        spans = [Span(doc, ent.start, ent.end, label=ent.label_) for ent in tagged.ents]
        doc.spans[SPANS_KEY] = spans
        return spans

    def __call__(self, doc: Doc) -> list[Found]:
        return link(doc, self.spans(doc))


def feature_doc(doc: Doc) -> Doc:
    """A copy of ``doc`` with the same tokens, tags, dependency labels, lemmas and entity types, but no heads (so
    no sentence boundaries constrain the tagger's spans) and no entity boundaries (so it starts from none)."""
    shadow = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    if len(doc):
        values: Any = doc.to_array(FEATURE_ATTRS)
        shadow.from_array(FEATURE_ATTRS, values)
        for token, ent_type in zip(shadow, doc.to_array([ENT_TYPE]), strict=True):
            token.ent_type = int(ent_type)
    return shadow


def link(doc: Doc, spans: list[Span]) -> list[Found]:
    """Group tagged spans into attributions: every source and content span goes to the nearest cue in its
    sentence, else to the nearest cue in the sentence before or after (a quotation in the next sentence, a
    speaker named in the previous one). A cue left without content is dropped: it attributes nothing."""
    sentence_of = {}
    for number, sentence in enumerate(doc.sents):
        for i in range(sentence.start, sentence.end):
            sentence_of[i] = number
    cues = [s for s in spans if s.label_ == "CUE"]
    if not cues:
        return []
    contents: dict[int, list[Span]] = {i: [] for i in range(len(cues))}
    sources: dict[int, list[Span]] = {i: [] for i in range(len(cues))}
    for span in spans:
        if span.label_ == "CUE":
            continue
        costs = []
        for number, cue in enumerate(cues):
            apart = abs(sentence_of[span.start] - sentence_of[cue.start])
            if apart <= 1:
                costs.append((apart, _distance(span, cue), number))
        if costs:
            (contents if span.label_ == "CONTENT" else sources)[min(costs)[2]].append(span)
    found: list[Found] = []
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
