"""Stance: the decision rule, sentence splitting, the featurizer round trip, the FNC scorer and the shipped model on
a few hand-written pairs."""

from __future__ import annotations

import numpy as np
import pytest
from bench.fnc1 import fnc_score, report

from newstrace.stance import HAND_FEATURES, LABELS, STANCE_NAMES, Featurizer, Stance, Tfidf, decide, sentences


def test_decide_prefers_the_higher_expected_score() -> None:
    # unrelated is the most probable class, but "discuss" earns more on average: 0.25 * 0.55 + 0.75 * 0.45 > 0.25 * 0.45
    rows = np.array([[0.0, 0.0, 0.45, 0.55], [0.05, 0.0, 0.05, 0.9], [0.6, 0.1, 0.2, 0.1]])
    assert decide(rows) == [("discuss", 0.45), ("unrelated", 0.9), ("agree", 0.6)]


def test_stance_names_cover_every_label() -> None:
    assert set(STANCE_NAMES) == set(LABELS)
    assert STANCE_NAMES["agree"] == "supports" and STANCE_NAMES["disagree"] == "contradicts"


def test_sentences() -> None:
    text = 'Iran denied it. "We sent nothing," he said. The U.S. said 400 missiles were sent.\nNew paragraph here'
    assert sentences(text) == [
        "Iran denied it.",
        '"We sent nothing," he said.',
        "The U.S. said 400 missiles were sent.",
        "New paragraph here",
    ]
    assert len(sentences("A a. B b. C c. D d.", limit=2)) == 2
    assert sentences("") == []


def test_tfidf_cosine() -> None:
    tfidf = Tfidf.fit(["drones sent to russia", "missiles sent to russia", "tram line opens"], min_df=1)
    a, b, c = (tfidf.vector(t) for t in ("drones to Russia", "drones sent to Russia", "the tram line"))
    assert Tfidf.cosine(a, a) == pytest.approx(1.0)
    assert Tfidf.cosine(a, b) > 0.5
    assert Tfidf.cosine(a, c) == 0.0
    assert tfidf.vector("") == {}


def test_featurizer_round_trip_and_rows() -> None:
    bodies = ["Iran denied sending drones. Officials said the report was false.", "The tram line opens in May."]
    featurizer = Featurizer.fit(["Iran sent drones"], bodies, body_words=30)
    again = Featurizer.from_json(featurizer.to_json())
    assert again.names == featurizer.names
    assert len(featurizer.body_words) == 15  # the bodies have only 15 distinct words
    assert len(featurizer.names) == len(HAND_FEATURES) + 15
    rng = np.random.default_rng(0)
    unit = rng.normal(size=(3, 384)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    claim_vectors = {"Iran sent drones": unit[0]}
    body_vectors = {bodies[0]: unit[1:3], bodies[1]: unit[1:2], "": unit[:0]}
    pairs = [("Iran sent drones", bodies[0]), ("Iran sent drones", bodies[1]), ("Iran sent drones", "")]
    rows = again(pairs, claim_vectors, body_vectors)
    assert rows.shape == (3, len(again.names))
    assert np.isfinite(rows).all()
    named = dict(zip(again.names, rows[0], strict=True))
    assert named["refute_claim"] == 0 and named["refute_body"] > 0  # "denied", "false"
    assert named["body_denied"] == 1 and named["overlap"] > 0.5
    assert dict(zip(again.names, rows[1], strict=True))["overlap"] == 0
    data = featurizer.to_json()
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="rebuild"):
        Featurizer.from_json(data)


def test_fnc_score_and_report() -> None:
    gold = ["agree", "discuss", "unrelated", "disagree"]
    assert fnc_score(gold, gold) == 3.25
    assert fnc_score(gold, ["discuss", "discuss", "unrelated", "unrelated"]) == 0.25 + 1.0 + 0.25
    result = report(gold, ["discuss", "discuss", "unrelated", "unrelated"])
    assert result["fnc_relative"] == round(100 * 1.5 / 3.25, 2)
    assert result["f1"]["unrelated"] == round(100 * 2 / 3, 2)
    assert result["confusion"]["rows_gold_columns_predicted"][0] == [0, 0, 1, 0]


@pytest.fixture(scope="module")
def stance() -> Stance:
    return Stance()


def test_shipped_model_on_written_pairs(stance: Stance) -> None:
    claim = "Iran has sent hundreds of drones to Russia"
    supports = (
        "Iran has supplied Russia with hundreds of attack drones, officials confirmed on Thursday. "
        "The drones were delivered over the summer and have been used against power plants."
    )
    unrelated = (
        "The city's new tram line will open in May, the transport authority announced. "
        "Tickets will cost the same as on buses, and trams will run every ten minutes."
    )
    labels = stance([(claim, supports), (claim, unrelated)])
    assert labels[0][0] in {"agree", "discuss"}
    assert labels[1][0] == "unrelated"
    assert all(0.0 <= p <= 1.0 for _, p in labels)
    assert stance([]) == []
