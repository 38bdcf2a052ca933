"""The DuckDB store: schema by named migrations, batched idempotent writes, exports.

Only this module imports duckdb. Every write is keyed by a content-hash id and uses ``INSERT OR IGNORE`` (or an
explicit update), so re-running a stage adds nothing, and a run killed at any point leaves whole transactions.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import duckdb

from .errors import StoreBusy, StoreError, UsageError
from .models import (
    Article,
    ArticleProfile,
    Attribution,
    Claim,
    ClaimGroup,
    ErrorRecord,
    GroupMember,
    InputRecord,
    Origin,
    Source,
)

log = logging.getLogger(__name__)

# Named, append-only. Never edit one that has shipped: add a new one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_foundation",
        """
        CREATE TABLE inputs (
            input_id VARCHAR PRIMARY KEY,
            ref VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            parent_id VARCHAR,
            fingerprint VARCHAR,
            status VARCHAR NOT NULL,          -- pending | done | failed
            articles INTEGER DEFAULT 0,
            error_code VARCHAR,
            error VARCHAR,
            first_seen TIMESTAMP NOT NULL,
            updated TIMESTAMP NOT NULL
        );
        CREATE TABLE sources (
            source_id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            domain VARCHAR
        );
        CREATE TABLE articles (
            article_id VARCHAR PRIMARY KEY,
            external_id VARCHAR,
            url VARCHAR,
            input_id VARCHAR NOT NULL,
            input_ref VARCHAR NOT NULL,
            source VARCHAR,
            title VARCHAR,
            authors VARCHAR[],
            published DATE,
            language VARCHAR,
            text VARCHAR NOT NULL,
            text_hash VARCHAR NOT NULL,
            word_count INTEGER NOT NULL,
            caption VARCHAR,
            dateline_place VARCHAR,
            author_bio VARCHAR,
            machine_written BOOLEAN NOT NULL,
            duplicate_of VARCHAR,
            ingested TIMESTAMP NOT NULL
        );
        CREATE TABLE errors (
            error_id VARCHAR PRIMARY KEY,
            input_id VARCHAR,
            input_ref VARCHAR NOT NULL,
            stage VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            detail VARCHAR NOT NULL,
            logged TIMESTAMP NOT NULL
        );
        CREATE TABLE minhashes (
            article_id VARCHAR PRIMARY KEY,
            signature BLOB NOT NULL
        );
        """,
    ),
    (
        "0002_attributions",
        """
        CREATE TABLE attributions (
            attribution_id VARCHAR PRIMARY KEY,
            article_id VARCHAR NOT NULL,
            speaker VARCHAR,
            speaker_name VARCHAR,
            speaker_kind VARCHAR NOT NULL,   -- person | organization | outlet | anonymous | document | implicit
            speaker_role VARCHAR,
            speaker_affiliation VARCHAR,
            anonymous_count INTEGER,
            cue VARCHAR,
            content VARCHAR NOT NULL,
            direct BOOLEAN NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            parent_id VARCHAR,
            reported_to VARCHAR,
            speaker_start INTEGER,
            speaker_end INTEGER,
            cue_start INTEGER,
            cue_end INTEGER
        );
        CREATE INDEX attributions_article ON attributions (article_id);
        CREATE TABLE analyses (
            stage VARCHAR NOT NULL,
            article_id VARCHAR NOT NULL,
            version VARCHAR NOT NULL,
            status VARCHAR NOT NULL,          -- done | failed
            analysed TIMESTAMP NOT NULL,
            PRIMARY KEY (stage, article_id)
        );
        """,
    ),
    (
        "0003_claims",
        """
        CREATE TABLE claims (
            claim_id VARCHAR PRIMARY KEY,
            article_id VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            event_type VARCHAR NOT NULL,     -- transfer | consult | cooperate | ... | statement (README: event types)
            trigger VARCHAR,
            modality VARCHAR NOT NULL,       -- denied | negated | hedged | future | reported | asserted
            actor VARCHAR,
            actor_code VARCHAR,
            actor_kind VARCHAR,
            actor_role VARCHAR,
            target VARCHAR,
            target_code VARCHAR,
            object VARCHAR,
            quantity DOUBLE,
            quantity_approx VARCHAR,
            quantity_max DOUBLE,
            quantity_text VARCHAR,
            unit VARCHAR,
            date DATE,
            date_text VARCHAR,
            date_precision VARCHAR,
            place VARCHAR,
            attribution_id VARCHAR
        );
        CREATE INDEX claims_article ON claims (article_id);
        """,
    ),
    (
        "0004_stories",
        """
        CREATE TABLE stories (
            story_id VARCHAR PRIMARY KEY,
            title VARCHAR,
            first_published DATE,
            last_published DATE,
            n_articles INTEGER NOT NULL,
            n_outlets INTEGER NOT NULL,
            checked VARCHAR                  -- what the claim groups were computed from (version/articles)
        );
        CREATE TABLE article_stories (
            article_id VARCHAR PRIMARY KEY,
            story_id VARCHAR NOT NULL,
            score DOUBLE                     -- similarity with which it joined; NULL for the story's first article
        );
        CREATE INDEX article_stories_story ON article_stories (story_id);
        CREATE TABLE article_vectors (
            article_id VARCHAR PRIMARY KEY,
            vector FLOAT[384] NOT NULL,      -- MiniLM embedding of title + lead
            names VARCHAR[] NOT NULL         -- the capitalised names and long numbers of the text
        );
        CREATE TABLE claim_groups (
            group_id VARCHAR PRIMARY KEY,
            story_id VARCHAR NOT NULL,
            claim_id VARCHAR NOT NULL,
            claim VARCHAR NOT NULL,
            verdict VARCHAR NOT NULL,        -- corroborated | single-origin | contested | unattributed
            n_articles INTEGER NOT NULL,
            n_outlets INTEGER NOT NULL,
            n_origins INTEGER NOT NULL
        );
        CREATE INDEX claim_groups_story ON claim_groups (story_id);
        CREATE TABLE claim_group_members (
            group_id VARCHAR NOT NULL,
            claim_id VARCHAR NOT NULL,
            article_id VARCHAR NOT NULL,
            stance VARCHAR NOT NULL,         -- supports | contradicts | discusses
            reason VARCHAR,
            PRIMARY KEY (group_id, claim_id)
        );
        CREATE TABLE origins (
            group_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,           -- outlet | person | official | organization | document | anonymous
            anonymous_count INTEGER,
            via VARCHAR,
            claim_id VARCHAR NOT NULL
        );
        CREATE INDEX origins_group ON origins (group_id);
        """,
    ),
    (
        "0005_profiles",
        """
        CREATE TABLE profiles (
            article_id VARCHAR PRIMARY KEY,
            genre VARCHAR NOT NULL,          -- news | opinion | analysis
            genre_score DOUBLE NOT NULL,     -- opinion evidence per 100 words
            genre_cues STRUCT(kind VARCHAR, text VARCHAR, start INTEGER, "end" INTEGER)[] NOT NULL,
            machine_written BOOLEAN NOT NULL,
            machine_evidence VARCHAR,
            derivative BOOLEAN NOT NULL,
            derived_from VARCHAR[] NOT NULL, -- other outlets whose reporting or quotes it carries, most first
            n_lifted INTEGER NOT NULL,
            n_claims INTEGER NOT NULL,
            n_attributed INTEGER NOT NULL,
            attribution_density DOUBLE,
            n_named INTEGER NOT NULL,
            n_anonymous INTEGER NOT NULL,
            named_share DOUBLE,
            anonymous_share DOUBLE,
            n_no_origin INTEGER NOT NULL,
            basis VARCHAR NOT NULL           -- profile version and the story check it was computed from
        );
        CREATE TABLE source_profiles (
            source VARCHAR PRIMARY KEY,      -- source_id ('' for the articles that name no outlet)
            name VARCHAR,
            n_articles INTEGER NOT NULL,
            n_news INTEGER NOT NULL,
            n_opinion INTEGER NOT NULL,
            n_analysis INTEGER NOT NULL,
            n_machine_written INTEGER NOT NULL,
            n_derivative INTEGER NOT NULL,
            derived_from VARCHAR[] NOT NULL, -- the outlets its derivative articles carry, most first
            attribution_density DOUBLE,      -- attributed claims / claims, over all its articles
            named_share DOUBLE,
            anonymous_share DOUBLE,
            n_claims INTEGER NOT NULL,
            n_no_origin INTEGER NOT NULL
        );
        """,
    ),
    (
        "0006_storylines",
        """
        -- the development a story continues (sabotage, investigation, arrests): the id of its oldest story
        ALTER TABLE stories ADD COLUMN storyline_id VARCHAR;
        """,
    ),
    (
        "0007_wires_and_containment",
        # The wire a dateline names is kept; copies are found again by containment of sampled shingles (a truncated
        # or lightly edited copy), so every article goes through duplicate detection once more.
        """
        ALTER TABLE articles ADD COLUMN dateline_outlet VARCHAR;
        ALTER TABLE minhashes ADD COLUMN shingles BLOB;
        DELETE FROM minhashes;
        """,
    ),
]


# The speakers of one story's attributions (parameter: the story id), read before any join so that a briefing never
# scans the whole attributions table.
_STORY_SPEAKERS = """SELECT attribution_id, speaker_name AS speaker, speaker_kind FROM attributions
    WHERE article_id IN (SELECT article_id FROM article_stories WHERE story_id = ?)"""


class Store:
    """One DuckDB file (or ``:memory:``), migrated on open unless read-only.

    DuckDB lets one process write a file, or many processes read it, never both at once. So a writer calls
    ``release()`` between batches (the pipeline does) and the connection is opened again on next use; an open that
    meets another process's lock is retried for up to ``lock_timeout`` seconds, then fails with ``StoreBusy``.
    """

    def __init__(
        self, path: str | Path = "newstrace.duckdb", read_only: bool = False, lock_timeout: float = 10.0
    ) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"no database at {self.path}: create it with `newstrace run INPUT... --db {self.path}`")
        self._opened = time.monotonic()
        self._db: duckdb.DuckDBPyConnection | None = self._connect()
        self._depth = 0  # open transactions: the connection is never released inside one
        if not read_only:
            self.migrate()

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The connection, opened again on first use after ``release()``."""
        if self._db is None:
            self._db = self._connect()
            self._opened = time.monotonic()
        return self._db

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.005
        while True:
            try:
                return duckdb.connect(self.path, read_only=self.read_only)
            except duckdb.IOException as exc:
                # Another process holds the file (a run writing, or readers while we want to write).
                if "Could not set lock" not in str(exc):
                    raise StoreError(f"cannot open {self.path}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"{self.path} is in use by another process (a run writing, or readers) for over "
                        f"{self.lock_timeout:g} s; try again when it pauses"
                    ) from None
            except duckdb.Error as exc:
                raise StoreError(f"cannot open {self.path}: {exc}") from None
            # Short pauses: a writer that releases between batches frees the file for milliseconds at a time.
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def release(self, held_for: float = 0.0) -> None:
        """Close the connection so that other processes (the web UI) can open the file; the next use opens it again.

        Called between batches, never inside a transaction (then it does nothing). Closing checkpoints the
        write-ahead log into the file, so readers see every committed batch; with 50,000 articles closing and
        opening again take about 50 ms, so loops of short steps pass ``held_for`` (seconds): the connection is then
        closed only once it has been open that long. A no-op for ``:memory:``, whose data would go with the
        connection."""
        if time.monotonic() - self._opened < held_for:
            return
        if self._db is not None and self._depth == 0 and self.path != ":memory:":
            self._db.close()
            self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded; return the names applied."""
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, applied TIMESTAMP NOT NULL)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations").fetchall()}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                self.db.execute(sql)
                self.db.execute("INSERT INTO migrations VALUES (?, ?)", [name, datetime.now()])
            applied.append(name)
            log.info("applied migration %s", name)
        return applied

    def tables(self) -> list[str]:
        rows = self.db.execute("SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()
        return [r[0] for r in rows]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN TRANSACTION")
        self._depth += 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self._depth -= 1
        self.db.execute("COMMIT")

    # -- inputs ---------------------------------------------------------------------------------------------

    def input_status(self, input_id: str) -> tuple[str, str | None] | None:
        """(status, fingerprint) of an input seen before, or ``None``."""
        row = self.db.execute("SELECT status, fingerprint FROM inputs WHERE input_id = ?", [input_id]).fetchone()
        return (row[0], row[1]) if row else None

    def mark_input(self, record: InputRecord, status: str, articles: int = 0, error: ErrorRecord | None = None) -> None:
        now = datetime.now()
        self.db.execute(
            """
            INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (input_id) DO UPDATE SET
                fingerprint = excluded.fingerprint, status = excluded.status, articles = excluded.articles,
                error_code = excluded.error_code, error = excluded.error, updated = excluded.updated
            """,
            [
                record.input_id, record.ref, record.kind, record.parent_id, record.fingerprint, status, articles,
                error.code if error else None, error.detail if error else None, now, now,
            ],
        )  # fmt: skip

    def clear_errors(self, input_id: str) -> None:
        """Forget an input's old errors before it is read again, so errors always describe the latest attempt."""
        self.db.execute("DELETE FROM errors WHERE input_id = ?", [input_id])

    # -- articles -------------------------------------------------------------------------------------------

    def add_articles(self, articles: Sequence[Article]) -> int:
        """Insert articles (and their sources); return how many were new."""
        if not articles:
            return 0
        before = self.count("articles")
        now = datetime.now()
        sources = {a.source: Source(a.source, a.source_name or a.source, _domain(a)) for a in articles if a.source}
        if sources:
            self.db.executemany(
                "INSERT OR IGNORE INTO sources VALUES (?, ?, ?)",
                [[s.source_id, s.name, s.domain] for s in sources.values()],
            )
        self.db.executemany(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                _storable([
                    a.article_id, a.external_id, a.url, a.input_id, a.input_ref, a.source, a.title, list(a.authors),
                    a.published, a.language, a.text, a.text_hash, a.word_count, a.caption, a.dateline_place,
                    a.author_bio, a.machine_written, None, now, a.dateline_outlet,
                ])
                for a in articles
            ],
        )  # fmt: skip
        return self.count("articles") - before

    def add_errors(self, errors: Iterable[ErrorRecord]) -> None:
        rows = [[e.error_id, e.input_id, e.input_ref, e.stage, e.code, e.detail, e.at] for e in errors]
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO errors VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def grouped_articles(self) -> list[tuple[Any, ...]]:
        """(article_id, text_hash, published, input_ref, signature, shingle sample, duplicate_of) of articles
        already grouped."""
        return self.db.execute(
            """SELECT a.article_id, a.text_hash, a.published, a.input_ref, m.signature, m.shingles, a.duplicate_of
               FROM articles a JOIN minhashes m USING (article_id)"""
        ).fetchall()

    def ungrouped_articles(self) -> list[tuple[Any, ...]]:
        """(article_id, text_hash, published, input_ref, text) of articles not yet through duplicate detection,
        earliest first."""
        return self.db.execute(
            """SELECT a.article_id, a.text_hash, a.published, a.input_ref, a.text
               FROM articles a ANTI JOIN minhashes m USING (article_id)
               ORDER BY a.published NULLS LAST, a.input_ref, a.article_id"""
        ).fetchall()

    def save_grouping(self, signatures: Sequence[tuple[str, bytes, bytes]], changes: dict[str, str | None]) -> None:
        """Store signatures and shingle samples (which mark their articles as grouped) and ``duplicate_of``
        changes atomically."""
        with self.transaction():
            self.db.executemany("INSERT OR IGNORE INTO minhashes VALUES (?, ?, ?)", [list(r) for r in signatures])
            if changes:
                self.db.executemany(
                    "UPDATE articles SET duplicate_of = ? WHERE article_id = ?", [[v, k] for k, v in changes.items()]
                )

    # -- analyses -------------------------------------------------------------------------------------------

    def articles_to_analyse(self, stage: str, version: str) -> list[Article]:
        """Stored articles that ``stage`` has not analysed at ``version`` yet, in a stable order."""
        columns, rows = self.query(
            """SELECT a.article_id, a.input_id, a.input_ref, a.text, a.text_hash, a.url, a.external_id, a.source,
                      s.name AS source_name, a.title, a.published, a.language, a.word_count
               FROM articles a LEFT JOIN sources s ON s.source_id = a.source
               WHERE NOT EXISTS (SELECT 1 FROM analyses n WHERE n.stage = ? AND n.article_id = a.article_id
                                 AND n.version = ?)
               ORDER BY a.published NULLS LAST, a.input_ref, a.article_id""",
            [stage, version],
        )
        return [Article(**dict(zip(columns, row, strict=True))) for row in rows]

    def save_analysis(
        self,
        attributions: Sequence[Attribution],
        claims: Sequence[Claim],
        done: Sequence[str],
        failed: Sequence[ErrorRecord],
        version: str,
    ) -> None:
        """Replace the attributions and claims of the articles in ``done`` and mark them (and ``failed`` ones, whose
        errors are stored) as analysed, in one transaction."""
        now = datetime.now()
        failed_ids = [e.input_ref.rpartition("#")[2] for e in failed]
        with self.transaction():
            if done:
                for table in ("attributions", "claims"):
                    self.db.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [list(done)])
            self._bulk_replace(
                "attributions",
                [
                    [
                        a.attribution_id, a.article_id, a.speaker, a.speaker_name, a.speaker_kind, a.speaker_role,
                        a.speaker_affiliation, a.anonymous_count, a.cue, a.content, a.direct, a.start, a.end,
                        a.parent_id, a.reported_to, a.speaker_start, a.speaker_end, a.cue_start, a.cue_end,
                    ]
                    for a in attributions
                ],
            )  # fmt: skip
            self._bulk_replace(
                "claims",
                [
                    [
                        c.claim_id, c.article_id, c.text, c.start, c.end, c.event_type, c.trigger, c.modality,
                        c.actor, c.actor_code, c.actor_kind, c.actor_role, c.target, c.target_code, c.object,
                        c.quantity, c.quantity_approx, c.quantity_max, c.quantity_text, c.unit, c.date,
                        c.date_text, c.date_precision, c.place, c.attribution_id,
                    ]
                    for c in claims
                ],
            )  # fmt: skip
            self.add_errors(failed)
            marks = [["attribution", i, version, "done", now] for i in done]
            marks += [["attribution", i, version, "failed", now] for i in failed_ids]
            if marks:
                self.db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?)", marks)

    def _bulk_replace(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """``INSERT OR REPLACE`` many rows (in the table's column order, keyed by the first) as one Arrow table:
        ``executemany`` binds one row at a time, which took a third of a whole run's time on 120 articles."""
        if not rows:
            return
        import pyarrow as pa

        unique = list({row[0]: row for row in rows}.values())  # the last row of a key wins, as row by row
        columns, types = zip(*[(r[0], r[1]) for r in self.db.execute(f"DESCRIBE {table}").fetchall()], strict=True)
        arrow = pa.table({name: [row[i] for row in unique] for i, name in enumerate(columns)})
        self.db.register("bulk_rows", arrow)
        try:
            casts = ", ".join(f'CAST("{name}" AS {kind})' for name, kind in zip(columns, types, strict=True))
            self.db.execute(f"INSERT OR REPLACE INTO {table} SELECT {casts} FROM bulk_rows")
        finally:
            self.db.unregister("bulk_rows")

    def forget_analyses(self, stage: str) -> None:
        """Mark every article as not analysed by ``stage``, so the next run analyses them all again."""
        self.db.execute("DELETE FROM analyses WHERE stage = ?", [stage])

    def claims_of(self, article_id: str) -> list[dict[str, Any]]:
        """The claims of one article, in text order."""
        columns, rows = self.query("SELECT * FROM claims WHERE article_id = ? ORDER BY start, claim_id", [article_id])
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def attributions_of(self, article_id: str) -> list[dict[str, Any]]:
        """The attributions of one article, in text order."""
        columns, rows = self.query(
            'SELECT * FROM attributions WHERE article_id = ? ORDER BY coalesce(cue_start, start), start', [article_id]
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    # -- stories and claim groups ---------------------------------------------------------------------------

    def articles_without_story(self) -> tuple[list[Article], dict[str, str]]:
        """Stored articles not in a story yet, and the original of each copy among them."""
        columns, rows = self.query(
            """SELECT a.article_id, a.input_id, a.input_ref, a.text, a.text_hash, a.url, a.source, a.title,
                      a.published, a.duplicate_of
               FROM articles a ANTI JOIN article_stories s USING (article_id)
               ORDER BY a.published NULLS LAST, a.input_ref, a.article_id"""
        )
        found = [dict(zip(columns, row, strict=True)) for row in rows]
        copies = {r["article_id"]: r["duplicate_of"] for r in found if r["duplicate_of"]}
        return [Article(**{k: v for k, v in r.items() if k != "duplicate_of"}) for r in found], copies

    def story_state(self) -> Iterator[tuple[str, str, Any, list[str], date | None, str | None, str, str | None]]:
        """(article_id, story_id, vector or None, names, published, title, text, storyline_id) of every placed
        article, in placing order (the text rebuilds the clusterer's lexical index)."""
        cursor = self.db.execute(
            """SELECT s.article_id, s.story_id, v.vector, coalesce(v.names, []), a.published, a.title, a.text,
                      st.storyline_id
               FROM article_stories s JOIN articles a USING (article_id)
               LEFT JOIN article_vectors v USING (article_id) LEFT JOIN stories st USING (story_id)
               ORDER BY a.published NULLS LAST, s.article_id"""
        )
        while batch := cursor.fetchmany(10_000):
            yield from batch

    def save_stories(
        self,
        placed: Sequence[tuple[str, str, float | None, Any, Sequence[str]]],
        storylines: Mapping[str, str] | None = None,
    ) -> None:
        """Store (article_id, story_id, score, vector or None, names) and refresh the touched stories' rows; then
        set the storyline of the stories in ``storylines`` (story_id → storyline_id)."""
        if not placed and not storylines:
            return
        with self.transaction():
            if placed:
                rows = [[article, story, score] for article, story, score, _, _ in placed]
                # a merge moves placed articles: the stories they leave are refreshed too, or dropped when emptied
                _, left = self.query(
                    "SELECT DISTINCT story_id FROM article_stories WHERE article_id IN (SELECT unnest(?))",
                    [[article for article, _, _, _, _ in placed]],
                )
                self.db.executemany("INSERT OR REPLACE INTO article_stories VALUES (?, ?, ?)", rows)
                vectors = [(a, v, list(n)) for a, _, _, v, n in placed if v is not None]
                if vectors:
                    import pyarrow as pa

                    table = pa.table(
                        {
                            "article_id": [a for a, _, _ in vectors],
                            "vector": pa.array(
                                [list(map(float, v)) for _, v, _ in vectors], pa.list_(pa.float32(), 384)
                            ),
                            "names": [n for _, _, n in vectors],
                        }
                    )
                    self.db.register("new_vectors", table)
                    self.db.execute("INSERT OR REPLACE INTO article_vectors SELECT * FROM new_vectors")
                    self.db.unregister("new_vectors")
                touched = sorted({s for _, s, _, _, _ in placed} | {s for (s,) in left})
                emptied = "(SELECT unnest(?) EXCEPT SELECT story_id FROM article_stories)"
                gone = f"(SELECT group_id FROM claim_groups WHERE story_id IN {emptied})"
                self.db.execute(f"DELETE FROM claim_group_members WHERE group_id IN {gone}", [touched])
                self.db.execute(f"DELETE FROM origins WHERE group_id IN {gone}", [touched])
                self.db.execute(f"DELETE FROM claim_groups WHERE story_id IN {emptied}", [touched])
                self.db.execute(f"DELETE FROM stories WHERE story_id IN {emptied}", [touched])
                self.db.execute(
                    """INSERT OR REPLACE INTO stories
                       SELECT s.story_id, arg_min(a.title, (a.published IS NULL, a.published, a.article_id)),
                              min(a.published), max(a.published), count(*),
                              count(DISTINCT coalesce(a.source, a.article_id)),
                              (SELECT checked FROM stories o WHERE o.story_id = s.story_id),
                              (SELECT storyline_id FROM stories o WHERE o.story_id = s.story_id)
                       FROM article_stories s JOIN articles a USING (article_id)
                       WHERE s.story_id IN (SELECT unnest(?))
                       GROUP BY s.story_id""",
                    [touched],
                )
            if storylines:
                self.db.executemany(
                    "UPDATE stories SET storyline_id = ? WHERE story_id = ?",
                    [[line, story] for story, line in storylines.items()],
                )

    def stories_to_check(self, version: str) -> list[tuple[str, str]]:
        """(story_id, mark) of stories whose claim groups are missing or were computed from other articles or by
        another version; ``mark`` is what to store once they are checked."""
        _, rows = self.query(
            """SELECT story_id, ? || '/' || n_articles AS mark FROM stories
               WHERE checked IS DISTINCT FROM ? || '/' || n_articles ORDER BY story_id""",
            [version, version],
        )
        return [(r[0], r[1]) for r in rows]

    def story_evidence(self, story_id: str) -> tuple[list[Claim], dict[str, Attribution], list[dict[str, Any]]]:
        """Everything the cross-check needs for one story: its claims, the attributions of its articles (by id),
        and per article its published date, outlet id and name, and the outlet name (``carrier``), id, text, authors
        and dateline wire of its original (its own for an article that is no copy)."""
        articles = "(SELECT article_id FROM article_stories WHERE story_id = ?)"
        columns, rows = self.query(f"SELECT * FROM claims WHERE article_id IN {articles}", [story_id])
        claims = [Claim(**dict(zip(columns, row, strict=True))) for row in rows]
        columns, rows = self.query(f"SELECT * FROM attributions WHERE article_id IN {articles}", [story_id])
        attributions = {row[0]: Attribution(**dict(zip(columns, row, strict=True))) for row in rows}
        columns, rows = self.query(
            f"""SELECT a.article_id, a.published, a.source, coalesce(a.duplicate_of, a.article_id) AS original,
                       coalesce(os.name, o.source, s.name, a.source) AS carrier,
                       coalesce(o.text, a.text) AS text, coalesce(o.authors, a.authors) AS authors,
                       if(o.article_id IS NULL, a.dateline_outlet, o.dateline_outlet) AS dateline_outlet,
                       coalesce(o.source, a.source) AS carrier_id
                FROM articles a LEFT JOIN sources s ON s.source_id = a.source
                LEFT JOIN articles o ON o.article_id = a.duplicate_of
                LEFT JOIN sources os ON os.source_id = o.source
                WHERE a.article_id IN {articles}""",
            [story_id],
        )
        return claims, attributions, [dict(zip(columns, row, strict=True)) for row in rows]

    def save_checks(
        self,
        story_id: str,
        mark: str,
        groups: Sequence[ClaimGroup],
        members: Sequence[GroupMember],
        origins: Sequence[Origin],
    ) -> None:
        """Replace a story's claim groups, their members and origins, and mark the story checked, atomically."""
        with self.transaction():
            old = "(SELECT group_id FROM claim_groups WHERE story_id = ?)"
            self.db.execute(f"DELETE FROM claim_group_members WHERE group_id IN {old}", [story_id])
            self.db.execute(f"DELETE FROM origins WHERE group_id IN {old}", [story_id])
            self.db.execute("DELETE FROM claim_groups WHERE story_id = ?", [story_id])
            if groups:
                self.db.executemany(
                    "INSERT OR REPLACE INTO claim_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [[g.group_id, g.story_id, g.claim_id, g.claim, g.verdict, g.n_articles, g.n_outlets, g.n_origins]
                     for g in groups],
                )  # fmt: skip
            if members:
                self.db.executemany(
                    "INSERT OR REPLACE INTO claim_group_members VALUES (?, ?, ?, ?, ?)",
                    [[m.group_id, m.claim_id, m.article_id, m.stance, m.reason] for m in members],
                )
            if origins:
                self.db.executemany(
                    "INSERT INTO origins VALUES (?, ?, ?, ?, ?, ?)",
                    [[o.group_id, o.name, o.kind, o.anonymous_count, o.via, o.claim_id] for o in origins],
                )
            self.db.execute("UPDATE stories SET checked = ? WHERE story_id = ?", [mark, story_id])

    def forget_checks(self) -> None:
        """Mark every story as not cross-checked, so the next run groups all claims again."""
        self.db.execute("UPDATE stories SET checked = NULL")

    def find_story(self, prefix: str) -> dict[str, Any] | None:
        """The story whose id equals or starts with ``prefix``; UsageError if ambiguous."""
        columns, rows = self.query(
            "SELECT * FROM stories WHERE story_id LIKE ? || '%' ORDER BY story_id LIMIT 2", [prefix]
        )
        if len(rows) > 1 and rows[0][0] != prefix:
            raise UsageError(f"{prefix!r} matches more than one story; give more characters of the id")
        return dict(zip(columns, rows[0], strict=True)) if rows else None

    def story_groups(self, story_id: str) -> list[dict[str, Any]]:
        """The claim groups of a story, most reported first, each with the outlets that report it (``outlets``),
        its origins (``origins``: name, kind, anonymous_count, via) and its contradicting members (``against``:
        outlet, reason, claim text)."""
        # The story's groups and members are picked first, so the joins stay the size of the story (correlated
        # subqueries per group made DuckDB join whole tables: 70 ms a story on 50,000 articles, now 25).
        columns, rows = self.query(
            """WITH g AS (SELECT * FROM claim_groups WHERE story_id = $1),
                m AS (SELECT m.*, coalesce(s.name, a.source) AS outlet, coalesce(s.name, a.source, a.article_id) AS o
                      FROM claim_group_members m JOIN articles a ON a.article_id = m.article_id
                      LEFT JOIN sources s ON s.source_id = a.source
                      WHERE m.group_id IN (SELECT group_id FROM g)),
                outlets AS (SELECT group_id, list(DISTINCT o ORDER BY o) AS outlets FROM m GROUP BY group_id),
                origins AS (
                    SELECT group_id, list({'name': name, 'kind': kind, 'anonymous_count': anonymous_count, 'via': via}
                                          ORDER BY name) AS origins
                    FROM origins WHERE group_id IN (SELECT group_id FROM g) GROUP BY group_id),
                against AS (
                    SELECT m.group_id, list({'outlet': m.outlet, 'reason': m.reason, 'text': c.text}) AS against
                    FROM m JOIN claims c ON c.claim_id = m.claim_id WHERE m.stance = 'contradicts'
                    GROUP BY m.group_id)
               SELECT g.*, outlets.outlets, origins.origins, against.against
               FROM g LEFT JOIN outlets USING (group_id) LEFT JOIN origins USING (group_id)
               LEFT JOIN against USING (group_id)
               ORDER BY g.n_outlets DESC, g.n_articles DESC, g.group_id""",
            [story_id],
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    # -- profiles -------------------------------------------------------------------------------------------

    def articles_to_profile(self, version: str) -> list[tuple[Article, str]]:
        """Articles whose profile is missing or was computed by another profile version or before their story's
        claim groups last changed, each with the basis to record (``version/story check``)."""
        columns, rows = self.query(
            """SELECT a.article_id, a.input_id, a.input_ref, a.text, a.text_hash, a.url, a.external_id, a.source,
                      s.name AS source_name, a.title, a.authors, a.published, a.language, a.author_bio,
                      a.machine_written, a.word_count, a.dateline_outlet,
                      ? || '/' || coalesce(st.checked, '') AS basis
               FROM articles a LEFT JOIN sources s ON s.source_id = a.source
               LEFT JOIN article_stories x ON x.article_id = a.article_id
               LEFT JOIN stories st ON st.story_id = x.story_id
               LEFT JOIN profiles p ON p.article_id = a.article_id
               WHERE p.basis IS DISTINCT FROM ? || '/' || coalesce(st.checked, '')
               ORDER BY a.published NULLS LAST, a.input_ref, a.article_id""",
            [version, version],
        )
        found = []
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            basis = record.pop("basis")
            record["authors"] = tuple(record["authors"] or ())
            found.append((Article(**record), basis))
        return found

    def profile_evidence(self, article_ids: Sequence[str]) -> dict[str, Any]:
        """What profiling these articles needs, keyed by article id: ``attributions`` and ``claims`` (lists),
        ``earlier`` ((claim id, outlet, quoted) for claims an earlier article of another outlet carried first — in
        its own voice, or a direct quote word for word (quoted); claim id None for a copy of another outlet's
        article) and
        ``origins`` (claim id → origins of its group)."""
        mine = "(SELECT unnest(?::VARCHAR[]))"
        ids = [list(article_ids)]
        found: dict[str, Any] = {
            key: {a: ([] if key != "origins" else {}) for a in article_ids}
            for key in ("attributions", "claims", "earlier", "origins")
        }
        columns, rows = self.query(f"SELECT * FROM attributions WHERE article_id IN {mine}", ids)
        for row in rows:
            attribution = Attribution(**dict(zip(columns, row, strict=True)))
            found["attributions"][attribution.article_id].append(attribution)
        columns, rows = self.query(f"SELECT * FROM claims WHERE article_id IN {mine} ORDER BY start", ids)
        for row in rows:
            claim = Claim(**dict(zip(columns, row, strict=True)))
            found["claims"][claim.article_id].append(claim)
        # Lifted: a claim in the article's own voice that an earlier article of another outlet carried in the same
        # claim group; a direct quote word for word as an earlier article of another outlet had it; a copy.
        _, rows = self.query(
            f"""WITH m AS (
                  SELECT g.group_id, g.claim_id, g.article_id, a.published, a.source,
                         coalesce(s.name, a.source) AS outlet, coalesce(t.speaker_kind, 'implicit') AS kind
                  FROM claim_group_members g JOIN articles a USING (article_id)
                  JOIN claims c ON c.claim_id = g.claim_id
                  LEFT JOIN attributions t ON t.attribution_id = c.attribution_id
                  LEFT JOIN sources s ON s.source_id = a.source WHERE g.stance = 'supports')
                SELECT x.article_id, x.claim_id, arg_min(y.outlet, y.published), false
                FROM m x JOIN m y USING (group_id)
                WHERE x.article_id IN {mine} AND x.kind = 'implicit' AND y.source IS NOT NULL
                  AND y.source IS DISTINCT FROM x.source AND y.published < x.published
                GROUP BY ALL
                UNION ALL
                SELECT c.article_id, c.claim_id, arg_min(coalesce(s.name, b.source), b.published), true
                FROM attributions t JOIN claims c ON c.attribution_id = t.attribution_id
                JOIN articles a ON a.article_id = t.article_id
                JOIN attributions u ON u.direct AND lower(u.content) = lower(t.content) AND u.article_id <> t.article_id
                JOIN articles b ON b.article_id = u.article_id LEFT JOIN sources s ON s.source_id = b.source
                WHERE t.article_id IN {mine} AND t.direct AND length(t.content) >= 20 AND b.source IS NOT NULL
                  AND b.source IS DISTINCT FROM a.source AND b.published < a.published
                GROUP BY ALL
                UNION ALL
                SELECT a.article_id, NULL, coalesce(s.name, o.source), false FROM articles a
                JOIN articles o ON o.article_id = a.duplicate_of LEFT JOIN sources s ON s.source_id = o.source
                WHERE a.article_id IN {mine} AND o.source IS NOT NULL AND o.source IS DISTINCT FROM a.source""",
            ids * 3,
        )
        for article_id, claim_id, outlet, quoted in rows:
            found["earlier"][article_id].append((claim_id, outlet, quoted))
        _, rows = self.query(
            f"""SELECT m.article_id, m.claim_id, max(g.n_origins) FROM claim_group_members m
                JOIN claim_groups g USING (group_id) WHERE m.article_id IN {mine} GROUP BY ALL""",
            ids,
        )
        for article_id, claim_id, n in rows:
            found["origins"][article_id][claim_id] = n
        return found

    def originals(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For each of these articles that is a copy: its original's text, outlet (id and name), authors and
        dateline wire, keyed by the copy's id."""
        columns, rows = self.query(
            """SELECT a.article_id AS copy, o.text, o.source, s.name AS source_name, o.authors, o.dateline_outlet
               FROM articles a JOIN articles o ON o.article_id = a.duplicate_of
               LEFT JOIN sources s ON s.source_id = o.source
               WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))""",
            [list(article_ids)],
        )
        return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in rows}

    def outlet_names(self) -> list[str]:
        """The names of every outlet in the store (what a citation of an outlet of the corpus is known by)."""
        return [name for (name,) in self.db.execute("SELECT name FROM sources WHERE name IS NOT NULL").fetchall()]

    def save_profiles(self, profiles: Sequence[tuple[ArticleProfile, str]]) -> None:
        """Replace the profiles of these articles (``refresh_source_profiles`` updates the outlets after)."""
        rows = [
            [
                p.article_id, p.genre, p.genre_score,
                [{"kind": c.kind, "text": c.text, "start": c.start, "end": c.end} for c in p.cues],
                p.machine_written, p.machine_evidence, p.derivative, list(p.derived_from), p.n_lifted, p.n_claims,
                p.n_attributed, p.attribution_density, p.n_named, p.n_anonymous, p.named_share, p.anonymous_share,
                p.n_no_origin, basis,
            ]
            for p, basis in profiles
        ]  # fmt: skip
        with self.transaction():
            self.db.execute("DELETE FROM profiles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                            [[p.article_id for p, _ in profiles]])  # fmt: skip
            if rows:
                self.db.executemany(f"INSERT INTO profiles VALUES ({', '.join('?' * 18)})", rows)

    def refresh_source_profiles(self) -> None:
        """Recompute every outlet's aggregate from the stored profiles (once per profiling pass: it reads them all)."""
        with self.transaction():
            self.db.execute("DELETE FROM source_profiles")
            self.db.execute(
                """INSERT INTO source_profiles
                   WITH p AS (SELECT p.*, coalesce(a.source, '') AS source, s.name
                              FROM profiles p JOIN articles a USING (article_id)
                              LEFT JOIN sources s ON s.source_id = a.source),
                   carried AS (SELECT source, list(outlet ORDER BY n DESC, outlet) AS derived_from FROM (
                                 SELECT source, outlet, count(*) AS n FROM (
                                   SELECT source, unnest(derived_from) AS outlet FROM p) GROUP BY ALL)
                               GROUP BY source)
                   SELECT p.source, any_value(p.name), count(*), count(*) FILTER (genre = 'news'),
                          count(*) FILTER (genre = 'opinion'), count(*) FILTER (genre = 'analysis'),
                          count(*) FILTER (machine_written), count(*) FILTER (derivative),
                          coalesce(any_value(c.derived_from), []),
                          sum(n_attributed) / nullif(sum(n_claims), 0),
                          sum(n_named) / nullif(sum(n_named + n_anonymous), 0),
                          sum(n_anonymous) / nullif(sum(n_named + n_anonymous), 0),
                          sum(n_claims), sum(n_no_origin)
                   FROM p LEFT JOIN carried c USING (source) GROUP BY p.source"""
            )

    # -- briefings ------------------------------------------------------------------------------------------

    def brief_evidence(self, story_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
        """What a briefing of one story is drawn from: its claim groups (as ``story_groups``, each with
        ``members``: claim id, article id, outlet, published, stance, reason, start, end, speaker), the claims of
        its articles with their speaker (for a story whose claims recur nowhere), and the text of its articles."""
        groups = self.story_groups(story_id)
        columns, rows = self.query(
            f"""WITH said AS ({_STORY_SPEAKERS})
               SELECT m.group_id, m.claim_id, m.article_id, coalesce(s.name, a.source) AS outlet, a.published,
                      m.stance, m.reason, c.start, c."end", c.modality, t.speaker, t.speaker_kind, a.duplicate_of
               FROM claim_group_members m JOIN claim_groups g USING (group_id)
               JOIN claims c ON c.claim_id = m.claim_id JOIN articles a ON a.article_id = m.article_id
               LEFT JOIN sources s ON s.source_id = a.source
               LEFT JOIN said t ON t.attribution_id = c.attribution_id
               WHERE g.story_id = ?
               ORDER BY a.published NULLS LAST, m.article_id, c.start""",
            [story_id, story_id],
        )
        members: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            member = dict(zip(columns, row, strict=True))
            members.setdefault(member.pop("group_id"), []).append(member)
        for group in groups:
            group["members"] = members.get(group["group_id"], [])
        columns, rows = self.query(
            f"""WITH said AS ({_STORY_SPEAKERS})
               SELECT c.claim_id, c.article_id, coalesce(s.name, a.source) AS outlet, a.published, c.start, c."end",
                      c.event_type, c.modality, c.quantity, t.speaker, t.speaker_kind, a.duplicate_of
               FROM claims c JOIN article_stories x USING (article_id) JOIN articles a USING (article_id)
               LEFT JOIN sources s ON s.source_id = a.source
               LEFT JOIN said t ON t.attribution_id = c.attribution_id
               WHERE x.story_id = ?
               ORDER BY a.published NULLS LAST, c.article_id, c.start""",
            [story_id, story_id],
        )
        claims = [dict(zip(columns, row, strict=True)) for row in rows]
        _, rows = self.query(
            """SELECT a.article_id, a.text FROM articles a JOIN article_stories x USING (article_id)
               WHERE x.story_id = ?""",
            [story_id],
        )
        return groups, claims, dict(rows)

    # -- reading --------------------------------------------------------------------------------------------

    def count(self, table: str) -> int:
        row = self.db.execute(f"SELECT count(*) FROM {self._table(table)}").fetchone()
        return int(row[0]) if row else 0

    def count_duplicates(self) -> int:
        row = self.db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()
        return int(row[0]) if row else 0

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a read query; return (column names, rows)."""
        cursor = self.db.execute(sql, list(params))
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()

    def find_article(self, prefix: str) -> dict[str, Any] | None:
        """The article whose id (or external id) equals or starts with ``prefix``; UsageError if ambiguous."""
        columns, rows = self.query(
            "SELECT * FROM articles WHERE article_id LIKE ? || '%' OR external_id = ? ORDER BY article_id LIMIT 2",
            [prefix, prefix],
        )
        if len(rows) > 1 and rows[0][0] != prefix:
            raise UsageError(f"{prefix!r} matches more than one article; give more characters of the id")
        return dict(zip(columns, rows[0], strict=True)) if rows else None

    # -- export ---------------------------------------------------------------------------------------------

    def _table(self, name: str) -> str:
        if name not in self.tables():
            raise UsageError(f"no table {name!r}; tables: {', '.join(self.tables())}")
        return name

    def export(self, table: str, fmt: str, out: str | None) -> int:
        """Write a whole table as jsonl, csv or parquet to ``out`` (stdout for jsonl/csv when ``None``)."""
        table = self._table(table)
        if fmt == "parquet":
            if out is None:
                raise UsageError("parquet is binary: give --out FILE")
            self.db.execute(f"COPY {table} TO '{_quote(out)}' (FORMAT parquet)")
            return self.count(table)
        if fmt not in ("jsonl", "csv"):
            raise UsageError(f"unknown format {fmt!r}: use jsonl, csv or parquet")
        columns, rows = self.query(f"SELECT * FROM {table}")
        with contextlib.ExitStack() as stack:
            handle: IO[str] = stack.enter_context(open(out, "w", encoding="utf-8", newline="")) if out else sys.stdout
            if fmt == "jsonl":
                for row in rows:
                    record = dict(zip(columns, row, strict=True))
                    handle.write(json.dumps(record, default=_json_default, ensure_ascii=False) + "\n")
            else:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows([[_csv_value(v) for v in row] for row in rows])
        return len(rows)

    # -- graph and timeline ---------------------------------------------------------------------------------

    def actor_claims(self, story_id: str | None = None) -> list[dict[str, Any]]:
        """The claims that name an actor, of one story or (``None``) of all, each with its article's published
        date, outlet name and story, and the verdicts of the claim groups it is a member of (``verdicts``, a list
        or ``None``). Copies (``duplicate_of``) are left out: they would count one report twice.

        Claims without a target are included: the graph learns from them what kind of actor a name is."""
        scope = "WHERE a.duplicate_of IS NULL AND c.actor IS NOT NULL"
        params: list[Any] = []
        if story_id is not None:
            scope += " AND c.article_id IN (SELECT article_id FROM article_stories WHERE story_id = ?)"
            params.append(story_id)
        columns, rows = self.query(
            f"""WITH scoped AS (
                    SELECT c.claim_id, c.article_id, st.story_id, c.event_type, c.modality, c.actor, c.actor_code,
                           c.actor_kind, c.target, c.target_code, c.date, a.published,
                           coalesce(s.name, a.source) AS outlet, c.start
                    FROM claims c JOIN articles a ON a.article_id = c.article_id
                    LEFT JOIN sources s ON s.source_id = a.source
                    LEFT JOIN article_stories st ON st.article_id = c.article_id
                    {scope})
                SELECT scoped.* EXCLUDE (start), v.verdicts FROM scoped LEFT JOIN (
                    SELECT m.claim_id, list(DISTINCT g.verdict ORDER BY g.verdict) AS verdicts
                    FROM claim_group_members m JOIN claim_groups g ON g.group_id = m.group_id
                    WHERE m.claim_id IN (SELECT claim_id FROM scoped) GROUP BY m.claim_id
                ) v ON v.claim_id = scoped.claim_id
                ORDER BY scoped.published NULLS LAST, scoped.article_id, scoped.start""",
            params,
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def story_timeline_rows(self, story_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """What a story's timeline is drawn from: its claim groups, each with its claim's event type and modality,
        the earliest date its members state (``claim_date``, ``date_precision``) and the earliest publication of
        a member article (``published``); and its dated claims that are in no group, copies left out."""
        columns, rows = self.query(
            """SELECT g.group_id, g.claim_id, c.article_id, g.claim AS text, c.event_type, c.modality, g.verdict,
                      g.n_outlets, min(mc.date) AS claim_date, arg_min(mc.date_precision, mc.date) AS date_precision,
                      min(a.published) AS published
               FROM claim_groups g JOIN claims c ON c.claim_id = g.claim_id
               JOIN claim_group_members m ON m.group_id = g.group_id
               JOIN claims mc ON mc.claim_id = m.claim_id
               JOIN articles a ON a.article_id = m.article_id
               WHERE g.story_id = ?
               GROUP BY ALL ORDER BY g.group_id""",
            [story_id],
        )
        groups = [dict(zip(columns, row, strict=True)) for row in rows]
        columns, rows = self.query(
            """SELECT c.claim_id, c.article_id, c.text, c.event_type, c.modality, c.date, c.date_precision
               FROM claims c JOIN articles a ON a.article_id = c.article_id
               WHERE c.article_id IN (SELECT article_id FROM article_stories WHERE story_id = ?)
                 AND a.duplicate_of IS NULL AND c.date IS NOT NULL
                 AND c.claim_id NOT IN (SELECT m.claim_id FROM claim_group_members m
                                        JOIN claim_groups g ON g.group_id = m.group_id WHERE g.story_id = ?)
               ORDER BY c.date, c.article_id, c.start""",
            [story_id, story_id],
        )
        return groups, [dict(zip(columns, row, strict=True)) for row in rows]

    # -- web UI ---------------------------------------------------------------------------------------------

    def has_table(self, name: str) -> bool:
        """Whether the file has this table: a file made by an older version may lack the newer ones."""
        row = self.db.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
        return bool(row and row[0])

    def _dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        columns, rows = self.query(sql, params)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def web_stories(self, search: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(stories matching, one page of them): largest first, whose title contains ``search`` (any case), each
        with its number of claim groups and of those corroborated, single-origin, contested and unattributed."""
        where, params = ("WHERE contains(lower(title), lower(?))", [search]) if search else ("", [])
        row = self.db.execute(f"SELECT count(*) FROM stories {where}", params).fetchone()
        total = int(row[0]) if row else 0
        # Counted for the page's stories only, so the cost does not grow with the number of stories.
        found = self._dicts(
            f"""WITH page AS (SELECT * FROM stories {where}
                              ORDER BY n_articles DESC, last_published DESC NULLS LAST, story_id LIMIT ? OFFSET ?)
                SELECT page.story_id, page.title, page.first_published, page.last_published, page.n_articles,
                       page.n_outlets, count(g.group_id) AS n_groups,
                       count(g.group_id) FILTER (g.verdict = 'corroborated') AS n_corroborated,
                       count(g.group_id) FILTER (g.verdict = 'single-origin') AS n_single_origin,
                       count(g.group_id) FILTER (g.verdict = 'contested') AS n_contested,
                       count(g.group_id) FILTER (g.verdict = 'unattributed') AS n_unattributed
                FROM page LEFT JOIN claim_groups g ON g.story_id = page.story_id
                GROUP BY ALL ORDER BY page.n_articles DESC, page.last_published DESC NULLS LAST, page.story_id""",
            [*params, limit, offset],
        )
        return total, found

    def web_story_articles(self, story_id: str) -> list[dict[str, Any]]:
        """The articles of a story in publication order, with outlet name and, when profiled, genre and flags."""
        profiled = self.has_table("profiles")
        profile = "p.genre, p.derivative, p.machine_written AS profile_machine" if profiled else "NULL AS genre"
        join = "LEFT JOIN profiles p ON p.article_id = a.article_id" if profiled else ""
        return self._dicts(
            f"""SELECT a.article_id, a.published, a.source, coalesce(s.name, a.source) AS outlet, a.title,
                       a.duplicate_of, a.machine_written, a.word_count, {profile}
                FROM article_stories st JOIN articles a ON a.article_id = st.article_id
                LEFT JOIN sources s ON s.source_id = a.source {join}
                WHERE st.story_id = ? ORDER BY a.published NULLS LAST, a.article_id""",
            [story_id],
        )

    def web_story_evidence(self, story_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Where a story's claim groups and origins can be read: {group_id: its claim's article_id, start, end,
        outlet} and the origins with the span of the member claim that rests on each."""
        groups = self._dicts(
            """SELECT g.group_id, c.article_id, c.start, c."end", coalesce(s.name, a.source) AS outlet
               FROM claim_groups g JOIN claims c ON c.claim_id = g.claim_id
               JOIN articles a ON a.article_id = c.article_id LEFT JOIN sources s ON s.source_id = a.source
               WHERE g.story_id = ?""",
            [story_id],
        )
        origins = self._dicts(
            """SELECT o.group_id, o.name, c.article_id, c.start, c."end"
               FROM origins o JOIN claim_groups g ON g.group_id = o.group_id JOIN claims c ON c.claim_id = o.claim_id
               WHERE g.story_id = ?""",
            [story_id],
        )
        return {g.pop("group_id"): g for g in groups}, origins

    def web_article(self, article_id: str) -> dict[str, Any] | None:
        """One article by exact id with its outlet name, its story, and its profile when the file has profiles."""
        profiled = self.has_table("profiles")
        found = self._dicts(
            f"""SELECT a.*, s.name AS outlet, st.story_id, so.title AS story_title
                       {", to_json(p) AS profile" if profiled else ", NULL AS profile"}
                FROM articles a LEFT JOIN sources s ON s.source_id = a.source
                LEFT JOIN article_stories st ON st.article_id = a.article_id
                LEFT JOIN stories so ON so.story_id = st.story_id
                {"LEFT JOIN profiles p ON p.article_id = a.article_id" if profiled else ""}
                WHERE a.article_id = ?""",
            [article_id],
        )
        if not found:
            return None
        article = found[0]
        article["profile"] = json.loads(article["profile"]) if article["profile"] else None
        return article

    def web_article_groups(self, article_id: str) -> list[dict[str, Any]]:
        """The claim groups the article's claims are members of: claim_id, group_id, verdict, stance, reason."""
        return self._dicts(
            """SELECT m.claim_id, m.group_id, g.verdict, m.stance, m.reason, g.n_outlets, g.n_origins
               FROM claim_group_members m JOIN claim_groups g ON g.group_id = m.group_id
               WHERE m.article_id = ? ORDER BY m.claim_id""",
            [article_id],
        )

    def web_copies(self, article_id: str) -> list[dict[str, Any]]:
        """Articles stored as copies of this one (``duplicate_of``)."""
        return self._dicts(
            """SELECT a.article_id, coalesce(s.name, a.source) AS outlet, a.title, a.published FROM articles a
               LEFT JOIN sources s ON s.source_id = a.source WHERE a.duplicate_of = ? ORDER BY a.published""",
            [article_id],
        )

    # Each claim's actors and targets, one row per name ("Iran; Russia" is two). The code and kind describe the
    # first actor only, so they are kept for single-actor claims.
    _ACTOR_NAMES = """
        SELECT trim(unnest(string_split(actor, ';'))) AS name, 'actor' AS role, claim_id, article_id,
               CASE WHEN NOT contains(actor, ';') THEN actor_code END AS code,
               CASE WHEN NOT contains(actor, ';') THEN actor_kind END AS kind
        FROM claims WHERE actor IS NOT NULL
        UNION ALL
        SELECT trim(unnest(string_split(target, ';'))), 'target', claim_id, article_id,
               CASE WHEN NOT contains(target, ';') THEN target_code END, NULL
        FROM claims WHERE target IS NOT NULL"""

    def web_actors(self, search: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(actors matching, one page of them): the actors and targets of claims, by the number of claims that
        name them as actor, then as target; with their country code and kind where a claim gives them alone."""
        where, params = ("WHERE contains(lower(name), lower(?))", [search]) if search else ("", [])
        found = self._dicts(
            f"""WITH names AS ({self._ACTOR_NAMES})
                SELECT name, count(*) FILTER (role = 'actor') AS n_claims, count(*) FILTER (role = 'target')
                       AS n_target, mode(code) AS code, mode(kind) AS kind, count(*) OVER () AS total
                FROM names {where} GROUP BY name
                ORDER BY n_claims DESC, n_target DESC, name LIMIT ? OFFSET ?""",
            [*params, limit, offset],
        )
        total = found[0].pop("total") if found else 0
        for row in found[1:]:
            row.pop("total")
        return total, found

    def web_actor(self, name: str, limit: int, offset: int) -> dict[str, Any]:
        """What one actor does and undergoes: the claims naming it as actor or target (one page, newest article
        first, with their article, outlet and story), how many there are, and what it said as a speaker."""
        # Names are matched whole after splitting "Iran; Russia"; ``contains`` first narrows the claims cheaply.
        # The page is chosen on narrow rows (id, article, offset, date); only its rows are joined to the wide ones.
        mine = """WITH names AS (
                    SELECT claim_id, article_id, start, 'actor' AS role,
                           trim(unnest(string_split(actor, ';'))) AS name
                    FROM claims WHERE contains(actor, $1)
                    UNION ALL
                    SELECT claim_id, article_id, start, 'target', trim(unnest(string_split(target, ';')))
                    FROM claims WHERE contains(target, $1)),
                mine AS (
                    SELECT claim_id, any_value(article_id) AS article_id, any_value(start) AS start,
                           bool_or(role = 'actor') AS as_actor, bool_or(role = 'target') AS as_target
                    FROM names WHERE name = $1 GROUP BY claim_id)"""
        claims = self._dicts(
            f"""{mine}, page AS (
                    SELECT mine.*, a.published, count(*) OVER () AS total
                    FROM mine JOIN articles a ON a.article_id = mine.article_id
                    ORDER BY a.published DESC NULLS LAST, mine.article_id, mine.start LIMIT $2 OFFSET $3)
                SELECT c.claim_id, page.as_actor, page.as_target, c.article_id, c.text, c.start, c."end",
                       c.event_type, c.modality, c.actor, c.target, c.object, c.quantity_text, c.unit, c.date,
                       c.date_text, c.place, a.title, a.published, coalesce(s.name, a.source) AS outlet, st.story_id,
                       page.total
                FROM page JOIN claims c ON c.claim_id = page.claim_id JOIN articles a ON a.article_id = c.article_id
                LEFT JOIN sources s ON s.source_id = a.source
                LEFT JOIN article_stories st ON st.article_id = c.article_id
                ORDER BY page.published DESC NULLS LAST, page.article_id, page.start""",
            [name, limit, offset],
        )
        if claims:
            n_claims = claims[0]["total"]
        else:  # a page past the last one
            counted = self.db.execute(f"{mine} SELECT count(*) FROM mine", [name]).fetchone()
            n_claims = int(counted[0]) if counted else 0
        said = self._dicts(
            """SELECT t.attribution_id, t.article_id, t.content, t.start, t."end", t.cue, t.direct, t.speaker_kind,
                      t.speaker_role, t.speaker_affiliation, a.title, a.published,
                      coalesce(s.name, a.source) AS outlet, count(*) OVER () AS total
               FROM attributions t JOIN articles a ON a.article_id = t.article_id
               LEFT JOIN sources s ON s.source_id = a.source
               WHERE t.speaker_name = ? AND t.speaker_kind <> 'implicit'
               ORDER BY a.published DESC NULLS LAST, t.article_id, t.start LIMIT ?""",
            [name, limit],
        )
        n_said = said[0]["total"] if said else 0
        for found in (*claims, *said):
            found.pop("total")
        return {"claims": claims, "n_claims": n_claims, "said": said, "n_said": n_said}

    def web_outlets(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(outlets, one page of them): by number of articles, each with its first and last publication, its
        stories, and its source profile (``profile``, or ``None`` before profiles are computed)."""
        profiled = self.has_table("source_profiles")
        found = self._dicts(
            f"""WITH counts AS (
                    SELECT a.source, count(*) AS n_articles, min(a.published) AS first_published,
                           max(a.published) AS last_published, count(DISTINCT st.story_id) AS n_stories
                    FROM articles a LEFT JOIN article_stories st ON st.article_id = a.article_id
                    WHERE a.source IS NOT NULL GROUP BY a.source)
                SELECT s.source_id, s.name, s.domain, counts.* EXCLUDE (source),
                       {"to_json(p) AS profile" if profiled else "NULL AS profile"}, count(*) OVER () AS total
                FROM sources s JOIN counts ON counts.source = s.source_id
                {"LEFT JOIN source_profiles p ON p.source = s.source_id" if profiled else ""}
                ORDER BY counts.n_articles DESC, s.name LIMIT ? OFFSET ?""",
            [limit, offset],
        )
        total = found[0]["total"] if found else 0
        for row in found:
            row.pop("total")
            row["profile"] = json.loads(row["profile"]) if row["profile"] else None
        return total, found

    def web_outlet(self, key: str, limit: int, offset: int) -> dict[str, Any] | None:
        """One outlet by source id or name: its source profile, one page of its articles (newest first) with their
        stories, and the stories it reports most."""
        found = self._dicts(
            "SELECT * FROM sources WHERE source_id = ? OR name = ? ORDER BY source_id = ? DESC LIMIT 1", [key, key, key]
        )
        if not found:
            return None
        outlet = found[0]
        outlet["profile"] = None
        if self.has_table("source_profiles"):
            profile = self._dicts("SELECT * FROM source_profiles WHERE source = ?", [outlet["source_id"]])
            outlet["profile"] = profile[0] if profile else None
        outlet["articles"] = self._dicts(
            """SELECT a.article_id, a.published, a.title, a.duplicate_of, a.machine_written, st.story_id,
                      count(*) OVER () AS total
               FROM articles a LEFT JOIN article_stories st ON st.article_id = a.article_id
               WHERE a.source = ? ORDER BY a.published DESC NULLS LAST, a.article_id LIMIT ? OFFSET ?""",
            [outlet["source_id"], limit, offset],
        )
        outlet["n_articles"] = outlet["articles"][0]["total"] if outlet["articles"] else 0
        for row in outlet["articles"]:
            row.pop("total")
        outlet["stories"] = self._dicts(
            """SELECT so.story_id, so.title, so.n_articles, count(*) AS n_here
               FROM articles a JOIN article_stories st ON st.article_id = a.article_id
               JOIN stories so ON so.story_id = st.story_id
               WHERE a.source = ? GROUP BY ALL ORDER BY n_here DESC, so.n_articles DESC, so.story_id LIMIT 20""",
            [outlet["source_id"]],
        )
        return outlet


def _domain(article: Article) -> str | None:
    return article.source if article.url and article.source else None


def _quote(path: str) -> str:
    return path.replace("'", "''")


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _storable(row: list[Any]) -> list[Any]:
    """``row`` with each lone surrogate in its strings replaced by U+FFFD, one character for one so spans keep their
    offsets: DuckDB refuses a whole batch over one. Ingest refuses them first; this is the last guard."""
    return [_storable(v) if isinstance(v, list) else _no_surrogates(v) if isinstance(v, str) else v for v in row]


def _no_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text
