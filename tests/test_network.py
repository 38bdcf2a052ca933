"""Fetching from the network, end to end: a local HTTP server, the real pipeline, a real DuckDB file.

The server (stdlib ``ThreadingHTTPServer`` on 127.0.0.1, port 0) serves a small fictional local paper, the
"Wrenfield Courier": article pages, an RSS feed linking to some of them, a robots.txt, and routes that
misbehave on purpose (404, too slow, 503 twice, redirect loops, binary, oversized, empty). It records every
request it sees (path, Host, User-Agent, time), so tests can check what newstrace asked for as well as what
it stored.
Nothing here leaves the loopback interface.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

import newstrace.fetch
import newstrace.pipeline
from newstrace.cli import app
from newstrace.fetch import Fetcher
from newstrace.pipeline import RunSummary, run
from newstrace.settings import Settings
from newstrace.store import Store

# --- the site ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    title: str
    author: str
    paragraphs: tuple[str, ...]
    published: str | None = None  # ISO date in the page's metadata; None for an undated page


PAGES: dict[str, Page] = {
    "/news/harbour-ferry": Page(
        "Ferry timetable cut while Wrenfield harbour dredging overruns",
        "Maya Okonjo",
        (
            "Passengers on the Wrenfield to Saltby ferry face a reduced timetable for at least three more "
            "weeks after dredging of the inner harbour fell behind schedule, the port authority said.",
            "Only the morning and late afternoon crossings will run until the channel is deep enough for "
            "the larger vessel to berth at low tide. Season ticket holders will be offered a partial "
            "refund.",
            "Harbour master Colin Reddaway blamed a broken pump on the dredger and two days lost to "
            "gales. Traders on the quay say the reduced service has already cut the number of day "
            "visitors.",
        ),
        published="2024-03-14",
    ),
    "/news/library-reopens": Page(
        "Carrow Street library reopens after roof repairs",
        "Tomasz Brennan",
        (
            "The Carrow Street library reopened its doors on Saturday morning after eight months behind "
            "scaffolding, with a queue of readers waiting outside before the caretaker had found the "
            "keys.",
            "Water had been leaking through the slate roof onto the local history collection, and "
            "volunteers spent the winter drying parish records page by page in a borrowed church hall.",
            "The reading room now has new lighting and a ramp at the side entrance. Opening hours return "
            "to normal next week, with a homework club for secondary pupils on weekday afternoons.",
        ),
    ),
    "/news/cycle-lanes": Page(
        "Council backs protected cycle lanes on Mill Road",
        "Aisha Lindqvist",
        (
            "Councillors voted by nineteen to eleven to build kerb-protected cycle lanes along the full "
            "length of Mill Road, ending a dispute that has run through three consultations.",
            "Shopkeepers had argued that losing on-street parking would drive customers to the retail "
            "park on the bypass. The approved plan keeps a loading bay outside the bakery and the "
            "chemist.",
            "Work is expected to start after the summer holidays and to take about four months, during "
            "which the number seven bus will be diverted along Orchard Lane.",
        ),
    ),
    "/news/allotments": Page(
        "Allotment waiting list passes four hundred names",
        "Priya Castellanos",
        (
            "More than four hundred people are now waiting for an allotment in Wrenfield, and the society "
            "that runs the Brookside plots says some applicants can expect to wait six years.",
            "The society is asking the town council to release a strip of unused land beside the "
            "cemetery, which it says could be divided into thirty half-size plots with a shared water "
            "trough.",
            "Plot holders who leave their ground uncultivated for a season will in future receive a "
            "warning letter, and a second letter will offer the plot to the next person on the list.",
        ),
    ),
    "/news/bus-shelters": Page(
        "Artists turn bus shelters into a walking trail",
        "Ewan Abernethy",
        (
            "Twelve bus shelters between the station and the seafront have been repainted by local "
            "artists as part of a trail that the arts council hopes will draw walkers through the quieter "
            "streets.",
            "Each shelter carries a scene from the town's past, from the herring market to the old tram "
            "depot, and a small plaque explains the history behind the picture.",
            "A printed map is available at the library and the tourist office, and a guided walk leaves "
            "the station forecourt every Sunday at eleven during the summer.",
        ),
    ),
    "/news/power-cut": Page(
        "Power cut leaves Eastgate traders counting losses",
        "Grace Mbeki",
        (
            "Traders in Eastgate were left counting their losses after a power cut that lasted most of "
            "Thursday afternoon, when a digger working on the new drainage scheme struck an underground "
            "cable.",
            "The fishmonger said she had to throw away two days of stock, while the cafe on the corner "
            "served cold sandwiches by candlelight until the electricity returned shortly before six.",
            "The contractor said it would consider claims for compensation and apologised for the "
            "disruption, adding that the cable had not been shown on the plans it was given.",
        ),
    ),
    "/members/depot-sale": Page(
        "Closed session notes on the depot sale",
        "Staff reporter",
        (
            "These notes on the closed council session about the sale of the old bus depot are for "
            "members of the Courier's supporters' club only and must not be collected by crawlers.",
            "The valuation report, the bids received and the names of the bidders were discussed at "
            "length before councillors agreed to defer a decision until the next meeting.",
        ),
    ),
}

RSS_ENTRIES = ("/news/library-reopens", "/news/cycle-lanes")
ATOM_ENTRIES = ("/news/allotments", "/news/bus-shelters")
RSS_DATE, RSS_DAY = "Tue, 05 Mar 2024 09:30:00 GMT", "2024-03-05"
ATOM_DATE, ATOM_DAY = "2024-02-20T07:15:00Z", "2024-02-20"
ROBOTS = "User-agent: newstrace\nDisallow: /members/\n"
BOILERPLATE = "All rights reserved"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def page_html(page: Page) -> str:
    date_meta = (
        f'<meta property="article:published_time" content="{page.published}T08:00:00+00:00">' if page.published else ""
    )
    body = "\n".join(f"<p>{p}</p>" for p in page.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{page.title} | Wrenfield Courier</title>
<meta property="og:site_name" content="Wrenfield Courier">{date_meta}</head>
<body><header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a></nav></header>
<main><article><h1>{page.title}</h1><p class="byline">By {page.author}</p>
{body}
</article></main>
<footer><p>Wrenfield Courier, 4 Quay Street. {BOILERPLATE}.</p></footer></body></html>"""


