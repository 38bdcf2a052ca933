"""Hostile input never stops a run (issue 18): each malformed file, line or record becomes one coded error row, the
rest of the run goes on, what was read before the fault is stored, and a rerun neither crashes nor adds anything.

Every hostile file is built in ``tmp_path`` by the test (see ``tests/hostile.py``); nothing touches the network.
"""

from __future__ import annotations

import builtins
import gzip
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.hostile import (
    GOOD_TEXT,
    cut_gzip,
    damaged_gzip,
    good_record,
    good_text,
    html_page,
    jsonl_lines,
    warc_without_target_uri,
)

from newstrace.errors import HINTS, ErrorCode, InputError
from newstrace.extract import bounded_tags
from newstrace.ingest import decode
from newstrace.models import Article
from newstrace.pipeline import RunSummary, run
from newstrace.settings import Settings
from newstrace.store import Store

SETTINGS = Settings(analyse=False, workers=1)


class Outcome:
    """What a run over one folder left in the store: error codes, stored titles, input statuses (by file name)."""

    def __init__(self, db: Path, folder: Path, summary: RunSummary) -> None:
        self.summary = summary
        with Store(db, read_only=True) as store:
            self.errors = {
                _name(ref, folder): code for ref, code in store.query("SELECT input_ref, code FROM errors")[1]
            }
            self.titles = {title for (title,) in store.query("SELECT title FROM articles")[1]}
            self.articles = store.count("articles")
            self.status = {
                _name(r, folder): (s, c) for r, s, c in store.query("SELECT ref, status, error_code FROM inputs")[1]
            }


def _name(ref: str, folder: Path) -> str:
    return ref.removeprefix(str(folder)).lstrip("/") or "."


def ingest(folder: Path, db: Path, settings: Settings = SETTINGS) -> Outcome:
    with Store(db) as store:
        summary = run([str(folder)], store, settings)
    return Outcome(db, folder, summary)


def ingest_twice(folder: Path, tmp_path: Path, settings: Settings = SETTINGS) -> Outcome:
    """Run over ``folder``, then again: the rerun must not crash, and must leave the same articles and errors."""
    db = tmp_path / "news.duckdb"
    first = ingest(folder, db, settings)
    again = ingest(folder, db, settings)
    assert (again.articles, again.errors, again.titles) == (first.articles, first.errors, first.titles)
    assert again.summary.articles_new == 0
    return first


