"""The web UI (``newstrace serve``): server-rendered pages over the DuckDB file, each with a JSON twin.

Every page is served twice by the same view, datasette style: ``/stories/ID`` as HTML and ``/stories/ID.json`` as
the data the HTML was rendered from (``pages.py`` makes that data). The file is opened read-only for each request
and closed at once, because DuckDB lets a file have one writer or many readers: a run that is writing releases it
between batches, and a request that meets its lock retries for ``lock_timeout`` seconds, then answers 503 with
``Retry-After``.

Article text is untrusted. Templates autoescape, the article text is escaped span by span (``highlight.py``), no
article HTML is ever rendered, only http(s) URLs become links, and every response carries a Content-Security-Policy
that allows no inline script or style at all.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import pages
from .errors import StoreBusy, StoreError, UsageError
from .pages import NotFound, Page
from .store import Store

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The pictures come from matplotlib, whose SVG carries its own <style>; opened on their own they may style
# themselves, and still run nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
RETRY_AFTER_SECONDS = 2


def create_app(db_path: str | Path, lock_timeout: float = 3.0, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The web app over one DuckDB file, opened read-only per request.

    ``lock_timeout``: how long a request waits for a writing run to release the file before answering 503.
    ``allowed_hosts``: Host headers to answer (``None``: any); the CLI limits a loopback server to loopback names,
    so that a web page elsewhere cannot reach it through DNS rebinding."""
    path = Path(db_path)
    if not path.exists():
        raise StoreError(f"no database at {path}: create it with `newstrace run INPUT... --db {path}`")
    app = FastAPI(title="newstrace", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_warm_up)
    templates = Environment(loader=PackageLoader("newstrace", "templates"), autoescape=True, trim_blocks=True,
                            lstrip_blocks=True)  # fmt: skip
    templates.filters["pct"] = _pct
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")

    def respond(request: Request, view: Callable[[Store], Page]) -> Response:
        try:
            with Store(path, read_only=True, lock_timeout=lock_timeout) as store:
                page = view(store)
        except NotFound as exc:
            return _error(request, 404, "not_found", str(exc))
        except UsageError as exc:
            return _error(request, 400, "bad_request", str(exc))
        except StoreBusy as exc:
            return _error(request, 503, "busy", f"{exc} (a run is writing to the database)", RETRY_AFTER_SECONDS)
        if _wants_json(request):
            return _json(page.data)
        template = templates.get_template(page.template)
        return HTMLResponse(template.render(data=page.data, json_url=_json_url(request), **page.extra))

    def _error(request: Request, status: int, code: str, message: str, retry_after: int | None = None) -> Response:
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        if _wants_json(request):
            return _json({"error": {"code": code, "message": message}}, status, headers)
        html = templates.get_template("error.html").render(status=status, code=code, message=message, json_url=None)
        return HTMLResponse(html, status, headers)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, code, message)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _error(request, 400, "bad_request", wrong)

    # Each page is registered as NAME.json first (the lower decorator runs first): "/stories/{story_id}" would
    # otherwise take "ID.json" for an id.
    @app.get("/", response_class=HTMLResponse)
    @app.get("/stories.json")
    @app.get("/stories", response_class=HTMLResponse)
    def stories(request: Request, q: str = "", page: int = Query(1, ge=1)) -> Response:
        return respond(request, lambda store: pages.stories(store, q.strip(), page))

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    @app.get("/stories/{story_id}.json")
    def story(request: Request, story_id: str) -> Response:
        return respond(request, lambda store: pages.story(store, story_id))

    @app.get("/stories/{story_id}/graph.svg")
    def graph_svg(request: Request, story_id: str) -> Response:
        return picture(request, story_id, "graph")

    @app.get("/stories/{story_id}/timeline.svg")
    def timeline_svg(request: Request, story_id: str) -> Response:
        return picture(request, story_id, "timeline")

    def picture(request: Request, story_id: str, kind: str) -> Response:
        try:
            with Store(path, read_only=True, lock_timeout=lock_timeout) as store:
                svg = pages.picture(store, story_id, kind)
        except NotFound as exc:
            return _error(request, 404, "not_found", str(exc))
        except StoreBusy as exc:
            return _error(request, 503, "busy", str(exc), RETRY_AFTER_SECONDS)
        return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    @app.get("/articles/{article_id}.json")
    def article(request: Request, article_id: str) -> Response:
        return respond(request, lambda store: pages.article(store, article_id))

    @app.get("/actors.json")
    @app.get("/actors", response_class=HTMLResponse)
    def actors(request: Request, q: str = "", page: int = Query(1, ge=1)) -> Response:
        return respond(request, lambda store: pages.actors(store, q.strip(), page))

    @app.get("/actors/{name:path}", response_class=HTMLResponse)
    @app.get("/actors/{name:path}.json")
    def actor(request: Request, name: str, page: int = Query(1, ge=1)) -> Response:
        return respond(request, lambda store: pages.actor(store, name, page))

    @app.get("/outlets.json")
    @app.get("/outlets", response_class=HTMLResponse)
    def outlets(request: Request, page: int = Query(1, ge=1)) -> Response:
        return respond(request, lambda store: pages.outlets(store, page))

    @app.get("/outlets/{key:path}", response_class=HTMLResponse)
    @app.get("/outlets/{key:path}.json")
    def outlet(request: Request, key: str, page: int = Query(1, ge=1)) -> Response:
        return respond(request, lambda store: pages.outlet(store, key, page))

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)  # no icon, and no 404 in the browser console for the one it asks for

    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.add_middleware(_Guard, render_error=lambda path: _crash_page(templates, path))
    return app


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Import the picture modules (matplotlib: half a second) when the server starts rather than in the first
    dossier's picture requests; missing modules are fine, their pictures answer 404."""
    for name in ("graph", "timeline"):
        try:
            importlib.import_module(f"newstrace.{name}")
        except ImportError:
            log.info("no %s module: its pictures answer 404", name)
    yield


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _json_url(request: Request) -> str:
    """This page's JSON twin: the path with ``.json`` (``/`` is the stories page), and the same query."""
    path = request.url.path.rstrip("/") or "/stories"
    return path + ".json" + (f"?{request.url.query}" if request.url.query else "")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, default=_json_default, ensure_ascii=False)
    return Response(body, status, headers, media_type="application/json")


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _crash_page(templates: Environment, path: str) -> Response:
    """The answer to an unexpected error: a coded message, never a stack trace (that goes to the server log)."""
    message = "an unexpected error; it is in the server log"
    if path.endswith(".json"):
        return _json({"error": {"code": "internal", "message": message}}, 500)
    return HTMLResponse(
        templates.get_template("error.html").render(status=500, code="internal", message=message, json_url=None), 500
    )


class _Guard:
    """Outermost of our middleware: puts the security headers on every response (pages, errors, static files),
    and turns an exception that escaped a view into a coded 500 page."""

    def __init__(self, app: ASGIApp, render_error: Callable[[str], Response]) -> None:
        self.app = app
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:  # the SVG pictures set their own CSP
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            log.exception("unexpected error serving %s", scope.get("path"))
            if started:
                raise
            await self.render_error(str(scope.get("path", "")))(scope, receive, send_secured)
