"""PolNeAR attribution gold standard: loader, scorer, corpus statistics and a scorer self-check.

PolNeAR (Newell, Margolin & Ruths, LREC 2018) labels every attribution in 1,008 political news articles with a
source span (who), a cue span ("said", "according to") and a content span (what), in BRAT standoff files. This module
reads the ``polnear-<split>.tar.gz`` archives in ``../shared/data/polnear`` without extracting them and scores
predicted relations against them.

Loading decisions (each one is recorded on the article as an :class:`Issue`, so nothing is dropped silently):

* **One annotator per article**: articles annotated by several people (dev 2, train 16) have one ``.ann`` per
  annotator; we keep the annotator id that sorts first (``4b22`` < ``4e07`` < ... < ``ef2d``). This reproduces the
  README's "first annotator" counts.
* ``Discuss`` / ``Discard`` spans are annotator flags, not roles: they are ignored. Relations that overlap a
  ``Discuss`` flag are kept (the annotator still annotated them); ``Discard`` never overlaps a role in train or dev.
* A relation's roles come from its ``E`` line, not from the type of the ``T`` line it points to (a handful of
  ``Source`` roles point at ``Content`` spans and vice versa). Repeated roles (``Content2``) are merged into one
  discontinuous span. A role pointing at a ``Discuss``/``Discard`` span is dropped.
* A relation with no role at all, only its anchor, is dropped: 34 of the 35 in train and dev repeat the anchor of
  another, complete relation (an empty event left behind in BRAT). So dev has 2,192 relations, not the README's
  2,193 (which counts ``E`` lines), and train 19,834, not 19,868.
* A relation without a ``Cue`` role (but with other roles) takes its anchor span as cue -- the ``Attribution``
  span sits on the cue; a relation without ``Content`` keeps an empty content (2 in train).
* ``Attribution-no-source`` relations have ``source=None`` -- unless the annotator attached a Source anyway (once in
  dev), in which case the source is kept.
* Role spans that belong to no relation are ignored (a few in train).

Scoring has three modes; see :func:`score`.
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
import tarfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/polnear.py``: make the ``bench`` package importable
    sys.path.insert(0, str(ROOT))

from bench._common import data_dir  # noqa: E402

Span = tuple[int, int]
ROLES = ("source", "cue", "content")
MODES = ("exact", "overlap", "token")
SPLITS = ("train", "dev", "annotator-training")

# Stripped from both ends of every span fragment before an exact comparison, on gold and predicted alike. Annotators
# (and tokenisers) disagree on whether a content span keeps its quotation marks and the comma or full stop inside
# them ('"We will win,"' vs 'We will win'), or a source its trailing comma; none of that changes who said what.
# Brackets are not stripped: they come in pairs and a parenthesis is part of what it encloses.
TRIM_CHARS = frozenset("\"'`“”‘’„‚«»‹›,.;:!?…-‐‑‒–—―")

_T_LINE = re.compile(r"(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
_E_LINE = re.compile(r"(E\d+)\t(.*)")
_TOKEN = re.compile(r"(?P<word>\w+(?:['’]\w+)*)|[^\w\s]")
_ANCHORS = ("Attribution", "Attribution-no-source")
_FLAGS = ("Discuss", "Discard")
Item = TypeVar("Item")


@dataclass(frozen=True)
class Relation:
    """One attribution: source (``None`` when not expressed), cue and content, each a tuple of character spans.

    A discontinuous span ("We will win," he said, "and soon.") is several ``(start, end)`` fragments, sorted.
    Gold content is empty only for a few incomplete annotations (see the module docstring).
    """

    source: tuple[Span, ...] | None
    cue: tuple[Span, ...]
    content: tuple[Span, ...]


GoldRelation = Relation
PredRelation = Relation


@dataclass(frozen=True)
class Issue:
    """Something in an annotation file that the loader had to decide about: ``kind`` and where (``E5``, ``T17``)."""

    kind: str
    where: str


@dataclass(frozen=True)
class GoldArticle:
    """One article: its file stem ``name``, publisher, full text, relations, the annotator kept and load issues."""

    name: str
    publisher: str
    text: str
    relations: list[GoldRelation]
    annotator: str = ""
    annotators: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()


# --------------------------------------------------------------------------------------------------- loading


def load_split(split: str, root: Path | None = None) -> list[GoldArticle]:
    """Read ``polnear-<split>.tar.gz`` (from ``root``, default the shared data folder) into articles, sorted by name.

    The archive is read in memory. Offsets are Python string indices into the UTF-8-decoded text (no newline
    translation), which is what the annotations use.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown PolNeAR split {split!r}: choose one of {', '.join(SPLITS)}")
    archive = (root if root is not None else data_dir("polnear")) / f"polnear-{split}.tar.gz"
    texts: dict[str, str] = {}
    anns: dict[str, dict[str, str]] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            parts = member.name.split("/")
            handle = tar.extractfile(member)
            if len(parts) < 3 or handle is None:
                continue
            folder, filename = parts[-2], parts[-1]
            if folder == "text" and filename.endswith(".txt"):
                texts[filename[:-4]] = handle.read().decode("utf-8")
            elif folder == "attributions" and filename.endswith(".ann"):
                stem, _, annotator = filename[:-4].rpartition("_")
                anns.setdefault(stem, {})[annotator] = handle.read().decode("utf-8")
    missing = sorted(set(anns) - set(texts))
    if missing:
        raise ValueError(f"{archive.name}: annotations without a text: {', '.join(missing[:5])}")
    articles = []
    for name in sorted(texts):
        text = texts[name]
        by_annotator = anns.get(name, {})
        annotators = tuple(sorted(by_annotator))
        if not annotators:
            articles.append(GoldArticle(name, _publisher(name), text, [], "", (), (Issue("no-annotation", name),)))
            continue
        relations, issues = parse_ann(by_annotator[annotators[0]], text)
        articles.append(GoldArticle(name, _publisher(name), text, relations, annotators[0], annotators, issues))
    return articles


