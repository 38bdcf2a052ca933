"""Run the stages over the user's inputs and write everything to the store as it is produced.

Resumability: each input is marked ``pending`` before it is read and ``done``/``failed`` in the same transaction
as its last articles; articles are keyed by content hash and inserted with ``OR IGNORE``. A run killed at any
point is completed by running it again: unfinished inputs are read again, finished ones are skipped (files whose
size and mtime are unchanged, URLs already fetched), and nothing is written twice.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from . import relays
from .brief import compose
from .crosscheck import VERSION as CROSSCHECK_VERSION
from .crosscheck import Reported, chain_of, check_story
from .dedup import Candidate, DuplicateIndex, from_bytes, sample_from_bytes, shingle_sample, signature
from .embed import Embedder
from .errors import ErrorCode, InputError
from .events import ANALYSIS_VERSION, EventReader
from .extract import extract_pages
from .fetch import Fetcher
from .ingest import Item, Leaf, expand
from .models import Article, Attribution, Briefing, Claim, ErrorRecord, Relay, TimelineEntry
from .profile import VERSION as PROFILE_VERSION
from .profile import Earlier, profile
from .settings import Settings
from .store import Store
from .stories import StoryClusterer, StoryParams

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

# Below this many pages in a window, starting worker processes costs more than it saves.
_POOL_MIN_PAGES = 16
# Each attribution worker loads spaCy (a second or two); below this many articles one process is faster.
_POOL_MIN_ARTICLES = 48


@dataclass
class RunSummary:
    """What a run did, for the CLI's closing lines and for tests."""

    inputs: int = 0
    skipped: int = 0  # unchanged since a finished earlier run
    failed: int = 0
    articles_read: int = 0
    articles_new: int = 0
    duplicates: int = 0
    analysed: int = 0  # articles through attribution in this run
    attributions: int = 0
    claims: int = 0
    placed: int = 0  # articles put into stories in this run
    new_stories: int = 0
    checked_stories: int = 0  # stories whose claim groups were (re)computed
    groups: int = 0  # claim groups of those stories
    profiled: int = 0  # articles (re)profiled
    errors: Counter[str] = field(default_factory=Counter)
    error_lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """A run succeeds when anything was ingested now or was already stored from these inputs."""
        return self.articles_read > 0 or self.skipped > 0


Progress = Callable[[str, int, int], None]  # (current ref, leaves done, leaves total)


def run(inputs: Iterable[str], store: Store, settings: Settings, progress: Progress | None = None) -> RunSummary:
    """Ingest, extract and store every input, then group duplicates. Never raises for a bad input."""
    summary = RunSummary()
    with Fetcher(settings) as fetcher, _Extractor(settings) as extractor:
        leaves = list(
            expand(inputs, settings, fetcher, stored=lambda input_id: store.input_status(input_id) == ("done", None))
        )
        batch = _Batch(store, summary)
        for done, leaf in enumerate(leaves):
            if progress:
                progress(leaf.record.ref, done, len(leaves))
            if not _should_read(leaf, store):
                summary.skipped += leaf.read is not None
                continue
            summary.inputs += leaf.read is not None
            store.mark_input(leaf.record, "pending")
            store.clear_errors(leaf.record.input_id)
            if leaf.read is None:  # folder or feed: nothing of its own to read
                store.mark_input(leaf.record, "done")
                continue
            for item in _read(leaf, batch):  # a leaf that fails as a whole is put on batch.failed
                batch.pages.append(item)
                if len(batch.pages) >= settings.batch_size:
                    batch.flush(extractor)
            batch.finished.append(leaf)
            if len(batch.finished) >= settings.batch_size:
                batch.flush(extractor)
        batch.flush(extractor)
        if progress:
            progress("grouping duplicates", len(leaves), len(leaves))
    summary.duplicates = group_duplicates(store, settings)
    if settings.analyse:
        attribute(store, settings, summary, progress)
        cluster_stories(store, settings, summary, progress)
        cross_check(store, settings, summary, progress)
        profile_articles(store, settings, summary, progress)
    return summary


