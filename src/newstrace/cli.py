"""The ``newstrace`` command. Each command checks its arguments and calls one library function.

Only this module configures logging and prints; library code logs through ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .brief import to_html, to_markdown
from .errors import HINTS, ErrorCode, NewstraceError
from .pipeline import (
    RunSummary,
    actor_graph,
    attribute,
    briefing,
    cluster_stories,
    cross_check,
    profile_articles,
    run,
    story_timeline,
)
from .settings import Settings, describe
from .store import Store

app = typer.Typer(
    help="newstrace: trace every claim in the news back to its origins.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file holding the results.")]
SetOption = Annotated[
    list[str] | None, typer.Option("--set", help="Override a setting, NAME=VALUE (see `newstrace settings`).")
]
DEFAULT_DB = Path("newstrace.duckdb")
PROGRESS_MIN_INPUTS = 4


def _settings(overrides: list[str] | None, **flags: Any) -> Settings:
    settings = Settings().with_overrides(overrides or [])
    return settings.replace(**{k: v for k, v in flags.items() if v is not None})


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command("run")
def run_command(
    inputs: Annotated[list[str], typer.Argument(help="HTML/text/JSONL/WARC files, folders, feeds or URLs.")],
    db: DbOption = DEFAULT_DB,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Fetch URLs on private/loopback addresses.")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Extraction processes (0: one per core).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    set_: SetOption = None,
) -> None:
    """Ingest INPUTS into the store: extract, clean and de-duplicate articles.

    Example: newstrace run pages/ feed.xml https://example.org/news/1 --db news.duckdb
    """
    settings = _settings(set_, allow_private=allow_private or None, workers=workers)
    with Store(db) as store:
        summary = _run_with_progress(inputs, store, settings, quiet)
    _print_summary(summary, db)
    if not summary.ok:
        raise typer.Exit(1)


def _run_with_progress(inputs: list[str], store: Store, settings: Settings, quiet: bool) -> RunSummary:
    if quiet:
        return run(inputs, store, settings)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("reading", total=None, visible=False)

        def progress(ref: str, done: int, total: int) -> None:
            visible = total >= PROGRESS_MIN_INPUTS
            bar.update(task, completed=done, total=total, visible=visible, description=_short(ref))

        return run(inputs, store, settings, progress)


def _short(ref: str, width: int = 40) -> str:
    return ref if len(ref) <= width else "…" + ref[-(width - 1) :]


def _print_summary(summary: RunSummary, db: Path) -> None:
    for line in summary.error_lines:
        err.print(f"[yellow]skipped[/yellow] {line}", markup=True, highlight=False)
    out.print(
        f"{summary.inputs} inputs read, {summary.skipped} unchanged, {summary.failed} failed; "
        f"{summary.articles_read} articles extracted, {summary.articles_new} new, "
        f"{summary.duplicates} copies of another article in {db}"
    )
    if summary.analysed:
        out.print(
            f"{summary.attributions} attributions and {summary.claims} claims found in {summary.analysed} articles"
        )
    if summary.placed or summary.checked_stories:
        out.print(
            f"{summary.placed} articles placed in stories ({summary.new_stories} new stories); "
            f"{summary.groups} claims recur across outlets in {summary.checked_stories} stories checked"
        )
    if summary.errors:
        counts = ", ".join(f"{code} ×{n}" for code, n in summary.errors.most_common())
        out.print(f"errors: {counts} (details: newstrace export errors --db {db})")
    if not summary.ok:
        err.print("[red]nothing was ingested[/red]: every input failed or had no article text.")
        for code in summary.errors:
            err.print(f"  {code}: {HINTS.get(ErrorCode(code), '')}")


@app.command("attribute")
def attribute_command(
    db: DbOption = DEFAULT_DB,
    redo: Annotated[bool, typer.Option("--redo", help="Analyse every article again, not only new ones.")] = False,
    workers: Annotated[int | None, typer.Option(help="Analysis processes (0: one per core).")] = None,
    set_: SetOption = None,
) -> None:
    """Find who said what, and the claims it carries, in stored articles not analysed yet; then place new articles
    in stories, cross-check the claims of changed stories and profile the articles they touch (`run` does all
    this after ingesting).

    Example: newstrace attribute --db news.duckdb --redo
    """
    settings = _settings(set_, workers=workers)
    with Store(db) as store:
        if redo:
            store.forget_analyses("attribution")
            store.forget_checks()
        summary = attribute(store, settings)
        cluster_stories(store, settings, summary)
        cross_check(store, settings, summary)
        profile_articles(store, settings, summary)
    for line in summary.error_lines:
        err.print(f"[yellow]skipped[/yellow] {line}", markup=True, highlight=False)
    out.print(
        f"{summary.attributions} attributions and {summary.claims} claims found in {summary.analysed} articles in {db}"
    )
    out.print(
        f"{summary.placed} articles placed in stories; {summary.groups} claims recur across outlets in "
        f"{summary.checked_stories} stories checked"
    )


@app.command()
def claims(
    db: DbOption = DEFAULT_DB,
    actor: Annotated[str | None, typer.Option(help="Only claims whose actor or target has this country code.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this event type (see the README).")] = None,
    story: Annotated[str | None, typer.Option(help="Only claims in articles of this story.")] = None,
    article_id: Annotated[str | None, typer.Option("--article", help="Only this article (id or prefix).")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
) -> None:
    """List claims: actor → event → target, what and how many, when and where, how firmly, and who said it.

    Example: newstrace claims --actor IRN --type transfer
    """
    from .events import EVENT_TYPES

    if type_ is not None and type_ not in EVENT_TYPES:
        _fail(f"unknown event type {type_!r}; one of: {', '.join(EVENT_TYPES)}", 2)
    where, params = ["TRUE"], []
    if actor:
        where.append("(c.actor_code = ? OR c.target_code = ?)")
        params += [actor.upper(), actor.upper()]
    if type_:
        where.append("c.event_type = ?")
        params.append(type_)
    if article_id:
        where.append("c.article_id LIKE ?")
        params.append(article_id + "%")
    with Store(db, read_only=True) as store:
        if story:
            if not store.count("stories"):
                _fail("no stories in this database yet: run `newstrace run` with analysis on", 1)
            where.append("c.article_id IN (SELECT article_id FROM article_stories WHERE story_id LIKE ?)")
            params.append(story + "%")
        _, rows = store.query(
            f"""SELECT c.article_id, c.actor, c.actor_code, c.event_type, c.target, c.object, c.quantity_text, c.unit,
                       coalesce(CAST(c.date AS VARCHAR), c.date_text), c.place, c.modality,
                       coalesce(a.speaker_name, a.speaker), c.text
                FROM claims c LEFT JOIN attributions a ON a.attribution_id = c.attribution_id
                WHERE {" AND ".join(where)} ORDER BY c.article_id, c.start LIMIT ?""",
            [*params, limit],
        )
    table = Table(box=None)
    for column in ("article", "actor", "event", "target", "object", "how many", "when", "where", "modality", "said by"):
        table.add_column(column, overflow="fold")
    for art, who, code, kind, target, what, amount, unit, when, place, modality, said_by, _text in rows:
        actor_text = f"{who} ({code})" if who and code else who or ""
        amount_text = " ".join(x for x in (amount, unit if amount and unit and unit not in amount else None) if x)
        table.add_row(art[:8], actor_text, kind, target or "", what or "", amount_text, when or "", place or "",
                      modality, said_by or "")  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} claims" + (f" (first {limit}; --limit for more)" if len(rows) == limit else ""))


@app.command()
def articles(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    source: Annotated[str | None, typer.Option(help="Only this outlet (source id).")] = None,
) -> None:
    """List stored articles, newest first.

    Example: newstrace articles --source meridianwire.example --limit 20
    """
    with Store(db, read_only=True) as store:
        where, params = ("WHERE source = ?", [source]) if source else ("", [])
        _, rows = store.query(
            f"""SELECT article_id, published, source, title, word_count, duplicate_of, machine_written
                FROM articles {where} ORDER BY published DESC NULLS LAST, article_id LIMIT ?""",
            [*params, limit],
        )
    table = Table(box=None)
    table.add_column("id", no_wrap=True, min_width=16)
    table.add_column("published", no_wrap=True)
    table.add_column("source", no_wrap=True, max_width=20, overflow="ellipsis")
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=56)
    table.add_column("words", justify="right")
    table.add_column("copy of", no_wrap=True)
    table.add_column("AI")
    for article_id, published, src, title, words, dup, machine in rows:
        table.add_row(
            article_id, str(published or ""), src or "", title or "", str(words),
            (dup or "")[:8], "yes" if machine else "",
        )  # fmt: skip
    out.print(table)


@app.command()
def article(
    article_id: Annotated[str, typer.Argument(help="Article id, a unique prefix of it, or an external id.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Show one article: its metadata, its text with attributions highlighted, and who said what.

    Example: newstrace article 3f2a9c
    """
    with Store(db, read_only=True) as store:
        row = store.find_article(article_id)
        found = store.attributions_of(row["article_id"]) if row is not None else []
        claim_rows = store.claims_of(row["article_id"]) if row is not None else []
    if row is None:
        _fail(f"no article {article_id!r}; list them with `newstrace articles`", 1)
        return
    meta = Table(box=None, show_header=False)
    for key in (
        "article_id", "external_id", "title", "source", "url", "authors", "published", "language", "dateline_place",
        "caption", "author_bio", "machine_written", "duplicate_of", "input_ref", "word_count",
    ):  # fmt: skip
        value = row.get(key)
        if value not in (None, "", []):
            meta.add_row(f"[bold]{key}[/bold]", str(value))
    out.print(meta)
    out.print()
    out.print(highlighted(row["text"], found))
    said = [a for a in found if a["speaker_kind"] != "implicit"]
    if said:
        out.print()
        out.print(attribution_table(said))
    own = len(found) - len(said)
    if found:
        out.print(f"\n{len(said)} attributions; {own} sentences in the article's own voice (speaker_kind implicit).")
    if claim_rows:
        table = Table(box=None, title="claims")
        for column in ("actor", "event", "target", "object", "how many", "when", "where", "modality"):
            table.add_column(column, overflow="fold")
        for c in claim_rows:
            table.add_row(c["actor"] or "", c["event_type"], c["target"] or "", c["object"] or "",
                          c["quantity_text"] or "", str(c["date"] or c["date_text"] or ""), c["place"] or "",
                          c["modality"])  # fmt: skip
        out.print()
        out.print(table)


