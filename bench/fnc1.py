"""FNC-1 (Fake News Challenge stage 1) stance data: loader, FNC scorer, and a cache of the embeddings it needs.

Reads the gzip'd CSVs in ``../shared/data/fnc1`` (see its README): ``train`` is the 49,972 training pairs,
``test`` the 25,413 pairs of the official competition test set. The FNC score gives 0.25 for each correct
related/unrelated decision and 0.75 more for the exact label of a related pair; it is reported relative to the
best possible score (11,651.25 on the test set), with macro-F1 over the four classes beside it, because the FNC
score rewards the majority class.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import SHARED_DATA, data_dir  # noqa: E402
from newstrace.stance import LABELS, embed_bodies  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "stance"
FILES = {"train": ("train_stances", "train_bodies"), "test": ("competition_test_stances", "competition_test_bodies")}
AVAILABLE = (SHARED_DATA / "fnc1").is_dir()


@dataclass(frozen=True)
class Pair:
    headline: str
    body_id: str
    stance: str


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(split: str) -> tuple[list[Pair], dict[str, str]]:
    """The labelled pairs of ``split`` ("train" or "test") and its bodies by body id."""
    stances, bodies = FILES[split]
    folder = data_dir("fnc1")
    pairs = [Pair(r["Headline"], r["Body ID"], r["Stance"]) for r in _rows(folder / f"{stances}.csv.gz")]
    texts = {r["Body ID"]: r["articleBody"] for r in _rows(folder / f"{bodies}.csv.gz")}
    return pairs, texts


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """The FNC-1 score: 0.25 per correct related/unrelated call, 0.75 more per exact related label."""
    total = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if (g == "unrelated") == (p == "unrelated"):
            total += 0.25
            if g != "unrelated" and g == p:
                total += 0.75
    return total


def report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """FNC score (absolute, best possible, relative in percent), macro-F1 and per-class F1 (percent), accuracy of
    the related/unrelated decision and the confusion matrix (rows gold, columns predicted, in LABELS order)."""
    best = fnc_score(gold, gold)
    score = fnc_score(gold, predicted)
    index = {label: i for i, label in enumerate(LABELS)}
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        confusion[index[g], index[p]] += 1
    f1 = {}
    for i, label in enumerate(LABELS):
        tp, fp, fn = confusion[i, i], confusion[:, i].sum() - confusion[i, i], confusion[i, :].sum() - confusion[i, i]
        f1[label] = round(100 * 2 * tp / (2 * tp + fp + fn), 2) if tp + fp + fn else 0.0
    related_right = sum((g == "unrelated") == (p == "unrelated") for g, p in zip(gold, predicted, strict=True))
    return {
        "pairs": len(gold),
        "fnc_score": score,
        "fnc_max": best,
        "fnc_relative": round(100 * score / best, 2),
        "macro_f1": round(sum(f1.values()) / len(f1), 2),
        "f1": f1,
        "related_accuracy": round(100 * related_right / len(gold), 2),
        "confusion": {"labels": list(LABELS), "rows_gold_columns_predicted": confusion.tolist()},
    }


def cached_embed(texts: list[str]) -> np.ndarray:
    """``Embedder()(texts)``, cached in ``bench/.cache/stance`` under a hash of the texts (so a changed sentence
    splitter or data set is embedded again)."""
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    from newstrace.embed import Embedder

    vectors = Embedder()(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def embeddings(pairs: Sequence[Pair], bodies: dict[str, str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Headline and body-sentence embeddings, as :class:`newstrace.stance.Featurizer` takes them (headline text →
    vector; body text → one row per sentence), from the cache when made before (4 minutes for the training set)."""
    headlines = sorted({p.headline for p in pairs})
    by_body = embed_bodies(sorted(set(bodies.values())), cached_embed)
    return dict(zip(headlines, cached_embed(headlines), strict=True)), by_body


if __name__ == "__main__":
    for name in ("test", "train"):
        pairs, texts = load(name)
        heads, body_vectors = embeddings(pairs, texts)
        print(name, len(pairs), "pairs", len(heads), "headlines", len(body_vectors), "bodies embedded")
