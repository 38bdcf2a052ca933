"""Attribution through the real pipeline and CLI: stored once, re-run adds nothing, `attribute --redo`, the
highlighted article view, the export, and bad articles recorded with a coded reason while the rest go on."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from tests.cli import newstrace

from newstrace.pipeline import attribute, run
from newstrace.settings import Settings
from newstrace.store import Store

SAMPLE = Path(str(resources.files("newstrace") / "data" / "sample"))
SETTINGS = Settings(workers=1, span_model=False)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("attr") / "sample.duckdb"
    with Store(db) as store:
        summary = run([str(SAMPLE)], store, SETTINGS)
    assert summary.analysed == 12 and summary.attributions > 50, summary
    return db


def test_rerun_adds_nothing_and_redo_gives_the_same(sample_db: Path) -> None:
    with Store(sample_db) as store:
        before = store.query("SELECT attribution_id FROM attributions ORDER BY 1")[1]
        again = run([str(SAMPLE)], store, SETTINGS)
        assert again.analysed == 0 and store.query("SELECT attribution_id FROM attributions ORDER BY 1")[1] == before
        store.forget_analyses("attribution")
        redo = attribute(store, SETTINGS)
        assert redo.analysed == 12
        assert store.query("SELECT attribution_id FROM attributions ORDER BY 1")[1] == before


def test_sample_single_origin_claim_is_relayed_through_the_wire(sample_db: Path) -> None:
    with Store(sample_db, read_only=True) as store:
        _, rows = store.query(
            """SELECT child.anonymous_count, parent.speaker_kind
               FROM attributions child JOIN attributions parent ON child.parent_id = parent.attribution_id
               WHERE child.speaker_kind = 'anonymous' AND child.anonymous_count = 6"""
        )
        kinds = store.query("SELECT DISTINCT speaker_kind FROM attributions ORDER BY 1")[1]
    assert rows and all(kind == "outlet" for _, kind in rows)
    assert {k for (k,) in kinds} >= {"person", "outlet", "anonymous", "implicit", "organization"}


def test_article_view_and_export(sample_db: Path, tmp_path: Path) -> None:
    with Store(sample_db, read_only=True) as store:
        _, [(article_id,)] = store.query(
            "SELECT article_id FROM attributions WHERE anonymous_count = 6 ORDER BY article_id LIMIT 1"
        )
    shown = newstrace("article", article_id[:10], "--db", str(sample_db))
    assert shown.returncode == 0, shown.stderr
    assert "speaker" in shown.stdout and "anonymous ×6" in shown.stdout and "attributions;" in shown.stdout
    exported = newstrace("export", "attributions", "--db", str(sample_db))
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert rows and {"speaker_kind", "content", "start", "end", "parent_id", "reported_to"} <= set(rows[0])
    out = tmp_path / "attributions.parquet"
    assert newstrace("export", "attributions", "--db", str(sample_db), "-f", "parquet", "-o", str(out)).returncode == 0
    assert out.stat().st_size > 0


def test_bad_articles_get_coded_errors_and_the_rest_are_analysed(tmp_path: Path) -> None:
    german = "Die Regierung sagte am Donnerstag, dass die Gespräche über den Haushalt gescheitert seien. " * 5
    english = "The harbour authority said on Monday that the new ferry terminal would open in spring. " * 3
    huge = "The council met again. " * 13_000
    lines = [
        {"id": "de", "text": german, "url": "https://example.org/de"},
        {"id": "en", "text": english, "url": "https://example.org/en"},
        {"id": "huge", "text": huge, "url": "https://example.org/huge"},
    ]
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    db = tmp_path / "mixed.duckdb"
    result = newstrace("run", str(corpus), "--db", str(db), "-q", "--set", "max_nlp_words=20000")
    assert result.returncode == 0, result.stderr
    assert "E_LANGUAGE" in result.stdout + result.stderr and "E_TOO_LARGE" in result.stdout + result.stderr
    with Store(db, read_only=True) as store:
        errors = store.query("SELECT code, stage FROM errors ORDER BY code")[1]
        said = store.query(
            "SELECT count(*) FROM attributions t JOIN articles a USING (article_id) WHERE a.external_id = 'en'"
            " AND t.cue = 'said'"
        )[1]
        marks = store.query("SELECT status, count(*) FROM analyses GROUP BY 1 ORDER BY 1")[1]
    assert errors == [("E_LANGUAGE", "attribution"), ("E_TOO_LARGE", "attribution")]
    assert said == [(3,)] and marks == [("done", 1), ("failed", 2)]


def test_claims_are_stored_linked_and_listed(sample_db: Path, tmp_path: Path) -> None:
    with Store(sample_db, read_only=True) as store:
        _, rows = store.query(
            """SELECT c.actor_code, c.target_code, c.quantity, c.unit, a.speaker_kind
               FROM claims c JOIN attributions a USING (attribution_id)
               WHERE c.event_type = 'transfer' AND c.quantity = 400"""
        )
        orphans = store.query(
            "SELECT count(*) FROM claims c WHERE attribution_id IS NOT NULL AND attribution_id NOT IN "
            "(SELECT attribution_id FROM attributions)"
        )[1]
        inside = store.query(
            "SELECT count(*) FROM claims c JOIN articles a USING (article_id) WHERE substr(a.text, c.start + 1, "
            'c."end" - c.start) <> c.text'
        )[1]
    assert ("IRN", "RUS", 400.0, "missile") in {row[:4] for row in rows}  # the ~400 missiles, several outlets
    assert orphans == [(0,)] and inside == [(0,)]  # every link resolves; every span is the stored text
    listed = newstrace("claims", "--db", str(sample_db), "--actor", "irn", "--type", "transfer")
    assert listed.returncode == 0, listed.stderr
    assert "transfer" in listed.stdout and "IRN" in listed.stdout and "claims" in listed.stdout
    exported = newstrace("export", "claims", "--db", str(sample_db), "-f", "csv")
    assert exported.returncode == 0 and exported.stdout.startswith("claim_id,article_id,text")
    wrong_type = newstrace("claims", "--db", str(sample_db), "--type", "bombing")
    assert wrong_type.returncode == 2 and "unknown event type" in wrong_type.stderr
    other_story = newstrace("claims", "--db", str(sample_db), "--story", "zzz")
    assert other_story.returncode == 0 and "0 claims" in other_story.stdout
    empty = sample_db.parent / "empty.duckdb"
    Store(empty).close()
    no_stories = newstrace("claims", "--db", str(empty), "--story", "abc")
    assert no_stories.returncode == 1 and "no stories" in no_stories.stderr