STYLES = {"content": "green", "speaker": "bold cyan", "cue": "bold yellow"}


def highlighted(text: str, attributions: list[dict[str, Any]]) -> Text:
    """The article text with each attribution's speaker, cue and content styled; the own-voice sentences plain.
    Each content span ends with the attribution's number in the table below it."""
    rich = Text(text)
    said = [a for a in attributions if a["speaker_kind"] != "implicit"]
    for item in said:
        rich.stylize(STYLES["content"], item["start"], item["end"])
        if item["speaker_start"] is not None:
            rich.stylize(STYLES["speaker"], item["speaker_start"], item["speaker_end"])
        if item["cue_start"] is not None:
            rich.stylize(STYLES["cue"], item["cue_start"], item["cue_end"])
    # numbers go in after each content, from the end so earlier offsets stay valid
    for number, item in sorted(enumerate(said, 1), key=lambda pair: -pair[1]["end"]):
        rich = rich[: item["end"]] + Text(f"[{number}]", style="dim") + rich[item["end"] :]
    return rich


def attribution_table(said: list[dict[str, Any]]) -> Table:
    table = Table(box=None)
    for column in ("#", "speaker", "kind", "role / affiliation", "cue", "content", "via"):
        table.add_column(column, overflow="fold")
    numbers = {item["attribution_id"]: n for n, item in enumerate(said, 1)}
    for number, item in enumerate(said, 1):
        kind = item["speaker_kind"]
        if item["anonymous_count"]:
            kind += f" ×{item['anonymous_count']}"
        role = " / ".join(x for x in (item["speaker_role"], item["speaker_affiliation"]) if x)
        cue = (item["cue"] or "") + (f" → {item['reported_to']}" if item["reported_to"] else "")
        content = item["content"] if len(item["content"]) <= 90 else item["content"][:89] + "…"
        via = f"[{numbers[item['parent_id']]}]" if item["parent_id"] in numbers else ""
        quote = "“”" if item["direct"] else ""
        table.add_row(
            str(number), item["speaker_name"] or item["speaker"] or "", kind, role, cue,
            f"{quote[:1]}{content}{quote[1:]}", via,
        )  # fmt: skip
    return table


