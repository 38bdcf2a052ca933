"""Story clustering, online: articles are taken in publication order and each joins a story or starts a new one.

After Miranda et al. (2018, "Multilingual Clustering of Streaming News", EMNLP): an article is compared with the
stories that came before it, and a similarity over several signals decides whether it continues one. Ours are

- **lexical**: the cosine of TF-IDF vectors (words and word pairs of title and text, sublinear term frequency,
  the inverse document frequency of the articles seen so far), taken against the story's mean vector, so the
  figure is the story's *average* similarity to the article (average linkage, online), which resists chaining;
- **semantic**: the same average for the MiniLM embeddings of title + lead (:mod:`newstrace.embed`);
- **names**: capitalised words and long numbers shared with the story, weighted by their rarity so far (a
  victim's surname or a street says more than "Police" or "Tuesday");
- **time**: the gap in days between the article and the story's dated articles.

Candidates come from an inverted index over the article's most telling terms (each term's postings are the stories
that hold it, capped, so common terms are never scanned) and from the nearest earlier articles in an ANN index
(faiss HNSW); the cost per article stays flat as the corpus grows and no pairwise matrix is ever built. The article
joins the best-scoring candidate story when the score passes ``threshold`` and its lexical average passes
``lexical_floor`` (the split guard: a story of one shooting is not continued by another that only reads alike),
else it starts a new story. After each placement, the story is compared with the other candidates as a whole
(the merge pass): two stories whose averages to each other pass ``merge_threshold``, and whose dates are within
``window_days`` of each other, become one, the younger story's articles moving into the older one.

An undated article is dated from the dates its text names (the latest full date, else the latest month, else the
latest year, each with its slack) before it is treated as timeless; an article that stays timeless adds no dates
to its story, so it cannot bring two dated stories together. The number of stories is never given. Copies of an
article (``duplicate_of``) join their original's story without being embedded. :meth:`StoryClusterer.restore`
rebuilds the state from the stored vectors and texts, so a re-run extends the stories it left.
"""

from __future__ import annotations

import calendar
import heapq
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from .embed import DIMENSIONS
from .models import Article, content_id

Vectors = npt.NDArray[np.float32]
Embed = Callable[[list[str]], Vectors]

LEAD_CHARS = 600  # title + the first ~100 words: MiniLM reads at most 256 word pieces anyway
TERM_BUCKETS = 1 << 22  # term hashes: collisions among 4M buckets are rare enough to leave alone
LEXICAL_CHARS = 6_000  # the lexical vector reads this much of the text: the rest rarely names anything new
# Capitalised words that begin sentences or name days and months say nothing about which story it is.
COMMON = frozenset(
    """a an the he she it they we i you his her its their our this that these those there here in on at of for by
    to from with as and but or if when while after before during since until about according police officials
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december mr mrs ms dr said says new one two three""".split()
)
NAME = re.compile(r"\b(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,}|\d{3,})\b")
WORD = re.compile(r"\b\w\w+\b")
# Function words carry no story: without them the early articles, whose IDF is still flat, are compared by content.
STOP = frozenset(
    """about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours said says say told tell one two three new year years day days week weeks
    last first time people like get got made make many much may might must us also would could""".split()
)
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATES = [  # (pattern, slack in days): how far the publication may lie from the date named
    (re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mm>[01]\d)-(?P<day>[0-3]\d)\b"), 14),
    (re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I), 14),
    (
        re.compile(
            r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I
        ),
        14,
    ),
    (re.compile(r"\b" + _MONTH + r",?\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b", re.I), 45),
    (re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d\d)(?![\d-])"), 365),
]


def names(text: str) -> frozenset[str]:
    """The capitalised words, acronyms and numbers of three or more digits of a text, lower-cased."""
    return frozenset(w for w in (m.group().lower().replace("’", "'") for m in NAME.finditer(text)) if w not in COMMON)


def lead(article: Article) -> str:
    """The text that stands for an article in the story embedding: its title and the start of its body."""
    body = article.text[:LEAD_CHARS]
    return f"{article.title}\n{body}" if article.title else body


def terms(title: str | None, text: str) -> Counter[str]:
    """The words (two letters or more, function words left out) and adjacent word pairs of title and text."""
    text = f"{title}\n{text[:LEXICAL_CHARS]}" if title else text[:LEXICAL_CHARS]
    words = [w for w in WORD.findall(text.lower()) if w not in STOP]
    return Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])