BLANK_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gallery</title></head>
<body><nav><a href="/">Home</a></nav>
<div class="gallery"><img src="/a.png" alt=""><img src="/b.png" alt=""></div>
<footer>Wrenfield Courier</footer></body></html>"""


def rss_feed(base: str) -> str:
    items = "".join(
        f"<item><title>{PAGES[p].title}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>{RSS_DATE}</pubDate></item>"
        for p in RSS_ENTRIES
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wrenfield Courier</title>'
        f"<link>{base}/</link><description>Local news</description>{items}</channel></rss>"
    )


def atom_feed(base: str) -> str:
    entries = "".join(
        f'<entry><title>{PAGES[p].title}</title><link href="{base}{p}"/><id>{base}{p}</id>'
        f"<updated>{ATOM_DATE}</updated></entry>"
        for p in ATOM_ENTRIES
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Wrenfield Courier</title><id>{base}/</id><updated>{ATOM_DATE}</updated>{entries}</feed>"
    )


# --- the server -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    path: str
    host: str
    user_agent: str
    at: float


@dataclass
class NewsServer:
    """What tests see of the server: its URLs, the requests it received, and knobs for the odd routes."""

    port: int
    seen: list[Seen] = field(default_factory=list)
    huge_bytes: int = 50_000_000  # size of the streamed /huge body
    huge_sent: int = 0  # bytes of /huge (or the endless robots.txt) written before the client hung up
    endless_robots: bool = False  # serve a robots.txt of huge_bytes
    # set at teardown so that /slow handlers finish
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict[str, int] = field(default_factory=dict)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    def count(self, path: str) -> int:
        """How many times ``path`` was asked for, including this time."""
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        state = self.server.state
        path = urlsplit(self.path).path
        with state.lock:
            state.seen.append(
                Seen(path, self.headers.get("Host", ""), self.headers.get("User-Agent", ""), time.monotonic())
            )
        # The client hangs up on purpose when a size cap is reached or it times out.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            ROUTES.get(path, _not_found)(self, state)

    def send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: NewsServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is what several tests do on purpose


Route = Callable[[_Handler, NewsServer], None]
HTML = "text/html; charset=utf-8"


def _page(path: str) -> Route:
    return lambda h, s: h.send(200, HTML, page_html(PAGES[path]).encode())


def _redirect(location: Callable[[NewsServer], str], status: int = 301) -> Route:
    def route(h: _Handler, s: NewsServer) -> None:
        h.send_response(status)
        h.send_header("Location", location(s))
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def _not_found(h: _Handler, s: NewsServer) -> None:
    h.send(404, HTML, b"<html><body><h1>Page not found</h1></body></html>")


def _slow(h: _Handler, s: NewsServer) -> None:
    s.release.wait(5)  # far past any fetch_timeout used here; released at teardown
    _page("/news/harbour-ferry")(h, s)


def _flaky(h: _Handler, s: NewsServer) -> None:
    if s.count("/news/power-cut") <= 2:
        h.send(503, HTML, b"<html><body>Busy, try again</body></html>")
    else:
        _page("/news/power-cut")(h, s)


def _huge(h: _Handler, s: NewsServer) -> None:
    """A page of ``huge_bytes`` streamed without a Content-Length, so only counting can stop it."""
    h.send_response(200)
    h.send_header("Content-Type", HTML)
    h.end_headers()
    h.wfile.write(b"<!DOCTYPE html><html><body>")
    chunk = b"<p>" + b"more words " * 6000 + b"</p>\n"
    while s.huge_sent < s.huge_bytes:
        h.wfile.write(chunk)
        s.huge_sent += len(chunk)


def _robots(h: _Handler, s: NewsServer) -> None:
    if not s.endless_robots:
        h.send(200, "text/plain", ROBOTS.encode())
        return
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.end_headers()
    h.wfile.write(ROBOTS.encode())
    chunk = b"# nothing to see here, keep reading\n" * 2000
    while s.huge_sent < s.huge_bytes:
        h.wfile.write(chunk)
        s.huge_sent += len(chunk)


def _declared_huge(h: _Handler, s: NewsServer) -> None:
    h.send_response(200)
    h.send_header("Content-Type", HTML)
    h.send_header("Content-Length", str(50_000_000))
    h.end_headers()
    h.wfile.write(b"<!DOCTYPE html><html><body><p>start of a very long page</p>")


def _gzip_bomb(h: _Handler, s: NewsServer) -> None:
    """Small on the wire, 2 MB once unzipped: the limit must count decoded bytes."""
    body = gzip.compress(b"<!DOCTYPE html><html><body><p>" + b" " * 2_000_000 + b"</p></body></html>")
    h.send(200, HTML, body, {"Content-Encoding": "gzip"})


ROUTES: dict[str, Route] = {
    **{path: _page(path) for path in PAGES},
    "/robots.txt": _robots,
    "/feed.rss": lambda h, s: h.send(200, "application/rss+xml; charset=utf-8", rss_feed(s.base).encode()),
    "/slow": _slow,
    "/news/power-cut": _flaky,
    "/old/ferry": _redirect(lambda s: "/news/harbour-ferry"),
    "/loop": _redirect(lambda s: "/loop", 302),
    "/to-localhost": _redirect(lambda s: s.url("/news/bus-shelters", host="localhost"), 302),
    "/image.png": lambda h, s: h.send(200, "image/png", PNG),
    "/gallery": lambda h, s: h.send(200, HTML, BLANK_HTML.encode()),
    "/huge": _huge,
    "/declared-huge": _declared_huge,
    "/bomb": _gzip_bomb,
    "/bad-gzip": lambda h, s: h.send(200, HTML, b"this is not gzip at all", {"Content-Encoding": "gzip"}),
}


@pytest.fixture
def server() -> Iterator[NewsServer]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    state = NewsServer(port=httpd.server_address[1])
    httpd.state = state
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


# --- helpers ----------------------------------------------------------------------------------------------


def fast(**changes: Any) -> Settings:
    """Settings for the local server: loopback allowed, no pacing, short timeouts and backoff."""
    base = Settings(
        allow_private=True, host_delay=0.0, fetch_timeout=0.5, fetch_retries=2, fetch_backoff=0.01, workers=1
    )
    return base.replace(**changes)


def ingest(inputs: list[str], db: Path, settings: Settings) -> RunSummary:
    with Store(db) as store:
        return run(inputs, store, settings)


def select(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with Store(db, read_only=True) as store:
        return store.query(sql, params)[1]


def input_row(db: Path, ref: str) -> dict[str, Any]:
    with Store(db, read_only=True) as store:
        columns, rows = store.query("SELECT * FROM inputs WHERE ref = ?", [ref])
    assert len(rows) == 1, f"{ref}: {rows}"
    return dict(zip(columns, rows[0], strict=True))


def error_codes(db: Path) -> dict[str, str]:
    return dict(select(db, "SELECT input_ref, code FROM errors"))


def table_counts(db: Path) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return {t: store.count(t) for t in ("articles", "inputs", "errors", "sources", "minhashes")}


def cli(args: list[str]) -> Any:
    return CliRunner().invoke(app, args, catch_exceptions=False)


FAST_FLAGS = ["--set", "host_delay=0", "--set", "fetch_timeout=0.5", "--set", "fetch_backoff=0.01", "--quiet"]


# --- 1. a page URL ----------------------------------------------------------------------------------------


def test_url_page_is_ingested(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    url = server.url("/news/harbour-ferry")
    summary = ingest([url], db, fast())

    assert summary.ok and summary.articles_new == 1 and summary.failed == 0
    [(a_url, title, source, text, published, ref)] = select(
        db, "SELECT url, title, source, text, published, input_ref FROM articles"
    )
    assert a_url == url and ref == url
    assert title == PAGES["/news/harbour-ferry"].title
    assert source == "127.0.0.1"  # the host, as no registered domain can be found for an IP
    assert "dredging of the inner harbour fell behind schedule" in text
    assert "Traders on the quay" in text and BOILERPLATE not in text and "Sport" not in text
    assert str(published) == "2024-03-14"
    row = input_row(db, url)
    assert (row["kind"], row["status"], row["articles"], row["error_code"]) == ("url", "done", 1, None)


def test_redirect_is_followed_and_final_url_kept(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    old = server.url("/old/ferry")
    assert ingest([old], db, fast()).articles_new == 1
    assert select(db, "SELECT url, input_ref FROM articles") == [(server.url("/news/harbour-ferry"), old)]
    assert server.hits("/old/ferry") == 1 and server.hits("/news/harbour-ferry") == 1


# --- 2. feeds ---------------------------------------------------------------------------------------------


def test_rss_feed_url_fetches_each_entry(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    feed_url = server.url("/feed.rss")
    summary = ingest([feed_url], db, fast())

    assert summary.ok and summary.articles_new == 2
    feed = input_row(db, feed_url)
    assert (feed["kind"], feed["status"], feed["parent_id"]) == ("feed", "done", None)
    for path in RSS_ENTRIES:
        entry = input_row(db, server.url(path))
        assert (entry["kind"], entry["status"], entry["articles"]) == ("url", "done", 1)
        assert entry["parent_id"] == feed["input_id"]
        assert server.hits(path) == 1
    rows = select(db, "SELECT input_ref, title, published, text FROM articles ORDER BY input_ref")
    assert [r[0] for r in rows] == sorted(server.url(p) for p in RSS_ENTRIES)
    for ref, title, published, text in rows:
        page = PAGES[urlsplit(ref).path]
        assert title == page.title
        assert str(published) == RSS_DAY  # the pages carry no date; the feed's is used
        assert page.paragraphs[1][:40] in text


def test_atom_feed_file_fetches_each_entry(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    feed_file = tmp_path / "courier.atom"
    feed_file.write_text(atom_feed(server.base), encoding="utf-8")
    summary = ingest([str(feed_file)], db, fast())

    assert summary.ok and summary.articles_new == 2
    feed = input_row(db, str(feed_file))
    assert (feed["kind"], feed["status"]) == ("feed", "done") and feed["fingerprint"]
    entries = select(db, "SELECT ref, parent_id, status, articles FROM inputs WHERE kind = 'url' ORDER BY ref")
    assert entries == [(server.url(p), feed["input_id"], "done", 1) for p in sorted(ATOM_ENTRIES)]
    published = select(db, "SELECT DISTINCT published FROM articles")
    assert [str(p[0]) for p in published] == [ATOM_DAY]


# --- 3. robots.txt and User-Agent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "members_allowed"),
    [
        (Settings().user_agent, False),  # robots.txt has a group for "newstrace"
        ("otherbot/1.0 (+https://other.example/bot)", True),  # ... that does not apply to another agent
    ],
)
def test_robots_txt_is_obeyed_for_the_configured_user_agent(
    server: NewsServer, tmp_path: Path, user_agent: str, members_allowed: bool
) -> None:
    db = tmp_path / "news.duckdb"
    members = server.url("/members/depot-sale")
    urls = [server.url("/news/harbour-ferry"), members, server.url("/news/library-reopens")]
    summary = ingest(urls, db, fast(user_agent=user_agent))

    assert {s.user_agent for s in server.seen} == {user_agent}
    assert server.hits("/robots.txt") == 1  # cached per origin
    stored = {r[0] for r in select(db, "SELECT input_ref FROM articles")}
    if members_allowed:
        assert stored == set(urls) and not error_codes(db)
    else:
        assert stored == {urls[0], urls[2]}
        assert error_codes(db) == {members: "E_ROBOTS"}
        assert input_row(db, members)["status"] == "failed"
        assert server.hits("/members/depot-sale") == 0
        assert summary.errors == {"E_ROBOTS": 1}


# --- 4. each way a fetch fails ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code", "changes"),
    [
        ("/no/such/page", "E_FETCH_HTTP", {}),
        ("/news/power-cut", "E_FETCH_HTTP", {"fetch_retries": 1}),  # 503 twice, and only one retry
        ("/image.png", "E_NOT_HTML", {}),
        ("/gallery", "E_EMPTY_TEXT", {}),
        ("/huge", "E_TOO_LARGE", {"max_page_bytes": 20_000}),
        ("/declared-huge", "E_TOO_LARGE", {"max_page_bytes": 20_000}),
        ("/bomb", "E_TOO_LARGE", {"max_page_bytes": 100_000}),
        ("/loop", "E_FETCH_HTTP", {}),
        ("/bad-gzip", "E_FETCH_FAILED", {}),
    ],
)
def test_fetch_failure_is_recorded_with_its_code(
    server: NewsServer, tmp_path: Path, path: str, code: str, changes: dict[str, Any]
) -> None:
    db = tmp_path / "news.duckdb"
    url = server.url(path)
    summary = ingest([url], db, fast(**changes))

    assert not summary.ok and summary.failed == 1 and summary.errors == {code: 1}
    assert error_codes(db) == {url: code}
    row = input_row(db, url)
    assert (row["status"], row["error_code"]) == ("failed", code)
    assert select(db, "SELECT count(*) FROM articles") == [(0,)]


def test_timeout_gives_up_after_the_retries(
    server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "news.duckdb"
    url = server.url("/slow")
    clock = FakeClock()
    monkeypatch.setattr(
        newstrace.pipeline, "Fetcher", functools.partial(Fetcher, clock=clock.monotonic, sleep=clock.sleep)
    )
    summary = ingest([url], db, fast(fetch_timeout=0.5, fetch_retries=1, fetch_backoff=0.2))

    assert summary.errors == {"E_FETCH_TIMEOUT": 1} and not summary.ok
    assert error_codes(db) == {url: "E_FETCH_TIMEOUT"}
    assert input_row(db, url)["status"] == "failed"
    assert server.hits("/slow") == 2  # the first try and one retry, each cut off at the timeout
    assert clock.waits == [0.2]  # one backoff between them


def test_503_twice_then_200_is_ingested_after_retries(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    url = server.url("/news/power-cut")
    summary = ingest([url], db, fast(fetch_retries=2))
    assert summary.ok and summary.articles_new == 1 and not summary.errors
    assert server.hits("/news/power-cut") == 3
    assert input_row(db, url)["status"] == "done"


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/news", "http://[::1/news", "ftp://127.0.0.1/news"])
def test_malformed_url_is_a_bad_url_not_a_crash(tmp_path: Path, url: str) -> None:
    db = tmp_path / "news.duckdb"
    ingest([url], db, fast())
    assert error_codes(db) == {url: "E_BAD_URL"}


def test_default_limit_stops_a_50mb_stream_early(server: NewsServer, tmp_path: Path) -> None:
    """The real 10 MB default: the body is counted as it streams, so reading stops soon after the limit."""
    db = tmp_path / "news.duckdb"
    settings = fast()
    assert settings.max_page_bytes == Settings().max_page_bytes == 10_000_000
    tracemalloc.start()
    try:
        summary = ingest([server.url("/huge")], db, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert summary.errors == {"E_TOO_LARGE": 1}
    # Socket buffers hold a few MB the client never read; the other 30+ MB were never sent.
    assert server.huge_sent < 20_000_000
    assert peak < 30_000_000


def test_an_endless_robots_txt_is_cut_off_and_still_obeyed(server: NewsServer, tmp_path: Path) -> None:
    server.endless_robots = True
    db = tmp_path / "news.duckdb"
    members = server.url("/members/depot-sale")
    summary = ingest([server.url("/news/harbour-ferry"), members], db, fast())

    assert summary.articles_new == 1
    assert error_codes(db) == {members: "E_ROBOTS"}  # the rules at its head were read
    assert server.huge_sent < 20_000_000


# --- private addresses ------------------------------------------------------------------------------------


def test_private_addresses_are_refused_without_allow_private(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    urls = [
        server.url("/news/harbour-ferry"),
        server.url("/news/harbour-ferry", host="localhost"),
        server.url("/news/harbour-ferry", host="[::1]"),
        f"http://2130706433:{server.port}/news/harbour-ferry",  # 127.0.0.1 written as one number
        "http://10.1.2.3/news",
        "http://169.254.169.254/latest/meta-data/",  # a cloud metadata endpoint
    ]
    summary = ingest(urls, db, fast(allow_private=False))

    assert error_codes(db) == dict.fromkeys(urls, "E_PRIVATE_ADDRESS")
    assert summary.failed == len(urls) and not summary.ok
    assert server.seen == []  # refused before any connection, robots.txt included


def test_redirect_to_a_private_host_is_refused(
    server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard runs on every hop. The server can only be reached on loopback, so the test calls 127.0.0.1
    public; ``localhost``, where the redirect points, is still judged by the real check."""
    checked: list[str] = []
    real = newstrace.fetch.is_private_host

    def is_private_host(host: str) -> bool:
        checked.append(host)
        return host != "127.0.0.1" and real(host)

    monkeypatch.setattr(newstrace.fetch, "is_private_host", is_private_host)
    db = tmp_path / "news.duckdb"
    start_url = server.url("/to-localhost")
    ingest([start_url, server.url("/news/cycle-lanes")], db, fast(allow_private=False))

    assert error_codes(db) == {start_url: "E_PRIVATE_ADDRESS"}
    assert "localhost" in checked
    assert server.hits("/to-localhost") == 1 and server.hits("/news/bus-shelters") == 0
    assert not [s for s in server.seen if s.host.startswith("localhost")]
    assert select(db, "SELECT input_ref FROM articles") == [(server.url("/news/cycle-lanes"),)]