@app.command()
def stories(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
) -> None:
    """List stories, largest first: how many articles and outlets, when, and how their claims stand.

    Example: newstrace stories --limit 20
    """
    with Store(db, read_only=True) as store:
        _, rows = store.query(
            """SELECT s.story_id, s.n_articles, s.n_outlets, s.first_published, s.last_published,
                      count(g.group_id), count(g.group_id) FILTER (WHERE g.verdict = 'contested'), s.title
               FROM stories s LEFT JOIN claim_groups g USING (story_id)
               GROUP BY ALL ORDER BY s.n_articles DESC, s.first_published NULLS LAST, s.story_id LIMIT ?""",
            [limit],
        )
    table = Table(box=None)
    for column in ("id", "articles", "outlets", "from", "to", "claims", "contested", "title"):
        table.add_column(column, no_wrap=column in ("id", "from", "to"), overflow="fold")
    for story_id, n, outlets, first, last, groups, contested, title in rows:
        table.add_row(story_id, str(n), str(outlets), str(first or ""), str(last or ""), str(groups),
                      str(contested or ""), title or "")  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} stories" + (f" (first {limit}; --limit for more)" if len(rows) == limit else ""))


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="Story id or a unique prefix of it.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Show one story: its articles, and the claims that recur across them with the outlets that report each, its
    independent origins and its verdict.

    Example: newstrace story s873669
    """
    with Store(db, read_only=True) as store:
        found = store.find_story(story_id)
        if found is None:
            _fail(f"no story {story_id!r}; list them with `newstrace stories`", 1)
            return
        groups = store.story_groups(found["story_id"])
        _, members = store.query(
            """SELECT a.article_id, a.published, a.source, a.title, a.duplicate_of FROM article_stories s
               JOIN articles a USING (article_id) WHERE s.story_id = ? ORDER BY a.published NULLS LAST, a.article_id""",
            [found["story_id"]],
        )
    when = " – ".join(dict.fromkeys(str(d) for d in (found["first_published"], found["last_published"]) if d))
    out.print(f"[bold]{found['title'] or found['story_id']}[/bold]")
    out.print(f"story {found['story_id']}: {found['n_articles']} articles from {found['n_outlets']} outlets {when}")
    out.print(claims_table(groups))
    listing = Table(box=None, title="articles")
    for column in ("id", "published", "source", "title", "copy of"):
        listing.add_column(column, no_wrap=column != "title", overflow="fold")
    for article_id, published, source, title, copy in members:
        listing.add_row(article_id, str(published or ""), source or "", title or "", (copy or "")[:8])
    out.print(listing)


@app.command()
def brief(
    story_id: Annotated[str, typer.Argument(help="Story id or a unique prefix of it.")],
    format_: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of printing.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a cited briefing of one story: its recurring claims, each a sentence found in the articles, with its
    verdict, its independent origins, who contradicts it, and the article spans it rests on.

    Example: newstrace brief s873669 --format html --out briefing.html
    """
    if format_ not in ("md", "html"):
        _fail(f"--format must be md or html, not {format_!r}")
    with Store(db, read_only=True) as store:
        found = briefing(store, story_id)
        if found is None:
            _fail(f"no story {story_id!r}; list them with `newstrace stories`", 1)
            return
        _, _, texts = store.brief_evidence(found.story_id)
    document = to_markdown(found, texts) if format_ == "md" else to_html(found, texts)
    if out_file is None:
        sys.stdout.write(document)
        return
    out_file.write_text(document, encoding="utf-8")
    out.print(f"briefing of story {found.story_id} ({len(found.sentences)} sentences) written to {out_file}")