def _should_read(leaf: Leaf, store: Store) -> bool:
    if leaf.read is None and leaf.record.kind == "feed":
        return True  # a feed is read anew each run: it may list new entries
    previous = store.input_status(leaf.record.input_id)
    if previous is None or previous[0] != "done":
        return True
    return previous[1] != leaf.record.fingerprint


def _read(leaf: Leaf, batch: _Batch) -> Iterator[Item]:
    """The leaf's items; a failure of the whole leaf is recorded on the batch instead of raised."""
    assert leaf.read is not None
    try:
        yield from leaf.read()
    except InputError as error:
        batch.failed.append((leaf, error))
    except OSError as exc:  # a file that vanished or cannot be read mid-run
        batch.failed.append((leaf, InputError(ErrorCode.E_NOT_FOUND, f"{leaf.record.ref}: {exc}")))


class _Batch:
    """Pages waiting for extraction and inputs waiting to be marked, written together in one transaction."""

    def __init__(self, store: Store, summary: RunSummary) -> None:
        self.store = store
        self.summary = summary
        self.pages: list[Item] = []
        self.finished: list[Leaf] = []
        self.failed: list[tuple[Leaf, InputError]] = []
        # per input, across flushes: a leaf's pages may be written in an earlier batch than its end
        self.articles: Counter[str] = Counter()
        self.first_error: dict[str, ErrorRecord] = {}

    def flush(self, extractor: _Extractor) -> None:
        self.store.release()  # readers (the web UI) may open the file while the pages are extracted
        results = extractor(self.pages)
        articles = [r for r in results if isinstance(r, Article)]
        errors = [r for r in results if isinstance(r, ErrorRecord)]
        self.articles.update(a.input_id for a in articles)
        for error in errors:
            self.first_error.setdefault(error.input_id or "", error)
        for leaf, exc in self.failed:
            record = ErrorRecord(leaf.record.ref, exc.code.value, exc.detail, "ingest", leaf.record.input_id)
            errors.append(record)
            self.first_error[leaf.record.input_id] = record
        failed_ids = {leaf.record.input_id for leaf, _ in self.failed}
        first_error: ErrorRecord | None
        with self.store.transaction():
            self.summary.articles_new += self.store.add_articles(articles)
            self.store.add_errors(errors)
            for leaf in self.finished:
                input_id = leaf.record.input_id
                count = self.articles.pop(input_id, 0)
                first_error = self.first_error.pop(input_id, None)
                # An input that gave no article and an error failed as a whole (a page with no text, a
                # binary file); one that gave some articles is done, its bad records listed in ``errors``.
                failed = input_id in failed_ids or (count == 0 and first_error is not None)
                self.store.mark_input(leaf.record, "failed" if failed else "done", articles=count, error=first_error)
                self.summary.failed += failed
        log.info(
            "stored a batch: %d articles, %d errors, %d inputs finished", len(articles), len(errors), len(self.finished)
        )
        self.summary.articles_read += len(articles)
        for error in errors:
            self.summary.errors[error.code] += 1
            self.summary.error_lines.append(f"{error.code} {error.input_ref}: {error.detail}")
        self.pages, self.finished, self.failed = [], [], []
        self.store.release()


