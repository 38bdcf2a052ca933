"""The web UI over the demo corpus: every page and its JSON twin, links, security headers, escaping of hostile
articles, errors, the marks of the article view, and reading while another process writes."""

from __future__ import annotations

import html
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests import hostile
from tests.cli import NEWSTRACE

from newstrace.highlight import Span, paragraphs, render
from newstrace.pages import safe_href
from newstrace.store import Store
from newstrace.web import CSP, create_app

DAILY_LEDGER = "dailyledger.example"


@pytest.fixture(scope="module")
def client(demo_db: Path) -> TestClient:
    return TestClient(create_app(demo_db))


@pytest.fixture(scope="module")
def ids(demo_db: Path) -> dict[str, str]:
    """The largest story, the contested story, and the Daily Ledger article of the demo corpus."""
    with Store(demo_db, read_only=True) as store:
        _, rows = store.query("SELECT story_id FROM stories ORDER BY n_articles DESC, story_id LIMIT 1")
        _, contested = store.query("SELECT story_id FROM claim_groups WHERE verdict = 'contested' LIMIT 1")
        _, ledger = store.query("SELECT article_id FROM articles WHERE source = ?", [DAILY_LEDGER])
    return {"story": rows[0][0], "contested": contested[0][0], "article": ledger[0][0]}


def pages_of(ids: dict[str, str]) -> list[str]:
    return [
        "/stories",
        "/stories?q=iran",
        f"/stories/{ids['story']}",
        f"/stories/{ids['contested']}",
        f"/articles/{ids['article']}",
        "/actors",
        "/actors/Iran",
        "/outlets",
        f"/outlets/{DAILY_LEDGER}",
    ]


def test_every_page_and_its_json_twin(client: TestClient, ids: dict[str, str]) -> None:
    assert client.get("/").status_code == 200
    for page in pages_of(ids):
        shown = client.get(page)
        assert shown.status_code == 200, page
        assert shown.headers["content-type"].startswith("text/html")
        path, _, query = page.partition("?")
        twin = f"{path}.json" + (f"?{query}" if query else "")
        assert f'href="{html.escape(twin)}"' in shown.text, f"{page} does not link its JSON twin"
        data = client.get(twin)
        assert data.status_code == 200, twin
        assert data.headers["content-type"] == "application/json"
        assert isinstance(data.json(), dict)


def test_json_twins_carry_what_the_pages_show(client: TestClient, ids: dict[str, str]) -> None:
    stories = client.get("/stories.json").json()
    assert stories["paging"]["total"] == 3 and stories["stories"][0]["story_id"] == ids["story"]
    assert [s["title"] for s in client.get("/stories.json?q=TRAM").json()["stories"]] == [
        "Council approves Eastside tram line after marathon session"
    ]
    dossier = client.get(f"/stories/{ids['story']}.json").json()
    assert {"single-origin", "corroborated"} <= {g["verdict"] for g in dossier["claims"]}
    assert dossier["verdicts"]["corroborated"] >= 1
    assert len(dossier["articles"]) == dossier["story"]["n_articles"] == 10  # the Crimea denial is in the story
    assert all(g["evidence_url"].startswith("/articles/") for g in dossier["claims"])
    contested = client.get(f"/stories/{ids['contested']}.json").json()
    assert any(g["verdict"] == "contested" and g["against"] for g in contested["claims"])
    article = client.get(f"/articles/{ids['article']}.json").json()
    assert article["article"]["source"] == DAILY_LEDGER and article["text"]
    assert any(a["speaker_name"] == "Miriam Okonjo" for a in article["attributions"])
    assert any(g["verdict"] == "single-origin" for c in article["claims"] for g in c["groups"])
    iran = client.get("/actors/Iran.json").json()
    assert iran["n_claims"] >= 10 and all("Iran" in (c["actor"] or "") + (c["target"] or "") for c in iran["claims"])
    actors = client.get("/actors.json").json()["actors"]
    assert actors[0]["name"] == "Iran" and actors[0]["code"] == "IRN"
    outlets = client.get("/outlets.json").json()
    assert outlets["paging"]["total"] == 12
    ledger = client.get(f"/outlets/{DAILY_LEDGER}.json").json()["outlet"]
    assert ledger["name"] == "The Daily Ledger" and ledger["n_articles"] == 1
    assert client.get("/outlets/The Daily Ledger.json").json()["outlet"]["source_id"] == DAILY_LEDGER


