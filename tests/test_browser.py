"""The web UI in a real browser: Debian's headless Chromium driven by Playwright, against uvicorn on loopback.

The demo corpus is clicked through (stories → dossier → article) and the hostile article is opened to show that its
payloads stay text. Screenshots go to tests/artifacts/ (CI keeps them); look at them when a page changes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tests import hostile

from newstrace.store import Store
from newstrace.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
# Registered before any page script runs; records what the Content-Security-Policy refused.
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package (.[test])")


def serve(db: Path) -> Iterator[str]:
    """uvicorn over ``db`` on a free loopback port, in a thread; yields the base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def demo_site(demo_db: Path) -> Iterator[str]:
    yield from serve(demo_db)


@pytest.fixture(scope="module")
def hostile_site(hostile_db: Path) -> Iterator[str]:
    yield from serve(hostile_db)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that collects console errors, uncaught page errors and CSP violations."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.add_init_script(WATCH_CSP)
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    yield tab
    context.close()


def shoot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def clean(tab: Any) -> None:
    """Nothing went wrong in the page: no console error, no script error, nothing refused by the CSP."""
    assert tab.evaluate("window.__violations") == [], tab.evaluate("window.__violations")
    assert tab.problems == [], tab.problems


def test_stories_dossier_article_click_through(page: Any, demo_site: str) -> None:
    page.goto(f"{demo_site}/stories")
    rows = page.locator("table.stories tbody tr")
    assert rows.count() == 3
    shoot(page, "1-stories")
    clean(page)

    page.get_by_role("link", name="Iran sends hundreds of ballistic missiles to Russia, sources say").click()
    page.wait_for_url("**/stories/s*")
    verdicts = page.locator("#claims td.verdict .badge").all_inner_texts()
    assert {"single-origin", "corroborated"} <= set(verdicts), verdicts
    assert page.locator("#briefing li.brief").count() >= 3
    for picture in page.locator("#pictures img").all():  # drawn, not broken
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    shoot(page, "2-dossier")
    clean(page)

    ledger = "Iran has shipped about 400 missiles to Russia, report says"
    page.locator("#articles").get_by_role("link", name=ledger).click()
    page.wait_for_url("**/articles/*")
    text = page.locator("article.text")
    speakers = text.locator("mark.m-speaker").all_inner_texts()
    assert any(s.startswith("Miriam Okonjo") for s in speakers), speakers
    assert "Drones were the trial run." in " ".join(text.locator("mark.m-content.direct").all_inner_texts())
    claims = text.locator("mark.m-claim").all_inner_texts()
    assert any("Iran has delivered around 400 short-range ballistic missiles" in c for c in claims), claims
    assert "single-origin" in page.locator("#claims td.verdict .badge").all_inner_texts()
    assert "via Meridian Wire" in page.locator("aside.said").inner_text()
    shoot(page, "3-article")
    clean(page)


def test_contested_story_and_evidence_link_lands_on_its_mark(page: Any, demo_site: str, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        _, rows = store.query("SELECT story_id FROM claim_groups WHERE verdict = 'contested' LIMIT 1")
    page.goto(f"{demo_site}/stories/{rows[0][0]}")
    assert "contested" in page.locator("#claims td.verdict .badge").all_inner_texts()
    assert "Persia News Agency" in page.locator("#claims ul.against").inner_text()
    shoot(page, "4-contested")
    page.locator("#briefing a.evidence").first.click()
    page.wait_for_url("**/articles/*#span-*")
    target = page.locator(":target")
    assert target.count() == 1 and target.evaluate("e => e.tagName") == "MARK"
    assert target.inner_text().strip()
    shoot(page, "5-evidence")
    clean(page)


def test_hostile_article_renders_inert(page: Any, hostile_site: str, hostile_db: Path) -> None:
    """<script>, onerror= and javascript: payloads in an article's text, title and outlet stay visible text."""
    with Store(hostile_db, read_only=True) as store:
        _, rows = store.query("SELECT article_id FROM articles ORDER BY external_id NULLS FIRST")
    for number, (article_id,) in enumerate(rows, 1):
        page.goto(f"{hostile_site}/articles/{article_id}")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("script").count() == 0
        assert page.locator("img").count() == 0
        assert page.locator("[onerror]").count() == 0
        assert page.locator("a[href^='javascript' i]").count() == 0
        shown = page.locator("article.text").inner_text()
        assert hostile.SCRIPT in shown and hostile.IMG in shown, shown
        assert hostile.JS_URL in shown
        shoot(page, f"6-hostile-{number}")
        clean(page)
    page.goto(f"{hostile_site}/outlets")
    assert "Evil <i>Outlet</i>" in page.locator("table.outlets").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    clean(page)
