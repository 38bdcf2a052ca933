"""Stance benchmark: newstrace's stance model on the FNC-1 competition test set, and the script that trains it.

``python -m bench.stance`` scores the shipped model (``src/newstrace/data/stance/``) end to end through
:class:`newstrace.stance.Stance` -- embedding included, nothing cached -- on the 25,413 test pairs: FNC score
relative to the best possible, macro-F1 and per-class F1, confusion matrix and pairs per second. Anchors: Talos
(winner) 82.02 %, Athene 81.97 %, UCL 81.72 %, official baseline 75.20 %.

``python -m bench.stance --tune`` cross-validates on the training set in five folds of stories (connected
components of the headline-body graph of related pairs, so neither a body nor the claim it discusses is seen in
training, as on the test set) and reports the pooled held-out figures with early stopping.
``python -m bench.stance --train`` fits the model on all training pairs with the number of rounds found by
``--tune`` and writes it to the package. The embeddings
of the training headlines and body sentences are cached in ``bench/.cache/stance`` (see :mod:`bench.fnc1`); the
test set is never used for tuning.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import record  # noqa: E402
from bench.fnc1 import Pair, embeddings, load, report  # noqa: E402
from newstrace.stance import LABELS, Featurizer, Stance, decide, model_path  # noqa: E402

ANCHORS = {"Talos (winner)": 82.02, "Athene": 81.97, "UCL": 81.72, "official baseline": 75.20}
# Small, well-regularised trees: the training set has only about 300 stories, and a tree that learns one story's
# wording does not carry over to the next (cross-validated: 15 leaves, 100 pairs a leaf beat 31 and 40).
PARAMS: dict[str, Any] = {
    "objective": "multiclass",
    "num_class": len(LABELS),
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "seed": 1,
    "deterministic": True,
    "verbose": -1,
}
ROUNDS = 300  # --tune: the five folds stopped best at 160-387 rounds (mean 279) on four fifths of the data
FOLDS = 5
BODY_WORDS = 1000  # words whose presence in the body are features (cross-validated: 1,000 beat 300 and 2,000)


def stories(pairs: Sequence[Pair]) -> dict[str, int]:
    """Story number of every body id: connected components of the graph whose edges are the related pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        find("b" + p.body_id)
        if p.stance != "unrelated":
            parent[find("h" + p.headline)] = find("b" + p.body_id)
    roots: dict[str, int] = {}
    return {p.body_id: roots.setdefault(find("b" + p.body_id), len(roots)) for p in pairs}


def folds(pairs: Sequence[Pair], k: int = FOLDS, seed: int = 7) -> list[tuple[np.ndarray, np.ndarray]]:
    """(training, held-out) pair numbers for ``k`` folds of the training stories: every pair whose body is in a
    held-out story is held out; pairs whose headline belongs to a held-out story are left out of training, so no
    claim is seen on both sides (as on the test set, whose claims are all new)."""
    story_of = stories(pairs)
    numbers = sorted(set(story_of.values()))
    random.Random(seed).shuffle(numbers)
    fold_of = {story: i % k for i, story in enumerate(numbers)}
    out = []
    for fold in range(k):
        held = [i for i, p in enumerate(pairs) if fold_of[story_of[p.body_id]] == fold]
        claims = {pairs[i].headline for i in held if pairs[i].stance != "unrelated"}
        kept = [i for i, p in enumerate(pairs) if fold_of[story_of[p.body_id]] != fold and p.headline not in claims]
        out.append((np.array(kept), np.array(held)))
    return out