def origin_text(origin: dict[str, Any]) -> str:
    """ "Meridian Wire (six people familiar with the matter) [anonymous ×6; via The Daily Ledger, Atlas Post]" """
    kind = origin["kind"] + (f" ×{origin['anonymous_count']}" if origin["anonymous_count"] else "")
    via = f"; via {origin['via']}" if origin["via"] else ""
    return f"{origin['name']} [{kind}{via}]"


def claims_table(groups: list[dict[str, Any]]) -> Table:
    """The claims of a story: the claim, the outlets reporting it, its independent origins and its verdict."""
    table = Table(box=None, title="claims across outlets", show_lines=True)
    table.add_column("claim", overflow="fold", ratio=3)
    table.add_column("outlets reporting", overflow="fold", ratio=2)
    table.add_column("independent origins", overflow="fold", ratio=3)
    table.add_column("verdict", no_wrap=True)
    colours = {"corroborated": "green", "single-origin": "yellow", "contested": "red", "unattributed": "dim"}
    for g in groups:
        origins = "\n".join(origin_text(o) for o in g["origins"] or []) or "none named"
        against = g["against"] or []
        verdict = f"[{colours.get(g['verdict'], '')}]{g['verdict']}[/]"
        if against:
            verdict += "\n" + "\n".join(f"[red]✗[/red] {a['outlet']}: {a['reason']}" for a in against)
        claim = g["claim"] if len(g["claim"]) <= 160 else g["claim"][:159] + "…"
        table.add_row(claim, f"{g['n_outlets']}: " + ", ".join(g["outlets"] or []), f"{g['n_origins']}: {origins}",
                      verdict)  # fmt: skip
    return table


