"""Story clustering, online: articles are taken in publication order and each joins a story or starts a new one.

After Miranda et al. (2018, "Multilingual Clustering of Streaming News", EMNLP): an article is compared with what
came before it, and a similarity over several signals decides whether it continues a story. Ours are

- the cosine of the MiniLM embeddings of title + lead (:mod:`newstrace.embed`),
- the shared names: capitalised words and long numbers of the whole text, weighted by their rarity so far (a
  victim's surname or a street says more than "Police" or "Tuesday"),
- the gap in days between the two publication dates.

The candidates are the ``neighbours`` nearest earlier articles in an ANN index (faiss HNSW), so the cost per
article stays flat as the corpus grows; the article joins the story of its best-scoring neighbour when that score
passes ``threshold``, else it starts a new story. The number of stories is never given. Copies of an article
(``duplicate_of``) join their original's story without being embedded. :meth:`StoryClusterer.restore` reloads the
stored vectors and names, so a re-run extends the stories it left instead of rebuilding them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import faiss
import numpy as np
import numpy.typing as npt

from .embed import DIMENSIONS
from .models import Article, content_id

Vectors = npt.NDArray[np.float32]
Embed = Callable[[list[str]], Vectors]

LEAD_CHARS = 600  # title + the first ~100 words: MiniLM reads at most 256 word pieces anyway
# Capitalised words that begin sentences or name days and months say nothing about which story it is.
COMMON = frozenset(
    """a an the he she it they we i you his her its their our this that these those there here in on at of for by
    to from with as and but or if when while after before during since until about according police officials
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december mr mrs ms dr said says new one two three""".split()
)
NAME = re.compile(r"\b(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,}|\d{3,})\b")


def names(text: str) -> frozenset[str]:
    """The capitalised words, acronyms and numbers of three or more digits of a text, lower-cased."""
    return frozenset(w for w in (m.group().lower().replace("’", "'") for m in NAME.finditer(text)) if w not in COMMON)


def lead(article: Article) -> str:
    """The text that stands for an article in the story embedding: its title and the start of its body."""
    body = article.text[:LEAD_CHARS]
    return f"{article.title}\n{body}" if article.title else body


@dataclass(frozen=True, slots=True)
class StoryParams:
    """How similar an article must be to an earlier one to continue its story. Fitted on the GVC and ECB+ training
    splits by ``python -m bench.stories --sweep`` (never on the dev or test splits)."""

    threshold: float = 0.62
    name_weight: float = 0.35  # added: weight × (rarity-weighted share of the article's names the other one has)
    window_days: float = 30.0  # beyond this gap the score drops by gap_penalty per further window
    gap_penalty: float = 0.1
    neighbours: int = 20


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: its story, and the score with which it joined (None when it started the story)."""

    article_id: str
    story_id: str
    score: float | None
    vector: Vectors | None  # None for copies, which are not indexed
    names: frozenset[str]


