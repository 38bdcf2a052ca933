"""Story-clustering benchmark: quality of :class:`newstrace.stories.StoryClusterer` on three labelled corpora beside
a lexical baseline, its cost as the corpus grows, and (``--sweep``) a random search of
:class:`~newstrace.stories.StoryParams` on the training splits.

The baseline is what a careful user would try first: TF-IDF over title + whole text (words and word pairs,
sublinear tf, as scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``, written here with
numpy/scipy) and average-linkage agglomerative clustering (scipy) cut at one cosine distance, tuned on GVC train +
ECB+ train and scored on every set in the same run. It reads the whole corpus at once and builds the full
pairwise matrix, which the online clusterer may not.

Quality (B³, V-measure, ARI from :mod:`bench.clustering`; the number of stories is never given):

- **ECB+** (982 articles, 86 gold stories = topic + subtopic): all articles together, then each split clustered on
  its own (the test split is what Barhom et al. 2019 clustered: B³ F1 0.968, but with K-Means told K = 20). Also
  scored against the coarser ``topic`` (two stories of the same kind of event), for information. No dates, no
  titles: the first line, often the headline, is part of the text.
- **GVC** (train 358 / dev 78 articles, every story a shooting): train and dev clustered separately, with their
  titles and dates; singletons counted, since a fifth of GVC stories have a single article. The test split is held
  back by the data set. ``dup_of`` (6 exact copies) is **not** passed as ``duplicate_of``: it only flags copies
  within the same gold story, so it would leak the label; copies join their original by similarity anyway.
- **FNC-1** competition test bodies (904, no titles, no dates) with the derived gold stories of
  ``fnc1/derived/fnc1_test_story_clusters.jsonl`` (Emergent claims; no published clustering figure).

An online clusterer depends on the order it reads articles in. The clusterer sorts by date, and every corpus is
first shuffled with a fixed seed (ECB+ is stored topic by topic, which no real stream is); for the undated corpora
the spread of B³ F1 over 5 orders is reported beside the figures of the first one. Throughput (articles/s) is
timed on runs that embed every article (``add()`` end to end, after the model is loaded and warmed up); the other
runs reuse those vectors (the ``vector`` each :class:`~newstrace.stories.Assignment` carries).

Cost curve: corpora of 1k, 10k and 50k articles from the GVA long-tail pool (6,295 articles, 2013-2017). 1k is
the first 1,000 by date; 10k and 50k add perturbed copies of the whole pool, copy k = 1, 2, ... in turn, until the
size is reached. Copy k moves every date 1,096 × k days (3 years) later, so its articles fall outside the date
window of their originals and form new stories; it renames about a third of the capitalised words of the pool,
the same way in every article of the copy (so a copied story stays coherent); and it drops about 10 % of the words
of each article at random. All of it comes from one seeded RNG per copy, so the corpora are the same on every run.
Each size runs in a fresh subprocess, so the peak RSS (VmHWM: model, corpus text and index) is per size; the
clustering is also timed alone, from the vectors of the timed run, to show what the embedding hides.
The long-tail labels are GVA's, not validated, so its B³ F1 is printed only as a sanity check.

Run: ``python -m bench.stories`` (about 30 minutes on 2 cores, most of it embedding 50k leads), ``--quick`` to skip
the 50k corpus and write nothing, ``--sweep`` for the random search (prints, writes nothing),
``--threshold 0.6 --name-weight 0.3 ...`` to score other parameters (prints, writes nothing).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the embedder (onnxruntime) is imported before faiss, which newstrace.stories loads
from newstrace.embed import DIMENSIONS, Embedder  # noqa: E402, I001
from newstrace.models import Article  # noqa: E402
from newstrace.stories import Embed, StoryClusterer, StoryParams, lead  # noqa: E402

from bench._common import data_dir, record  # noqa: E402
from bench.clustering import scores  # noqa: E402

Vectors = npt.NDArray[np.float32]

ORDER_SEED = 0
ORDERS = 5  # orders of the undated corpora for the spread of B³ F1
COST_SIZES = (1_000, 10_000, 50_000)
COPY_DAYS = 1_096  # 3 years
DROP = 0.10  # share of words each perturbed copy drops
RENAME = 1 / 3  # share of the capitalised-word vocabulary each copy renames
BARHOM_TEST = {"b3_precision": 0.971, "b3_recall": 0.965, "b3_f1": 0.968, "v_measure": 0.984, "ari": 0.965}
SWEEP_POINTS = 60  # random points of SWEEP_SPACE, seeded
SWEEP_SPACE: dict[str, list[Any]] = {
    "threshold": [round(0.20 + 0.02 * i, 2) for i in range(11)],  # 0.20 … 0.40
    "semantic_weight": [0.2, 0.3, 0.4],
    "name_weight": [0.1, 0.2, 0.3, 0.4, 0.5],
    "lexical_floor": [0.03, 0.05, 0.08],
    "merge_above": [0.0, 0.03, 0.06],  # merge_threshold = threshold + this
    "split_above": [0.0, 0.03, 0.06, 0.09],  # split_threshold = threshold + this
    "window_days": [7.0, 14.0, 30.0],
    "gap_penalty": [0.05, 0.1, 0.2],
}


@dataclass(frozen=True)
class Doc:
    """One labelled article: the article as the clusterer takes it, its gold story, topic and split."""

    article: Article
    story: str | None
    topic: str | None = None
    split: str | None = None


def _article(corpus: str, article_id: str, text: str, title: str | None, published: date | None) -> Article:
    return Article(
        article_id=article_id,
        input_id=article_id,
        input_ref=f"{corpus}#{article_id}",
        text=text,
        text_hash="",
        title=title,
        published=published,
    )


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def ecbplus() -> list[Doc]:
    """The 982 ECB+ articles in file order (topic by topic), with story, topic and split."""
    rows = _jsonl(data_dir("ecbplus") / "ecbplus.jsonl.gz")
    return [Doc(_article("ecbplus", r["id"], r["text"], None, None), r["story"], r["topic"], r["split"]) for r in rows]


def gvc() -> list[Doc]:
    """The 436 GVC articles of the train and dev splits (the test split is held back), with titles and dates."""
    rows = _jsonl(data_dir("gvc") / "gvc.jsonl.gz")
    return [
        Doc(_article("gvc", r["id"], r["text"], r["title"], _date(r["date"])), r["story"], r["topic"], r["split"])
        for r in rows
    ]


def fnc1() -> list[Doc]:
    """The 904 FNC-1 competition test bodies with the derived gold story (connected related pairs) of each."""
    from bench.fnc1 import load

    _, bodies = load("test")
    story_of: dict[str, str] = {}
    with (data_dir("fnc1") / "derived" / "fnc1_test_story_clusters.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            cluster = json.loads(line)
            story_of.update({body: str(cluster["cluster_id"]) for body in cluster["body_ids"]})
    return [
        Doc(_article("fnc1", f"fnc1-{b}", bodies[b], None, None), story_of[b], None, "test")
        for b in sorted(bodies, key=int)
    ]


def shuffled(docs: Sequence[Doc], seed: int = ORDER_SEED) -> list[Doc]:
    """The documents in a seeded random order (the clusterer then sorts them by date, stably)."""
    out = list(docs)
    random.Random(seed).shuffle(out)
    return out


class VectorCache:
    """An embed callable that answers from vectors seen before, and embeds (or refuses) the rest."""

    def __init__(self, embedder: Embed | None = None) -> None:
        self.embedder = embedder
        self.vectors: dict[str, Vectors] = {}

    def __call__(self, texts: list[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            if self.embedder is None:
                raise KeyError(f"{len(missing)} texts were never embedded")
            self.vectors.update(zip(missing, self.embedder(missing), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack([self.vectors[t] for t in texts])


def cluster(docs: Sequence[Doc], params: StoryParams, embed: Embed, cache: VectorCache | None = None) -> list[str]:
    """The predicted story of each document (in the order given), from one ``add()`` of all of them; the vectors
    used go into ``cache`` when one is given."""
    assignments = StoryClusterer(embed, params).add([d.article for d in docs])
    if cache is not None:
        by_id = {d.article.article_id: d.article for d in docs}
        cache.vectors.update({lead(by_id[a.article_id]): a.vector for a in assignments if a.vector is not None})
    story_of = {a.article_id: a.story_id for a in assignments}
    return [story_of[d.article.article_id] for d in docs]


def score(docs: Sequence[Doc], predicted: Sequence[str], level: str = "story") -> dict[str, Any]:
    """:func:`bench.clustering.scores` of a prediction against the docs' ``story`` (or ``topic``)."""
    return scores([getattr(d, level) for d in docs], predicted)


