"""Web UI benchmark: how fast each page of a 50,000-article database answers through the real HTTP server.

The database is made honestly but cheaply: the real pipeline runs on the bundled sample corpus (12 articles, every
stage), and its rows are then replicated, set-based in DuckDB, into 4,167 copies (50,004 articles) with new ids,
outlets and dates, keeping every table's proportions (attributions, claims, claim groups and members, origins,
profiles, source profiles). Each copy publishes through one of 40 variants of the 12 outlets (480 outlets) and is
shifted by up to two years. Copies are put into story "families" so that story sizes vary as in real news: copies
0–199 form one family (its main story has 1,800 articles: the large dossier), copies 200–999 families of 20, the
rest one family each; a family's copies share stories and claim groups, whose members are all the copies' claims.
Person actors get one of 500 name variants per copy, so the actors page has a long tail. Tables the pages do not
read (article vectors, MinHashes, inputs, analyses) are not replicated.

Then ``newstrace serve`` runs on the file in its own process and each page type (and its JSON twin) is requested:
the first request of each URL in the fresh server (cold: lazy imports and DuckDB's caches), then ``--requests``
more, one at a time; median and p95 in milliseconds. The goal is every page under 1 s.

Run: ``python -m bench.web`` (``--reuse`` keeps an already built database in bench/.cache/web/).
"""

from __future__ import annotations

import argparse
import math
import socket
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import record  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "web"
COPIES = 4167  # x 12 sample articles = 50,004
OUTLET_VARIANTS = 40
PERSON_VARIANTS = 500
GOAL_MS = 1000.0
SERVE = [sys.executable, "-c", "from newstrace.cli import main; main()", "serve"]


def build_sample(path: Path) -> None:
    """The bundled sample corpus through every stage of the real pipeline."""
    from newstrace.pipeline import run
    from newstrace.settings import Settings
    from newstrace.store import Store

    sample = resources.files("newstrace") / "data" / "sample"
    with resources.as_file(sample) as folder, Store(path) as store:
        summary = run([str(folder)], store, Settings(workers=1))
    if summary.placed != 12:
        sys.exit(f"the sample corpus gave {summary.placed} placed articles, not 12")


# Copy r of the sample: its story family, outlet variant and date shift (days).
REPLICAS = f"""
CREATE TEMP TABLE reps AS
SELECT r,
       CASE WHEN r < 200 THEN 0 WHEN r < 1000 THEN 1 + (r - 200) // 20 ELSE 41 + (r - 1000) END AS family,
       r % {OUTLET_VARIANTS} AS variant,
       CAST(floor(r * 730.0 / {COPIES}) AS INTEGER) AS shift
FROM range({COPIES}) t(r);
CREATE TEMP TABLE families AS SELECT family, min(r) AS first_r FROM reps GROUP BY family;
CREATE MACRO nid(x, r) AS substr(md5(x || '/' || r), 1, 16);
CREATE MACRO fid(prefix, x, f) AS prefix || substr(md5(x || '/f' || f), 1, 15);
CREATE MACRO outlet(source, v) AS regexp_replace(source, '\\.example$', '') || '-' || v || '.example';
"""