class _Extractor:
    """Extraction in this process, or spread over worker processes when a window holds enough pages."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers = settings.workers or min(2, os.cpu_count() or 1)
        self.pool: Executor | None = None

    def __call__(self, items: list[Item]) -> list[Article | ErrorRecord]:
        pages = sum(1 for i in items if not isinstance(i, ErrorRecord))
        if self.workers <= 1 or pages < _POOL_MIN_PAGES:
            return list(extract_pages(items, self.settings))
        if self.pool is None:
            # spawn, not fork: the parent holds a DuckDB connection and threads that must not be copied.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        chunk = max(1, len(items) // (self.workers * 4))
        parts = [items[i : i + chunk] for i in range(0, len(items), chunk)]
        results: list[Article | ErrorRecord] = []
        for part in self.pool.map(_extract_part, parts, [self.settings] * len(parts)):
            results.extend(part)
        return results

    def __enter__(self) -> _Extractor:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _extract_part(items: list[Item], settings: Settings) -> list[Article | ErrorRecord]:
    return list(extract_pages(items, settings))


def group_duplicates(store: Store, settings: Settings) -> int:
    """Point every exact or near copy at its earliest copy; resumable, and incremental over earlier runs.

    Returns the number of articles that are copies of another after this run.
    """
    index = DuplicateIndex(settings)
    for article_id, digest, published, ref, blob, sample, duplicate_of in store.grouped_articles():
        candidate = Candidate(article_id, digest, published, ref, from_bytes(blob), sample_from_bytes(sample))
        index.load(candidate, duplicate_of)
    pending = store.ungrouped_articles()
    for start in range(0, len(pending), settings.batch_size):
        signatures: list[tuple[str, bytes, bytes]] = []
        changes: dict[str, str | None] = {}
        for article_id, digest, published, ref, text in pending[start : start + settings.batch_size]:
            sig, sample = signature(text, settings), shingle_sample(text, settings)
            signatures.append((article_id, sig.tobytes(), sample.tobytes()))  # stored: later runs reuse them
            changes.update(index.add(Candidate(article_id, digest, published, ref, sig, sample)))
        store.save_grouping(signatures, changes)
        store.release(held_for=1.0)  # short batches: let readers (the web UI) in about once a second
    return store.count_duplicates()


def attribute(
    store: Store, settings: Settings, summary: RunSummary | None = None, progress: Progress | None = None
) -> RunSummary:
    """Find the attributions of every stored article not yet analysed by this version of the stage.

    Resumable: each batch's attributions and its "analysed" marks are written in one transaction, so a killed run
    redoes at most one batch. An article that cannot be analysed gets a coded error and is not retried until the
    stage's version changes.
    """
    summary = summary or RunSummary()
    pending = store.articles_to_analyse("attribution", ANALYSIS_VERSION)
    if not pending:
        return summary
    with _Analyser(settings, len(pending)) as analyse:
        for start in range(0, len(pending), settings.batch_size):
            if progress:
                progress("finding who said what and what happened", start, len(pending))
            batch = pending[start : start + settings.batch_size]
            store.release()  # readers (the web UI) may open the file while the batch is analysed
            results = analyse(batch)
            records = [r for r in results if isinstance(r, Attribution)]
            claims = [r for r in results if isinstance(r, Claim)]
            errors = [r for r in results if isinstance(r, ErrorRecord)]
            failed = {e.input_ref.rpartition("#")[2] for e in errors}
            done = [a.article_id for a in batch if a.article_id not in failed]
            store.save_analysis(records, claims, done, errors, ANALYSIS_VERSION)
            log.info("stored %d attributions and %d claims for %d articles, %d skipped", len(records), len(claims),
                     len(done), len(errors))  # fmt: skip
            summary.analysed += len(done)
            summary.attributions += len(records)
            summary.claims += len(claims)
            for error in errors:
                summary.errors[error.code] += 1
                summary.error_lines.append(f"{error.code} {error.input_ref}: {error.detail}")
    if progress:
        progress("finding who said what and what happened", len(pending), len(pending))
    return summary


class _Analyser:
    """The attribution stage in this process, or in worker processes (each loading spaCy once) for many articles."""

    def __init__(self, settings: Settings, articles: int) -> None:
        self.settings = settings
        workers = settings.workers or min(2, os.cpu_count() or 1)
        self.pool: Executor | None = None
        self.stage: EventReader | None = None
        if workers > 1 and articles >= _POOL_MIN_ARTICLES:
            self.workers = workers
            self.pool = ProcessPoolExecutor(
                workers, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(settings,)
            )
        else:
            self.workers = 1
            self.stage = EventReader(settings)

    def __call__(self, articles: list[Article]) -> list[Attribution | Claim | ErrorRecord]:
        if self.stage is not None:
            return self.stage(articles)
        assert self.pool is not None
        chunk = max(1, -(-len(articles) // self.workers))
        parts = [articles[i : i + chunk] for i in range(0, len(articles), chunk)]
        results: list[Attribution | Claim | ErrorRecord] = []
        for part in self.pool.map(_attribute_part, parts):
            results.extend(part)
        return results

    def __enter__(self) -> _Analyser:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


_worker_stage: EventReader | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_stage
    _worker_stage = EventReader(settings)


def _attribute_part(articles: list[Article]) -> list[Attribution | Claim | ErrorRecord]:
    assert _worker_stage is not None
    return _worker_stage(articles)


@lru_cache(maxsize=1)
def _embedder() -> Embedder:
    """One MiniLM session per process, shared by the story and claim stages."""
    return Embedder()


def cluster_stories(
    store: Store, settings: Settings, summary: RunSummary | None = None, progress: Progress | None = None
) -> RunSummary:
    """Put every stored article that is not in a story yet into one, in publication order.

    Incremental: the clusterer is first given back every earlier article's vector and story, so new articles
    extend the stories already stored. Each batch of placements is written in one transaction.
    """
    summary = summary or RunSummary()
    pending, copies = store.articles_without_story()
    if not pending:
        return summary
    params = StoryParams(
        threshold=settings.story_threshold,
        window_days=settings.story_window_days,
        merge_threshold=settings.story_merge_threshold,
        split_threshold=settings.story_split_threshold,
    )
    clusterer = StoryClusterer(_embedder(), params)
    clusterer.restore(store.story_state())
    known = set(clusterer.story_of.values())
    for start in range(0, len(pending), settings.batch_size):
        if progress:
            progress("clustering stories", start, len(pending))
        store.release()  # readers may open the file while the batch is embedded
        batch = pending[start : start + settings.batch_size]
        placed = clusterer.add(batch, copies)  # and the earlier articles a merge moved
        rows = [(p.article_id, p.story_id, p.score, p.vector, sorted(p.names)) for p in placed]
        store.save_stories(rows, clusterer.take_storylines())
        summary.placed += len({a.article_id for a in batch} & {p.article_id for p in placed})
    summary.new_stories += len(set(clusterer.story_of.values()) - known)
    if progress:
        progress("clustering stories", len(pending), len(pending))
    return summary


def cross_check(
    store: Store, settings: Settings, summary: RunSummary | None = None, progress: Progress | None = None
) -> RunSummary:
    """Group the claims of every story whose articles changed since it was last checked, and find each group's
    stances, origins and verdict. One transaction per story."""
    summary = summary or RunSummary()
    pending = store.stories_to_check(f"{CROSSCHECK_VERSION}.{ANALYSIS_VERSION}")
    for done, (story_id, mark) in enumerate(pending):
        if progress:
            progress("cross-checking claims across outlets", done, len(pending))
        claims, attributions, articles = store.story_evidence(story_id)
        about = {a["article_id"]: a for a in articles}
        # a relay of a wire carries the wire's report: its unnamed sources are the wire's, whoever prints them
        carriers = {
            a["article_id"]: relays.wire(
                relays.find(a["text"] or "", a["carrier"], a["carrier_id"], a["authors"] or (), a["dateline_outlet"],
                            citations=False)
            ) or a["carrier"]
            for a in articles
        }
        reported = [
            Reported(
                claim, about[claim.article_id]["published"], about[claim.article_id]["source"],
                carriers[claim.article_id], about[claim.article_id]["original"],
                chain_of(claim.attribution_id, attributions),
            )
            for claim in claims
        ]  # fmt: skip
        store.release(held_for=1.0)  # let readers (the web UI) in about once a second, while a story is checked
        groups, members, origins = check_story(story_id, reported, _embedder())
        store.save_checks(story_id, mark, groups, members, origins)
        summary.checked_stories += 1
        summary.groups += len(groups)
    if progress and pending:
        progress("cross-checking claims across outlets", len(pending), len(pending))
    return summary


def profile_articles(
    store: Store, settings: Settings, summary: RunSummary | None = None, progress: Progress | None = None
) -> RunSummary:
    """Profile every article that has no profile yet or whose story's claim groups changed since (what it lifts
    from other outlets depends on them); recompute the outlets' aggregates. One transaction per batch."""
    summary = summary or RunSummary()
    pending = store.articles_to_profile(PROFILE_VERSION)
    known = {relays.key(name) for name in store.outlet_names()}
    for start in range(0, len(pending), settings.batch_size):
        if progress:
            progress("profiling articles", start, len(pending))
        batch = pending[start : start + settings.batch_size]
        found = store.profile_evidence([article.article_id for article, _ in batch])
        originals = store.originals([article.article_id for article, _ in batch])
        profiles = [
            (
                profile(
                    article,
                    found["attributions"][article.article_id],
                    found["claims"][article.article_id],
                    [Earlier(*row) for row in found["earlier"][article.article_id]],
                    found["origins"][article.article_id],
                    relays=_relays_of(article, found["attributions"][article.article_id], originals, known),
                ),
                basis,
            )
            for article, basis in batch
        ]
        store.save_profiles(profiles)
        store.release(held_for=1.0)  # short batches: let readers (the web UI) in about once a second
        summary.profiled += len(profiles)
    if pending:
        store.refresh_source_profiles()
    if progress and pending:
        progress("profiling articles", len(pending), len(pending))
    return summary