GRAPH_FILES = (".gexf", ".graphml", ".svg", ".png")
TIMELINE_FILES = (".svg", ".png", ".json", ".csv")


@app.command("graph")
def graph_command(
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help=".gexf or .graphml (for Gephi; an .svg picture is written beside it), .svg or .png."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    story_id: Annotated[str | None, typer.Option("--story", help="Only this story (id or unique prefix).")] = None,
) -> None:
    """Write the actor graph: who does what to whom. A node per actor, an edge per actor, target and event type,
    with its claims, dates, denials and verdicts; of one story, or of all claims.

    Example: newstrace graph --story s873669 --out iran.gexf
    """
    from .graph import write_graph  # matplotlib loads only for the commands that draw

    if out_file.suffix.lower() not in GRAPH_FILES:
        _fail(f"cannot write a graph as {out_file.name!r}: give a file ending in {', '.join(GRAPH_FILES)}", 2)
    with Store(db, read_only=True) as store:
        found = _story_or_fail(store, story_id) if story_id is not None else None
        graph = actor_graph(store, found["story_id"] if found else None)
    written = [out_file]
    if out_file.suffix.lower() not in (".svg", ".png"):
        written.append(out_file.with_suffix(".svg"))
    try:
        for path in written:
            write_graph(graph, path)
    except OSError as exc:
        _fail(f"cannot write {exc.filename or out_file}: {exc.strerror or exc}", 2)
    out.print(
        f"{graph.number_of_nodes()} actors and {graph.number_of_edges()} edges (actor, target, event type) from "
        f"{graph.graph['n_claims']} claims written to {', '.join(map(str, written))}"
    )
    if not graph.number_of_edges():
        out.print("no claim names both an actor and a target" + (" in this story" if found else ""))