# Every table the pages read, copied from the sample (attached as ``s``) with new ids, outlets and dates.
REPLICATE = f"""
INSERT INTO sources
SELECT outlet(x.source_id, variant), x.name || ' ' || variant, outlet(x.domain, variant)
FROM s.sources x, (SELECT DISTINCT variant FROM reps);

INSERT INTO articles
SELECT x.* REPLACE (
    nid(x.article_id, r) AS article_id, NULL AS external_id,
    regexp_replace(x.url, '\\.example/', '-' || variant || '.example/') || '?copy=' || r AS url,
    'bench' AS input_id, x.input_ref || '#' || r AS input_ref, outlet(x.source, variant) AS source,
    x.published + shift AS published, md5(x.text_hash || r) AS text_hash, nid(x.duplicate_of, r) AS duplicate_of)
FROM s.articles x, reps;

INSERT INTO attributions
SELECT x.* REPLACE (nid(x.attribution_id, r) AS attribution_id, nid(x.article_id, r) AS article_id,
                    nid(x.parent_id, r) AS parent_id)
FROM s.attributions x, reps;

INSERT INTO claims
SELECT x.* REPLACE (
    nid(x.claim_id, r) AS claim_id, nid(x.article_id, r) AS article_id, nid(x.attribution_id, r) AS attribution_id,
    x.date + shift AS date,
    CASE WHEN x.actor_kind = 'person' THEN x.actor || ' ' || (r % {PERSON_VARIANTS}) ELSE x.actor END AS actor)
FROM s.claims x, reps;

INSERT INTO article_stories
SELECT nid(x.article_id, r), fid('s', x.story_id, family), x.score FROM s.article_stories x, reps;

INSERT INTO stories
SELECT st.story_id, arg_min(a.title, (a.published, a.article_id)), min(a.published), max(a.published), count(*),
       count(DISTINCT a.source), 'bench'
FROM article_stories st JOIN articles a USING (article_id) GROUP BY st.story_id;

INSERT INTO claim_groups
SELECT fid('g', x.group_id, family), fid('s', x.story_id, family), nid(x.claim_id, first_r), x.claim, x.verdict,
       0, 0, x.n_origins
FROM s.claim_groups x, families;

INSERT INTO claim_group_members
SELECT fid('g', x.group_id, family), nid(x.claim_id, r), nid(x.article_id, r), x.stance, x.reason
FROM s.claim_group_members x, reps;

UPDATE claim_groups SET n_articles = c.n, n_outlets = c.o
FROM (SELECT m.group_id, count(DISTINCT m.article_id) AS n, count(DISTINCT a.source) AS o
      FROM claim_group_members m JOIN articles a USING (article_id) GROUP BY m.group_id) c
WHERE claim_groups.group_id = c.group_id;

INSERT INTO origins
SELECT fid('g', x.group_id, family), x.name, x.kind, x.anonymous_count, x.via, nid(x.claim_id, first_r)
FROM s.origins x, families;

INSERT INTO profiles SELECT x.* REPLACE (nid(x.article_id, r) AS article_id) FROM s.profiles x, reps;

INSERT INTO source_profiles
SELECT x.* REPLACE (
    outlet(x.source, v.variant) AS source, x.name || ' ' || v.variant AS name, x.n_articles * v.k AS n_articles,
    x.n_news * v.k AS n_news, x.n_opinion * v.k AS n_opinion, x.n_analysis * v.k AS n_analysis,
    x.n_machine_written * v.k AS n_machine_written, x.n_derivative * v.k AS n_derivative,
    x.n_claims * v.k AS n_claims, x.n_no_origin * v.k AS n_no_origin)
FROM s.source_profiles x, (SELECT variant, count(*) AS k FROM reps GROUP BY variant) v;
"""


def build(path: Path) -> dict[str, Any]:
    """The 50,004-article database at ``path``; returns its table sizes."""
    from newstrace.store import Store

    CACHE.mkdir(parents=True, exist_ok=True)
    sample = CACHE / "sample.duckdb"
    for stale in (sample, path):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    build_sample(sample)
    pipeline_s = time.perf_counter() - started
    with Store(path) as store:  # the real migrations: same tables and indexes as a run makes
        store.db.execute("SET enable_progress_bar = false")
        store.db.execute(f"ATTACH '{sample}' AS s (READ_ONLY)")
        store.db.execute(REPLICAS)
        store.db.execute(REPLICATE)
        store.db.execute("DETACH s")
        store.db.execute("CHECKPOINT")
        sizes = {t: store.count(t) for t in TABLES}
    print(f"built {path} in {time.perf_counter() - started:.0f} s (pipeline on the sample {pipeline_s:.0f} s): {sizes}")
    return sizes


TABLES = ["articles", "sources", "stories", "attributions", "claims", "claim_groups", "claim_group_members",
          "origins", "profiles", "source_profiles"]  # fmt: skip