def matrix(pairs: Sequence[Pair], bodies: dict[str, str], featurizer: Featurizer) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and label numbers of ``pairs`` (embeddings from the cache)."""
    heads, body_vectors = embeddings(pairs, bodies)
    x = featurizer([(p.headline, bodies[p.body_id]) for p in pairs], heads, body_vectors)
    y = np.array([LABELS.index(p.stance) for p in pairs])
    return x, y


def fit_featurizer(pairs: Sequence[Pair], bodies: dict[str, str]) -> Featurizer:
    """TF-IDF and word lists from the headlines and bodies of ``pairs`` only."""
    used = sorted({p.body_id for p in pairs})
    return Featurizer.fit(sorted({p.headline for p in pairs}), [bodies[i] for i in used], BODY_WORDS)


def tune(rounds: int = 3000) -> dict[str, Any]:
    """Cross-validate on the training stories (:func:`folds`), early-stopping each fold on its held-out part;
    print and return the pooled held-out figures and each fold's best round."""
    import lightgbm

    pairs, bodies = load("train")
    probabilities = np.zeros((len(pairs), len(LABELS)))
    best, seconds, gains = [], 0.0, np.zeros(0)
    for kept, held in folds(pairs):
        # the vocabulary is learnt from the training side only
        featurizer = fit_featurizer([pairs[i] for i in kept], bodies)
        x, y = matrix(pairs, bodies, featurizer)
        started = time.perf_counter()
        booster = lightgbm.train(
            PARAMS,
            lightgbm.Dataset(x[kept], y[kept]),
            num_boost_round=rounds,
            valid_sets=[lightgbm.Dataset(x[held], y[held])],
            callbacks=[lightgbm.early_stopping(100, verbose=False)],
        )
        seconds += time.perf_counter() - started
        probabilities[held] = booster.predict(x[held], num_iteration=booster.best_iteration)
        best.append(booster.best_iteration)
        gain = booster.feature_importance("gain")
        gains = gain if not len(gains) else gains + gain
        print(f"fold {len(best)}: {len(held)} pairs held out, {len(kept)} trained on, best round {best[-1]}")
    gold = [p.stance for p in pairs]
    result = report(gold, [label for label, _ in decide(probabilities)])
    argmax = report(gold, [LABELS[k] for k in probabilities.argmax(axis=1)])
    importance = sorted(zip(featurizer.names, gains, strict=True), key=lambda t: -t[1])
    print(f"expected-score decision: {_line(result)}")
    print(f"argmax decision:         {_line(argmax)}")
    print("top features:", ", ".join(f"{n} {g:.0f}" for n, g in importance[:20]))
    return {
        "folds": len(best),
        "best_rounds": best,
        "fit_seconds": round(seconds, 1),
        "held_out": result,
        "held_out_argmax": argmax,
    }