@app.command("timeline")
def timeline_command(
    story_id: Annotated[str, typer.Argument(help="Story id or a unique prefix of it.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help=".svg or .png picture; .json or .csv for the entries.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Draw a story over time: each claim that recurs across outlets (coloured by verdict) and each dated claim
    in no group, one lane per event type; or write the entries as JSON or CSV.

    Example: newstrace timeline s873669 --out iran-timeline.svg
    """
    from .timeline import write_timeline

    if out_file.suffix.lower() not in TIMELINE_FILES:
        _fail(f"cannot write a timeline as {out_file.name!r}: give a file ending in {', '.join(TIMELINE_FILES)}", 2)
    with Store(db, read_only=True) as store:
        found = _story_or_fail(store, story_id)
        entries = story_timeline(store, found["story_id"])
    title = f"{found['title'] or 'story'} ({found['story_id']})"
    try:
        write_timeline(entries, out_file, title)
    except OSError as exc:
        _fail(f"cannot write {out_file}: {exc.strerror or exc}", 2)
    groups = sum(e.kind == "group" for e in entries)
    undated = sum(e.date is None for e in entries)
    out.print(
        f"{len(entries)} entries ({groups} claim groups, {len(entries) - groups} claims in no group"
        + (f"; {undated} undated" if undated else "")
        + f") written to {out_file}"
    )


def _story_or_fail(store: Store, story_id: str) -> dict[str, Any]:
    """The story ``story_id`` names (id or unique prefix); exit status 2 when there is none."""
    found = store.find_story(story_id)
    if found is None:
        _fail(f"no story {story_id!r}; list them with `newstrace stories`", 2)
    assert found is not None  # _fail exits
    return found


@app.command()
def export(
    table: Annotated[str, typer.Argument(help="Table name, e.g. articles, sources, inputs, errors.")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or parquet.")] = "jsonl",
    out_file: Annotated[str | None, typer.Option("--out", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write a whole table as JSONL (default, to stdout), CSV or Parquet.

    Example: newstrace export articles --format parquet --out articles.parquet
    """
    with Store(db, read_only=True) as store:
        count = store.export(table, format, out_file)
    if out_file:
        err.print(f"{count} rows of {table} written to {out_file}")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8421,
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
) -> None:
    """Serve the web UI: stories, story dossiers, articles, actors and outlets; add .json to any page for its data.
    Reads the database read-only, also while a run is writing to it.

    Example: newstrace serve --db news.duckdb --port 8421
    """
    import uvicorn

    from .web import create_app

    # A server on a loopback address answers loopback names only, so that no web page can reach it by DNS rebinding.
    loopback = host in ("127.0.0.1", "localhost", "::1")
    hosts = ["127.0.0.1", "localhost", "[::1]"] if loopback else None
    application = create_app(db, allowed_hosts=hosts)
    err.print(f"serving {db} at http://{host}:{port}/ (read-only; Ctrl-C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def demo(db: DbOption = Path("demo.duckdb")) -> None:
    """Run the whole pipeline on the bundled sample corpus and show what it found.

    Example: newstrace demo --db demo.duckdb
    """
    sample = resources.files("newstrace") / "data" / "sample"
    with resources.as_file(sample) as folder, Store(db) as store:
        summary = _run_with_progress([str(folder)], store, Settings(), quiet=False)
    _print_summary(summary, db)
    articles(db=db, limit=50, source=None)
    out.print()
    stories(db=db, limit=10)
    with Store(db, read_only=True) as store:
        _, checked = store.query(
            """SELECT story_id FROM stories s WHERE EXISTS (SELECT 1 FROM claim_groups g WHERE g.story_id = s.story_id)
               ORDER BY n_articles DESC, story_id LIMIT 3"""
        )
    for (story_id,) in checked:  # the claims tables of the (at most three) largest stories that have any
        out.print()
        story(story_id=story_id, db=db)
    written = _demo_outputs(db, [story_id for (story_id,) in checked])
    out.print("\n[bold]Outputs[/bold]")
    out.print(f"  database        {db}  (every table: newstrace export TABLE --db {db})")
    for label, path in written:
        out.print(f"  {label:<15} {path}")
    out.print("\n[bold]Open the web UI[/bold]")
    out.print(f"  newstrace serve --db {db}     then browse http://127.0.0.1:8421/  (Ctrl-C stops it)")
    out.print("  (after `make demo` the command is .venv/bin/newstrace)")
    out.print(f"Or try: newstrace story ID --db {db}   newstrace article ID --db {db}   newstrace brief ID --db {db}")


def _demo_outputs(db: Path, story_ids: list[str]) -> list[tuple[str, Path]]:
    """Write the demo's briefings, actor graph and timeline beside the database; return (label, path) pairs."""
    from .graph import write_graph
    from .timeline import write_timeline

    folder = db.parent / f"{db.stem}-output"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Path]] = []
    with Store(db, read_only=True) as store:
        for story_id in story_ids:
            found = briefing(store, story_id)
            if found is None:
                continue
            _, _, texts = store.brief_evidence(story_id)
            for suffix, render in ((".md", to_markdown), (".html", to_html)):
                path = folder / f"brief-{story_id}{suffix}"
                path.write_text(render(found, texts), encoding="utf-8")
                written.append(("briefing", path))
        graph = actor_graph(store)
        for suffix in (".gexf", ".svg"):
            write_graph(graph, folder / f"actors{suffix}")
            written.append(("actor graph", folder / f"actors{suffix}"))
        if story_ids:
            found_story = store.find_story(story_ids[0])
            path = folder / f"timeline-{story_ids[0]}.svg"
            write_timeline(story_timeline(store, story_ids[0]), path, (found_story or {}).get("title"))
            written.append(("timeline", path))
    return written


@app.command("settings")
def settings_command() -> None:
    """List every setting with its default and meaning (change one with --set NAME=VALUE).

    Example: newstrace settings
    """
    table = Table("name", "default", "meaning", box=None)
    for name, default, help_text in describe():
        table.add_row(name, repr(default), help_text)
    out.print(table)


@app.callback(invoke_without_command=True)
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if version:
        out.print(f"newstrace {__version__}")
        raise typer.Exit()


def main() -> None:
    """Console-script entry point: turns newstrace errors into one clear line and exit status 2."""
    try:
        app()
    except NewstraceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
