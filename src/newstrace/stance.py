"""Stance of an article body towards a claim: agree, disagree, discuss or unrelated (the FNC-1 labels).

A gradient-boosted tree model (LightGBM, saved in its own text format, no pickle) over features of each
(claim, body) pair: word, n-gram and character-gram overlap of the claim with the body and with its opening,
TF-IDF cosine, MiniLM similarity of the claim to each of the body's first sentences (:mod:`newstrace.embed`),
refuting and hedging words in the claim, the body and the body sentences closest to the claim, and which of
1,000 frequent words the body uses. The model and its vocabulary ship in ``data/stance/``;
``python -m bench.stance --train`` rebuilds them from the FNC-1 training pairs, and ``python -m bench.stance``
scores them on the FNC-1 competition test set (86.3 % of the best FNC score; the competition's winner had 82.0 %).

The label is not the most probable class but the one with the highest expected FNC score (a related/unrelated
decision earns 0.25, the exact related label 0.75 more): when "unrelated" and a related label are close, a related
label is the safer bet. The probability returned is the model's for the label chosen.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .embed import Embedder

log = logging.getLogger(__name__)

LABELS = ("agree", "disagree", "discuss", "unrelated")
# what a claim-group member's stance is called in newstrace (DESIGN.md vocabulary)
STANCE_NAMES = {"agree": "supports", "disagree": "contradicts", "discuss": "discusses", "unrelated": "unrelated"}
MODEL_DIR = "stance"
MAX_SENTENCES = 40  # body sentences embedded: the claim is taken up early in a news article, and embedding is the cost
OPENING_CHARS = 255  # the "early body" of the FNC-1 baseline features

# The FNC-1 baseline's refuting words, plus a few of the same kind.
REFUTING = tuple(
    """fake fraud hoax false deny denies denied not despite nope doubt doubts bogus debunk debunks debunked
    pranks retract retracts retracted misleading untrue""".split()
)
# Words with which an article reports a claim without standing behind it: the mark of "discuss".
HEDGING = frozenset(
    """reportedly allegedly alleged claim claims claimed claiming rumor rumors rumour rumours unconfirmed unverified
    purportedly supposedly apparently appears appear speculation speculate speculated possibly may might could
    suggest suggests suggested according report reports reported if whether""".split()
)
# Words with which an article vouches for a claim.
ASSERTING = frozenset("""confirmed confirms confirm indeed official officially announced revealed proves""".split())
STOPWORDS = frozenset(
    """a an the of to in on at for from by with and or but is are was were be been being it its this that these
    those as has have had he she they them his her their we you i our your not no will would can said says
    after over into about up out than then there what which who when where why how all just more""".split()
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# a sentence ends at a line break, or at . ! ? (and a closing quote) before a capital, digit or opening quote
_SENTENCE_END = re.compile(r"\n+|(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")

Vector = npt.NDArray[np.float32]


def sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The first ``limit`` non-empty sentences of ``text``, by a fast rule (no parser): good enough to compare
    sentences with a claim, not to quote them."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if piece:
            out.append(piece)
            if len(out) == limit:
                break
    return out


def words(text: str) -> list[str]:
    """Lower-cased words and numbers (``don't`` stays one word)."""
    return _WORD.findall(text.lower())


class Tfidf:
    """Sublinear TF-IDF over a fixed vocabulary with its idf weights: what a cosine of two texts needs, and no
    more. Fitted by :meth:`fit`; stored as JSON beside the model."""

    def __init__(self, idf: dict[str, float]) -> None:
        self.idf = idf

    @classmethod
    def fit(cls, documents: Iterable[str], max_words: int = 30_000, min_df: int = 2) -> Tfidf:
        """idf = ln((1 + n) / (1 + df)) + 1 (scikit-learn's smoothing) for the ``max_words`` words in most
        documents, each in at least ``min_df``."""
        df: Counter[str] = Counter()
        n = 0
        for document in documents:
            df.update(set(words(document)) - STOPWORDS)
            n += 1
        common = [(w, c) for w, c in df.most_common(max_words) if c >= min_df]
        return cls({w: math.log((1 + n) / (1 + c)) + 1 for w, c in common})

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(w for w in words(text) if w in self.idf)
        weights = {w: (1 + math.log(c)) * self.idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        return {w: v / norm for w, v in weights.items()} if norm else {}

    @staticmethod
    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(w, 0.0) for w, v in a.items())


@dataclass
class _Body:
    """What the features need of one body, computed once however many claims it is paired with."""

    words: list[str]
    word_set: frozenset[str]
    opening_set: frozenset[str]
    grams: dict[int, frozenset[tuple[str, ...]]]
    opening_grams: dict[int, frozenset[tuple[str, ...]]]
    chars: dict[int, frozenset[str]]
    sentences: list[str]
    sentence_words: list[list[str]]
    tfidf: dict[str, float]
    sentence_tfidf: list[dict[str, float]]
    vectors: Vector  # one unit vector per sentence (rows), as many as sentences


def _ngrams(tokens: Sequence[str], n: int) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _chargrams(text: str, n: int) -> frozenset[str]:
    squeezed = " ".join(words(text))
    return frozenset(squeezed[i : i + n] for i in range(len(squeezed) - n + 1))


GRAM_SIZES = (2, 3, 4)
CHAR_SIZES = (4, 8)


def _body(text: str, vectors: Vector, tfidf: Tfidf) -> _Body:
    tokens = words(text)
    opening = words(text[:OPENING_CHARS])
    found = sentences(text)
    return _Body(
        words=tokens,
        word_set=frozenset(tokens),
        opening_set=frozenset(opening),
        grams={n: _ngrams(tokens, n) for n in GRAM_SIZES},
        opening_grams={n: _ngrams(opening, n) for n in GRAM_SIZES},
        chars={n: _chargrams(text, n) for n in CHAR_SIZES},
        sentences=found,
        sentence_words=[words(s) for s in found],
        tfidf=tfidf.vector(text),
        sentence_tfidf=[tfidf.vector(s) for s in found],
        vectors=vectors,
    )


HAND_FEATURES = (
    ["claim_words", "body_words_log", "claim_question", "jaccard", "overlap", "overlap_content"]
    + ["overlap_opening", "overlap_opening_content"]
    + [f"grams{n}" for n in GRAM_SIZES]
    + [f"grams{n}_opening" for n in GRAM_SIZES]
    + [f"chars{n}" for n in CHAR_SIZES]
    + ["tfidf_body", "tfidf_best_sentence", "tfidf_first3"]
    + ["emb_max", "emb_mean", "emb_top3", "emb_first", "emb_std", "emb_argmax_position", "emb_body"]
    + ["emb_above_05", "emb_above_07", "sentences"]
    + [f"refute_claim_{w}" for w in REFUTING]
    + ["refute_claim", "hedge_claim", "assert_claim"]
    + ["refute_body", "hedge_body", "assert_body", "refute_top3", "hedge_top3", "assert_top3"]
    + ["polarity_claim", "polarity_body", "polarity_top3"]
    + ["emb_max_refuting", "emb_max_hedging", "emb_max_asserting", "refuting_near", "hedging_near"]
)


class Featurizer:
    """Turns (claim, body) pairs into feature rows: the hand features above, then whether each of ``body_words``
    occurs in the body. The word list (the words in most training bodies, stop words included: "not" and
    "reportedly" are the point) lets the trees find how an article words its stance, which no hand list covers;
    in cross-validation on the training stories it adds more than a point of FNC score."""

    def __init__(self, tfidf: Tfidf, body_words: Sequence[str]) -> None:
        self.tfidf = tfidf
        self.body_words = {w: i for i, w in enumerate(body_words)}
        self.names = [*HAND_FEATURES, *(f"body_{w}" for w in body_words)]

    @classmethod
    def fit(cls, claims: Iterable[str], bodies: Sequence[str], body_words: int) -> Featurizer:
        """TF-IDF over ``claims`` and ``bodies``; the ``body_words`` words in most bodies."""
        frequency: Counter[str] = Counter()
        for text in bodies:
            frequency.update(set(words(text)))
        # ties broken alphabetically, so the same data always gives the same list
        ranked = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))[:body_words]
        return cls(Tfidf.fit([*claims, *bodies]), [w for w, _ in ranked])

    def to_json(self) -> dict[str, Any]:
        # six digits of idf change no cosine that matters and keep the file small
        return {
            "features": self.names,
            "body_words": list(self.body_words),
            "idf": {w: round(v, 6) for w, v in sorted(self.tfidf.idf.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Featurizer:
        featurizer = cls(Tfidf(data["idf"]), data["body_words"])
        if featurizer.names != data["features"]:
            raise ValueError("the stance model was trained on other features than this version computes: rebuild it")
        return featurizer

    def __call__(
        self, pairs: Sequence[tuple[str, str]], claim_vectors: dict[str, Vector], body_vectors: dict[str, Vector]
    ) -> npt.NDArray[np.float32]:
        """One row per (claim, body) pair. ``claim_vectors`` maps each claim to its unit embedding,
        ``body_vectors`` each body to the embeddings of its :func:`sentences` (one row each)."""
        bodies: dict[str, _Body] = {}
        present: dict[str, list[int]] = {}
        rows = np.zeros((len(pairs), len(self.names)), dtype=np.float32)
        hand = len(HAND_FEATURES)
        for i, (claim, text) in enumerate(pairs):
            body = bodies.get(text)
            if body is None:
                body = bodies[text] = _body(text, body_vectors[text], self.tfidf)
                present[text] = [hand + self.body_words[w] for w in body.word_set if w in self.body_words]
            rows[i, :hand] = _features(claim, claim_vectors[claim], body, self.tfidf)
            rows[i, present[text]] = 1.0
        return rows


def _share(part: Iterable[Any], whole: frozenset[Any]) -> float:
    items = set(part)
    return len(items & whole) / len(items) if items else 0.0


def _count(tokens: Iterable[str], lexicon: frozenset[str]) -> int:
    return sum(1 for t in tokens if t in lexicon)


_REFUTING_SET = frozenset(REFUTING)


def _features(claim: str, claim_vector: Vector, body: _Body, tfidf: Tfidf) -> list[float]:
    tokens = words(claim)
    content = [t for t in tokens if t not in STOPWORDS]
    union = set(tokens) | body.word_set
    out = [float(len(tokens)), math.log1p(len(body.words)), float("?" in claim)]
    out.append(len(set(tokens) & body.word_set) / len(union) if union else 0.0)
    out += [_share(tokens, body.word_set), _share(content, body.word_set)]
    out += [_share(tokens, body.opening_set), _share(content, body.opening_set)]
    out += [_share(_ngrams(tokens, n), body.grams[n]) for n in GRAM_SIZES]
    out += [_share(_ngrams(tokens, n), body.opening_grams[n]) for n in GRAM_SIZES]
    out += [_share(_chargrams(claim, n), body.chars[n]) for n in CHAR_SIZES]

    claim_tfidf = tfidf.vector(claim)
    by_sentence = [Tfidf.cosine(claim_tfidf, s) for s in body.sentence_tfidf] or [0.0]
    first3 = tfidf.vector(" ".join(body.sentences[:3]))
    out += [Tfidf.cosine(claim_tfidf, body.tfidf), max(by_sentence), Tfidf.cosine(claim_tfidf, first3)]

    if len(body.vectors):
        sims = body.vectors @ claim_vector
        top = np.sort(sims)[::-1][:3]
        whole = body.vectors.mean(axis=0)
        whole_norm = float(np.linalg.norm(whole)) or 1.0
        out += [float(sims.max()), float(sims.mean()), float(top.mean()), float(sims[0]), float(sims.std())]
        out += [float(np.argmax(sims)) / len(sims), float(whole @ claim_vector) / whole_norm]
        out += [float((sims > 0.5).mean()), float((sims > 0.7).mean()), float(len(sims))]
        closest = np.argsort(-sims)[:3]
    else:
        out += [0.0] * 10
        closest = np.array([], dtype=np.int64)

    claim_set = set(tokens)
    out += [float(w in claim_set) for w in REFUTING]
    refute_claim = _count(tokens, _REFUTING_SET)
    out += [float(refute_claim), float(_count(tokens, HEDGING)), float(_count(tokens, ASSERTING))]
    scale = 100.0 / max(len(body.words), 1)  # per hundred words, so long bodies do not count more
    refute_body = _count(body.words, _REFUTING_SET)
    out += [refute_body * scale, _count(body.words, HEDGING) * scale, _count(body.words, ASSERTING) * scale]
    top_words = [w for k in closest for w in body.sentence_words[int(k)]]
    refute_top = _count(top_words, _REFUTING_SET)
    out += [float(refute_top), float(_count(top_words, HEDGING)), float(_count(top_words, ASSERTING))]
    out += [float(refute_claim % 2), float(refute_body % 2), float(refute_top % 2)]

    # how close to the claim the body comes in a sentence that refutes, hedges or vouches: a denial of this very
    # claim, not of something else the article mentions
    marked = [
        [bool(_REFUTING_SET.intersection(ws)), bool(HEDGING.intersection(ws)), bool(ASSERTING.intersection(ws))]
        for ws in body.sentence_words
    ]
    if len(body.vectors):
        flags = np.array(marked, dtype=bool)
        for column in range(3):
            chosen = sims[flags[:, column]]
            out.append(float(chosen.max()) if len(chosen) else -1.0)
        near = sims > 0.5
        out += [float((flags[:, 0] & near).sum()), float((flags[:, 1] & near).sum())]
    else:
        out += [-1.0, -1.0, -1.0, 0.0, 0.0]
    return out


def _expected_score(probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Expected FNC score of answering each label, given the class probabilities (columns in :data:`LABELS`)."""
    unrelated = probabilities[:, 3:4]
    related = 0.25 * (1.0 - unrelated) + 0.75 * probabilities[:, :3]
    return np.hstack([related, 0.25 * unrelated])


def decide(probabilities: npt.NDArray[np.float64]) -> list[tuple[str, float]]:
    """(label, probability) per row of class probabilities: the label of highest expected FNC score."""
    chosen = np.argmax(_expected_score(probabilities), axis=1)
    return [(LABELS[k], float(probabilities[i, k])) for i, k in enumerate(chosen)]


def embed_bodies(bodies: Sequence[str], embed: Callable[[list[str]], Vector]) -> dict[str, Vector]:
    """The embeddings of each body's :func:`sentences` (one row each), all sentences sent to ``embed`` at once
    so it can batch them by length."""
    split = [sentences(body) for body in bodies]
    flat = embed([s for found in split for s in found])
    out: dict[str, Vector] = {}
    start = 0
    for body, found in zip(bodies, split, strict=True):
        out[body] = flat[start : start + len(found)]
        start += len(found)
    return out


def model_path() -> Path:
    """Where the shipped model lives (``data/stance/`` in the package)."""
    return Path(str(resources.files("newstrace") / "data" / MODEL_DIR))


class Stance:
    """Labels (claim, body) pairs agree / disagree / discuss / unrelated with a probability.

    Loads the LightGBM model and the featurizer's vocabulary from ``path`` (default: the shipped
    ``data/stance/``) and the embedder once. Within one call each distinct claim and body is embedded once, so a
    batch of one claim against many bodies (a claim group) costs one embedding per body. :data:`STANCE_NAMES`
    turns a label into the stance of a claim-group member.
    """

    def __init__(self, path: Path | None = None, embedder: Embedder | None = None) -> None:
        import lightgbm

        path = path or model_path()
        meta: dict[str, Any] = json.loads((path / "stance.json").read_text(encoding="utf-8"))
        self.featurizer = Featurizer.from_json(meta)
        # LightGBM's own text format: readable, diffable, and loading it runs no code (unlike a pickle)
        self.booster = lightgbm.Booster(model_file=str(path / "stance.lgb.txt"))
        self.embedder = embedder or Embedder()

    def features(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """The feature rows of ``pairs`` (embedding every distinct claim and body sentence once)."""
        claims = list(dict.fromkeys(claim for claim, _ in pairs))
        claim_vectors = dict(zip(claims, self.embedder(claims), strict=True))
        body_vectors = embed_bodies(list(dict.fromkeys(body for _, body in pairs)), self.embedder)
        return self.featurizer(pairs, claim_vectors, body_vectors)

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float64]:
        """Class probabilities, one row per pair, columns in :data:`LABELS` order."""
        if not pairs:
            return np.zeros((0, len(LABELS)))
        result: npt.NDArray[np.float64] = np.asarray(self.booster.predict(self.features(pairs)), dtype=np.float64)
        return result

    def __call__(self, pairs: list[tuple[str, str]]) -> list[tuple[str, float]]:
        return decide(self.probabilities(pairs))
