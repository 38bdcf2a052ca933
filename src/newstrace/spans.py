"""The trained attribution span tagger: source, cue and content spans as PolNeAR's annotators mark them.

A spaCy ``ner``-architecture component, trained by ``bench/train_attribution.py`` on the PolNeAR training split
(see that script for how), ships as package data in ``data/attribution_spans/``. It reads the tags, dependency
labels, lemmas and entity types of the base pipeline, and :func:`hints` -- what the rules and the parse say about
each token -- so it runs after the parse and the rules, on a shadow copy of the Doc because a ``ner`` component
writes ``doc.ents``; its spans go to ``doc.spans["attribution"]``. :func:`link` then groups the tagged spans of each
sentence into attributions around their cues, which :func:`newstrace.attribution.merge` completes from the rules.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.attrs import DEP, ENT_TYPE, LEMMA, TAG
from spacy.tokens import Doc, Span, Token

from . import nlp
from .attribution import Found, is_cue, quotations

log = logging.getLogger(__name__)

SPANS_KEY = "attribution"
MODEL_DIR = "attribution_spans"


# What the component reads from the base pipeline's analysis of each token.
FEATURE_ATTRS = [TAG, DEP, LEMMA]
# Dependency labels kept in the ``Arc`` hint (the arc by which a token's subtree hangs from a cue verb); the rest
# are "other".
HINT_ARCS = frozenset(
    "nsubj nsubjpass ccomp dobj xcomp advcl parataxis prep agent conj advmod npadvmod dative punct mark".split()
)


class SpanTagger:
    """Loads the component once; calling it on a parsed Doc returns attributions proposed from its spans."""

    def __init__(self, path: Path) -> None:
        meta: dict[str, Any] = json.loads((path / "component.json").read_text(encoding="utf-8"))
        # a spaCy EntityRecognizer; typed Any because spaCy declares pipes as plain callables
        component: Any = nlp.load().create_pipe(meta["factory"], name=meta["component"], config=meta["config"])
        component.from_disk(path, exclude=["vocab"])
        self.component = component
        self.labels = tuple(meta["labels"])
        self.uses_hints = bool(meta.get("hints", False))  # trained with the rules' hints (:func:`hints`)

    @classmethod
    def load_default(cls) -> SpanTagger | None:
        """The tagger shipped with the package, or ``None`` (with a warning) when its weights are missing."""
        path = Path(str(resources.files("newstrace") / "data" / MODEL_DIR))
        if not (path / "component.json").is_file():
            log.warning("attribution span tagger not installed at %s: using the rules alone", path)
            return None
        return cls(path)

    def spans(self, doc: Doc, rules: Sequence[Found] = ()) -> list[Span]:
        """Tagged SOURCE / CUE / CONTENT spans, also stored in ``doc.spans["attribution"]``. The component runs on
        a shadow copy (:func:`feature_doc`), so ``doc.ents`` stay as the base pipeline set them; ``rules`` are the
        pattern attributions its hints are made from."""
        tagged = self.component(feature_doc(doc, rules if self.uses_hints else None))
        spans = [Span(doc, ent.start, ent.end, label=ent.label_) for ent in tagged.ents]
        doc.spans[SPANS_KEY] = spans
        return spans

    def __call__(self, doc: Doc, rules: Sequence[Found] = ()) -> list[Found]:
        return link(doc, self.spans(doc, rules))


def feature_doc(doc: Doc, rules: Sequence[Found] | None = None) -> Doc:
    """A copy of ``doc`` with the same tokens, tags, dependency labels, lemmas and entity types, but no heads (so
    no sentence boundaries constrain the tagger's spans) and no entity boundaries (so it starts from none). With
    ``rules`` (the pattern attributions of :func:`.attribution.rule_attributions`), each token also carries the
    :func:`hints` as its morphological features, which a tagger trained with hints reads through ``MORPH``."""
    shadow = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    if len(doc):
        values: Any = doc.to_array(FEATURE_ATTRS)
        shadow.from_array(FEATURE_ATTRS, values)
        for token, ent_type in zip(shadow, doc.to_array([ENT_TYPE]), strict=True):
            token.ent_type = int(ent_type)
    if rules is not None:
        for token, hint in zip(shadow, hints(doc, rules), strict=True):
            if hint:
                token.set_morph(hint)  # type: ignore[attr-defined]  # in spaCy, missing from its stubs
    return shadow


def hints(doc: Doc, rules: Sequence[Found]) -> list[str]:
    """What the parse and the rules say about each token, as a feature string such as
    ``Arc=ccomp|Quote=Yes|Rule=Content|Sent=Start``:

    * ``Rule``: the token's role (Source, Cue, Content) in an attribution the rules found;
    * ``Quote``: inside a pair of quotation marks (paired over the whole text, so across sentences);
    * ``Arc``: for a token in the subtree of a cue verb, the label of the arc that subtree hangs from (``nsubj``
      for a speaker, ``ccomp`` for what was said), ``Cue`` for the verb itself;
    * ``Sent``: the first or last token of a sentence (the tagger's copy of the doc has no sentences).

    The tagger's window sees a few tokens either side; these hints carry what the parse and the quote pairing know
    about the whole sentence and the whole text."""
    features: list[dict[str, str]] = [{} for _ in doc]
    for quote in quotations(doc):
        for i in range(quote.start, quote.end):
            features[i]["Quote"] = "Yes"
    for item in rules:
        roles = [("Cue", item.cue), ("Source", item.source), *(("Content", span) for span in item.content)]
        for role, span in roles:
            if span is not None:
                for i in range(span.start, span.end):
                    features[i]["Rule"] = role
    for token in doc:
        arc = _cue_arc(token)
        if arc is not None:
            features[token.i]["Arc"] = arc
    for sentence in doc.sents:
        features[sentence.end - 1]["Sent"] = "End"
        features[sentence.start]["Sent"] = "Start"
    return ["|".join(f"{key}={value}" for key, value in sorted(f.items())) for f in features]


def _cue_arc(token: Token) -> str | None:
    """``Cue`` for a cue verb; else the arc label by which the token's nearest cue-verb ancestor holds it."""
    if is_cue(token):
        return "Cue"
    child = token
    for _ in range(64):  # a parse tree is never this deep; the bound guards against a malformed one
        head = child.head
        if head.i == child.i:
            return None
        if is_cue(head):
            return child.dep_ if child.dep_ in HINT_ARCS else "other"
        child = head
    return None


def link(doc: Doc, spans: list[Span]) -> list[Found]:
    """Group tagged spans into attributions: every source and content span goes to the nearest cue in its
    sentence, else to the nearest cue in the sentence before or after (a quotation in the next sentence, a
    speaker named in the previous one). A cue left without content is kept with an empty content, for the
    attribution stage to complete from the parse or drop (:func:`.attribution.merge`)."""
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
        source = min(sources[number], key=lambda s: _distance(s, cue)) if sources[number] else None
        parts = sorted(contents[number], key=lambda s: s.start)
        direct = bool(parts) and all(p[0].is_quote and p[-1].is_quote for p in parts)
        found.append(Found(cue, source, parts, direct, origin="tagger"))
    return found


def _distance(span: Span, cue: Span) -> int:
    if span.end <= cue.start:
        return cue.start - span.end
    if cue.end <= span.start:
        return span.start - cue.end
    return 0