def test_dns_rebinding_is_refused_the_connection_uses_the_checked_address(
    server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that answers a public address to the first lookup and 127.0.0.1 to the next must not be fetched:
    the address the socket is opened to is the one that was checked."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    db = tmp_path / "news.duckdb"
    url = f"http://rebind.example:{server.port}/news/harbour-ferry"
    ingest([url], db, fast(allow_private=False, respect_robots=False))

    assert error_codes(db) == {url: "E_PRIVATE_ADDRESS"}
    assert server.seen == []


def test_the_connection_goes_to_the_resolved_address_by_number(
    server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the checked address judged public (the test server is on loopback), the page is fetched from it, and
    the request still names the host."""
    real_lookup, real_check = socket.getaddrinfo, newstrace.fetch.is_private_host
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        return real_lookup("127.0.0.1" if host == "pinned.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    public = ("127.0.0.1", "pinned.example")
    monkeypatch.setattr(newstrace.fetch, "is_private_host", lambda host: host not in public and real_check(host))
    url = f"http://pinned.example:{server.port}/news/harbour-ferry"
    summary = ingest([url], tmp_path / "news.duckdb", fast(allow_private=False, respect_robots=False))

    assert summary.articles_new == 1
    assert [s.host for s in server.seen] == [f"pinned.example:{server.port}"]
    assert lookups == ["pinned.example", "127.0.0.1"]  # the name looked up once; the socket opened to the number


# --- 5. good and bad together, through the CLI ------------------------------------------------------------


def test_cli_run_with_good_and_bad_urls_stores_the_good_and_records_the_bad(
    server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = newstrace.fetch.is_private_host
    monkeypatch.setattr(newstrace.fetch, "is_private_host", lambda host: host != "127.0.0.1" and real(host))
    db = tmp_path / "news.duckdb"
    good = {
        server.url("/news/harbour-ferry"): 1,
        server.url("/feed.rss"): len(RSS_ENTRIES),
        server.url("/news/power-cut"): 1,  # after two 503s
    }
    bad = {
        server.url("/no/such/page"): "E_FETCH_HTTP",
        server.url("/slow"): "E_FETCH_TIMEOUT",
        server.url("/image.png"): "E_NOT_HTML",
        server.url("/gallery"): "E_EMPTY_TEXT",
        server.url("/huge"): "E_TOO_LARGE",
        server.url("/members/depot-sale"): "E_ROBOTS",
        server.url("/loop"): "E_FETCH_HTTP",
        server.url("/news/allotments", host="localhost"): "E_PRIVATE_ADDRESS",
        server.url("/to-localhost"): "E_PRIVATE_ADDRESS",
    }
    args = ["run", *good, *bad, "--db", str(db), *FAST_FLAGS, "--set", "fetch_retries=2"]
    result = cli([*args, "--set", "max_page_bytes=20000"])

    assert result.exit_code == 0, result.output
    assert error_codes(db) == bad
    for url, code in bad.items():
        row = input_row(db, url)
        assert (row["status"], row["error_code"]) == ("failed", code), url
    stored = {r[0] for r in select(db, "SELECT input_ref FROM articles")}
    assert stored == {server.url("/news/harbour-ferry"), server.url("/news/power-cut")} | {
        server.url(p) for p in RSS_ENTRIES
    }
    assert f"{len(bad)} failed" in result.stdout and "4 articles extracted" in result.stdout


def newstrace_script() -> str:
    script = shutil.which("newstrace", path=str(Path(sys.executable).parent))
    assert script, "the newstrace console script is not installed next to this Python"
    return script


def test_cli_run_where_every_input_fails_exits_nonzero(server: NewsServer, tmp_path: Path) -> None:
    """Through the installed console script, so exit status and stderr are the real ones. Twice: a second run
    must not count inputs that produced nothing as already ingested."""
    db = tmp_path / "news.duckdb"
    urls = [server.url("/no/such/page"), server.url("/image.png"), server.url("/gallery")]
    command = [newstrace_script(), "run", *urls, "--db", str(db), "--allow-private", *FAST_FLAGS]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "nothing was ingested" in done.stderr
        for code in ("E_FETCH_HTTP", "E_NOT_HTML", "E_EMPTY_TEXT"):
            assert code in done.stderr
    assert select(db, "SELECT count(*) FROM articles") == [(0,)]


# --- 6. pacing --------------------------------------------------------------------------------------------


class FakeClock:
    """A clock that moves only when slept on, recording every wait asked for."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_host_delay_spaces_requests_to_one_host(server: NewsServer) -> None:
    """The fetcher asks its clock to wait ``host_delay`` between two requests to one host, and not before the first."""
    clock = FakeClock()
    paths = ["/news/harbour-ferry", "/news/library-reopens", "/news/cycle-lanes"]
    with Fetcher(fast(host_delay=0.3), clock=clock.monotonic, sleep=clock.sleep) as fetcher:
        for path in paths:
            assert fetcher.fetch(server.url(path)).status == 200

    assert [s.path for s in server.seen] == ["/robots.txt", *paths]
    assert clock.waits == pytest.approx([0.3, 0.3, 0.3])  # robots.txt went first, unpaced


def test_host_delay_counts_time_already_passed(server: NewsServer) -> None:
    """Time spent elsewhere since the last request to a host is taken off the wait."""
    clock = FakeClock()
    with Fetcher(fast(host_delay=1.0, respect_robots=False), clock=clock.monotonic, sleep=clock.sleep) as fetcher:
        fetcher.fetch(server.url("/news/harbour-ferry"))
        clock.now += 0.75
        fetcher.fetch(server.url("/news/library-reopens"))
        clock.now += 5
        fetcher.fetch(server.url("/news/cycle-lanes"))
    assert clock.waits == pytest.approx([0.25])


def test_host_delay_paces_a_whole_run(server: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the pipeline: the run's fetcher paces the pages of one host by ``host_delay``."""
    clock = FakeClock()
    monkeypatch.setattr(
        newstrace.pipeline, "Fetcher", functools.partial(Fetcher, clock=clock.monotonic, sleep=clock.sleep)
    )
    paths = ["/news/harbour-ferry", "/news/library-reopens", "/news/cycle-lanes"]
    summary = ingest([server.url(p) for p in paths], tmp_path / "news.duckdb", fast(host_delay=0.3))
    assert summary.articles_new == 3
    assert clock.waits == pytest.approx([0.3, 0.3, 0.3])


# --- 7. idempotence ---------------------------------------------------------------------------------------


def test_second_run_adds_nothing_and_reports_urls_unchanged(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    page, feed, missing = (
        server.url("/news/harbour-ferry"),
        server.url("/feed.rss"),
        server.url("/no/such/page"),
    )
    first = ingest([page, feed, missing], db, fast())
    assert first.articles_new == 3 and first.failed == 1
    counts = table_counts(db)
    hits = {path: server.hits(path) for path in RSS_ENTRIES}

    second = ingest([page, feed, missing], db, fast())

    assert table_counts(db) == counts
    assert (second.articles_new, second.articles_read) == (0, 0)
    assert second.skipped == 1 + len(RSS_ENTRIES)  # the page and the feed's entries
    assert second.inputs == 1 and second.failed == 1  # only the failed URL is tried again
    assert error_codes(db) == {missing: "E_FETCH_HTTP"}
    assert {path: server.hits(path) for path in hits} == hits  # stored feed entries are not downloaded again
    assert second.ok


def test_second_run_does_not_download_a_stored_page_again(server: NewsServer, tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    url = server.url("/news/harbour-ferry")
    ingest([url], db, fast())
    ingest([url], db, fast())
    assert server.hits("/news/harbour-ferry") == 1
