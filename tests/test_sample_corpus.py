"""The bundled demo corpus, through the real pipeline, against the expectations written with it (expected.json)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from newstrace.pipeline import run
from newstrace.settings import Settings
from newstrace.store import Store

SAMPLE = Path(str(resources.files("newstrace") / "data" / "sample"))
EXPECTED: dict[str, Any] = {
    k: v for k, v in json.loads((SAMPLE / "expected.json").read_text()).items() if not k.startswith("_")
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    db = tmp_path_factory.mktemp("sample") / "demo.duckdb"
    with Store(db) as store:
        summary = run([str(SAMPLE)], store, Settings(workers=1))
        assert summary.errors == {}, summary.error_lines
        columns, rows = store.query(
            "SELECT a.*, s.name AS outlet FROM articles a LEFT JOIN sources s ON s.source_id = a.source"
        )
    return {Path(r["input_ref"]).name: r for r in (dict(zip(columns, row, strict=True)) for row in rows)}


def test_every_sample_page_becomes_one_article(stored: dict[str, dict[str, Any]]) -> None:
    assert set(stored) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_page_metadata_and_clean_text(stored: dict[str, dict[str, Any]], name: str) -> None:
    expected, article = EXPECTED[name], stored[name]
    assert article["title"] == expected["title"]
    assert article["outlet"] == expected["outlet"]
    assert article["source"] == expected["domain"]
    assert str(article["published"]) == expected["published"]
    for phrase in expected["must_contain"]:
        assert phrase in article["text"], f"lost: {phrase!r}"
    for phrase in expected["must_not_contain"]:
        assert phrase not in article["text"], f"boilerplate kept: {phrase!r}"
    assert article["machine_written"] == expected.get("machine_written", False)
    if "caption" in expected:
        assert article["caption"] == expected["caption"] and expected["caption"] not in article["text"]
    if "dateline_place" in expected:
        assert article["dateline_place"] == expected["dateline_place"]
    if "author_bio_contains" in expected:
        assert expected["author_bio_contains"] in (article["author_bio"] or "")
    if "duplicate_of" in expected:
        assert article["duplicate_of"] == stored[expected["duplicate_of"]]["article_id"]
    else:
        assert article["duplicate_of"] is None
