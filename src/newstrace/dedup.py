"""Exact and near-duplicate detection (syndicated copies, lightly edited rewrites).

Exact copies share ``text_hash`` (words, lower-cased). Near copies are found with MinHash over word shingles and
an LSH index (datasketch), so finding the candidates of one article costs the same whatever the corpus size. Each
group of copies points at its earliest member (``duplicate_of``); the earliest keeps ``duplicate_of = NULL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
from datasketch import MinHash, MinHashLSH

from .settings import Settings

# Signatures are stored; pin the hashing scheme so stored and new signatures stay comparable across upgrades.
_SCHEME = "affine32"


def signature(text: str, settings: Settings) -> np.ndarray:
    """MinHash signature of the text's word shingles (``shingle_words`` words each)."""
    words = re.findall(r"\w+", text.lower())
    k = settings.shingle_words
    shingles = {" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))}
    minhash = MinHash(num_perm=settings.minhash_permutations, seed=1, scheme=_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def from_bytes(blob: bytes) -> np.ndarray:
    """A signature as stored (``ndarray.tobytes()``) back to an array."""
    return np.frombuffer(blob, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What duplicate detection needs to know of an article."""

    article_id: str
    text_hash: str
    published: date | None
    input_ref: str
    signature: np.ndarray

    @property
    def order(self) -> tuple[int, date, str, str]:
        # Earliest publication first; undated copies last; then a stable tie-break so that re-runs agree.
        return (self.published is None, self.published or date.max, self.input_ref, self.article_id)


class DuplicateIndex:
    """All articles seen so far, indexed for exact and near-duplicate look-up, with their copy groups."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lsh = MinHashLSH(threshold=settings.near_duplicate_threshold, num_perm=settings.minhash_permutations)
        self.by_hash: dict[str, list[str]] = {}
        self.items: dict[str, Candidate] = {}
        self.group_of: dict[str, str] = {}  # article id -> id of the earliest copy in its group
        self.groups: dict[str, set[str]] = {}  # earliest copy -> all members

    def load(self, item: Candidate, duplicate_of: str | None) -> None:
        """Index an article already stored, with the group it was already put in."""
        self._index(item)
        root = duplicate_of or item.article_id
        self.group_of[item.article_id] = root
        self.groups.setdefault(root, set()).add(item.article_id)

    def add(self, item: Candidate) -> dict[str, str | None]:
        """Index a new article and return ``{article_id: duplicate_of}`` for every article whose value changed.

        Copies are grouped transitively (A≈B and B≈C put A, B, C in one group), and a newly read *earlier* copy
        moves the whole group's pointer to itself.
        """
        if item.article_id in self.items:
            return {}
        copies = self._copies_of(item)
        self._index(item)
        members = {item.article_id}
        for other in copies:
            members |= self.groups.pop(self.group_of[other], {other})
        root = min(members, key=lambda m: self.items[m].order)
        self.groups[root] = members
        changes: dict[str, str | None] = {}
        for member in members:
            if self.group_of.get(member) != root or member == item.article_id:
                changes[member] = None if member == root else root
            self.group_of[member] = root
        return changes

    def _index(self, item: Candidate) -> None:
        self.items[item.article_id] = item
        self.by_hash.setdefault(item.text_hash, []).append(item.article_id)
        self.lsh.insert(item.article_id, _as_minhash(item.signature, self.settings))

    def _copies_of(self, item: Candidate) -> set[str]:
        exact = set(self.by_hash.get(item.text_hash, ()))
        near = {
            other
            for other in self.lsh.query(_as_minhash(item.signature, self.settings))
            if similarity(item.signature, self.items[other].signature) >= self.settings.near_duplicate_threshold
        }
        return (exact | near) - {item.article_id}


def _as_minhash(values: np.ndarray, settings: Settings) -> MinHash:
    return MinHash(num_perm=settings.minhash_permutations, seed=1, hashvalues=values, scheme=_SCHEME)