def _relays_of(
    article: Article, attributions: list[Attribution], originals: dict[str, dict[str, Any]], known: set[str]
) -> list[Relay]:
    """The outlets an article carries; a copy also carries what its original carries, or else the original's
    outlet (a copy of a wire story relays the wire, not the site it was copied from)."""
    found = relays.find(
        article.text, article.source_name, article.source, article.authors, article.dateline_outlet, attributions,
        known,
    )  # fmt: skip
    original = originals.get(article.article_id)
    if original is None:
        return found
    inherited = relays.find(
        original["text"], original["source_name"], original["source"], original["authors"] or (),
        original["dateline_outlet"], (), known,
    )  # fmt: skip
    if not inherited and original["source_name"]:
        inherited = [Relay(original["source_name"], "copy")]
    seen = {relays.key(r.outlet) for r in found}
    mine = [r for r in inherited if relays.key(r.outlet) not in seen and not relays.own(r.outlet, article.source_name,
            article.source)]  # fmt: skip
    return mine + found


def actor_graph(store: Store, story_id: str | None = None) -> nx.MultiDiGraph:
    """The actor graph (who does what to whom) of one story's claims, or of all claims when ``story_id`` is None.
    An unknown story gives an empty graph. See ``graph.build`` for what nodes and edges carry."""
    from .graph import build  # matplotlib and networkx load only for the commands and pages that draw

    return build(store.actor_claims(story_id), story_id)


def story_timeline(store: Store, story_id: str) -> list[TimelineEntry]:
    """The timeline of one story: its claim groups and its dated claims in no group, earliest first, undated
    last. An unknown story gives an empty list."""
    from .timeline import entries

    groups, claims = store.story_timeline_rows(story_id)
    return entries(story_id, groups, claims)


def briefing(store: Store, story_id: str) -> Briefing | None:
    """The cited briefing of one story (``story_id`` or a unique prefix of it); None for an unknown story."""
    story = store.find_story(story_id)
    if story is None:
        return None
    groups, claims, texts = store.brief_evidence(story["story_id"])
    return compose(story, groups, claims, texts)