def targets(path: Path) -> dict[str, str]:
    """The page types to time, by name: one URL each (its JSON twin is timed beside it)."""
    from newstrace.store import Store

    with Store(path, read_only=True) as store:
        _, big = store.query("SELECT story_id, n_articles FROM stories ORDER BY n_articles DESC LIMIT 1")
        _, typical = store.query("SELECT story_id FROM stories WHERE n_articles = 9 ORDER BY story_id LIMIT 1")
        _, article = store.query(
            """SELECT a.article_id FROM articles a JOIN article_stories s USING (article_id)
               WHERE s.story_id = ? AND a.source LIKE 'dailyledger%' LIMIT 1""",
            [big[0][0]],
        )
        _, outlet = store.query("SELECT source, count(*) AS n FROM articles GROUP BY 1 ORDER BY n DESC LIMIT 1")
        _, actor = store.query(
            "SELECT actor, count(*) AS n FROM claims WHERE actor IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 1"
        )
    return {
        "stories list": "/stories",
        "stories list, page 100": "/stories?page=100",
        "stories, title search": "/stories?q=missiles",
        f"dossier, largest story ({big[0][1]:,} articles)": f"/stories/{big[0][0]}",
        "dossier, typical story (9 articles)": f"/stories/{typical[0][0]}",
        "article (in the largest story)": f"/articles/{article[0][0]}",
        "actors": "/actors",
        f"actor with most claims ({actor[0][0]}, {actor[0][1]:,} claims)": f"/actors/{actor[0][0]}",
        "outlets": "/outlets",
        f"outlet ({outlet[0][1]:,} articles)": f"/outlets/{outlet[0][0]}",
        "actor graph picture, largest story": f"/stories/{big[0][0]}/graph.svg",
        "timeline picture, largest story": f"/stories/{big[0][0]}/timeline.svg",
    }


def json_twin(url: str) -> str | None:
    path, _, query = url.partition("?")
    if path.endswith(".svg"):
        return None
    return f"{path}.json" + (f"?{query}" if query else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(path: Path, pages: dict[str, str], requests: int) -> dict[str, Any]:
    """Time every page and JSON twin through ``newstrace serve`` in its own process."""
    import httpx

    port = free_port()
    server = subprocess.Popen([*SERVE, "--db", str(path), "--port", str(port)], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            try:
                httpx.get(f"{base}/favicon.ico", timeout=2)  # touches no page, so every page is still cold
                break
            except httpx.TransportError:
                if server.poll() is not None or time.perf_counter() - started > 120:
                    sys.exit("the server did not start")
                time.sleep(0.2)
        results: dict[str, Any] = {}
        with httpx.Client(base_url=base, timeout=120) as http:
            for name, url in pages.items():
                first = "svg" if url.endswith(".svg") else "html"
                for kind, target in ((first, url), ("json", json_twin(url))):
                    if target is None:
                        continue
                    times, size = [], 0
                    for _ in range(requests + 1):
                        began = time.perf_counter()
                        answer = http.get(target)
                        times.append((time.perf_counter() - began) * 1000)
                        if answer.status_code != 200:
                            sys.exit(f"{target}: {answer.status_code} {answer.text[:200]}")
                        size = len(answer.content)
                    warm = sorted(times[1:])
                    results.setdefault(name, {"url": url})[kind] = {
                        "cold_ms": round(times[0], 1),
                        "median_ms": round(statistics.median(warm), 1),
                        "p95_ms": round(warm[math.ceil(0.95 * len(warm)) - 1], 1),
                        "bytes": size,
                    }
                    print(f"{name:60} {kind:4} {results[name][kind]}")
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """One BENCHMARKS.md row per page type: HTML and JSON, median / p95 / cold, in ms."""
    found = []
    how = f"{figures['articles']:,} articles (sample corpus through the pipeline, replicated; bench/web.py)"
    for name, result in figures["pages"].items():
        parts = [
            f"{kind.upper()} {r['median_ms']:.0f} / {r['p95_ms']:.0f} / {r['cold_ms']:.0f}"
            for kind in ("html", "svg", "json")
            if (r := result.get(kind))
        ]
        found.append((f"{name}: ms median / p95 / cold", "; ".join(parts), f"goal < 1,000 ms; {how}"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="Keep a database built by an earlier run.")
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per URL after the first.")
    args = parser.parse_args()
    path = CACHE / "web50k.duckdb"
    if args.reuse and path.exists():
        from newstrace.store import Store

        with Store(path, read_only=True) as store:
            sizes = {t: store.count(t) for t in TABLES}
    else:
        sizes = build(path)
    pages = measure(path, targets(path), args.requests)
    slow = [
        f"{name} {kind}" for name, r in pages.items() for kind in ("html", "svg", "json")
        if kind in r and r[kind]["p95_ms"] >= GOAL_MS
    ]  # fmt: skip
    figures = {
        "articles": sizes["articles"],
        "tables": sizes,
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "method": __doc__.split("\n\n")[1].replace("\n", " "),
        "requests_per_url": args.requests,
        "goal_ms": GOAL_MS,
        "over_goal": slow,
        "pages": pages,
    }
    record("web", figures, rows(figures))
    print("every page under 1 s" if not slow else f"over 1 s at p95: {slow}")


if __name__ == "__main__":
    main()
