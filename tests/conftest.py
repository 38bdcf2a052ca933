"""Fixtures shared by several test modules: databases built once per session by the real pipeline.

Tests must not write to these; a test that needs to write copies the file first (``shutil.copy``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.hostile import write_inputs

from newstrace.pipeline import run
from newstrace.settings import Settings
from newstrace.store import Store

SAMPLE = Path(__file__).parents[1] / "src" / "newstrace" / "data" / "sample"
SEEDS = Path(__file__).parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample corpus (what `newstrace demo` reads) run through every stage; read-only for tests."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(db) as store:
        summary = run([str(SAMPLE)], store, Settings(workers=1))
    assert summary.ok and summary.placed == 12, summary
    return db


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three seed articles of ../shared/seeds run through every stage; read-only for tests."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS} (../shared beside the repository)")
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    with Store(db) as store:
        summary = run([str(p) for p in sorted(SEEDS.glob("*.txt"))], store, Settings(workers=1))
    assert summary.ok and summary.placed == 3, summary
    return db


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles whose text, title and outlet name carry <script>, onerror= and javascript: payloads (tests/hostile.py),
    run through every stage; read-only for tests."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.duckdb"
    with Store(db) as store:
        summary = run([str(p) for p in write_inputs(folder)], store, Settings(workers=1))
    assert summary.ok and summary.articles_new == 2, summary
    return db
