"""Exact and near-duplicate detection (syndicated copies, truncated copies, lightly edited rewrites).

Exact copies share ``text_hash`` (words, lower-cased). Near copies are found with MinHash over word shingles and
an LSH index (datasketch), so finding the candidates of one article costs the same whatever the corpus size.
Symmetric similarity misses a copy that keeps only the first third of a wire story, or one that a site rewrote
lightly around the wire's sentences: those are found by **containment** — the share of the shorter text's
three-word shingles that the other text holds — over a sample of shingle hashes (one in
``containment_sample``) kept in an inverted index. Each group of copies points at its earliest member
(``duplicate_of``); the earliest keeps ``duplicate_of = NULL``.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
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


CONTAINMENT_WORDS = 3  # short shingles: a rewrite that changes every fourth word still shares many of them
MIN_SAMPLED = 12  # fewer sampled shingles than this (a dozen words unsampled) say nothing reliable of containment
MAX_POSTINGS = 64  # a shingle in more articles than this is boilerplate or a wire's stock phrase, not evidence


def shingle_sample(text: str, settings: Settings) -> np.ndarray:
    """The sorted, distinct CRC32 hashes of the text's three-word shingles that fall in the sample (one in
    ``containment_sample``): the same shingles are sampled in every text, so shared samples estimate containment."""
    words = re.findall(r"\w+", text.lower())
    k = CONTAINMENT_WORDS
    hashes = {zlib.crc32(" ".join(words[i : i + k]).encode("utf-8")) for i in range(max(1, len(words) - k + 1))}
    rate = max(1, settings.containment_sample)
    return np.array(sorted(h for h in hashes if h % rate == 0), dtype=np.uint32)


def sample_from_bytes(blob: bytes | None) -> np.ndarray:
    return np.frombuffer(blob or b"", dtype=np.uint32)


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
    shingles: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))  # see shingle_sample

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
        self.postings: dict[int, list[str]] = {}  # sampled shingle hash -> articles holding it (capped)

    def load(self, item: Candidate, duplicate_of: str | None) -> None:
        """Index an article already stored, with the group it was already put in."""
        self._index(item, contained=duplicate_of is None)
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
        self._index(item, contained=not copies)
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

    def _index(self, item: Candidate, contained: bool = True) -> None:
        """Index an article for exact and near look-up, and its shingles for containment when ``contained``: a
        copy's shingles are its original's, so 2,000 copies of one wire story add nothing to the postings."""
        self.items[item.article_id] = item
        self.by_hash.setdefault(item.text_hash, []).append(item.article_id)
        self.lsh.insert(item.article_id, _as_minhash(item.signature, self.settings))
        if not contained:
            return
        for h in item.shingles.tolist():
            holders = self.postings.setdefault(h, [])
            if len(holders) <= MAX_POSTINGS:
                holders.append(item.article_id)

    def _copies_of(self, item: Candidate) -> set[str]:
        exact = set(self.by_hash.get(item.text_hash, ()))
        near = {
            other
            for other in self.lsh.query(_as_minhash(item.signature, self.settings))
            if similarity(item.signature, self.items[other].signature) >= self.settings.near_duplicate_threshold
        }
        return (exact | near | self._containing(item)) - {item.article_id}

    def _containing(self, item: Candidate) -> set[str]:
        """Articles that hold most of this one's text or most of whose text this one holds."""
        if len(item.shingles) < MIN_SAMPLED:
            return set()
        shared: Counter[str] = Counter()
        for h in item.shingles.tolist():
            holders = self.postings.get(h, ())
            if len(holders) <= MAX_POSTINGS:
                shared.update(holders)
        threshold = self.settings.containment_threshold
        found = set()
        for other, n in shared.items():
            smaller = min(len(item.shingles), len(self.items[other].shingles))
            if smaller >= MIN_SAMPLED and n / smaller >= threshold:
                found.add(other)
        return found


def _as_minhash(values: np.ndarray, settings: Settings) -> MinHash:
    return MinHash(num_perm=settings.minhash_permutations, seed=1, hashvalues=values, scheme=_SCHEME)
