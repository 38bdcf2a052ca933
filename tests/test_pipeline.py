"""The real `newstrace run` on every file input kind, into a real DuckDB file: kinds, bad inputs, idempotence,
resumption after SIGKILL, duplicates and exports."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import zlib
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.cli import NEWSTRACE, newstrace

from newstrace.pipeline import run
from newstrace.settings import Settings
from newstrace.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

WORDS = [
    "council", "budget", "tram", "harbour", "river", "bridge", "school", "clinic", "museum", "station", "market",
    "library", "stadium", "airport", "festival", "election", "committee", "inquiry", "contract", "permit",
    "landlord", "tenant", "ferry", "orchard", "vineyard", "glacier",
]  # fmt: skip


SYLLABLES = "ba ko ri mu te zan lo pi ve su dra nok".split()


def _syllables(key: str) -> str:
    h = zlib.crc32(key.encode())
    return SYLLABLES[h % len(SYLLABLES)] + SYLLABLES[(h // len(SYLLABLES)) % len(SYLLABLES)]


def paragraphs(seed: int, n: int = 5) -> list[str]:
    """Distinct, sentence-like paragraphs; different seeds give texts that are not near-duplicates and do not
    contain each other (each seed names its own places: "the museumko", so shared word runs stay few)."""
    out = []
    for i in range(n):
        picks = [WORDS[(seed * 7 + i * 3 + j * 5) % len(WORDS)] + _syllables(f"{seed}:{i}:{j}") for j in range(12)]
        out.append(
            f"Officials in district {seed} said the {' and the '.join(picks[:6])} plans were approved on day {i}. "
            f"Residents near the {picks[6]} asked about the {picks[7]}, the {picks[8]} and the {picks[9]} in "
            f"meeting number {seed * 100 + i}."
        )
    return out


def page(title: str, body: list[str], *, site: str = "The Test Gazette", published: str = "2024-02-21",
         url: str | None = None, extra: str = "") -> str:  # fmt: skip
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    ps = "".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}T08:00:00Z">{canonical}</head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{ps}{extra}</article>
<footer><p>© 2024 {site}. All rights reserved.</p></footer></body></html>"""


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def build_warc(path: Path, pages: list[tuple[str, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for url, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=headers)
            writer.write_record(record)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """One folder with every file kind newstrace reads, including nested and gzip-compressed files."""
    root = tmp_path / "corpus"
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "a.html").write_text(page("Tram line approved", paragraphs(1), url="https://gazette.example/tram"))
    (root / "nested" / "b.htm").write_text(page("Bridge repairs", paragraphs(2), site="River News"))
    with gzip.open(root / "nested" / "deeper" / "c.html.gz", "wt") as handle:
        handle.write(page("Clinic opens", paragraphs(3), site="Clinic Times", url="https://clinic.example/opens"))
    (root / "d.txt").write_text("Museum reopens after repairs\n\n" + "\n\n".join(paragraphs(4)))
    jsonl = [
        {"id": "ext-1", "url": "https://jsonl.example/1", "title": "Ferry timetable", "text": "\n".join(paragraphs(5)),
         "published": "2024-02-20", "source": "Ferry Weekly", "authors": ["A. Writer"]},
        {"id": "ext-2", "title": "Orchard harvest", "html": page("Orchard harvest", paragraphs(6))},
    ]  # fmt: skip
    (root / "e.jsonl").write_text("\n".join(json.dumps(item) for item in jsonl) + "\n")
    build_warc(root / "f.warc.gz", [("https://warc.example/7", page("Glacier", paragraphs(7))),
                                    ("https://warc.example/8", page("Vineyard", paragraphs(8)))])  # fmt: skip
    (root / "notes.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)  # not news: passed over in a folder
    return root


def test_every_file_kind_is_ingested_through_the_cli(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    result = newstrace("run", str(corpus), "--db", str(db))
    assert result.returncode == 0, result.stderr
    got = {r[0]: r[1:] for r in rows(db, "SELECT title, input_ref, source, url, external_id, published FROM articles")}
    assert set(got) == {"Tram line approved", "Bridge repairs", "Clinic opens", "Museum reopens after repairs",
                        "Ferry timetable", "Orchard harvest", "Glacier", "Vineyard"}  # fmt: skip
    assert got["Tram line approved"][1:3] == ("gazette.example", "https://gazette.example/tram")
    assert got["Bridge repairs"][1] == "river-news"  # no URL: the outlet is keyed by its name
    assert got["Ferry timetable"][0].endswith("e.jsonl#1") and got["Ferry timetable"][3] == "ext-1"
    assert str(got["Ferry timetable"][4]) == "2024-02-20"
    assert got["Orchard harvest"][0].endswith("e.jsonl#2")
    assert got["Glacier"][0].endswith("f.warc.gz#1") and got["Glacier"][2] == "https://warc.example/7"
    assert str(got["Clinic opens"][4]) == "2024-02-21"
    kinds = dict(rows(db, "SELECT kind, count(*) FROM inputs GROUP BY kind"))
    assert kinds == {"folder": 1, "html": 3, "text": 1, "jsonl": 1, "warc": 1}
    assert rows(db, "SELECT count(*) FROM inputs WHERE status <> 'done'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM errors") == [(0,)]
    text = rows(db, "SELECT text FROM articles WHERE title = 'Tram line approved'")[0][0]
    assert "All rights reserved" not in text and "Sport" not in text
    assert text.split("\n\n") == paragraphs(1)


def test_rerun_adds_nothing_and_changed_file_is_read_again(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with Store(db) as store:
        first = run([str(corpus)], store, Settings(workers=1))
        second = run([str(corpus)], store, Settings(workers=1))
        assert first.articles_new == 8
        assert (second.articles_new, second.inputs, second.skipped) == (0, 0, 6)
        assert store.count("articles") == 8
        (corpus / "d.txt").write_text("Museum reopens after repairs\n\n" + "\n\n".join(paragraphs(9)))
        third = run([str(corpus)], store, Settings(workers=1))
        assert (third.inputs, third.articles_new) == (1, 1)  # edited text is a new article (text-hash id)


def test_seeds_ingest_without_their_boilerplate(tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    db = tmp_path / "seeds.duckdb"
    result = newstrace("run", str(SEEDS), "--db", str(db))
    assert result.returncode == 0, result.stderr
    got = {r[0][:3]: r[1:] for r in rows(db, """SELECT regexp_extract(input_ref, '(\\d{3})_', 1), text, caption,
           dateline_place, author_bio, machine_written, source, authors FROM articles""")}  # fmt: skip
    text, caption, place, bio, machine, source, authors = got["000"]
    assert "Leave a Reply" not in text and "thoughts on" not in text and not machine
    text, caption, place, bio, machine, source, authors = got["002"]
    assert machine and "HERMES" in bio and "Who am I" not in text and authors == ["Hermes A.I."]
    text, caption, place, bio, machine, source, authors = got["003"]
    assert caption.startswith("Iran's President Ebrahim Raisi") and text.count("as seen in this picture") == 0
    assert place == "WASHINGTON DC, United States" and source == "kurdistan24"
    assert "Read More" not in text and "(Kurdistan24)" not in text


def test_bad_inputs_get_coded_errors_and_the_run_goes_on(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (bad / "empty.html").write_bytes(b"")
    (bad / "huge.html").write_bytes(b"<html><body><p>" + b"word " * 10_500_000 + b"</p></body></html>")  # ~52 MB
    (bad / "latin.html").write_bytes(
        page("Bad bytes", paragraphs(10))
        .encode()
        .replace(b'<meta charset="utf-8">', b"")
        .replace(b"Officials", b"Offici\xe4ls\xff\xfe")
    )
    (bad / "notext.html").write_text(
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    (bad / "lines.jsonl").write_text(
        '{"title": "ok", "text": "' + " ".join(paragraphs(11)) + '"}\nnot json\n[1, 2]\n{"title": "no text"}\n'
    )
    build_warc(bad / "cut.warc", [("https://warc.example/12", page("Kept", paragraphs(12))),
                                  ("https://warc.example/13", page("Lost", paragraphs(13)))])  # fmt: skip
    data = (bad / "cut.warc").read_bytes()
    (bad / "cut.warc").write_bytes(data[: len(data) - 300])
    db = tmp_path / "news.duckdb"
    result = newstrace("run", str(corpus), str(bad), str(tmp_path / "missing.html"), "--db", str(db))
    assert result.returncode == 0, result.stderr
    codes = {(Path(ref.split("#")[0]).name, code) for ref, code in rows(db, "SELECT input_ref, code FROM errors")}
    assert codes == {
        ("image.html", "E_NOT_HTML"), ("empty.html", "E_EMPTY_TEXT"), ("huge.html", "E_TOO_LARGE"),
        ("latin.html", "E_BAD_ENCODING"), ("notext.html", "E_EMPTY_TEXT"), ("lines.jsonl", "E_BAD_JSON"),
        ("lines.jsonl", "E_EMPTY_TEXT"), ("cut.warc", "E_BAD_WARC"), ("missing.html", "E_NOT_FOUND"),
    }  # fmt: skip
    assert len(rows(db, "SELECT * FROM errors WHERE input_ref LIKE '%lines.jsonl%'")) == 3
    titles = {r[0] for r in rows(db, "SELECT title FROM articles")}
    assert {"Kept", "ok", "Tram line approved"} <= titles and "Lost" not in titles
    assert "E_TOO_LARGE" in result.stderr and "huge.html" in result.stderr
    failed = {Path(r[0]).name for r in rows(db, "SELECT ref FROM inputs WHERE status = 'failed'")}
    assert failed == {"image.html", "empty.html", "huge.html", "latin.html", "notext.html", "missing.html"}


def test_a_run_where_everything_fails_exits_non_zero_with_a_summary(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    result = newstrace(
        "run", str(tmp_path / "empty.txt"), str(tmp_path / "nope.html"), "--db", str(tmp_path / "x.duckdb")
    )
    assert result.returncode == 1
    assert "nothing was ingested" in result.stderr
    assert "E_NOT_FOUND" in result.stdout + result.stderr and "E_EMPTY_TEXT" in result.stdout + result.stderr


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows without the columns that record when something happened."""
    return {
        "articles": rows(db, "SELECT * EXCLUDE (ingested) FROM articles ORDER BY article_id"),
        "sources": rows(db, "SELECT * FROM sources ORDER BY source_id"),
        "inputs": rows(db, "SELECT * EXCLUDE (first_seen, updated) FROM inputs ORDER BY input_id"),
        "errors": rows(db, "SELECT * EXCLUDE (logged) FROM errors ORDER BY error_id"),
        "minhashes": rows(db, "SELECT * FROM minhashes ORDER BY article_id"),
    }


@pytest.mark.slow
def test_run_killed_mid_way_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):
        body = paragraphs(100 + i % 90)  # 30 texts appear twice: copies for duplicate detection
        url = f"https://outlet{i}.example/story"  # without a URL, identical texts would be one article (text-hash id)
        (folder / f"{i:03d}.html").write_text(page(f"Story {i}", body, published=f"2024-02-{1 + i % 27:02d}", url=url))
    (folder / "broken.html").write_bytes(b"")
    args = [str(folder), "--set", "batch_size=8", "--workers", "1"]
    whole, killed = tmp_path / "whole.duckdb", tmp_path / "killed.duckdb"
    assert newstrace("run", *args, "--db", str(whole)).returncode == 0

    process = subprocess.Popen([*NEWSTRACE, "-v", "run", *args, "--db", str(killed)], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    batches = 0
    for line in process.stderr:
        batches += "stored a batch" in line
        if batches == 3:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    partial = rows(killed, "SELECT count(*) FROM articles")[0][0]
    assert 0 < partial < 120, "the kill should land mid-run"

    assert newstrace("run", *args, "--db", str(killed)).returncode == 0
    assert snapshot(killed) == snapshot(whole)
    assert rows(whole, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == [(30,)]


def test_syndicated_and_exact_copies_point_to_the_earliest(tmp_path: Path) -> None:
    body = paragraphs(42, n=8)
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "wire.html").write_text(
        page("Wire story", body, site="Wire", published="2024-02-21", url="https://wire.example/story")
    )
    (folder / "copy.html").write_text(
        page(
            "WIRE STORY",
            [*body, "This story was distributed by Wire."],
            site="Harbor Times",
            published="2024-02-22",
            url="https://harbor.example/s",
        )
    )
    (folder / "exact.txt").write_text("Wire story\n\n" + "\n\n".join(body))
    (folder / "other.html").write_text(page("Other", paragraphs(43, n=8), url="https://other.example/o"))
    db = tmp_path / "news.duckdb"
    with Store(db) as store:
        summary = run([str(folder)], store, Settings(workers=1))
    assert summary.duplicates == 2
    ids = dict(rows(db, "SELECT input_ref, article_id FROM articles"))
    wire = ids[str(folder / "wire.html")]
    dups = dict(rows(db, "SELECT input_ref, duplicate_of FROM articles"))
    assert dups[str(folder / "copy.html")] == wire
    assert dups[str(folder / "exact.txt")] == wire
    assert dups[str(folder / "wire.html")] is None and dups[str(folder / "other.html")] is None


def test_an_earlier_copy_read_later_takes_over_the_group(tmp_path: Path) -> None:
    body = paragraphs(50, n=8)
    late, early = tmp_path / "late.html", tmp_path / "early.html"
    late.write_text(page("Late copy", body, published="2024-03-02", url="https://late.example/a"))
    early.write_text(page("Early original", body, published="2024-03-01", url="https://early.example/a"))
    db = tmp_path / "news.duckdb"
    with Store(db) as store:
        run([str(late)], store, Settings(workers=1))
        run([str(early)], store, Settings(workers=1))
    dups = dict(rows(db, "SELECT title, duplicate_of FROM articles"))
    ids = dict(rows(db, "SELECT title, article_id FROM articles"))
    assert dups == {"Early original": None, "Late copy": ids["Early original"]}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_writes_every_row_of_a_table(corpus: Path, tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "news.duckdb"
    assert newstrace("run", str(corpus), "--db", str(db)).returncode == 0
    out = tmp_path / f"articles.{fmt}"
    result = newstrace("export", "articles", "--db", str(db), "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    reader = {"jsonl": "read_json_auto", "csv": "read_csv_auto", "parquet": "read_parquet"}[fmt]
    with duckdb.connect() as con:
        exported = con.execute(f"SELECT title FROM {reader}('{out}') ORDER BY title").fetchall()
    assert exported == rows(db, "SELECT title FROM articles ORDER BY title")


def test_export_jsonl_to_stdout_and_unknown_table_is_a_clear_error(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    newstrace("run", str(corpus), "--db", str(db))
    result = newstrace("export", "sources", "--db", str(db))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["source_id"] for line in lines} >= {"gazette.example", "clinic.example", "river-news"}
    result = newstrace("export", "nonsense", "--db", str(db))
    assert result.returncode == 2 and "no table 'nonsense'" in result.stderr


def test_article_command_shows_one_article_by_id_prefix(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    newstrace("run", str(corpus), "--db", str(db))
    article_id = rows(db, "SELECT article_id FROM articles WHERE title = 'Clinic opens'")[0][0]
    result = newstrace("article", article_id[:8], "--db", str(db))
    assert result.returncode == 0
    assert "Clinic opens" in result.stdout and paragraphs(3)[0][:40] in result.stdout
    assert newstrace("article", "zzzz", "--db", str(db)).returncode == 1


def test_extraction_in_worker_processes_gives_the_same_rows(tmp_path: Path) -> None:
    folder = tmp_path / "pool"
    folder.mkdir()
    for i in range(40):
        (folder / f"{i:02d}.html").write_text(page(f"Story {i}", paragraphs(200 + i), url=f"https://p{i}.example/s"))
    (folder / "empty.html").write_bytes(b"")
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    with Store(one) as store:
        run([str(folder)], store, Settings(workers=1))
    with Store(two) as store:
        summary = run([str(folder)], store, Settings(workers=2))
    assert summary.articles_new == 40 and summary.errors == {"E_EMPTY_TEXT": 1}
    assert snapshot(one) == snapshot(two)
