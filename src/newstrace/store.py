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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import duckdb

from .errors import StoreError, UsageError
from .models import (
    Article,
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
]


class Store:
    """One DuckDB file (or ``:memory:``), migrated on open unless read-only."""

    def __init__(self, path: str | Path = "newstrace.duckdb", read_only: bool = False) -> None:
        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"no database at {self.path}: create it with `newstrace run INPUT... --db {self.path}`")
        try:
            self.db = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        if not read_only:
            self.migrate()

    def close(self) -> None:
        self.db.close()

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
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
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
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    a.article_id, a.external_id, a.url, a.input_id, a.input_ref, a.source, a.title, list(a.authors),
                    a.published, a.language, a.text, a.text_hash, a.word_count, a.caption, a.dateline_place,
                    a.author_bio, a.machine_written, None, now,
                ]
                for a in articles
            ],
        )  # fmt: skip
        return self.count("articles") - before

    def add_errors(self, errors: Iterable[ErrorRecord]) -> None:
        rows = [[e.error_id, e.input_id, e.input_ref, e.stage, e.code, e.detail, e.at] for e in errors]
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO errors VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def grouped_articles(self) -> list[tuple[Any, ...]]:
        """(article_id, text_hash, published, input_ref, signature, duplicate_of) of articles already grouped."""
        return self.db.execute(
            """SELECT a.article_id, a.text_hash, a.published, a.input_ref, m.signature, a.duplicate_of
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

    def save_grouping(self, signatures: Sequence[tuple[str, bytes]], changes: dict[str, str | None]) -> None:
        """Store signatures (which mark their articles as grouped) and ``duplicate_of`` changes atomically."""
        with self.transaction():
            self.db.executemany("INSERT OR IGNORE INTO minhashes VALUES (?, ?)", [list(r) for r in signatures])
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
            if attributions:
                self.db.executemany(
                    f"INSERT OR REPLACE INTO attributions VALUES ({', '.join('?' * 19)})",
                    [
                        [
                            a.attribution_id, a.article_id, a.speaker, a.speaker_name, a.speaker_kind, a.speaker_role,
                            a.speaker_affiliation, a.anonymous_count, a.cue, a.content, a.direct, a.start, a.end,
                            a.parent_id, a.reported_to, a.speaker_start, a.speaker_end, a.cue_start, a.cue_end,
                        ]
                        for a in attributions
                    ],
                )  # fmt: skip
            if claims:
                self.db.executemany(
                    f"INSERT OR REPLACE INTO claims VALUES ({', '.join('?' * 25)})",
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

    def story_state(self) -> Iterator[tuple[str, str, Any, list[str], date | None]]:
        """(article_id, story_id, vector or None, names, published) of every placed article, in placing order."""
        cursor = self.db.execute(
            """SELECT s.article_id, s.story_id, v.vector, coalesce(v.names, []), a.published
               FROM article_stories s JOIN articles a USING (article_id)
               LEFT JOIN article_vectors v USING (article_id)
               ORDER BY a.published NULLS LAST, s.article_id"""
        )
        while batch := cursor.fetchmany(10_000):
            yield from batch

    def save_stories(self, placed: Sequence[tuple[str, str, float | None, Any, Sequence[str]]]) -> None:
        """Store (article_id, story_id, score, vector or None, names) and refresh the touched stories' rows."""
        if not placed:
            return
        with self.transaction():
            rows = [[article, story, score] for article, story, score, _, _ in placed]
            self.db.executemany("INSERT OR REPLACE INTO article_stories VALUES (?, ?, ?)", rows)
            vectors = [(a, v, list(n)) for a, _, _, v, n in placed if v is not None]
            if vectors:
                import pyarrow as pa

                table = pa.table(
                    {
                        "article_id": [a for a, _, _ in vectors],
                        "vector": pa.array([list(map(float, v)) for _, v, _ in vectors], pa.list_(pa.float32(), 384)),
                        "names": [n for _, _, n in vectors],
                    }
                )
                self.db.register("new_vectors", table)
                self.db.execute("INSERT OR REPLACE INTO article_vectors SELECT * FROM new_vectors")
                self.db.unregister("new_vectors")
            touched = sorted({s for _, s, _, _, _ in placed})
            self.db.execute(
                """INSERT OR REPLACE INTO stories
                   SELECT s.story_id, arg_min(a.title, (a.published IS NULL, a.published, a.article_id)),
                          min(a.published), max(a.published), count(*),
                          count(DISTINCT coalesce(a.source, a.article_id)),
                          (SELECT checked FROM stories o WHERE o.story_id = s.story_id)
                   FROM article_stories s JOIN articles a USING (article_id)
                   WHERE s.story_id IN (SELECT unnest(?))
                   GROUP BY s.story_id""",
                [touched],
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
        and per article its published date, outlet id and name, and the outlet name of its original."""
        articles = "(SELECT article_id FROM article_stories WHERE story_id = ?)"
        columns, rows = self.query(f"SELECT * FROM claims WHERE article_id IN {articles}", [story_id])
        claims = [Claim(**dict(zip(columns, row, strict=True))) for row in rows]
        columns, rows = self.query(f"SELECT * FROM attributions WHERE article_id IN {articles}", [story_id])
        attributions = {row[0]: Attribution(**dict(zip(columns, row, strict=True))) for row in rows}
        columns, rows = self.query(
            f"""SELECT a.article_id, a.published, a.source, coalesce(a.duplicate_of, a.article_id) AS original,
                       coalesce(os.name, o.source, s.name, a.source) AS carrier
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
        columns, rows = self.query(
            """SELECT g.*,
                 (SELECT list(DISTINCT o ORDER BY o) FROM (
                    SELECT coalesce(s.name, a.source, a.article_id) AS o
                    FROM claim_group_members m JOIN articles a USING (article_id)
                    LEFT JOIN sources s ON s.source_id = a.source WHERE m.group_id = g.group_id)) AS outlets,
                 (SELECT list({'name': o.name, 'kind': o.kind, 'anonymous_count': o.anonymous_count, 'via': o.via}
                              ORDER BY o.name)
                  FROM origins o WHERE o.group_id = g.group_id) AS origins,
                 (SELECT list({'outlet': coalesce(s.name, a.source), 'reason': m.reason, 'text': c.text})
                  FROM claim_group_members m JOIN articles a USING (article_id) JOIN claims c USING (claim_id)
                  LEFT JOIN sources s ON s.source_id = a.source
                  WHERE m.group_id = g.group_id AND m.stance = 'contradicts') AS against
               FROM claim_groups g WHERE g.story_id = ?
               ORDER BY g.n_outlets DESC, g.n_articles DESC, g.group_id""",
            [story_id],
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

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