def text_date(text: str) -> tuple[date, int] | None:
    """The date an undated text was most likely written, from the dates it names: the latest full date, else the
    latest month, else the latest year; with the slack (days) that goes with that precision."""
    for pattern, slack in DATES:
        found = []
        for match in pattern.finditer(text):
            groups = match.groupdict()
            try:
                year = int(groups["year"])
                month = int(groups["mm"]) if groups.get("mm") else MONTHS.get((groups.get("month") or "").lower(), 7)
                day = int(groups["day"]) if groups.get("day") else 15 if groups.get("month") else 1
                found.append(date(year, month, day))
            except (ValueError, KeyError):  # "February 31, 2020"
                continue
        if found:
            return max(found), slack
    return None


@dataclass(frozen=True, slots=True)
class StoryParams:
    """How similar an article must be to an earlier story to continue it. Fitted on the GVC and ECB+ training
    splits by random search (``python -m bench.stories --sweep``), never on the dev or test splits."""

    threshold: float = 0.28  # the score (below) an article needs to join a story
    lexical_weight: float = 1.0  # score = lexical_weight × lexical average + semantic_weight × semantic average
    semantic_weight: float = 0.3  #  + name_weight × (rarity-weighted share of the article's names in the story)
    name_weight: float = 0.2  #    − gap_penalty × (days beyond window_days) / window_days
    lexical_floor: float = 0.05  # no lexical average under this joins or merges, whatever the rest says
    window_days: float = 30.0
    gap_penalty: float = 0.1
    merge_threshold: float = 0.33  # two stories whose score to each other passes this become one
    link_threshold: float = 0.3  # the score to one article of a story (of its nearest) that joins it alone
    storyline_threshold: float = 0.25  # the score, time left out, that links the article's story to another's
    split_threshold: float = 0.34  # a story whose two halves score under this to each other is cut in two
    split_sizes: tuple[int, ...] = (4, 6, 8, 11, 16, 23, 32, 45, 64)  # when the split guard looks at a story
    neighbours: int = 20  # nearest earlier articles by embedding, as candidates beside the inverted index
    candidates: int = 12  # stories scored in full per article, the best by shared telling terms
    query_terms: int = 30  # the article's terms (by TF-IDF weight) looked up in the inverted index
    kept_terms: int = 0  # the terms of an article (the heaviest) its story keeps; 0: all (150 or 300 cost B³)
    postings: int = 200  # stories kept per term (the latest): a term in more stories than that is not telling


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: its story, and the score with which it joined (None when it started the story).

    A merge moves earlier articles too: they come back as assignments with their earlier score, no vector and
    no names (nothing else of theirs changed)."""

    article_id: str
    story_id: str
    score: float | None
    vector: Vectors | None  # None for copies, which are not indexed, and for articles moved by a merge
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Member:
    terms: npt.NDArray[np.int32]  # the article's unit TF-IDF vector, by term id (sorted)
    weights: npt.NDArray[np.float32]
    vector: Vectors
    names: frozenset[str]
    day: int | None  # publication day (ordinal)


@dataclass(slots=True)
class _Story:
    members: list[str] = field(default_factory=list)  # article ids, copies included
    size: int = 0  # indexed members (copies not counted): the divisor of the sums
    semantic: Vectors = field(default_factory=lambda: np.zeros(DIMENSIONS, dtype=np.float32))
    lexical: dict[int, float] = field(default_factory=dict)  # sum of the members' unit TF-IDF vectors
    names: Counter[str] = field(default_factory=Counter)
    start: int = 0  # articles seen before the story began: the older story survives a merge
    first: int | None = None  # earliest and latest day of the dated members (ordinals)
    last: int | None = None


class StoryClusterer:
    """Assigns articles to stories, one at a time in publication order, remembering everything it has seen."""

    def __init__(self, embed: Embed, params: StoryParams | None = None) -> None:
        self.embed = embed
        self.params = params or StoryParams()
        # HNSW over unit vectors by inner product (= cosine); an article's key is its position in insertion order
        self.index = faiss.IndexHNSWFlat(DIMENSIONS, 32, faiss.METRIC_INNER_PRODUCT)
        self.keys: list[str] = []  # by index key: the article id
        self.story_of: dict[str, str] = {}  # article id → story id, for every article seen (copies included)
        self.score_of: dict[str, float | None] = {}
        self.stories: dict[str, _Story] = {}
        # documents per term, by a hash of the term: no vocabulary is kept (word pairs alone would be millions)
        self.term_frequency = np.zeros(TERM_BUCKETS, dtype=np.int32)
        self.postings: defaultdict[int, list[str]] = defaultdict(list)  # term id → stories (may name merged ones)
        self.merged_into: dict[str, str] = {}
        # what the split guard reads of each article of a story it may still look at (dropped past the last size)
        self.members: dict[str, _Member] = {}
        # storylines: a union-find over stories, each line named by its oldest story
        self.line_parent: dict[str, str] = {}
        self.line_members: dict[str, list[str]] = {}
        self.dirty_lines: set[str] = set()  # stories whose storyline changed since take_storylines()
        self.document_frequency: Counter[str] = Counter()  # of names
        self.documents = 0

    def __len__(self) -> int:
        return len(self.story_of)

    def restore(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Reload earlier assignments: (article_id, story_id, vector or None, names, published, title, text,
        storyline_id) per article, in the order they were placed. The title and text rebuild the lexical state;
        a row of five fields restores the article by its embedding, names and date only."""
        vectors: list[Vectors] = []
        for row in rows:
            article_id, story_id, vector, words, published = row[:5]
            title, text = (row[5], row[6] or "") if len(row) > 5 else (None, "")
            if story_id not in self.stories:
                self._new_line(story_id, row[7] if len(row) > 7 else None)
            story = self.stories.setdefault(story_id, _Story(start=len(self.story_of)))
            story.members.append(article_id)
            self.story_of[article_id] = story_id
            self.score_of[article_id] = None
            if vector is None:
                continue
            unit = np.asarray(vector, dtype=np.float32)
            lexical = self._lexical(title, text or " ".join(words))  # a row without text: its names stand for it
            day = self._day(published, title, text)
            self._remember(story_id, article_id, unit, lexical, frozenset(words), day)
            vectors.append(unit)
        if vectors:
            self.index.add(np.vstack(vectors))
        self.dirty_lines.clear()  # what was restored is stored already

    def take_storylines(self) -> dict[str, str]:
        """story_id → storyline_id for every story whose storyline changed since the last call (new stories
        included); the stories merged away are left out."""
        out = {story: self._line(story) for story in self.dirty_lines if story in self.stories}
        self.dirty_lines.clear()
        return out

    def _new_line(self, story_id: str, storyline_id: str | None = None) -> None:
        """Start a story's storyline entry: its own line, or the one given (restored, or split from)."""
        root = storyline_id or story_id
        self.line_parent.setdefault(root, root)
        if story_id != root:
            self.line_parent[story_id] = root
        self.line_members.setdefault(self._line(root), []).append(story_id)
        self.dirty_lines.add(story_id)

    def _line(self, story_id: str) -> str:
        root = story_id
        while self.line_parent.get(root, root) != root:
            root = self.line_parent[root]
        while story_id != root:  # path compression
            story_id, self.line_parent[story_id] = self.line_parent[story_id], root
        return root

    def _link(self, a: str, b: str) -> None:
        """Put two stories in one storyline, named by the older line's root."""
        ra, rb = self._line(a), self._line(b)
        if ra == rb:
            return
        older = (
            ra
            if (self.stories[ra].start if ra in self.stories else -1, ra)
            <= (
                self.stories[rb].start if rb in self.stories else -1,
                rb,
            )
            else rb
        )
        younger = rb if older == ra else ra
        self.line_parent[younger] = older
        moving = self.line_members.pop(younger, [younger])
        self.line_members.setdefault(older, []).extend(moving)
        self.dirty_lines.update(moving)

    def add(self, articles: Sequence[Article], duplicate_of: dict[str, str] | None = None) -> list[Assignment]:
        """Assign new articles (ones already seen are skipped) in publication order, undated ones last.

        ``duplicate_of`` maps a copy to its original; a copy whose original has a story joins it. Articles that
        a merge moved to another story are returned after the new ones."""
        duplicate_of = duplicate_of or {}
        fresh = [a for a in articles if a.article_id not in self.story_of]
        fresh.sort(key=lambda a: (a.published is None, a.published or date.min))
        out: list[Assignment] = []
        moved: dict[str, str] = {}
        originals = [a for a in fresh if duplicate_of.get(a.article_id) is None]
        vectors = self.embed([lead(a) for a in originals]) if originals else np.zeros((0, DIMENSIONS), np.float32)
        vector_of = {a.article_id: vectors[i] for i, a in enumerate(originals)}
        for article in fresh:
            original = duplicate_of.get(article.article_id)
            if original is not None and original in self.story_of:
                story = self.story_of[original]
                self.story_of[article.article_id] = story
                self.score_of[article.article_id] = 1.0
                self.stories[story].members.append(article.article_id)
                out.append(Assignment(article.article_id, story, 1.0, None, frozenset()))
                continue
            vector = vector_of.get(article.article_id)
            if vector is None:  # a copy whose original is not in this corpus stands for it
                vector = self.embed([lead(article)])[0]
            out.append(self._place(article, vector, moved))
        # a merge may move articles placed in this very call: they are reported once, in their final story
        final = {a.article_id: a for a in out}
        for article_id in list(final):
            story = self.story_of[article_id]
            if final[article_id].story_id != story:
                a = final[article_id]
                final[article_id] = Assignment(a.article_id, story, a.score, a.vector, a.names)
                moved.pop(article_id, None)
        result = list(final.values())
        result += [
            Assignment(a, self.story_of[a], self.score_of.get(a), None, frozenset()) for a in moved if a not in final
        ]
        return result

    # -- placing ----------------------------------------------------------------------------------------------

    def _place(self, article: Article, vector: Vectors, moved: dict[str, str]) -> Assignment:
        words = names(article.text) | names(article.title or "")
        lexical = self._lexical(article.title, article.text)
        day = self._day(article.published, article.title, article.text)
        scored = self._candidates(vector, lexical, words, day)
        story_id: str | None = None
        score: float | None = None
        for candidate, value, lex, _ in scored:
            if value >= self.params.threshold and lex >= self.params.lexical_floor:
                story_id, score = candidate, value
                break
        if story_id is None:
            story_id = "s" + content_id(article.article_id, length=15)
            self.stories[story_id] = _Story(start=len(self.story_of))
            self._new_line(story_id)
        self.stories[story_id].members.append(article.article_id)
        self.story_of[article.article_id] = story_id
        self.score_of[article.article_id] = score
        self._remember(story_id, article.article_id, vector, lexical, words, day)
        self.index.add(vector[None, :])
        # the story's average to another only passes merge_threshold now if the article's own score to it does
        # (the average moves by the article's share), so only those stories are worth the full comparison
        others = [c for c, value, _, _ in scored if c != story_id and value >= self.params.merge_threshold]
        story_id = self._merge(story_id, others, moved)
        for candidate, _, _, timeless in scored:  # the development it continues, however long ago
            candidate = self._final(candidate)
            if candidate != story_id and timeless >= self.params.storyline_threshold:
                self._link(story_id, candidate)
        if self.stories[story_id].size in self.params.split_sizes:
            self._split(story_id, moved)
            story_id = self.story_of[article.article_id]
        return Assignment(article.article_id, story_id, score, vector, words)

    def _candidates(
        self, vector: Vectors, lexical: dict[int, float], words: frozenset[str], day: tuple[int, int] | None
    ) -> list[tuple[str, float, float, float]]:
        """(story, score, lexical average, score without the date gap) of the candidate stories, best first."""
        if not self.stories:
            return []
        p = self.params
        # stories by the summed weight of the telling terms they share with the article
        votes: defaultdict[str, float] = defaultdict(float)
        for term, value in heapq.nlargest(p.query_terms, lexical.items(), key=lambda item: item[1]):
            for holder in self.postings.get(term, ()):
                votes[self._final(holder)] += value
        chosen = set(heapq.nlargest(p.candidates, votes, key=votes.__getitem__))
        weight = {w: self._rarity(w) for w in words}
        total = sum(weight.values()) or 1.0
        # the best score to one article of each story among the nearest by embedding (the single-link path)
        pair: defaultdict[str, float] = defaultdict(lambda: -math.inf)
        pair_timeless: defaultdict[str, float] = defaultdict(lambda: -math.inf)
        if self.keys:
            cosines, keys = self.index.search(vector[None, :], min(p.neighbours, len(self.keys)))
            terms = np.array(sorted(lexical), dtype=np.int32)
            weights = np.array([lexical[t] for t in terms.tolist()], dtype=np.float32)
            for key, cosine in zip(keys[0].tolist(), cosines[0].tolist(), strict=True):
                if key < 0:
                    continue
                article_id = self.keys[key]
                story_id = self.story_of[article_id]
                chosen.add(story_id)
                member = self.members.get(article_id)
                if member is None:
                    continue
                _, mine, theirs = np.intersect1d(terms, member.terms, assume_unique=True, return_indices=True)
                lex = float(weights[mine] @ member.weights[theirs])
                shared = sum(weight[w] for w in words if w in member.names) / total
                if lex < p.lexical_floor:
                    continue
                value = p.lexical_weight * lex + p.semantic_weight * cosine + p.name_weight * shared
                pair_timeless[story_id] = max(pair_timeless[story_id], value)
                if day is not None and member.day is not None:
                    gap = abs(day[0] - member.day) - day[1]
                    value -= p.gap_penalty * gap / p.window_days if gap > p.window_days else 0.0
                pair[story_id] = max(pair[story_id], value)
        out = []
        for story_id in chosen:
            story = self.stories[story_id]
            if not story.size:
                continue
            lex = sum(w * story.lexical.get(t, 0.0) for t, w in lexical.items()) / story.size
            sem = float(vector @ story.semantic) / story.size
            # the story's average share: a name its every article gives counts fully, one article's name little
            shared = sum(weight[w] * story.names[w] for w in words if w in story.names) / (total * story.size)
            timeless = p.lexical_weight * lex + p.semantic_weight * sem + p.name_weight * shared
            value = timeless - self._gap_cost(day, story)
            # an article that matches one article of a story very well joins it even when the story is broad
            # (a denial of one report in a story of many): counted on the join scale, above its own bar
            value = max(value, pair[story_id] - p.link_threshold + p.threshold)
            timeless = max(timeless, pair_timeless[story_id] - p.link_threshold + p.threshold)
            out.append((story_id, value, lex, timeless))
        out.sort(key=lambda row: -row[1])
        return out

    def _gap_cost(self, day: tuple[int, int] | None, story: _Story) -> float:
        if day is None or story.first is None or story.last is None:
            return 0.0
        when, slack = day
        gap = max(0, story.first - when, when - story.last) - slack
        if gap <= self.params.window_days:
            return 0.0
        return self.params.gap_penalty * gap / self.params.window_days

    def _merge(self, story_id: str, others: list[str], moved: dict[str, str]) -> str:
        """Merge the story with every candidate whose averages to it pass ``merge_threshold``; the story that
        survives is the older one (the one that started first)."""
        p = self.params
        for other_id in others:
            other_id = self._final(other_id)
            if other_id == story_id or other_id not in self.stories:
                continue
            a, b = self.stories[story_id], self.stories[other_id]
            if not a.size or not b.size or not self._close_in_time(a, b):
                continue
            small, large = (a.lexical, b.lexical) if len(a.lexical) < len(b.lexical) else (b.lexical, a.lexical)
            lex = sum(w * large.get(t, 0.0) for t, w in small.items()) / (a.size * b.size)
            sem = float(a.semantic @ b.semantic) / (a.size * b.size)
            rarity = {w: self._rarity(w) * n / a.size for w, n in a.names.items()}
            total = sum(rarity.values()) or 1.0
            shared = sum(r * b.names[w] for w, r in rarity.items() if w in b.names) / (total * b.size)
            value = p.lexical_weight * lex + p.semantic_weight * sem + p.name_weight * shared
            if value < p.merge_threshold or lex < p.lexical_floor:
                continue
            keep, gone = (other_id, story_id) if self._older(other_id, story_id) else (story_id, other_id)
            self._link(keep, gone)
            self._absorb(keep, gone, moved)
            story_id = keep
        return story_id

    def _older(self, a: str, b: str) -> bool:
        return (self.stories[a].start, a) < (self.stories[b].start, b)

    def _close_in_time(self, a: _Story, b: _Story) -> bool:
        if a.first is None or b.first is None or a.last is None or b.last is None:
            return True
        return max(a.first - b.last, b.first - a.last) <= self.params.window_days

    def _absorb(self, keep: str, gone: str, moved: dict[str, str]) -> None:
        k, g = self.stories[keep], self.stories.pop(gone)
        for article_id in g.members:
            self.story_of[article_id] = keep
            moved[article_id] = keep
        k.members += g.members
        k.size += g.size
        k.semantic = k.semantic + g.semantic
        for term, weight in g.lexical.items():
            if term not in k.lexical:
                self.postings[term].append(keep)
            k.lexical[term] = k.lexical.get(term, 0.0) + weight
        k.names.update(g.names)
        if g.first is not None and g.last is not None:
            k.first = g.first if k.first is None else min(k.first, g.first)
            k.last = g.last if k.last is None else max(k.last, g.last)
        self.merged_into[gone] = keep

    def _final(self, story_id: str) -> str:
        while story_id in self.merged_into:
            story_id = self.merged_into[story_id]
        return story_id

    def _split(self, story_id: str, moved: dict[str, str]) -> None:
        """The split guard: cluster the story's articles by average linkage into two parts and, when the parts
        score under ``split_threshold`` to each other and the smaller has two articles or more, make the part
        without the story's first article a story of its own. Only stories up to the last of ``split_sizes``
        are looked at, so the pairwise matrix stays small."""
        p = self.params
        story = self.stories[story_id]
        ids = [a for a in story.members if a in self.members]
        kept = [self.members[a] for a in ids]
        if story.size >= p.split_sizes[-1]:  # never looked at again: forget what the guard kept
            for article_id in ids:
                del self.members[article_id]
        # time already parts two dated stories of the same kind (the date gap, the merge window): the guard is for
        # stories most of whose articles have no publication date, where nothing else stops a chain
        if len(ids) < 4 or 2 * sum(m.day is not None for m in kept) > len(kept):
            return
        matrix = self._pairwise(kept)
        groups = _two_by_average_linkage(matrix)
        if groups is None:
            return
        first, second = groups
        between = float(matrix[np.ix_(first, second)].mean())
        if between >= p.split_threshold or min(len(first), len(second)) < 2:
            return
        part = second if 0 in first else first
        leaving = [ids[i] for i in part]
        new_id = "s" + content_id(leaving[0], length=15)
        self.stories[new_id] = _Story(start=story.start + 1)
        self._new_line(new_id, self._line(story_id))  # one development still
        # copies stay where they joined (they are not in ``ids``): their original may be on either side
        gone = set(leaving)
        story.members = [a for a in story.members if a not in gone]
        for article_id, member in zip(leaving, [kept[i] for i in part], strict=True):
            self._unremember(story_id, member)
            self._add_to(new_id, member)
            self.stories[new_id].members.append(article_id)
            self.story_of[article_id] = new_id
            self.members[article_id] = member  # its new story is small: the guard may look at it again
            moved[article_id] = new_id

    def _pairwise(self, members: list[_Member]) -> npt.NDArray[np.float64]:
        """The score of every pair of the members, as the join score computes it for one article and one story
        (names: the mean of the two directions). Dense over the members' own vocabulary: n is at most 64."""
        p = self.params
        n = len(members)
        vectors = np.vstack([m.vector for m in members]).astype(np.float64)
        vocabulary = np.unique(np.concatenate([m.terms for m in members]))
        lexical = np.zeros((n, len(vocabulary)))
        for i, m in enumerate(members):
            lexical[i, np.searchsorted(vocabulary, m.terms)] = m.weights
        known = sorted({w for m in members for w in m.names})
        column = {w: k for k, w in enumerate(known)}
        has = np.zeros((n, len(known)))
        for i, m in enumerate(members):
            has[i, [column[w] for w in m.names]] = 1.0
        rarity = has * np.array([self._rarity(w) for w in known])
        share = (rarity @ has.T) / np.maximum(rarity.sum(axis=1, keepdims=True), 1e-9)
        matrix = p.lexical_weight * (lexical @ lexical.T) + p.semantic_weight * (vectors @ vectors.T)
        matrix += p.name_weight * (share + share.T) / 2
        days = np.array([np.nan if m.day is None else m.day for m in members], dtype=np.float64)
        gaps = np.nan_to_num(np.abs(days[:, None] - days[None, :]), nan=0.0)
        matrix -= np.where(gaps > p.window_days, p.gap_penalty * gaps / p.window_days, 0.0)
        return matrix

    # -- state ------------------------------------------------------------------------------------------------

    def _lexical(self, title: str | None, text: str) -> dict[int, float]:
        """The article's unit TF-IDF vector over term ids, with the IDF of the articles seen so far."""
        counts = terms(title, text)
        n = self.documents
        vector: dict[int, float] = {}
        for term, count in counts.items():
            term_id = zlib.crc32(term.encode()) & (TERM_BUCKETS - 1)
            idf = math.log((2 + n) / (2 + int(self.term_frequency[term_id]))) + 1.0
            vector[term_id] = max(vector.get(term_id, 0.0), (1.0 + math.log(count)) * idf)
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {t: w / norm for t, w in vector.items()}

    @staticmethod
    def _day(published: date | None, title: str | None, text: str) -> tuple[int, int] | None:
        """The article's day (ordinal) and slack: its publication date, else the date its text names."""
        if published is not None:
            return published.toordinal(), 0
        found = text_date(f"{title or ''}\n{text}")
        return (found[0].toordinal(), found[1]) if found else None

    def _remember(
        self,
        story_id: str,
        article_id: str,
        vector: Vectors,
        lexical: dict[int, float],
        words: frozenset[str],
        day: tuple[int, int] | None,
    ) -> None:
        # only publication dates date a story: a date read from a text is weighed against them, never against
        # another guess (dates named in a text are as often the background as the news)
        published = day[0] if day is not None and day[1] == 0 else None
        kept = sorted(lexical)
        if self.params.kept_terms:  # the story keeps the article's most telling terms only
            kept = sorted(heapq.nlargest(self.params.kept_terms, lexical, key=lexical.__getitem__))
        ids = np.array(kept, dtype=np.int32)
        member = _Member(ids, np.array([lexical[t] for t in kept], dtype=np.float32), vector, words, published)
        self._add_to(story_id, member)
        if self.stories[story_id].size <= self.params.split_sizes[-1]:
            self.members[article_id] = member
        self.term_frequency[np.fromiter(lexical, dtype=np.int64, count=len(lexical))] += 1
        self.keys.append(article_id)
        self.document_frequency.update(words)
        self.documents += 1

    def _add_to(self, story_id: str, member: _Member) -> None:
        """Add an article's vectors, names and day to a story's sums (its membership is the caller's)."""
        story = self.stories[story_id]
        story.size += 1
        story.semantic = story.semantic + member.vector
        for term, weight in zip(member.terms.tolist(), member.weights.tolist(), strict=True):
            if term not in story.lexical:
                posting = self.postings[term]
                posting.append(story_id)
                if len(posting) > self.params.postings:
                    del posting[0]
            story.lexical[term] = story.lexical.get(term, 0.0) + weight
        story.names.update(member.names)
        if member.day is not None:
            story.first = member.day if story.first is None else min(story.first, member.day)
            story.last = member.day if story.last is None else max(story.last, member.day)

    def _unremember(self, story_id: str, member: _Member) -> None:
        """Take an article's vectors, names and day out of a story's sums (the split guard moves it)."""
        story = self.stories[story_id]
        story.size -= 1
        story.semantic = story.semantic - member.vector
        for term, weight in zip(member.terms.tolist(), member.weights.tolist(), strict=True):
            left = story.lexical.get(term, 0.0) - weight
            if left > 1e-6:
                story.lexical[term] = left
            else:
                story.lexical.pop(term, None)
        story.names.subtract(member.names)
        story.names = +story.names
        days = [m.day for a in story.members if (m := self.members.get(a)) is not None and m.day is not None]
        story.first, story.last = (min(days), max(days)) if days else (story.first, story.last)

    def _rarity(self, word: str) -> float:
        """Inverse document frequency of a name among the articles seen so far (smoothed)."""
        return math.log((1 + self.documents) / (1 + self.document_frequency[word])) + 1.0


def _two_by_average_linkage(similarity: npt.NDArray[np.float64]) -> tuple[list[int], list[int]] | None:
    """The last two clusters of average-linkage agglomeration over a small similarity matrix (Lance-Williams
    updates: the average similarity of a merged cluster to another is the size-weighted mean of its parts')."""
    n = len(similarity)
    if n < 2:
        return None
    work = similarity.astype(np.float64).copy()
    np.fill_diagonal(work, -np.inf)
    clusters: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(clusters) > 2:
        alive = sorted(clusters)
        sub = work[np.ix_(alive, alive)]
        flat = int(np.argmax(sub))
        i, j = alive[flat // len(alive)], alive[flat % len(alive)]
        a, b = len(clusters[i]), len(clusters[j])
        work[i, :] = (a * work[i, :] + b * work[j, :]) / (a + b)
        work[:, i] = work[i, :]
        work[i, i] = -np.inf
        work[j, :] = -np.inf
        work[:, j] = -np.inf
        clusters[i] += clusters.pop(j)
    first, second = clusters.values()
    return first, second