def evaluate(
    docs: Sequence[Doc], params: StoryParams, embed: Embed, cache: VectorCache | None = None, timed: bool = False
) -> dict[str, Any]:
    """Scores of one clustering run on ``docs`` (in the seeded order); ``articles_per_s`` when ``timed``."""
    ordered = shuffled(docs)
    started = time.perf_counter()
    predicted = cluster(ordered, params, embed, cache)
    seconds = time.perf_counter() - started
    result = score(ordered, predicted)
    if timed:
        result["articles_per_s"] = round(len(ordered) / seconds, 1)
    return result


def f1_over_orders(docs: Sequence[Doc], params: StoryParams, cache: VectorCache, orders: int = ORDERS) -> list[float]:
    """B³ F1 of each of the first ``orders`` seeded orders of the same documents (vectors from the cache)."""
    values = []
    for seed in range(orders):
        ordered = shuffled(docs, seed)
        values.append(score(ordered, cluster(ordered, params, cache))["b3_f1"])
    return values


def order_spread(docs: Sequence[Doc], params: StoryParams, cache: VectorCache) -> dict[str, float]:
    """Mean, standard deviation, least and most of B³ F1 over ``ORDERS`` orders."""
    values = f1_over_orders(docs, params, cache)
    return {
        "mean": round(statistics.mean(values), 4),
        "sd": round(statistics.stdev(values), 4),
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def split(docs: Sequence[Doc], name: str) -> list[Doc]:
    return [d for d in docs if d.split == name]


def quality(params: StoryParams) -> dict[str, Any]:
    """Scores on every corpus and split, with throughput on the runs that embed everything they cluster, and
    the lexical baseline beside each (``<set>_baseline``; its one threshold tuned on the training splits)."""
    embedder = Embedder()
    embedder(["warm-up"])
    cache = VectorCache()
    out: dict[str, Any] = {}
    ecb, gun, fnc = ecbplus(), gvc(), fnc1()
    sets = {
        "ecbplus_all": ecb,
        **{f"ecbplus_{name}": split(ecb, name) for name in ("train", "dev", "test")},
        **{f"gvc_{name}": split(gun, name) for name in ("train", "dev")},
        "fnc1_test": fnc,
    }

    out["ecbplus_all"] = evaluate(ecb, params, embedder, cache, timed=True)
    ordered = shuffled(ecb)
    out["ecbplus_all_vs_topic"] = score(ordered, cluster(ordered, params, cache), level="topic")
    for name in ("train", "dev", "test"):
        out[f"ecbplus_{name}"] = evaluate(split(ecb, name), params, cache)
    out["ecbplus_test_orders"] = order_spread(split(ecb, "test"), params, cache)
    out["ecbplus_all_orders"] = order_spread(ecb, params, cache)
    for name in ("train", "dev"):
        out[f"gvc_{name}"] = evaluate(split(gun, name), params, embedder, cache, timed=True)
    out["gvc_dev_orders"] = order_spread(split(gun, "dev"), params, cache)  # same-day articles change places
    out["fnc1_test"] = evaluate(fnc, params, embedder, cache, timed=True)
    out["fnc1_test_orders"] = order_spread(fnc, params, cache)

    distance, train_f1 = tune_baseline({"gvc_train": sets["gvc_train"], "ecbplus_train": sets["ecbplus_train"]})
    out["baseline"] = {"distance": distance, "train_b3_f1": train_f1}
    for name, docs in sets.items():
        out[f"{name}_baseline"] = baseline(docs, distance)
    return out


# --- the lexical baseline ---------------------------------------------------------------------------------------

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
BASELINE_GRID = [round(0.50 + 0.01 * i, 2) for i in range(50)]  # distance thresholds 0.50 … 0.99


def tfidf(texts: Sequence[str]) -> sparse.csr_matrix:
    """Unit TF-IDF rows over words and word pairs, as scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)`` computes them: lower-cased, 1 + ln tf, smoothed idf ln((1 + n) / (1 + df)) + 1, L2."""
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    vocabulary: dict[str, int] = {}
    for i, text in enumerate(texts):
        words = TOKEN.findall(text.lower())
        grams = Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])
        for gram, count in grams.items():
            rows.append(i)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
            values.append(1.0 + math.log(count))
    matrix = sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    matrix = matrix @ sparse.diags(np.log((1 + len(texts)) / (1 + df)) + 1.0)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def baseline_tree(docs: Sequence[Doc]) -> npt.NDArray[np.float64]:
    """The average-linkage tree (scipy) of the docs' TF-IDF vectors (title and whole text) by cosine distance.
    It reads the full pairwise matrix of the corpus at once: what the online clusterer must not need."""
    matrix = tfidf([f"{d.article.title}\n{d.article.text}" if d.article.title else d.article.text for d in docs])
    distances = 1.0 - (matrix @ matrix.T).toarray()
    distances = np.clip((distances + distances.T) / 2, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree: npt.NDArray[np.float64] = hierarchy.linkage(squareform(distances, checks=False), method="average")
    return tree


def baseline_cut(tree: npt.NDArray[np.float64], distance: float) -> list[str]:
    """The clusters of the tree cut at ``distance`` (no K given)."""
    return [str(c) for c in hierarchy.fcluster(tree, t=distance, criterion="distance")]


def tune_baseline(train: dict[str, Sequence[Doc]]) -> tuple[float, dict[str, float]]:
    """The one distance threshold with the best mean B³ F1 over the training sets, and that F1 on each."""
    trees = {name: baseline_tree(docs) for name, docs in train.items()}
    best: tuple[float, float, dict[str, float]] | None = None
    for distance in BASELINE_GRID:
        f1 = {name: score(train[name], baseline_cut(trees[name], distance))["b3_f1"] for name in train}
        mean = statistics.mean(f1.values())
        if best is None or mean > best[0]:
            best = (mean, distance, f1)
    assert best is not None
    return best[1], best[2]


def baseline(docs: Sequence[Doc], distance: float) -> dict[str, Any]:
    """Scores of the baseline on ``docs`` at the tuned distance."""
    return score(docs, baseline_cut(baseline_tree(docs), distance))


# --- cost curve --------------------------------------------------------------------------------------------------

CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
WORD = re.compile(r"\S+")


def longtail() -> list[Doc]:
    """The GVA long-tail pool (6,295 articles) by date, then id."""
    rows = _jsonl(data_dir("gvc") / "gva_longtail.jsonl.gz")
    docs = [Doc(_article("gva", r["id"], r["text"], r["title"], _date(r["date"])), r["story"]) for r in rows]
    return sorted(docs, key=lambda d: (d.article.published or date.min, d.article.article_id))


def perturbed(docs: Sequence[Doc], copy: int, vocabulary: Sequence[str]) -> list[Doc]:
    """Copy ``copy`` of the pool: dates 3 × ``copy`` years later, a third of the capitalised words renamed (the same
    way in every article), a tenth of each article's words dropped; its stories are new ones (``story~copy``)."""
    rng = random.Random(1_000 + copy)
    chosen = rng.sample(list(vocabulary), int(len(vocabulary) * RENAME))
    renames = dict(zip(chosen, rng.sample(chosen, len(chosen)), strict=True))

    def rename(text: str) -> str:
        return CAPITALISED.sub(lambda m: renames.get(m.group(), m.group()), text)

    def drop(text: str) -> str:
        return WORD.sub(lambda m: "" if rng.random() < DROP else m.group(), text)

    out = []
    for doc in docs:
        a = doc.article
        published = a.published + timedelta(days=COPY_DAYS * copy) if a.published else None
        article = replace(
            a,
            article_id=f"{a.article_id}~{copy}",
            input_id=f"{a.article_id}~{copy}",
            text=drop(rename(a.text)),
            title=rename(a.title) if a.title else None,
            published=published,
        )
        out.append(Doc(article, f"{doc.story}~{copy}" if doc.story else None))
    return out


def cost_corpus(size: int) -> list[Doc]:
    """The first ``size`` articles of the long-tail pool by date, then of its perturbed copies 1, 2, ..."""
    pool = longtail()
    corpus = pool[:size]
    vocabulary = sorted({w for d in pool for w in CAPITALISED.findall(f"{d.article.title or ''} {d.article.text}")})
    for copy in itertools.count(1):
        if len(corpus) >= size:
            break
        corpus += perturbed(pool, copy, vocabulary)[: size - len(corpus)]
    return corpus


def _rss_mb() -> float:
    """Peak RSS of this process in MiB. Linux keeps ``ru_maxrss`` across exec, so a child forked from the big
    benchmark process starts with the parent's peak; VmHWM belongs to the process's own memory map."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return round(int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024, 1)  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def cost_run(size: int, params: StoryParams) -> dict[str, Any]:
    """Time one ``add()`` of the ``size`` corpus (embedding included; model loaded and warmed up before), then,
    after the peak RSS is read, a second ``add()`` into a new clusterer from the vectors of the first: the cost
    of the clustering alone (index, names, scores), which embedding otherwise hides."""
    corpus = cost_corpus(size)
    embedder = Embedder()
    embedder(["warm-up"])
    rss_before = _rss_mb()
    load = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    assignments = StoryClusterer(embedder, params).add([d.article for d in corpus])
    seconds = time.perf_counter() - started
    peak = _rss_mb()
    story_of = {a.article_id: a.story_id for a in assignments}
    labelled = [d for d in corpus if d.story is not None]
    quality = scores([d.story for d in labelled], [story_of[d.article.article_id] for d in labelled])
    by_id = {d.article.article_id: d.article for d in corpus}
    cache = VectorCache()
    cache.vectors.update({lead(by_id[a.article_id]): a.vector for a in assignments if a.vector is not None})
    started = time.perf_counter()
    StoryClusterer(cache, params).add([d.article for d in corpus])
    clustering = time.perf_counter() - started
    return {
        "articles": len(corpus),
        "seconds": round(seconds, 1),
        "articles_per_s": round(len(corpus) / seconds, 1),
        "stories": len(set(story_of.values())),
        "clustering_seconds": round(clustering, 1),
        "rss_before_add_mb": rss_before,
        "peak_rss_mb": peak,
        "b3_f1_noisy_labels": quality["b3_f1"],
        "load_average_before": load,
    }


def cost_curve(sizes: Sequence[int], params: StoryParams) -> dict[str, Any]:
    """:func:`cost_run` for each size, each in a fresh subprocess, and the time ratios between sizes."""
    runs: dict[str, Any] = {}
    for size in sizes:
        command = [sys.executable, "-m", "bench.stories", "--cost-size", str(size), *_param_args(params)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        runs[str(size)] = json.loads(done.stdout.strip().splitlines()[-1])
        print(size, runs[str(size)], flush=True)
    ratios = {
        f"time {b // 1000}k / time {a // 1000}k": round(runs[str(b)]["seconds"] / runs[str(a)]["seconds"], 2)
        for a, b in itertools.pairwise(sizes)
    }
    return {"runs": runs, "ratios": ratios}


# --- sweep -------------------------------------------------------------------------------------------------------


def mean_f1(docs: Sequence[Doc], params: StoryParams, cache: VectorCache, orders: int = 1) -> float:
    """B³ F1 averaged over the first ``orders`` seeded orders of ``docs``."""
    return round(statistics.mean(f1_over_orders(docs, params, cache, orders)), 4)


def _sweep_point(rng: random.Random) -> StoryParams:
    drawn = {name: rng.choice(values) for name, values in SWEEP_SPACE.items()}
    merge, split_ = drawn.pop("merge_above"), drawn.pop("split_above")
    threshold = drawn["threshold"]
    return StoryParams(
        **drawn, merge_threshold=round(threshold + merge, 2), split_threshold=round(threshold + split_, 2)
    )


def sweep(top: int = 8, points: int = SWEEP_POINTS) -> dict[str, Any]:
    """Random search on the training splits (GVC train, ECB+ train) for the best mean B³ F1 of the two.

    Every corpus is embedded once; each point of ``SWEEP_SPACE`` (``points`` of them, from a seeded RNG, the
    defaults first) then clusters from the cached vectors, in the first seeded order. The order alone moves
    B³ F1 by a point or two, more than the gaps between the leading points, so the ``top`` points (and the
    defaults) are scored again over ``ORDERS`` orders and the best mean over orders wins. Prints the tables and
    the held-out figures (dev and test splits, never used to choose) of the winner beside those of the defaults.
    """
    cache = VectorCache(Embedder())
    ecb, gun, fnc = ecbplus(), gvc(), fnc1()
    train = {"gvc_train": split(gun, "train"), "ecbplus_train": split(ecb, "train")}
    held_out = {
        "gvc_dev": split(gun, "dev"),
        "ecbplus_dev": split(ecb, "dev"),
        "ecbplus_test": split(ecb, "test"),
        "fnc1_test": fnc,
    }
    started = time.perf_counter()
    for docs in [*train.values(), *held_out.values()]:
        cache([lead(d.article) for d in docs])
    print(f"embedded {len(cache.vectors)} leads in {time.perf_counter() - started:.0f} s", flush=True)

    rng = random.Random(ORDER_SEED)
    default = StoryParams()
    candidates = [default] + [_sweep_point(rng) for _ in range(points - 1)]
    table: list[tuple[float, float, float, StoryParams]] = []
    started = time.perf_counter()
    for params in dict.fromkeys(candidates):
        g = mean_f1(train["gvc_train"], params, cache)
        e = mean_f1(train["ecbplus_train"], params, cache)
        table.append((round((g + e) / 2, 4), g, e, params))
        print(f"{len(table)}: {table[-1][:3]}", _as_dict(params), flush=True)
    print(f"{len(table)} points in {time.perf_counter() - started:.0f} s, one order each")
    table.sort(key=lambda row: -row[0])
    _print_table(f"best {top} on the first order", table[:top])

    rescored = []
    for params in [row[3] for row in table[:top] if row[3] != default] + [default]:
        g = mean_f1(train["gvc_train"], params, cache, ORDERS)
        e = mean_f1(train["ecbplus_train"], params, cache, ORDERS)
        rescored.append((round((g + e) / 2, 4), g, e, params))
    default_row = rescored.pop()
    rescored.sort(key=lambda row: -row[0])
    _print_table(f"the same, mean over {ORDERS} orders", rescored)
    _print_table("defaults", [default_row])
    best = rescored[0][3] if rescored[0][0] > default_row[0] else default

    held: dict[str, Any] = {}
    for name, docs in held_out.items():
        held[name] = {}
        for label, params in (("default", default), ("best", best)):
            result = evaluate(docs, params, cache)
            held[name][label] = {k: result[k] for k in ("b3_f1", "v_measure", "ari", "predicted_clusters")}
            held[name][label]["b3_f1_mean_over_orders"] = mean_f1(docs, params, cache, ORDERS)
        print(name, held[name])
    print("best:", _as_dict(best))
    return {
        "best": _as_dict(best),
        "best_train": dict(zip(("mean", "gvc_train", "ecbplus_train"), rescored[0][:3], strict=True)),
        "default_train": dict(zip(("mean", "gvc_train", "ecbplus_train"), default_row[:3], strict=True)),
        "held_out": held,
    }


def _print_table(title: str, table: Sequence[tuple[float, float, float, StoryParams]]) -> None:
    print(f"\n{title}\n{'mean F1':>8} {'GVC tr':>7} {'ECB tr':>7}  parameters")
    for mean, g, e, p in table:
        print(f"{mean:8.4f} {g:7.4f} {e:7.4f}  {_as_dict(p)}")
    print(flush=True)


# --- reporting ---------------------------------------------------------------------------------------------------


def _as_dict(params: StoryParams) -> dict[str, Any]:
    return {f.name: getattr(params, f.name) for f in fields(params)}


def _scalar_fields() -> list[str]:
    """The StoryParams fields a command-line flag can set (the split sizes are not one)."""
    return [f.name for f in fields(StoryParams) if isinstance(getattr(StoryParams(), f.name), int | float)]


def _param_args(params: StoryParams) -> list[str]:
    return [f"--{name.replace('_', '-')}={getattr(params, name)}" for name in _scalar_fields()]


def _prf(r: dict[str, Any]) -> str:
    return f"{r['b3_precision']:.3f} / {r['b3_recall']:.3f} / {r['b3_f1']:.3f}"


def _vari(r: dict[str, Any]) -> str:
    return f"{r['homogeneity']:.3f} / {r['completeness']:.3f} / {r['v_measure']:.3f} / {r['ari']:.3f}"


def rows(q: dict[str, Any], cost: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The BENCHMARKS.md rows: (figure, value, anchor)."""
    barhom = "Barhom et al. 2019, K = 20 given"
    none = "no published figure"
    tuned = (
        f"baseline: TF-IDF 1-2-grams, sublinear tf + average linkage, cosine distance {q['baseline']['distance']} "
        "tuned on GVC train + ECB+ train"
    )
    out = []
    for name, label in (
        ("gvc_train", "GVC train"),
        ("gvc_dev", "GVC dev"),
        ("ecbplus_train", "ECB+ train"),
        ("ecbplus_dev", "ECB+ dev"),
        ("ecbplus_test", "ECB+ test"),
        ("ecbplus_all", "ECB+ all"),
        ("fnc1_test", "FNC-1 derived"),
    ):
        mine, theirs = q[name], q[f"{name}_baseline"]
        out.append(
            (
                f"{label} B³ F1, newstrace (online) / baseline, same run ({mine['articles']} docs, K not given)",
                f"{mine['b3_f1']:.3f} / {theirs['b3_f1']:.3f}",
                tuned,
            )
        )
    o = q["gvc_dev_orders"]
    out.append(
        (
            "GVC dev B³ F1 over 5 orders of same-day articles, min / median / max",
            f"{o['min']:.3f} / {o['median']:.3f} / {o['max']:.3f}",
            none,
        )
    )
    out += [
        (
            "ECB+ test B³ P / R / F1 (210 docs, K not given)",
            _prf(q["ecbplus_test"]),
            f"{barhom}: 0.971 / 0.965 / 0.968",
        ),
        (
            "ECB+ test homogeneity / completeness / V / ARI",
            _vari(q["ecbplus_test"]),
            f"{barhom}: 0.985 / 0.982 / 0.984 / 0.965",
        ),
        (
            "ECB+ test stories predicted / gold; B³ F1 over 5 orders (min-max)",
            f"{q['ecbplus_test']['predicted_clusters']} / {q['ecbplus_test']['gold_clusters']}; "
            f"{q['ecbplus_test_orders']['min']:.3f}-{q['ecbplus_test_orders']['max']:.3f}",
            f"{barhom} (20 / 20)",
        ),
    ]
    for name in ("dev", "train", "all"):
        r = q[f"ecbplus_{name}"]
        out.append(
            (
                f"ECB+ {name} B³ P / R / F1; V; ARI; stories predicted / gold ({r['articles']} docs)",
                f"{_prf(r)}; {r['v_measure']:.3f}; {r['ari']:.3f}; {r['predicted_clusters']} / {r['gold_clusters']}",
                "K-Means with K given reaches ≈ 0.97 on test (Barhom et al. 2019)",
            )
        )
    t = q["ecbplus_all_vs_topic"]
    out.append(
        (
            "ECB+ all vs coarse topic: B³ P / R / F1; ARI",
            f"{_prf(t)}; {t['ari']:.3f}",
            "Barhom et al. 2019 test clusters vs topic: ARI 0.641",
        )
    )
    for name in ("train", "dev"):
        r = q[f"gvc_{name}"]
        out += [
            (f"GVC {name} B³ P / R / F1 ({r['articles']} docs)", _prf(r), none),
            (f"GVC {name} homogeneity / completeness / V / ARI", _vari(r), none),
            (
                f"GVC {name} stories predicted / gold; singletons predicted / gold",
                f"{r['predicted_clusters']} / {r['gold_clusters']}; "
                f"{r['predicted_singletons']} / {r['gold_singletons']}",
                none,
            ),
        ]
    r = q["fnc1_test"]
    out += [
        ("FNC-1 test bodies B³ P / R / F1 (904 bodies, derived stories)", _prf(r), none),
        ("FNC-1 test bodies homogeneity / completeness / V / ARI", _vari(r), none),
        (
            "FNC-1 test stories predicted / gold; B³ F1 over 5 orders (min-max)",
            f"{r['predicted_clusters']} / {r['gold_clusters']}; "
            f"{q['fnc1_test_orders']['min']:.3f}-{q['fnc1_test_orders']['max']:.3f}",
            none,
        ),
        (
            "articles/s, embedding included: ECB+ all / GVC train / FNC-1",
            f"{q['ecbplus_all']['articles_per_s']} / {q['gvc_train']['articles_per_s']} / {r['articles_per_s']}",
            "one process, 2 threads",
        ),
    ]
    for size, run in cost["runs"].items():
        out.append(
            (
                f"cost: {int(size):,} GVA articles: seconds; articles/s; peak RSS MB; seconds without embedding",
                f"{run['seconds']}; {run['articles_per_s']}; {run['peak_rss_mb']}; {run['clustering_seconds']}",
                "embedding included (but in the last figure), fresh process",
            )
        )
    for a, b in itertools.pairwise(int(size) for size in cost["runs"]):
        ratio = f"time {b // 1000}k / time {a // 1000}k"
        limit = f"{b // a}× the articles: linear {b // a}.0, requirement ≤ {1.2 * b / a:.1f} (10× articles ≤ 12× time)"
        out.append((f"cost: {ratio}", str(cost["ratios"][ratio]), limit))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 50k corpus and write nothing")
    parser.add_argument("--sweep", action="store_true", help="random search on the training splits (writes nothing)")
    parser.add_argument("--cost-size", type=int, help=argparse.SUPPRESS)  # one cost run, in the subprocess
    defaults = StoryParams()
    for name in _scalar_fields():
        kind = int if isinstance(getattr(defaults, name), int) else float
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=getattr(defaults, name))
    args = parser.parse_args()
    params = replace(defaults, **{name: getattr(args, name) for name in _scalar_fields()})

    if args.cost_size:
        print(json.dumps(cost_run(args.cost_size, params)))
        return
    if args.sweep:
        sweep()
        return
    load = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    q = quality(params)
    for name, result in q.items():
        print(name, result, flush=True)
    cost = cost_curve(COST_SIZES[:2] if args.quick else COST_SIZES, params)
    print(cost["ratios"], f"{time.perf_counter() - started:.0f} s in all")
    # other work on the machine slows the timings down: the load average before the run says how busy it was
    figures = {"params": _as_dict(params), "load_average_before": load, "quality": q, "cost": cost}
    if args.quick or params != defaults:
        print("not recorded (--quick or parameters other than the defaults)")
        return
    record("stories", figures, rows(q, cost))


if __name__ == "__main__":
    main()
