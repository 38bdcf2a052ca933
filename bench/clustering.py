"""Scores of a predicted clustering against a gold one: B³, V-measure and the adjusted Rand index.

Every metric reads the contingency table of the two labelings (gold class × predicted cluster counts), built
with numpy and scipy, so no scikit-learn is needed. The definitions follow Bagga & Baldwin (1998) for B³ (each
item's precision is the share of its predicted cluster that shares its gold class, averaged over items; recall
the other way round), Rosenberg & Hirschberg (2007) for V-measure (β = 1, natural logarithms; the value does
not depend on the base) and Hubert & Arabie (1985) for ARI. They agree with scikit-learn's
``homogeneity_completeness_v_measure`` and ``adjusted_rand_score``, including their conventions for degenerate
cases: a labeling with one class is perfectly homogeneous, and ARI is 1.0 when both labelings are all-one-cluster
or all-singletons.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import comb


def contingency(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> sparse.csr_matrix:
    """Counts of items per (gold class, predicted cluster), as a sparse matrix; the labels may be any hashables."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels and predicted {len(predicted)}")
    if not gold:
        raise ValueError("no items to score")
    _, rows = np.unique(np.array([str(g) for g in gold]), return_inverse=True)
    _, columns = np.unique(np.array([str(p) for p in predicted]), return_inverse=True)
    ones = np.ones(len(gold), dtype=np.int64)
    # duplicate (row, column) entries are summed when the COO matrix is converted
    return sparse.coo_matrix((ones, (rows, columns))).tocsr()


def b_cubed(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float, float]:
    """B³ precision, recall and F1 (the harmonic mean of the two averages, as Bagga & Baldwin and later
    document-clustering papers report it)."""
    table = contingency(gold, predicted)
    n = table.sum()
    cells = table.tocoo()
    counts = cells.data.astype(np.float64)
    cluster_sizes = np.asarray(table.sum(axis=0)).ravel()[cells.col]
    class_sizes = np.asarray(table.sum(axis=1)).ravel()[cells.row]
    # the n_ij items of a cell each have precision n_ij / |cluster j| and recall n_ij / |class i|
    precision = float((counts**2 / cluster_sizes).sum() / n)
    recall = float((counts**2 / class_sizes).sum() / n)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _entropy(sizes: np.ndarray) -> float:
    p = sizes[sizes > 0] / sizes.sum()
    return float(-(p * np.log(p)).sum())


def v_measure(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float, float]:
    """Homogeneity, completeness and V-measure (their harmonic mean)."""
    table = contingency(gold, predicted)
    n = float(table.sum())
    class_sizes = np.asarray(table.sum(axis=1)).ravel().astype(np.float64)
    cluster_sizes = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    cells = table.tocoo()
    counts = cells.data.astype(np.float64)
    # conditional entropies H(class | cluster) and H(cluster | class) from the non-zero cells only
    h_class_given_cluster = float(-(counts / n * np.log(counts / cluster_sizes[cells.col])).sum())
    h_cluster_given_class = float(-(counts / n * np.log(counts / class_sizes[cells.row])).sum())
    h_class, h_cluster = _entropy(class_sizes), _entropy(cluster_sizes)
    homogeneity = 1.0 if h_class == 0 else 1.0 - h_class_given_cluster / h_class
    completeness = 1.0 if h_cluster == 0 else 1.0 - h_cluster_given_class / h_cluster
    if homogeneity + completeness == 0:
        return homogeneity, completeness, 0.0
    return homogeneity, completeness, 2 * homogeneity * completeness / (homogeneity + completeness)


def adjusted_rand(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """The adjusted Rand index: pair agreement corrected for chance (0 for a random labeling, 1 for identical)."""
    table = contingency(gold, predicted)
    n = int(table.sum())
    pairs_cells = float(comb(table.data, 2).sum())
    pairs_classes = float(comb(np.asarray(table.sum(axis=1)).ravel(), 2).sum())
    pairs_clusters = float(comb(np.asarray(table.sum(axis=0)).ravel(), 2).sum())
    pairs = float(comb(n, 2))
    if pairs == 0:
        return 1.0
    expected = pairs_classes * pairs_clusters / pairs
    maximum = (pairs_classes + pairs_clusters) / 2
    if maximum == expected:  # both all-singletons or both one cluster: the index is undefined, call it a match
        return 1.0
    return (pairs_cells - expected) / (maximum - expected)


def scores(gold: Sequence[Hashable], predicted: Sequence[Hashable], digits: int = 4) -> dict[str, Any]:
    """Every figure the story benchmark reports for one labeling, rounded to ``digits``: B³ P/R/F1,
    homogeneity, completeness, V-measure, ARI, and the numbers of items, clusters and singleton clusters."""
    precision, recall, f1 = b_cubed(gold, predicted)
    homogeneity, completeness, v = v_measure(gold, predicted)
    gold_sizes = np.unique(np.array([str(g) for g in gold]), return_counts=True)[1]
    predicted_sizes = np.unique(np.array([str(p) for p in predicted]), return_counts=True)[1]
    return {
        "articles": len(gold),
        "b3_precision": round(precision, digits),
        "b3_recall": round(recall, digits),
        "b3_f1": round(f1, digits),
        "homogeneity": round(homogeneity, digits),
        "completeness": round(completeness, digits),
        "v_measure": round(v, digits),
        "ari": round(adjusted_rand(gold, predicted), digits),
        "gold_clusters": int(len(gold_sizes)),
        "predicted_clusters": int(len(predicted_sizes)),
        "gold_singletons": int((gold_sizes == 1).sum()),
        "predicted_singletons": int((predicted_sizes == 1).sum()),
    }