def test_links_resolve_and_evidence_lands_on_a_mark(client: TestClient, ids: dict[str, str]) -> None:
    """Crawl every internal link (and picture) from the main pages; each answers 200, and each link into an
    article's text (#span-START-END) or a dossier row (#group-ID) finds its target."""
    seen: dict[str, str] = {}
    queue = [*pages_of(ids), "/"]
    anchors: list[str] = []
    while queue and len(seen) < 400:
        url = queue.pop()
        if url in seen:
            continue
        shown = client.get(url)
        assert shown.status_code == 200, url
        seen[url] = shown.text
        if not shown.headers["content-type"].startswith("text/html"):
            continue
        for link in re.findall(r'(?:href|src)="([^"]+)"', shown.text):
            link = html.unescape(link)
            if not link.startswith("/"):
                continue
            path, _, fragment = link.partition("#")
            if fragment:
                anchors.append(link)
            if path not in seen and ("/articles/" in path or path.count("/") <= 3):
                queue.append(path)
    assert len(seen) > 60
    evidence = [a for a in anchors if "#span-" in a]
    assert evidence, "no evidence links"
    for link in anchors:
        path, _, fragment = link.partition("#")
        target = seen.get(path) or client.get(path).text
        assert f'id="{fragment}"' in target, f"{link}: no element with that id"
    for link in evidence:
        path, _, fragment = link.partition("#")
        assert re.search(rf'<mark id="{fragment}" class="m-', seen.get(path) or client.get(path).text), link


def test_security_headers_on_every_response(client: TestClient, ids: dict[str, str]) -> None:
    for url in ["/", "/stories.json", f"/articles/{ids['article']}", "/static/style.css", "/nowhere", "/x.json"]:
        answer = client.get(url)
        assert answer.headers["content-security-policy"] == CSP, url
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    page = client.get(f"/stories/{ids['story']}").text
    assert "<script" not in page and "style=" not in page  # the CSP allows neither inline script nor style


def test_unknown_ids_are_404_pages_and_coded_json(client: TestClient) -> None:
    for path in ["/stories/nope", "/articles/0000", "/actors/Nobody At All", "/outlets/nowhere.example", "/zzz"]:
        shown = client.get(path)
        assert shown.status_code == 404, path
        assert "not_found" in shown.text and "Traceback" not in shown.text
        twin = client.get(path + ".json")
        assert twin.status_code == 404
        assert twin.json()["error"]["code"] == "not_found" and twin.json()["error"]["message"]
    wrong = client.get("/stories.json?page=0")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "bad_request"
    assert client.get("/stories/nope/graph.svg").status_code == 404