def ingest_traced(folder: Path, db: Path, settings: Settings) -> tuple[Outcome, int]:
    """``ingest``, and the peak of Python memory it allocated (after a first run has loaded what loads once, such
    as the language identifier's model)."""
    warm = db.parent / "warm"
    warm.mkdir()
    (warm / "good.txt").write_text(good_text("warm"), encoding="utf-8")
    ingest(warm, db.parent / "warm.duckdb", settings)
    tracemalloc.start()
    try:
        out = ingest(folder, db, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding one good article, to show the run goes on past the hostile input beside it."""
    path = tmp_path / "in"
    path.mkdir()
    (path / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    return path


GOOD = "Ferry timetable cut while the harbour dredging overruns"


# --- 1-3: JSONL lines ------------------------------------------------------------------------------------


def test_lone_surrogate_in_a_jsonl_string_is_a_bad_encoding_row(folder: Path, tmp_path: Path) -> None:
    (folder / "s.jsonl").write_bytes(
        jsonl_lines(good_record(1), '{"title": "x", "text": "Officials said \\ud800 the talks failed."}',
                    '{"title": "\\udfff", "text": "A title with a lone low surrogate."}', good_record(2))
    )  # fmt: skip
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"s.jsonl#2": "E_BAD_ENCODING", "s.jsonl#3": "E_BAD_ENCODING"}
    assert {GOOD, "Good record 1", "Good record 2"} <= out.titles
    assert out.status["s.jsonl"] == ("done", "E_BAD_ENCODING")


@pytest.mark.parametrize("authors", ["5", "true", "1.5", '{"name": 5}', "[5]", '[["A. Writer"]]'])
def test_authors_that_are_not_names_are_a_bad_json_row(folder: Path, tmp_path: Path, authors: str) -> None:
    (folder / "a.jsonl").write_bytes(
        jsonl_lines(f'{{"title": "Bad", "text": "Officials said it rained.", "authors": {authors}}}', good_record())
    )
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"a.jsonl#1": "E_BAD_JSON"}
    assert "Good record 1" in out.titles and "Bad" not in out.titles


def test_authors_as_a_string_a_list_or_objects_with_names_are_read(folder: Path, tmp_path: Path) -> None:
    records = [
        {**good_record(1), "authors": "A. Writer"},
        {**good_record(2), "authors": ["A. Writer", None, "", "B. Writer"]},
        {**good_record(3), "authors": [{"name": "C. Writer"}, {"url": "x"}]},
    ]
    (folder / "a.jsonl").write_bytes(jsonl_lines(*records))
    db = tmp_path / "news.duckdb"
    assert ingest(folder, db).errors == {}
    with Store(db, read_only=True) as store:
        authors = dict(store.query("SELECT title, authors FROM articles WHERE title LIKE 'Good%'")[1])
    assert authors == {"Good record 1": ["A. Writer"], "Good record 2": ["A. Writer", "B. Writer"],
                       "Good record 3": ["C. Writer"]}  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        '{"title": "Huge", "text": "Officials said it rained.", "n": ' + "9" * 5_000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"text": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
        '{"title": ["a", "list"], "text": "Officials said it rained."}',
        '{"text": {"nested": "object"}}',
    ],
    ids=["5000-digit-number", "nested-100000-deep", "deep-object", "title-list", "text-object"],
)
def test_json_the_parser_refuses_or_of_the_wrong_shape_is_a_bad_json_row(
    folder: Path, tmp_path: Path, line: str
) -> None:
    (folder / "j.jsonl").write_bytes(jsonl_lines(good_record(1), line, good_record(2)))
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"j.jsonl#2": "E_BAD_JSON"}
    assert {"Good record 1", "Good record 2", GOOD} <= out.titles


def test_an_empty_jsonl_file_or_one_of_blank_lines_is_an_empty_text_row(folder: Path, tmp_path: Path) -> None:
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "blank.jsonl").write_bytes(b"\n  \n\n")
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"empty.jsonl": "E_EMPTY_TEXT", "blank.jsonl": "E_EMPTY_TEXT"}
    assert out.status["blank.jsonl"] == ("failed", "E_EMPTY_TEXT") and GOOD in out.titles


def test_a_jsonl_line_over_the_limit_is_skipped_without_holding_it(folder: Path, tmp_path: Path) -> None:
    """A small .jsonl.gz that unzips to one line 50 times the limit: read in bounded pieces, E_TOO_LARGE."""
    limit = 1_000_000
    long_line = '{"text": "' + "a" * (50 * limit) + '"}'
    with gzip.open(folder / "big.jsonl.gz", "wb") as handle:
        handle.write(jsonl_lines(good_record(1), long_line, good_record(2)))
    assert (folder / "big.jsonl.gz").stat().st_size < limit
    out, peak = ingest_traced(folder, tmp_path / "news.duckdb", SETTINGS.replace(max_page_bytes=limit))
    assert out.errors == {"big.jsonl.gz#2": "E_TOO_LARGE"}
    assert {"Good record 1", "Good record 2"} <= out.titles
    assert peak < 10 * limit  # the 50 MB line was never held


# --- 4: damaged gzip ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html.gz", html_page(good_text("gz")).encode()),
        ("page.txt.gz", good_text("Tram").encode()),
        ("lines.jsonl.gz", jsonl_lines(good_record(1))),
        (
            "feed.xml.gz",
            b'<?xml version="1.0"?><rss><channel><item><link>https://x.example/1</link></item></channel></rss>',
        ),
    ],
)
def test_damaged_gzip_data_is_a_bad_gzip_row(folder: Path, tmp_path: Path, name: str, content: bytes) -> None:
    (folder / name).write_bytes(damaged_gzip(content * 20))
    out = ingest_twice(folder, tmp_path)
    # Damaged deflate data may unzip to garbage before zlib notices: a JSONL line of it is a bad line of its own.
    codes = {ref: code for ref, code in out.errors.items() if code != "E_BAD_JSON" or not name.endswith(".jsonl.gz")}
    [(ref, code)] = codes.items()
    assert ref.split("#")[0] == name and code == "E_BAD_GZIP"
    assert out.status[name][1] is not None and GOOD in out.titles


def test_a_truncated_jsonl_gz_keeps_the_lines_before_the_cut(folder: Path, tmp_path: Path) -> None:
    records = [good_record(n) for n in range(1, 201)]
    (folder / "cut.jsonl.gz").write_bytes(cut_gzip(jsonl_lines(*records)))
    out = ingest_twice(folder, tmp_path)
    [(ref, code)] = out.errors.items()
    assert ref.startswith("cut.jsonl.gz#") and code == "E_BAD_GZIP"
    kept = int(ref.rpartition("#")[2]) - 1
    assert kept > 50 and {f"Good record {n}" for n in range(1, kept + 1)} <= out.titles
    assert out.status["cut.jsonl.gz"] == ("done", "E_BAD_GZIP")  # read to the cut: a rerun skips it


# --- 5: WARC -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["no-uri.warc", "no-uri.warc.gz"])
def test_a_warc_response_without_target_uri_is_a_bad_warc_row(folder: Path, tmp_path: Path, name: str) -> None:
    warc_without_target_uri(folder / name)
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {f"{name}#1": "E_BAD_WARC"}
    assert {GOOD, GOOD.replace("Ferry", "Ferry warc 1")} <= out.titles


def test_a_huge_warc_header_line_is_refused_without_holding_it(folder: Path, tmp_path: Path) -> None:
    """A .warc.gz whose third record has a header line 20 times the limit: E_BAD_WARC, the records before are kept."""
    limit = 1_000_000
    warc_without_target_uri(folder / "huge.warc.gz")  # record 1 lacks its URI, record 2 is good
    filler = os.urandom(10 * limit).hex().encode()  # hardly compressible: one block never unzips to megabytes
    huge = b"WARC/1.0\r\nWARC-Type: response\r\nX-Filler: " + filler + b"\r\n\r\n"
    with open(folder / "huge.warc.gz", "ab") as handle:
        handle.write(gzip.compress(huge))  # a .warc.gz is one gzip member per record
    out, peak = ingest_traced(folder, tmp_path / "news.duckdb", SETTINGS.replace(max_page_bytes=limit))
    assert out.errors == {"huge.warc.gz#1": "E_BAD_WARC", "huge.warc.gz#3": "E_BAD_WARC"}
    assert GOOD.replace("Ferry", "Ferry warc 1") in out.titles
    assert peak < 10 * limit


def test_an_html_file_named_warc_is_a_bad_warc_row(folder: Path, tmp_path: Path) -> None:
    (folder / "page.warc").write_text(html_page(good_text("warc")), encoding="utf-8")
    out = ingest_twice(folder, tmp_path)
    assert [code for ref, code in out.errors.items() if ref.startswith("page.warc")] == ["E_BAD_WARC"]
    assert out.status["page.warc"] == ("failed", "E_BAD_WARC")


# --- 6: encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["punycode", "idna", "unicode_escape", "raw_unicode_escape", "base64", "rot13"])
def test_a_codec_that_is_not_a_charset_is_an_unknown_label(folder: Path, tmp_path: Path, charset: str) -> None:
    """As in a browser, such a label is not honoured: UTF-8 bytes are read, others are E_BAD_ENCODING."""
    (folder / "utf8.html").write_bytes(html_page(good_text("café"), charset).encode())
    (folder / "latin.html").write_bytes(html_page(good_text("crème"), charset).encode("latin-1"))
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"latin.html": "E_BAD_ENCODING"}
    assert GOOD.replace("Ferry", "Ferry café") in out.titles


def test_text_decoding_to_a_lone_surrogate_is_a_bad_encoding_row(folder: Path, tmp_path: Path) -> None:
    (folder / "utf7.html").write_bytes(html_page(charset="utf-7").encode().replace(b"Passengers", b"+2AA-Passengers"))
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"utf7.html": "E_BAD_ENCODING"}


def test_decode_never_raises_anything_but_an_input_error() -> None:
    for charset in ("punycode", "utf-7", "utf-16", "idna", "undefined", "zlib", "hex", "x" * 500, "utf_32"):
        for data in (b"\xff\xfe\x00d", b"+2AA-", b"a\x80b", "caf\u00e9".encode(), b"xn--"):
            try:
                text = decode(data, "ref", charset)
            except InputError as error:
                assert error.code in (ErrorCode.E_BAD_ENCODING, ErrorCode.E_NOT_HTML)
            else:
                text.encode("utf-8")  # no lone surrogate came through


# --- 7: file names -----------------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_read_and_stored_with_an_escaped_ref(folder: Path, tmp_path: Path) -> None:
    odd = folder / os.fsdecode(b"caf\xe9-\xff.txt")
    odd.write_text(good_text("Tram"), encoding="utf-8")
    (folder / os.fsdecode(b"bad-\xff.jsonl")).write_bytes(jsonl_lines("not json"))
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"bad-\\xff.jsonl#1": "E_BAD_JSON"}
    assert out.status["caf\\xe9-\\xff.txt"] == ("done", None)
    assert GOOD.replace("Ferry", "Ferry Tram") in out.titles and GOOD in out.titles


# --- 8 and 11: files and folders that cannot be read --------------------------------------------------------


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Paths whose opening or listing fails with EACCES, as chmod 000 does for anyone but root."""
    denied: set[Path] = set()
    real_open, real_scandir = builtins.open, os.scandir

    def check(path: Any) -> None:
        if isinstance(path, (str, os.PathLike)) and Path(os.fsdecode(path)) in denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        check(file)
        return real_open(file, *args, **kwargs)

    def fake_scandir(path: Any = ".") -> Any:
        check(path)
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    yield denied


def test_unreadable_files_and_folders_are_unreadable_rows(folder: Path, tmp_path: Path, deny: set[Path]) -> None:
    for name in ("feed.xml", "feed.rss", "page.html", "lines.jsonl", "archive.warc", "notes.txt", "page.html.gz"):
        (folder / name).write_bytes(b"x" * 100)
        deny.add(folder / name)
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.txt").write_text(GOOD_TEXT)
    deny.add(folder / "locked")
    out = ingest_twice(folder, tmp_path)
    expected = (
        "feed.xml",
        "feed.rss",
        "page.html",
        "lines.jsonl",
        "archive.warc",
        "notes.txt",
        "page.html.gz",
        "locked",
    )
    assert out.errors == dict.fromkeys(expected, "E_UNREADABLE")
    assert all(out.status[name] == ("failed", "E_UNREADABLE") for name in expected)
    assert GOOD in out.titles


def test_an_unreadable_folder_given_itself_is_an_unreadable_row(folder: Path, tmp_path: Path, deny: set[Path]) -> None:
    deny.add(folder)
    out = ingest(folder, tmp_path / "news.duckdb")
    assert out.errors == {".": "E_UNREADABLE"} and out.articles == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_chmod_000_file_and_folder_are_unreadable_rows(folder: Path, tmp_path: Path) -> None:
    (folder / "feed.xml").write_text("<rss></rss>")
    (folder / "locked").mkdir()
    for path in (folder / "feed.xml", folder / "locked"):
        path.chmod(0)
    try:
        out = ingest_twice(folder, tmp_path)
    finally:
        for path in (folder / "feed.xml", folder / "locked"):
            path.chmod(0o700)
    assert out.errors == {"feed.xml": "E_UNREADABLE", "locked": "E_UNREADABLE"}


def test_links_that_point_nowhere_or_loop_and_fifos_get_rows_without_hanging(folder: Path, tmp_path: Path) -> None:
    (folder / "dangling.html").symlink_to(folder / "missing.html")
    (folder / "loop.html").symlink_to(folder / "loop.html")
    os.mkfifo(folder / "pipe.html")  # opening it would wait for a writer for ever
    (folder / "link.txt").symlink_to(folder / "good.txt")  # a link to a good file is read
    (folder / "sub").symlink_to(folder, target_is_directory=True)  # a link to a folder is not followed
    out = ingest_twice(folder, tmp_path)
    assert out.errors == {"dangling.html": "E_NOT_FOUND", "loop.html": "E_UNREADABLE", "pipe.html": "E_UNREADABLE"}
    assert out.status["link.txt"][0] == "done"


def test_a_fifo_or_a_missing_path_given_by_name_gets_a_row(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.html")
    db = tmp_path / "news.duckdb"
    with Store(db) as store:
        summary = run([str(tmp_path / "pipe.html"), str(tmp_path / "nope.html"), "a\x00b.html"], store, SETTINGS)
    assert summary.errors == {"E_UNREADABLE": 1, "E_NOT_FOUND": 2}


def test_an_input_named_twice_is_read_once_and_keeps_its_error_code(folder: Path, tmp_path: Path) -> None:
    (folder / "empty.html").write_bytes(b"")
    db = tmp_path / "news.duckdb"
    names = [str(folder / "empty.html"), str(folder / "empty.html"), str(folder), str(folder / "good.txt")]
    with Store(db) as store:
        summary = run(names, store, SETTINGS)
        inputs = store.query("SELECT ref, status, error_code FROM inputs WHERE ref LIKE '%.%'")[1]
    assert summary.errors == {"E_EMPTY_TEXT": 1} and summary.articles_new == 1
    assert sorted(inputs) == [(str(folder / "empty.html"), "failed", "E_EMPTY_TEXT"),
                              (str(folder / "good.txt"), "done", None)]  # fmt: skip


# --- 10: pages that are costly to parse -------------------------------------------------------------------


def test_a_tag_with_100000_attributes_keeps_its_first_and_the_page_is_read(folder: Path, tmp_path: Path) -> None:
    """libxml2 is quadratic in the attributes of one tag (minutes for this page before the bound)."""
    attributes = " ".join(f'data-a{i}="v"' for i in range(100_000))
    page = html_page(good_text("attributes")).replace("<p>", f'<p class="lead" {attributes}>', 1)
    (folder / "attrs.html").write_text(page, encoding="utf-8")
    out = ingest(folder, tmp_path / "news.duckdb")
    assert out.errors == {} and GOOD.replace("Ferry", "Ferry attributes") in out.titles


def test_bounded_tags_leaves_ordinary_and_long_valued_tags_alone() -> None:
    data_uri = '<img alt="map" src="data:image/png;base64,' + "A" * 50_000 + '=">'
    many = "<p " + " ".join(f'a{i}="{i}"' for i in range(3_000)) + ">text</p>"
    html = f"<html><body>{data_uri}<div class='x' id=y>{'word ' * 5_000}</div>{many}</body></html>"
    bounded = bounded_tags(html)
    assert data_uri in bounded and "<div class='x' id=y>" in bounded
    assert '<p a0="0" a1="1"' in bounded and 'a99="99">text</p>' in bounded and "a100=" not in bounded


# --- the store's last guard --------------------------------------------------------------------------------


def test_store_replaces_a_lone_surrogate_rather_than_losing_the_batch(tmp_path: Path) -> None:
    articles = [
        Article(article_id=f"a{n}", input_id="i", input_ref="r", text=text, text_hash=f"h{n}", title="T\ud800")
        for n, text in enumerate(["Good text.", "Bad \udfff text."])
    ]
    with Store(tmp_path / "news.duckdb") as store:
        assert store.add_articles(articles) == 2
        texts = sorted(text for (text,) in store.query("SELECT text FROM articles")[1])
    assert texts == ["Bad \ufffd text.", "Good text."]


def test_every_error_code_is_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert [code for code in ErrorCode if f"| `{code.value}` |" not in readme] == []
    assert [code for code in ErrorCode if code not in HINTS] == []  # every code has its hint