def train(rounds: int = ROUNDS, out: Path | None = None) -> dict[str, Any]:
    """Fit on every training pair and write ``stance.lgb.txt`` and ``stance.json`` (features, TF-IDF idf) to
    ``out`` (default: the package's ``data/stance``)."""
    import lightgbm

    out = out or model_path()
    pairs, bodies = load("train")
    started = time.perf_counter()
    featurizer = fit_featurizer(pairs, bodies)
    x, y = matrix(pairs, bodies, featurizer)
    featurized = time.perf_counter()
    booster = lightgbm.train(PARAMS, lightgbm.Dataset(x, y), num_boost_round=rounds)
    fitted = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "stance.lgb.txt"))
    meta = {
        "labels": list(LABELS),
        "rounds": rounds,
        "params": PARAMS,
        "trained_on": f"FNC-1 training set, {len(pairs)} pairs",
        **featurizer.to_json(),
    }
    (out / "stance.json").write_text(json.dumps(meta, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    figures = {
        "pairs": len(pairs),
        "rounds": rounds,
        "feature_seconds": round(featurized - started, 1),
        "fit_seconds": round(fitted - featurized, 1),
        "note": "embeddings of the training headlines and body sentences come from bench/.cache (about 4 min to make)",
    }
    print(f"trained on {len(pairs)} pairs: features {figures['feature_seconds']} s, fit {figures['fit_seconds']} s")
    return figures


def evaluate(every: int = 1) -> dict[str, Any]:
    """Score the shipped model end to end on the test set (or on the pairs of every ``every``-th body in body-id
    order, a quick subset that keeps the mix of stories) and measure pairs per second, embedding included."""
    pairs, bodies = load("test")
    if every > 1:
        kept = set(sorted(bodies, key=int)[::every])
        pairs = [p for p in pairs if p.body_id in kept]
    stage = Stance()
    started = time.perf_counter()
    predicted = stage([(p.headline, bodies[p.body_id]) for p in pairs])
    seconds = time.perf_counter() - started
    result = report([p.stance for p in pairs], [label for label, _ in predicted])
    result["seconds"] = round(seconds, 1)
    result["pairs_per_s"] = round(len(pairs) / seconds, 1)
    result["bodies"] = len({p.body_id for p in pairs})
    result["headlines"] = len({p.headline for p in pairs})
    return result


def _line(r: dict[str, Any]) -> str:
    f1 = ", ".join(f"{k} {v}" for k, v in r["f1"].items())
    return f"FNC {r['fnc_relative']} %, macro-F1 {r['macro_f1']} (F1 {f1}); related/unrelated {r['related_accuracy']} %"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/stance.py", description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="held-out figures, 5-fold by story on the training set")
    parser.add_argument("--train", action="store_true", help="train on all training pairs, write the package model")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="boosting rounds for --train")
    parser.add_argument("--every", type=int, default=1, help="score only the pairs of every Nth test body")
    args = parser.parse_args(argv)
    if args.tune or args.train:
        figures: dict[str, Any] = {}
        if args.tune:
            figures["tune"] = tune()
        if args.train:
            figures["train"] = train(args.rounds)
        record_training(figures)
        return
    result = evaluate(args.every)
    print(_line(result))
    print(f"{result['pairs']} pairs in {result['seconds']} s: {result['pairs_per_s']} pairs/s (embedding included)")
    print("confusion (rows gold, columns predicted):", LABELS)
    for label, row in zip(LABELS, result["confusion"]["rows_gold_columns_predicted"], strict=True):
        print(f"  {label:>9}", row)
    if args.every == 1:
        _record(result)


def record_training(figures: dict[str, Any]) -> None:
    """Training figures go to ``bench/results/stance_training.json`` only (no BENCHMARKS.md rows)."""
    from bench._common import RESULTS

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "stance_training.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**old, **figures}, indent=2) + "\n", encoding="utf-8")


def _record(result: dict[str, Any]) -> None:
    from bench._common import RESULTS

    anchors = "; ".join(f"{name} {value}" for name, value in ANCHORS.items())
    f1 = result["f1"]
    rows = [
        ("FNC-1 test relative score %", result["fnc_relative"], anchors),
        ("FNC-1 test macro-F1", result["macro_f1"], "top-3 of FNC-1 ≈ 58-60, Hanselowski et al. 2018 (unverified)"),
        (
            "FNC-1 test F1 agree / disagree / discuss / unrelated",
            f"{f1['agree']} / {f1['disagree']} / {f1['discuss']} / {f1['unrelated']}",
            "",
        ),
        ("FNC-1 test related/unrelated accuracy %", result["related_accuracy"], ""),
        ("stance pairs/s (test, embedding included)", result["pairs_per_s"], "one process, 2 threads"),
    ]
    training = RESULTS / "stance_training.json"
    if training.exists():
        fitted = json.loads(training.read_text(encoding="utf-8")).get("train")
        if fitted:
            seconds = fitted["feature_seconds"] + fitted["fit_seconds"]
            rows.append((
                f"training time, {fitted['pairs']} pairs", f"{seconds:.0f} s",
                "features + fit; embedding the training set first takes about 4 min (cached)",
            ))  # fmt: skip
    record("stance", {"test": result, "anchors": ANCHORS}, rows)


if __name__ == "__main__":
    main()