def _publisher(name: str) -> str:
    """The publisher slug that starts every PolNeAR file name (``wash-post_2016-09-10_...`` -> ``wash-post``)."""
    return name.split("_", 1)[0]


def parse_ann(ann: str, text: str) -> tuple[list[GoldRelation], tuple[Issue, ...]]:
    """Parse one BRAT ``.ann`` file against its text into relations, in file order, plus the decisions taken.

    Lines that are neither ``T`` nor ``E`` are skipped: annotator notes (``#1``) and the continuation lines of a
    surface text that runs over a newline in the article.
    """
    spans: dict[str, tuple[str, tuple[Span, ...]]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    issues: list[Issue] = []
    for line in ann.split("\n"):
        if t_match := _T_LINE.match(line):
            tid, kind, offsets, surface = t_match.groups()
            pairs = [part.split() for part in offsets.split(";")]
            in_file_order = [(int(start), int(end)) for start, end in pairs]
            if any(not 0 <= s < e <= len(text) for s, e in in_file_order):
                raise ValueError(f"{tid}: span {offsets} lies outside the text ({len(text)} characters)")
            spans[tid] = (kind, tuple(sorted(in_file_order)))
            # BRAT joins the fragments in the order the annotator selected them, which is not always text order
            joined = " ".join(text[s:e] for s, e in in_file_order)
            if joined.split("\n", 1)[0] != surface:
                issues.append(Issue("offset-text-mismatch", tid))
        elif e_match := _E_LINE.match(line):
            eid, arguments = e_match.groups()
            events.append((eid, [(role, tid) for role, _, tid in (arg.partition(":") for arg in arguments.split())]))
    relations = []
    used: set[str] = set()
    for eid, arguments in events:
        roles: dict[str, list[Span]] = {"source": [], "cue": [], "content": []}
        anchor: tuple[str, tuple[Span, ...]] | None = None
        for role, tid in arguments:
            used.add(tid)
            kind, fragments = spans[tid]
            if role in _ANCHORS:
                anchor = (role, fragments)
                continue
            base = re.sub(r"\d+$", "", role).lower()
            if base not in roles:
                issues.append(Issue(f"unknown-role {role}", eid))
            elif kind in _FLAGS:
                issues.append(Issue("role-on-flag-span-dropped", eid))
            else:
                if kind.lower() != base:
                    issues.append(Issue("role-type-mismatch-role-kept", eid))
                if roles[base]:
                    issues.append(Issue(f"repeated-{base}-merged", eid))
                roles[base].extend(fragments)
        if anchor is None:
            raise ValueError(f"{eid}: relation without an Attribution anchor")
        if not any(roles.values()):
            # All but one of these (dev 1, train 34) repeat the anchor of another, complete relation: an empty event
            # left behind in BRAT. Kept, it would be a gold relation no system could be credited for.
            issues.append(Issue("empty-relation-dropped", eid))
            continue
        if not roles["cue"]:
            issues.append(Issue("no-cue-anchor-used", eid))
            roles["cue"].extend(anchor[1])
        if not roles["content"]:
            issues.append(Issue("no-content", eid))
        if anchor[0] == "Attribution-no-source" and roles["source"]:
            issues.append(Issue("source-on-no-source-anchor-kept", eid))
        if anchor[0] == "Attribution" and not roles["source"]:
            issues.append(Issue("no-source-on-attribution-anchor", eid))
        source = tuple(sorted(set(roles["source"]))) or None
        relations.append(Relation(source, tuple(sorted(set(roles["cue"]))), tuple(sorted(set(roles["content"])))))
    for tid, (kind, _) in spans.items():
        if kind in ("Source", "Cue", "Content") and tid not in used:
            issues.append(Issue(f"orphan-{kind.lower()}-ignored", tid))
    return relations, tuple(issues)


# --------------------------------------------------------------------------------------------------- scoring


class _Doc:
    """An article's text with its tokens, for trimming spans and finding the tokens a span covers.

    Tokens are runs of word characters (with inner apostrophes: ``Clinton's``) or single punctuation marks.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.word: list[bool] = []
        for match in _TOKEN.finditer(text):
            self.starts.append(match.start())
            self.ends.append(match.end())
            self.word.append(match.group("word") is not None)

    def canonical(self, fragments: Sequence[Span]) -> tuple[Span, ...]:
        """Fragments trimmed of whitespace and :data:`TRIM_CHARS` at both ends, empty ones dropped, and merged when
        only such characters separate them; a span that would vanish (a ``:`` cue) is kept as it is."""
        kept: list[Span] = []
        for start, end in sorted(fragments):
            while start < end and self._trimmable(start):
                start += 1
            while end > start and self._trimmable(end - 1):
                end -= 1
            if start == end:
                continue
            if kept and all(self._trimmable(i) for i in range(kept[-1][1], start)):
                kept[-1] = (kept[-1][0], max(kept[-1][1], end))
            else:
                kept.append((start, end))
        return tuple(kept) if kept else tuple(sorted(fragments))

    def _trimmable(self, index: int) -> bool:
        char = self.text[index]
        return char.isspace() or char in TRIM_CHARS

    def tokens(self, fragments: Sequence[Span]) -> frozenset[int]:
        """Indices of the word tokens a span touches (any shared character); punctuation tokens only when the span
        has no word at all, so that two spans meeting at a comma or quotation mark do not count as overlapping."""
        touched: set[int] = set()
        for start, end in fragments:
            first = bisect.bisect_right(self.ends, start)
            last = bisect.bisect_left(self.starts, end)
            touched.update(range(first, last))
        words = frozenset(i for i in touched if self.word[i])
        return words or frozenset(touched)


@dataclass
class Counts:
    """True positives, false positives and false negatives, with precision, recall and F1 derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def as_dict(self) -> dict[str, float | int]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


def max_matching(n_gold: int, n_pred: int, matches: Callable[[int, int], bool]) -> int:
    """Size of a maximum one-to-one matching between gold items and predicted items (Kuhn's augmenting paths).

    Maximum, not greedy: with gold A, B and predictions p (overlapping A and B) and q (overlapping A only), a greedy
    pass could pair p with A and leave q unmatched; the maximum pairs q-A and p-B.
    """
    edges = [[g for g in range(n_gold) if matches(g, p)] for p in range(n_pred)]
    owner: list[int | None] = [None] * n_gold

    def augment(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            current = owner[g]
            if current is None or augment(current, seen):
                owner[g] = p
                return True
        return False

    return sum(augment(p, set()) for p in range(n_pred))


def _role_spans(relations: Iterable[Relation], role: str) -> list[tuple[Span, ...]]:
    """The distinct non-empty spans filling ``role`` (a source shared by several relations counts once)."""
    seen: dict[tuple[Span, ...], None] = {}
    for relation in relations:
        value: tuple[Span, ...] | None = getattr(relation, role)
        if value:
            seen.setdefault(tuple(sorted(value)), None)
    return list(seen)


def _check(name: str, text: str, relations: Sequence[Relation]) -> None:
    """Reject predicted spans that cannot index the article text (a wrong article or an off-by-one bug)."""
    for relation in relations:
        for role in ROLES:
            for start, end in getattr(relation, role) or ():
                if not 0 <= start < end <= len(text):
                    raise ValueError(f"{name}: predicted {role} span ({start}, {end}) is not inside the text")


def score(gold: list[GoldArticle], predicted: dict[str, list[PredRelation]]) -> dict[str, Any]:
    """Precision, recall and F1 (with tp/fp/fn) per role and for whole relations, micro-averaged over articles.

    Returns ``{"articles", "gold_relations", "predicted_relations", "exact": {...}, "overlap": {...},
    "token": {...}}``, each mode holding ``source``, ``cue``, ``content`` and ``relation`` counts. Articles missing
    from ``predicted`` count as predicting nothing; a predicted name that is not a gold article is an error.

    * **exact**: spans are equal after :meth:`_Doc.canonical` (trim whitespace, quotation marks, ``, . ; : ! ?``,
      dashes and ellipses at both ends; merge fragments separated only by those).
    * **overlap**: a predicted span matches a gold span of the same role when they share at least one word token.
    * **token**: Citron's overlap metric (bbc/citron ``metrics.py``): tp is the number of gold tokens a prediction
      covers, precision = covered / predicted tokens, recall = covered / gold tokens; partial credit, no matching.
      Unlike Citron we count each token once per article and role (Citron sums over every predicted x gold quote
      pair, so a source shared by two gold quotes is counted twice) and use word tokens only.

    Role scores compare the sets of distinct role spans per article, one-to-one (each gold span matched at most
    once, maximum matching). A relation matches when cue, content and -- if the gold relation has one -- source
    all match in that mode; a role the gold relation leaves empty is not checked. In token mode the relation figure
    pools the (role, token) pairs of all three roles, as Citron's "All Quote Spans" overlap does.
    """
    names = {article.name for article in gold}
    unknown = sorted(set(predicted) - names)
    if unknown:
        raise ValueError(f"predictions for articles that are not in the gold data: {', '.join(unknown[:5])}")
    totals = {mode: {part: Counts() for part in (*ROLES, "relation")} for mode in MODES}
    n_pred = 0
    for article in gold:
        doc = _Doc(article.text)
        preds = predicted.get(article.name, [])
        _check(article.name, article.text, preds)
        n_pred += len(preds)
        _score_article(doc, article.relations, preds, totals)
    result: dict[str, Any] = {
        "articles": len(gold),
        "gold_relations": sum(len(article.relations) for article in gold),
        "predicted_relations": n_pred,
    }
    for mode in MODES:
        result[mode] = {part: counts.as_dict() for part, counts in totals[mode].items()}
    return result


SpanMatch = Callable[[tuple[Span, ...], tuple[Span, ...]], bool]


def _count_matches(gold: Sequence[Item], pred: Sequence[Item], match: Callable[[Item, Item], bool]) -> int:
    """Size of the maximum one-to-one matching between ``gold`` and ``pred`` items under ``match``."""
    return max_matching(len(gold), len(pred), lambda g, p: match(gold[g], pred[p]))


def _relations_match(gold: Relation, pred: Relation, match: SpanMatch) -> bool:
    """Every role the gold relation fills is matched by the predicted relation's span for that role."""
    for role in ROLES:
        gold_span: tuple[Span, ...] | None = getattr(gold, role)
        pred_span: tuple[Span, ...] | None = getattr(pred, role)
        if gold_span and not (pred_span and match(gold_span, pred_span)):
            return False
    return True


def _normalised(relation: Relation) -> Relation:
    """The relation with each role's fragments sorted and deduplicated, as the loader builds gold relations."""
    source = tuple(sorted(set(relation.source))) if relation.source else None
    return Relation(source, tuple(sorted(set(relation.cue))), tuple(sorted(set(relation.content))))


def _score_article(
    doc: _Doc, gold: Sequence[Relation], pred: Sequence[Relation], totals: dict[str, dict[str, Counts]]
) -> None:
    """Add one article's counts to ``totals`` for every mode."""
    gold, pred = [_normalised(r) for r in gold], [_normalised(r) for r in pred]
    canon: dict[tuple[Span, ...], tuple[Span, ...]] = {}
    toks: dict[tuple[Span, ...], frozenset[int]] = {}

    def exact(g: tuple[Span, ...], p: tuple[Span, ...]) -> bool:
        for span in (g, p):
            if span not in canon:
                canon[span] = doc.canonical(span)
        return canon[g] == canon[p]

    def tokens(span: tuple[Span, ...]) -> frozenset[int]:
        if span not in toks:
            toks[span] = doc.tokens(span)
        return toks[span]

    def overlap(g: tuple[Span, ...], p: tuple[Span, ...]) -> bool:
        return bool(tokens(g) & tokens(p))

    same: dict[str, SpanMatch] = {"exact": exact, "overlap": overlap}
    pooled_gold: set[tuple[str, int]] = set()
    pooled_pred: set[tuple[str, int]] = set()
    for role in ROLES:
        gold_spans, pred_spans = _role_spans(gold, role), _role_spans(pred, role)
        for mode, match in same.items():
            tp = _count_matches(gold_spans, pred_spans, match)
            totals[mode][role].add(tp, len(pred_spans) - tp, len(gold_spans) - tp)
        gold_tokens = frozenset().union(*(tokens(span) for span in gold_spans))
        pred_tokens = frozenset().union(*(tokens(span) for span in pred_spans))
        covered = len(gold_tokens & pred_tokens)
        totals["token"][role].add(covered, len(pred_tokens - gold_tokens), len(gold_tokens) - covered)
        pooled_gold.update((role, token) for token in gold_tokens)
        pooled_pred.update((role, token) for token in pred_tokens)
    covered = len(pooled_gold & pooled_pred)
    totals["token"]["relation"].add(covered, len(pooled_pred - pooled_gold), len(pooled_gold) - covered)
    for mode, match in same.items():
        tp = _count_matches(gold, pred, partial(_relations_match, match=match))
        totals[mode]["relation"].add(tp, len(pred) - tp, len(gold) - tp)


def format_scores(result: dict[str, Any], title: str = "") -> str:
    """A plain-text table of :func:`score` output: one row per mode and part, P/R/F1 in percent plus counts."""
    lines = [title] if title else []
    lines.append(
        f"articles {result['articles']}, gold relations {result['gold_relations']}, "
        f"predicted relations {result['predicted_relations']}"
    )
    lines.append(f"{'mode':<8} {'part':<9} {'P':>6} {'R':>6} {'F1':>6} {'tp':>7} {'fp':>7} {'fn':>7}")
    for mode in MODES:
        for part in (*ROLES, "relation"):
            row = result[mode][part]
            lines.append(
                f"{mode:<8} {part:<9} {100 * row['precision']:6.1f} {100 * row['recall']:6.1f} "
                f"{100 * row['f1']:6.1f} {row['tp']:7d} {row['fp']:7d} {row['fn']:7d}"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------- statistics


def split_stats(articles: Sequence[GoldArticle], top: int = 30) -> dict[str, Any]:
    """Counts that describe a loaded split (see :func:`stats`)."""
    relations = [relation for article in articles for relation in article.relations]
    spans = {role: [span for article in articles for span in _role_spans(article.relations, role)] for role in ROLES}
    cue_words: Counter[str] = Counter()
    quoted = 0
    shared_sources = 0
    for article in articles:
        sources = Counter(r.source for r in article.relations if r.source)
        shared_sources += sum(1 for n in sources.values() if n > 1)
        for relation in article.relations:
            cue = " ".join(article.text[s:e] for s, e in relation.cue)
            cue_words[" ".join(cue.lower().split())] += 1
            if any(mark in article.text[s:e] for s, e in relation.content for mark in '"“”'):
                quoted += 1
    issues = Counter(issue.kind for article in articles for issue in article.issues)
    return {
        "articles": len(articles),
        "multi_annotated_articles": sum(1 for article in articles if len(article.annotators) > 1),
        "words": sum(len(re.findall(r"\w+", article.text)) for article in articles),
        "relations": len(relations),
        "spans": {role: len(spans[role]) for role in ROLES},
        "discontinuous_share": {
            role: sum(1 for s in spans[role] if len(s) > 1) / len(spans[role]) if spans[role] else 0.0 for role in ROLES
        },
        "no_source_share": sum(1 for r in relations if not r.source) / len(relations) if relations else 0.0,
        "shared_source_spans": shared_sources,
        "content_with_quote_mark_share": quoted / len(relations) if relations else 0.0,
        "issues": dict(sorted(issues.items())),
        "top_cues": cue_words.most_common(top),
    }


def stats(split: str, root: Path | None = None) -> dict[str, Any]:
    """Print and return the statistics of a split: articles, relations, spans per role, discontinuous spans, share
    without a source, and the most frequent cue strings (lower-cased, whole cue span) -- a start for a cue lexicon.

    Role spans are distinct spans per article, so a source shared by several relations counts once.
    """
    figures = split_stats(load_split(split, root))
    print(f"PolNeAR {split} (first annotator per article)")
    print(
        f"  articles {figures['articles']} ({figures['multi_annotated_articles']} multi-annotated), "
        f"words {figures['words']:,}, relations {figures['relations']:,}"
    )
    for role in ROLES:
        print(
            f"  {role:<8} spans {figures['spans'][role]:6,}   discontinuous "
            f"{100 * figures['discontinuous_share'][role]:5.1f} %"
        )
    print(
        f"  relations without a source {100 * figures['no_source_share']:.1f} %, source spans shared by several "
        f"relations {figures['shared_source_spans']}, contents with a quotation mark "
        f"{100 * figures['content_with_quote_mark_share']:.1f} %"
    )
    print("  load decisions: " + ", ".join(f"{kind} {n}" for kind, n in figures["issues"].items()))
    print(f"  top {len(figures['top_cues'])} cues: " + ", ".join(f"{cue!r} {n}" for cue, n in figures["top_cues"]))
    return figures


# --------------------------------------------------------------------------------------------------- self-check


_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z])|\n+")
_CUE = re.compile(r"\b(?:said|says|told)\b")
_CAPITALISED = re.compile(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")


def sentences(text: str) -> Iterator[Span]:
    """Rough sentence spans: a break after ``. ! ?`` (and closing quotes) before a capital, and at newlines."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start() + 1].strip():
            yield _strip(text, start, match.end())
        start = match.end()
    if text[start:].strip():
        yield _strip(text, start, len(text))


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def said_baseline(text: str) -> list[PredRelation]:
    """A deliberately naive tagger to sanity-check the scorer: every ``said``/``says``/``told`` is a cue, the last
    run of capitalised words before it in the sentence is the source, and the rest of the sentence the content
    (after the cue when at least three words follow it, else the part of the sentence before the source)."""
    out: list[PredRelation] = []
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        for cue in _CUE.finditer(sentence):
            runs = [m for m in _CAPITALISED.finditer(sentence, 0, cue.start())]
            source = (s_start + runs[-1].start(), s_start + runs[-1].end()) if runs else None
            after = _strip(text, s_start + cue.end(), s_end)
            if len(re.findall(r"\w+", text[after[0] : after[1]])) >= 3:
                content = after
            else:
                content = _strip(text, s_start, source[0] if source else s_start + cue.start())
            if content[0] < content[1]:
                out.append(
                    Relation((source,) if source else None, ((s_start + cue.start(), s_start + cue.end()),), (content,))
                )
    return out


def selfcheck(split: str = "dev", root: Path | None = None) -> dict[str, Any]:
    """Score gold against itself (every figure must be 1.0) and the :func:`said_baseline`; print and return both."""
    gold = load_split(split, root)
    perfect = score(gold, {article.name: list(article.relations) for article in gold})
    bad = [(mode, part) for mode in MODES for part in (*ROLES, "relation") if perfect[mode][part]["f1"] != 1.0]
    print(format_scores(perfect, f"gold against itself, PolNeAR {split}"))
    print("OK: every figure is 1.0" if not bad else f"FAILED: below 1.0 for {bad}")
    baseline = score(gold, {article.name: said_baseline(article.text) for article in gold})
    print()
    print(format_scores(baseline, f"said/says/told baseline, PolNeAR {split}"))
    if bad:
        raise SystemExit(1)
    return {"gold": perfect, "baseline": baseline}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``stats`` and ``selfcheck``."""
    parser = argparse.ArgumentParser(
        prog="bench/polnear.py",
        description="PolNeAR attribution gold data: statistics and a scorer self-check.",
        epilog="Examples: python bench/polnear.py stats --split dev; python bench/polnear.py selfcheck",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text, default in (
        ("stats", "print corpus statistics of a split (example: stats --split train)", "dev"),
        ("selfcheck", "score gold against itself and a trivial said/says/told baseline (example: selfcheck)", "dev"),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--split", choices=SPLITS, default=default, help=f"PolNeAR split (default {default})")
    args = parser.parse_args(argv)
    if args.command == "stats":
        stats(args.split)
    else:
        selfcheck(args.split)


if __name__ == "__main__":
    main()