class StoryClusterer:
    """Assigns articles to stories, one at a time in publication order, remembering everything it has seen."""

    def __init__(self, embed: Embed, params: StoryParams | None = None) -> None:
        self.embed = embed
        self.params = params or StoryParams()
        # HNSW over unit vectors by inner product (= cosine); an article's key is its position in insertion order
        self.index = faiss.IndexHNSWFlat(DIMENSIONS, 32, faiss.METRIC_INNER_PRODUCT)
        self.stories: list[str] = []  # by index key: the story of each indexed article
        self.names: list[frozenset[str]] = []
        self.days: list[int | None] = []
        self.story_of: dict[str, str] = {}  # article id → story id, for every article seen (copies included)
        self.document_frequency: Counter[str] = Counter()
        self.documents = 0

    def __len__(self) -> int:
        return len(self.story_of)

    def restore(self, rows: Iterable[tuple[str, str, Vectors | None, Sequence[str], date | None]]) -> None:
        """Reload earlier assignments: (article_id, story_id, vector or None, names, published) per article."""
        vectors: list[Vectors] = []
        for article_id, story_id, vector, words, published in rows:
            self.story_of[article_id] = story_id
            if vector is None:
                continue
            self._remember(story_id, frozenset(words), published)
            vectors.append(np.asarray(vector, dtype=np.float32))
        if vectors:
            self.index.add(np.vstack(vectors))

    def add(self, articles: Sequence[Article], duplicate_of: dict[str, str] | None = None) -> list[Assignment]:
        """Assign new articles (ones already seen are skipped) in publication order, undated ones last.

        ``duplicate_of`` maps a copy to its original; a copy whose original has a story joins it.
        """
        duplicate_of = duplicate_of or {}
        fresh = [a for a in articles if a.article_id not in self.story_of]
        fresh.sort(key=lambda a: (a.published is None, a.published or date.min))
        out: list[Assignment] = []
        originals = [a for a in fresh if duplicate_of.get(a.article_id) is None]
        vectors = self.embed([lead(a) for a in originals]) if originals else np.zeros((0, DIMENSIONS), np.float32)
        vector_of = {a.article_id: vectors[i] for i, a in enumerate(originals)}
        for article in fresh:
            original = duplicate_of.get(article.article_id)
            if original is not None and original in self.story_of:
                story = self.story_of[original]
                self.story_of[article.article_id] = story
                out.append(Assignment(article.article_id, story, 1.0, None, frozenset()))
                continue
            vector = vector_of.get(article.article_id)
            if vector is None:  # a copy whose original is not in this corpus stands for it
                vector = self.embed([lead(article)])[0]
            out.append(self._place(article, vector))
        return out

    def _place(self, article: Article, vector: Vectors) -> Assignment:
        words = names(article.text) | names(article.title or "")
        day = article.published.toordinal() if article.published else None
        story, score = self._best(vector, words, day)
        if story is None:
            story, score = "s" + content_id(article.article_id, length=15), None
        self._remember(story, words, article.published)
        self.index.add(vector[None, :])
        self.story_of[article.article_id] = story
        return Assignment(article.article_id, story, score, vector, words)

    def _remember(self, story: str, words: frozenset[str], published: date | None) -> int:
        self.stories.append(story)
        self.names.append(words)
        self.days.append(published.toordinal() if published else None)
        self.document_frequency.update(words)
        self.documents += 1
        return len(self.stories) - 1

    def _best(self, vector: Vectors, words: frozenset[str], day: int | None) -> tuple[str | None, float | None]:
        """The story of the best-scoring earlier neighbour, if its score passes the threshold."""
        if not self.stories:
            return None, None
        similarities, keys = self.index.search(vector[None, :], min(self.params.neighbours, len(self.stories)))
        weight = {w: self._rarity(w) for w in words}
        total = sum(weight.values()) or 1.0
        best: tuple[str | None, float | None] = (None, None)
        for key, cosine in zip(keys[0], similarities[0], strict=True):
            if key < 0:  # fewer neighbours than asked for
                continue
            score = self.score(float(cosine), words, weight, total, day, int(key))
            if score >= self.params.threshold and (best[1] is None or score > best[1]):
                best = (self.stories[int(key)], score)
        return best

    def score(
        self, cosine: float, words: frozenset[str], weight: dict[str, float], total: float, day: int | None, key: int
    ) -> float:
        """Similarity of a new article to the indexed article ``key``."""
        shared = sum(weight[w] for w in words & self.names[key]) / total
        score = cosine + self.params.name_weight * shared
        other = self.days[key]
        if day is not None and other is not None:
            gap = abs(day - other)
            if gap > self.params.window_days:
                score -= self.params.gap_penalty * (gap / self.params.window_days)
        return score

    def _rarity(self, word: str) -> float:
        """Inverse document frequency of a name among the articles seen so far (smoothed)."""
        return math.log((1 + self.documents) / (1 + self.document_frequency[word])) + 1.0