def test_pictures_are_svg_and_missing_drawing_code_is_404(
    client: TestClient, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind in ("graph", "timeline"):
        picture = client.get(f"/stories/{ids['story']}/{kind}.svg")
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/svg+xml"
        assert "<svg" in picture.text and "script-src" not in picture.headers["content-security-policy"]
        assert f'<img src="/stories/{ids["story"]}/{kind}.svg"' in client.get(f"/stories/{ids['story']}").text
    monkeypatch.setitem(sys.modules, "newstrace.graph", None)  # as before graph.py existed: import fails
    assert client.get(f"/stories/{ids['story']}/graph.svg").status_code == 404


def test_a_file_without_profile_tables_still_serves(demo_db: Path, tmp_path: Path, ids: dict[str, str]) -> None:
    """Files made before the profiles migration: no badges or source profiles, but every page answers."""
    old = tmp_path / "old.duckdb"
    shutil.copy(demo_db, old)
    with Store(old) as store:
        store.db.execute("DROP TABLE IF EXISTS profiles; DROP TABLE IF EXISTS source_profiles")
    with TestClient(create_app(old)) as client:
        for page in pages_of(ids):
            assert client.get(page).status_code == 200, page
        assert client.get(f"/articles/{ids['article']}.json").json()["article"]["profile"] is None
        assert "not profiled" in client.get("/outlets").text


# -- hostile articles ---------------------------------------------------------------------------------------


class Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's parser would see them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_article_is_escaped_everywhere(hostile_db: Path) -> None:
    client = TestClient(create_app(hostile_db))
    stories = client.get("/stories.json").json()["stories"]
    with Store(hostile_db, read_only=True) as store:
        _, rows = store.query("SELECT article_id, source FROM articles")
    pages = ["/stories", "/outlets", "/actors", *(f"/articles/{a}" for a, _ in rows)]
    pages += [s["url"] for s in stories] + [f"/outlets/{s}" for _, s in rows if s]
    for page in pages:
        shown = client.get(page)
        assert shown.status_code == 200, page
        elements = Elements(shown.text)
        tags = {tag for tag, _ in elements.found}
        assert not tags & {"script", "b", "i", "iframe"}, (page, tags)
        for tag, attrs in elements.found:
            assert tag != "img" or re.fullmatch(r"/stories/s\w+/(graph|timeline)\.svg", attrs["src"]), (page, attrs)
            assert not [name for name in attrs if name.startswith("on")], (page, tag, attrs)
            assert not attrs.get("href", "").strip().lower().startswith("javascript"), (page, attrs)
        if page.startswith("/articles/"):
            text = "".join(elements.text)
            assert hostile.SCRIPT in text and hostile.IMG in text and hostile.JS_URL in text, page
    assert "Evil <i>Outlet</i>" in "".join(Elements(client.get("/outlets").text).text)


def test_only_http_urls_become_links() -> None:
    assert safe_href("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_href("http://example.org") == "http://example.org"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>", "vbscript:x", "//evil", "", None):
        assert safe_href(bad) is None, bad


# -- the marks of the article view --------------------------------------------------------------------------


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def balanced(fragment: str) -> bool:
    depth = 0
    for tag in re.findall(r"</?mark\b", fragment):
        depth += -1 if tag == "</mark" else 1
        if depth < 0:
            return False
    return depth == 0


def test_marks_nest_and_split_where_spans_cross() -> None:
    text = "He said <b>that</b> & the rest.\n\nNext paragraph here."
    spans = [
        Span(0, 2, "speaker", "a1", title="Ned"),
        Span(3, 7, "cue", "a1"),
        Span(8, 45, "content", "a1", ("direct",)),  # runs into the second paragraph
        Span(12, 30, "claim", "c1"),  # inside the content
        Span(25, 40, "claim", "c2"),  # crosses the content's paragraph break and c1
    ]
    rendered = render(text, spans)
    assert len(rendered) == 2
    for fragment, (start, end) in zip(rendered, paragraphs(text), strict=True):
        assert balanced(fragment)
        assert strip_tags(fragment) == text[start:end]  # nothing added or lost, everything escaped
    first, second = rendered
    assert "<b>" not in first and "&lt;b&gt;" in first and "&amp;" in first
    assert '<mark id="span-0-2" class="m-speaker" data-ref="a1" title="Ned">He</mark>' in first
    assert '<mark id="span-12-30" class="m-claim" data-ref="c1">' in first
    # c2 crosses c1's end and the paragraph break: three pieces, only the first with the id
    assert first.count('data-ref="c2"') == 2 and second.count('data-ref="c2"') == 1
    assert first.count('id="span-25-40"') == 1 and 'id="span-25-40"' not in second
    assert second.startswith('<mark class="m-content direct" data-ref="a1">')


def test_marks_on_the_same_offsets_share_one_anchor_and_bad_spans_are_dropped() -> None:
    text = "Iran denied it."
    rendered = render(text, [Span(0, 4, "claim", "c"), Span(0, 4, "speaker", "a"), Span(5, 99, "cue", "x")])
    assert rendered[0].count('id="span-0-4"') == 1 and "m-cue" not in rendered[0]
    assert strip_tags(rendered[0]) == text
    assert paragraphs("\n\n  a b \n\n\n c\n") == [(4, 7), (12, 13)]


def test_article_page_marks_speakers_cues_content_and_claims(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['article']}").text
    body = page.split('<article class="text">', 1)[1].split("</article>", 1)[0]
    assert balanced(body)
    speakers = [strip_tags(m) for m in re.findall(r'<mark[^>]*class="m-speaker[^"]*"[^>]*>(.*?)</mark>', body)]
    assert any(s.startswith("Miriam Okonjo") for s in speakers), speakers
    assert re.search(r'class="m-cue"[^>]*>said</mark>', body)
    # other marks (briefing evidence, the claim) may open inside the quote before its first words
    assert re.search(r'class="m-content direct"[^>]*>“?(?:<mark[^>]*>)*Drones were the trial run', body)
    assert re.search(r'class="m-claim [^"]*verdict-single-origin', body)
    assert "via Meridian Wire" in page  # the sources the agency cites are reported through it


# -- reading while a run writes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(demo_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`newstrace serve` in its own process over a copy of the demo database."""
    db = tmp_path / "live.duckdb"
    shutil.copy(demo_db, db)
    port = free_port()
    server = subprocess.Popen([*NEWSTRACE, "serve", "--db", str(db), "--port", str(port)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/stories.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, db
    finally:
        server.terminate()
        server.wait(timeout=20)


WRITER = """
import sys, time
from newstrace.models import Article
from newstrace.store import Store

db, batches, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Store(db) as store:
    for b in range(batches):
        rows = [Article(f"w{b:03d}{i:03d}", "writer", f"writer#{b}.{i}", f"Article {i} of batch {b}.", f"h{b}.{i}",
                        source="writer.example", source_name="Writer Outlet", title=f"Batch {b} #{i}", word_count=5)
                for i in range(size)]
        with store.transaction():
            store.add_articles(rows)
        store.release()  # as the pipeline does after each committed batch
        time.sleep(0.01)
print("wrote", batches * size, flush=True)
"""


def test_pages_answer_while_another_process_writes(served: tuple[str, Path], ids: dict[str, str]) -> None:
    """A process writes batches through Store, releasing the file between them, while the server (another
    process) answers requests: each is a page (200) or at worst a coded 503, and every written row is kept."""
    base, db = served
    batches, size = 40, 25
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(batches), str(size)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    urls = ["/stories.json", "/outlets.json", f"/articles/{ids['article']}.json", f"/stories/{ids['story']}"]
    statuses: list[int] = []
    busy: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, timeout=30) as http:
        while writer.poll() is None or len(statuses) < 20:
            answer = http.get(urls[len(statuses) % len(urls)])
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert answer.headers["retry-after"]
                busy.append(answer.json() if answer.headers["content-type"] == "application/json" else {})
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert f"wrote {batches * size}" in out
        assert set(statuses) <= {200, 503}, statuses
        assert statuses.count(200) >= 0.9 * len(statuses), statuses
        assert all(b.get("error", {}).get("code", "busy") == "busy" for b in busy)
        outlet = http.get("/outlets/writer.example.json").json()["outlet"]
    assert outlet["n_articles"] == batches * size
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 12 + batches * size


def test_release_closes_between_batches_and_the_next_use_opens_again(tmp_path: Path) -> None:
    with Store(tmp_path / "released.duckdb") as store:
        store.release(held_for=60)
        assert store._db is not None  # open for less than a minute: kept
        store.release()
        assert store._db is None
        assert "articles" in store.tables() and store._db is not None
        with store.transaction():
            store.release()  # never inside a transaction
            assert store._db is not None
    with Store(":memory:") as memory:
        memory.release()  # closing would lose the data
        assert "articles" in memory.tables()


def test_a_request_that_waits_too_long_is_a_coded_503(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    shutil.copy(demo_db, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        client = TestClient(create_app(db, lock_timeout=0.3))
        page = client.get("/stories")
        assert page.status_code == 503 and page.headers["retry-after"] == "2"
        assert "busy" in page.text and "Traceback" not in page.text
        twin = client.get("/stories.json")
        assert twin.status_code == 503 and twin.json()["error"]["code"] == "busy"
    finally:
        holder.kill()
        holder.wait()
