"""Article-profile benchmark: genre (news / opinion / analysis), derivative and attribution density of
:func:`newstrace.profile.profile` on real articles, with proxy labels (there is no gold genre set in ../shared/data).

Every article goes through the real pipeline (``newstrace.pipeline.run``: extraction, attribution, stories,
cross-checking, profiles), one fresh store per corpus, fed as JSONL records so that id, title, URL, outlet and date
travel with the text. The profiles the pipeline wrote are read back from the store ("with section cues": URL path,
title prefix, columnist bio). Then every article is profiled again from the stored evidence with the URL and title
withheld ("text only": no URL, the title without its section label; a columnist's bio stays, it is part of the
text), so the URL or title that made a proxy label cannot make the prediction; only these ``profile()`` calls are
timed for the stage's own throughput. The re-run with cues must give the stored genre (checked).

Proxy labels:

- **PolNeAR** (political news 2016, train + dev only, never test): articles whose ``wire`` metadata names a wire
  service (AP, UPI, AFP, Reuters) are straight news, a clean negative set for opinion: every opinion there is a
  false positive. All of them are profiled, plus a seeded random sample of the non-wire articles (no label: their
  genre shares per publisher and the titles profiled opinion are reported for a reader to judge).
- **Zyte article-extraction benchmark** (gold article bodies; titles from the page's ``og:title`` or
  ``<title>``): a page is **opinion** when its URL path has an opinion-section marker (``/opinion/``,
  ``/commentisfree/``, ``/columnists/``, ``/op-ed/``, ``/editorial/``) or its own title says so ("Opinion | ...",
  "Column: ...", "... | Editorial": WSJ and the LA Times do not mark opinion in the URL); **analysis** when the
  path marks a fact check or explainer (5 pages, reported apart, counted as not opinion); **news** when its host is
  one of the general news outlets in ``NEWS_HOSTS`` (newspapers, broadcasters, agencies, their sports and
  business desks) and neither marks it. Left out: every other host (blogs, shops, product reviews and deals,
  tech, science and trade magazines, non-English pages), and on news hosts the pages whose path marks another
  genre (``/advice/`` columns, podcasts, reviews).
- **Seeds** (``../shared/seeds``): 000 opinion; 002 news, machine-written and derivative; 003 news (whether 000
  and 003 are derivative is reported, not checked: both rest partly on Reuters / WSJ / NYT reports they name).

Run: ``python -m bench.profiles`` (about 6 minutes on 2 cores, nearly all of it the pipeline on PolNeAR),
``--sample N`` for another PolNeAR non-wire sample size (0: wire only), ``--quick`` to write nothing,
``--workdir DIR`` to keep the stores and reuse them (then nothing is written either: the timings would be wrong).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import SHARED_DATA, data_dir, record  # noqa: E402
from bench.polnear import load_split  # noqa: E402
from newstrace.models import ArticleProfile  # noqa: E402
from newstrace.pipeline import run  # noqa: E402
from newstrace.profile import Earlier, ProfileParams, profile  # noqa: E402
from newstrace.settings import Settings  # noqa: E402
from newstrace.store import Store  # noqa: E402

SAMPLE_SEED = 0
NON_WIRE_SAMPLE = 250
SEEDS = SHARED_DATA.parent / "seeds"
# file prefix → (genre, machine-written, derivative); None: not stated, reported but not checked. 000 and 003 rest
# in part on Reuters / WSJ / NYT reports they name, which the derivative rule may count either way.
SEED_LABELS: dict[str, tuple[str, bool, bool | None]] = {
    "000": ("opinion", False, None),
    "002": ("news", True, True),
    "003": ("news", False, None),
}

OPINION_PATH = re.compile(r"/(?:opinions?|commentisfree|columnists?|op-?eds?|editorials?)/", re.I)
# The page's own title marks its section: "Opinion | ...", "Column: ...", "... | Editorial".
OPINION_TITLE = re.compile(r"^\s*(?:opinion|column|editorial|commentary)\s*[:|]\s|\|\s*(?:opinion|editorial)\b", re.I)
# Fact checks and explainers: the analysis proxy (a handful of pages, reported apart; not opinion).
ANALYSIS_PATH = re.compile(r"/(?:fact-?check|truth-o-meter|explainers?|explained)[/-]|/statements/", re.I)
OTHER_GENRE_PATH = re.compile(r"/(?:advice|podcasts?|fact-?check|truth-o-meter|reviews?|deals?)/|podcast", re.I)
NEWS_HOSTS = frozenset(
    """
    hosted.ap.org news.sky.com nypost.com www.nytimes.com www.theguardian.com www.washingtonexaminer.com
    sputniknews.com www.reuters.com www.bbc.com www.cbsnews.com www.cnn.com www.nbcnews.com www.usatoday.com
    www.latimes.com www.chron.com www.ctpost.com www.detroitnews.com www.timesunion.com www.sfgate.com
    www.mysanantonio.com www.aljazeera.com www.albawaba.com www.rt.com www.deccanherald.com www.express.co.uk
    www.thesun.co.uk www.cnbc.com www.foxnews.com www.foxbusiness.com www.cityam.com thehill.com
    www.therepublic.com www.panarmenian.net detroit.cbslocal.com www.nbcdfw.com www.hawaiinewsnow.com
    www.ctvnews.ca www.jpost.com www.spokesman.com www.twincities.com www.floridatoday.com www.cleveland.com
    www.nj.com www.newsweek.com www.barrons.com www.wsj.com www.telegraph.co.uk www.oregonlive.com www.msn.com
    www.cbssports.com www.sportsnet.ca www.moneycontrol.com www.indiapost.com www.theparadigmng.com
    www.catchitkansas.com www.billboard.com www.rollingstone.com www.hollywoodreporter.com
    """.split()
)


@dataclass
class Item:
    """One labelled article: ``key`` (its JSONL id), corpus, proxy ``label`` (None when unlabelled) and the JSONL
    record the pipeline reads; ``meta`` carries what the report groups by."""

    key: str
    corpus: str
    label: str | None
    record: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


# -- data -----------------------------------------------------------------------------------------------------


def polnear_items(sample: int = NON_WIRE_SAMPLE, seed: int = SAMPLE_SEED, wire_limit: int | None = None) -> list[Item]:
    """Train + dev PolNeAR articles: every wire story (the first ``wire_limit`` by name when given) and a seeded
    random sample of ``sample`` non-wire ones. The text's first line is its title."""
    root = data_dir("polnear")
    metadata = {}
    with open(root / "metadata.tsv", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=True))
            if row["compartment"] in ("train", "dev"):
                metadata[row["filename"]] = row
    articles = [a for split in ("train", "dev") for a in load_split(split, root)]
    wire = [a for a in articles if _wire(metadata[a.name]) is not None]
    others = [a for a in articles if _wire(metadata[a.name]) is None]
    chosen = wire[:wire_limit] + random.Random(seed).sample(others, min(sample, len(others)))
    items = []
    for article in chosen:
        meta = metadata[article.name]
        title, _, body = article.text.partition("\n")
        wire_name = _wire(meta)
        items.append(
            Item(
                key=article.name,
                corpus="polnear",
                label="news" if wire_name else None,
                record={
                    "id": article.name,
                    "title": title.strip(),
                    "text": body.strip(),
                    "source": meta["publisher"],
                    "published": meta["publication_date"],
                    "authors": [meta["author"]] if meta["author"] not in ("", "None", "NA") else [],
                },
                meta={
                    "publisher": meta["publisher"],
                    "wire": wire_name,
                    "split": meta["compartment"],
                    "title": title.strip(),
                },
            )
        )
    return items


def _wire(meta: dict[str, str]) -> str | None:
    value = meta.get("wire", "")
    return None if value in ("", "None", "NA") else value.upper() if value.lower() == "reuters" else value


def aeb_label(url: str, title: str | None = None) -> str | None:
    """The proxy genre of an article-extraction-benchmark page from its URL and its own title (module docstring);
    None: left out."""
    parts = urlsplit(url)
    if OPINION_PATH.search(parts.path) or (title and OPINION_TITLE.search(title)):
        return "opinion"
    if ANALYSIS_PATH.search(parts.path):
        return "analysis"
    if parts.hostname in NEWS_HOSTS and not OTHER_GENRE_PATH.search(parts.path):
        return "news"
    return None


def aeb_items(opinion_only: bool = False) -> list[Item]:
    """The labelled pages of the article-extraction benchmark with their gold bodies, URLs and page titles."""
    root = data_dir("article-extraction-benchmark")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    for key, gold in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        title = page_title(html)
        label = aeb_label(gold["url"], title)
        if label is None or (opinion_only and label != "opinion"):
            continue
        items.append(
            Item(
                key=key,
                corpus="aeb",
                label=label,
                record={"id": key, "url": gold["url"], "title": title, "text": gold["articleBody"]},
                meta={"host": urlsplit(gold["url"]).hostname, "url": gold["url"], "title": title},
            )
        )
    return items


_OG_TITLE = re.compile(r"""<meta[^>]+property=["']og:title["'][^>]*>""", re.I)
_CONTENT = re.compile(r"""content=(["'])(.*?)\1""", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def page_title(html: str) -> str | None:
    """The page's ``og:title``, else its ``<title>`` (entities unescaped, whitespace collapsed)."""
    from html import unescape

    for tag in _OG_TITLE.findall(html):
        if m := _CONTENT.search(tag):
            return " ".join(unescape(m.group(2)).split()) or None
    if m := _TITLE.search(html):
        return " ".join(unescape(m.group(1)).split()) or None
    return None


_TITLE_PREFIX = re.compile(r"^\s*[\w\s.-]{1,30}?\s*[:|–—]\s+")


def bare_title(title: str | None) -> str | None:
    """A title without a leading section label ("Opinion | ...", "Analysis: ...") and without the trailing
    " | Section | Site" parts pages add."""
    if not title:
        return title
    title = _TITLE_PREFIX.sub("", title) if re.match(r"^\s*[\w\s.-]{1,30}?\s*[:|–—]\s", title) else title
    return title.split(" | ")[0].strip() or None


def seed_items() -> list[Item]:
    """The three seed articles, as plain-text files (first line the title), labelled by ``SEED_LABELS``."""
    if not SEEDS.is_dir():
        sys.exit(f"seed articles not found at {SEEDS}: put ../shared beside the repository or set NEWSTRACE_SHARED")
    items = []
    for path in sorted(SEEDS.glob("*.txt")):
        genre, machine, derivative = SEED_LABELS[path.name[:3]]
        items.append(
            Item(
                key=path.name,
                corpus="seeds",
                label=genre,
                record={"path": str(path)},
                meta={"machine_written": machine, "derivative": derivative},
            )
        )
    return items


# -- running ----------------------------------------------------------------------------------------------------


@dataclass
class Profiled:
    """One corpus through the pipeline: the stored profiles (section cues on), the text-only re-profiles, the
    timings, keyed by ``Item.key``."""

    items: list[Item]
    stored: dict[str, ArticleProfile]
    text_only: dict[str, ArticleProfile]
    pipeline_seconds: float
    profile_seconds: float  # profile() calls alone, both passes
    profile_calls: int
    reused: bool = False  # the store was there from an earlier run (--workdir): the pipeline timing means nothing


def _progress(corpus: str) -> Callable[[str, int, int], None]:
    """A pipeline progress callback that prints each stage once and then every 15 s."""
    last: list[Any] = ["", 0.0]

    def report(ref: str, done: int, total: int) -> None:
        stage = "reading" if "/" in ref or "#" in ref else ref
        now = time.perf_counter()
        if stage != last[0] or now - last[1] > 15:
            print(f"  [{corpus}] {stage}: {done}/{total}", flush=True)
            last[:] = [stage, now]

    return report


def run_corpus(items: Sequence[Item], workdir: Path, workers: int = 2, quiet: bool = False) -> Profiled:
    """Run the pipeline on ``items`` in a fresh store under ``workdir``, then profile every article again with the
    URL and title withheld; seeds are read from their files, the others from one JSONL file (items of several
    corpora may share it, named after the first)."""
    corpus = items[0].corpus
    workdir.mkdir(parents=True, exist_ok=True)
    if corpus == "seeds":
        inputs = [item.record["path"] for item in items]
    else:
        jsonl = workdir / f"{corpus}.jsonl"
        jsonl.write_text("".join(json.dumps(item.record) + "\n" for item in items), encoding="utf-8")
        inputs = [str(jsonl)]
    started = time.perf_counter()
    reused = (workdir / f"{corpus}.duckdb").exists()
    with Store(workdir / f"{corpus}.duckdb") as store:
        summary = run(inputs, store, Settings(workers=workers), None if quiet else _progress(corpus))
        pipeline_seconds = time.perf_counter() - started
        if not summary.ok or summary.errors:
            print(f"  [{corpus}] pipeline errors: {dict(summary.errors)} {summary.error_lines[:5]}", flush=True)
        keys = _keys(store, corpus)
        stored, text_only, seconds, calls = reprofile(store, keys)
    return Profiled(list(items), stored, text_only, pipeline_seconds, seconds, calls, reused)


def _keys(store: Store, corpus: str) -> dict[str, str]:
    """article id → item key (the JSONL id, or the seed's file name)."""
    _, rows = store.query("SELECT article_id, external_id, input_ref FROM articles")
    return {a: (external if corpus != "seeds" else Path(ref).name) for a, external, ref in rows}


def reprofile(
    store: Store, keys: dict[str, str], params: ProfileParams | None = None
) -> tuple[dict[str, ArticleProfile], dict[str, ArticleProfile], float, int]:
    """The profiles the pipeline stored (checked against a re-run of ``profile()`` on the same evidence) and the
    text-only profiles (no URL, title without its section label), keyed by item key; with the seconds spent in
    ``profile()`` alone and the number of calls."""
    defaults = params is None
    params = params or ProfileParams()
    pending = store.articles_to_profile("bench")  # another version than the stored one: every article
    found = store.profile_evidence([article.article_id for article, _ in pending])
    stored_genre = dict(store.query("SELECT article_id, genre FROM profiles")[1])
    with_cues: dict[str, ArticleProfile] = {}
    text_only: dict[str, ArticleProfile] = {}
    seconds, calls = 0.0, 0
    for article, _ in pending:
        evidence = (
            found["attributions"][article.article_id],
            found["claims"][article.article_id],
            [Earlier(claim_id, outlet) for claim_id, outlet in found["earlier"][article.article_id]],
            found["origins"][article.article_id],
        )
        bare = replace(article, url=None, title=bare_title(article.title))
        started = time.perf_counter()
        full = profile(article, *evidence, params)
        plain = profile(bare, *evidence, params)
        seconds += time.perf_counter() - started
        calls += 2
        if defaults and full.genre != stored_genre.get(article.article_id):
            raise RuntimeError(f"{article.article_id}: stored genre differs from profile() on the stored evidence")
        with_cues[keys[article.article_id]] = full
        text_only[keys[article.article_id]] = plain
    return with_cues, text_only, seconds, calls


# -- figures ----------------------------------------------------------------------------------------------------


def opinion_scores(items: Sequence[Item], profiles: dict[str, ArticleProfile]) -> dict[str, Any]:
    """Opinion precision / recall / F1 over the labelled items (news and analysis count as not opinion)."""
    labelled = [i for i in items if i.label is not None and i.key in profiles]
    tp = sum(i.label == "opinion" and profiles[i.key].genre == "opinion" for i in labelled)
    fp = sum(i.label != "opinion" and profiles[i.key].genre == "opinion" for i in labelled)
    fn = sum(i.label == "opinion" and profiles[i.key].genre != "opinion" for i in labelled)
    negatives = sum(i.label != "opinion" for i in labelled)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "positives": tp + fn,
        "negatives": negatives,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "fp_rate": round(fp / negatives, 3) if negatives else None,
        "genres": dict(Counter(profiles[i.key].genre for i in labelled)),
    }


def cue_summary(p: ArticleProfile, limit: int = 12) -> str:
    """The genre cues of a profile, counted by kind, with a few of their words: 'first-person ×3 (I, my) ...'."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for cue in p.cues:
        if cue.kind not in ("lifted", "cites-outlet"):
            by_kind[cue.kind].append(cue.text)
    parts = []
    for kind, texts in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(dict.fromkeys(t[:40] for t in texts[:limit]))
        parts.append(f"{kind} ×{len(texts)} ({shown})")
    return "; ".join(parts)


def example(item: Item, p: ArticleProfile) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.meta.get("title") or item.key,
        "label": item.label,
        "genre": p.genre,
        "genre_score": p.genre_score,
        "cues": cue_summary(p),
        **{k: item.meta[k] for k in ("publisher", "wire", "url") if k in item.meta},
    }


def misclassified(result: Profiled, profiles: dict[str, ArticleProfile]) -> list[dict[str, Any]]:
    """Labelled items whose opinion / not-opinion verdict is wrong."""
    return [
        example(i, profiles[i.key])
        for i in result.items
        if i.label is not None and i.key in profiles and (i.label == "opinion") != (profiles[i.key].genre == "opinion")
    ]


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(statistics.fmean(kept), 3) if kept else None


def polnear_figures(result: Profiled) -> dict[str, Any]:
    profiles = result.stored
    wire = [i for i in result.items if i.meta["wire"] and i.key in profiles]
    others = [i for i in result.items if not i.meta["wire"] and i.key in profiles]
    by_group: dict[str, list[Item]] = defaultdict(list)
    for i in others:
        by_group[i.meta["publisher"]].append(i)
    by_group["wire (AP, UPI, AFP, Reuters)"] = wire
    distribution = {}
    for group, members in sorted(by_group.items()):
        genres = Counter(profiles[i.key].genre for i in members)
        distribution[group] = {
            "articles": len(members),
            **{g: genres.get(g, 0) for g in ("news", "opinion", "analysis")},
            "opinion_share": round(genres.get("opinion", 0) / len(members), 3),
            "analysis_share": round(genres.get("analysis", 0) / len(members), 3),
        }
    return {
        "articles": len(profiles),
        "wire_articles": len(wire),
        "non_wire_articles": len(others),
        "wire_opinion": opinion_scores(wire, profiles),
        "wire_opinion_text_only": opinion_scores(wire, result.text_only),
        "wire_false_opinion": [example(i, profiles[i.key]) for i in wire if profiles[i.key].genre == "opinion"],
        "wire_analysis": [example(i, profiles[i.key]) for i in wire if profiles[i.key].genre == "analysis"],
        "genre_by_publisher": distribution,
        "flagged_opinion": [example(i, profiles[i.key]) for i in others if profiles[i.key].genre == "opinion"],
        "derivative_share": {
            "wire": round(sum(profiles[i.key].derivative for i in wire) / max(len(wire), 1), 3),
            "non_wire": round(sum(profiles[i.key].derivative for i in others) / max(len(others), 1), 3),
        },
        "derived_from_wire": dict(Counter(o for i in wire for o in profiles[i.key].derived_from[:1]).most_common(8)),
        "attribution_density": {
            "wire": _mean([profiles[i.key].attribution_density for i in wire]),
            "non_wire": _mean([profiles[i.key].attribution_density for i in others]),
        },
        "genre_score_median": {
            "wire": round(statistics.median(profiles[i.key].genre_score for i in wire), 3) if wire else None,
            "non_wire": round(statistics.median(profiles[i.key].genre_score for i in others), 3) if others else None,
        },
    }


def aeb_figures(result: Profiled) -> dict[str, Any]:
    items = [i for i in result.items if i.key in result.stored]
    opinion = [i for i in items if i.label == "opinion"]
    news = [i for i in items if i.label == "news"]
    analysis = [i for i in items if i.label == "analysis"]
    return {
        "pages": len(items),
        "opinion_pages": len(opinion),
        "news_pages": len(news),
        "analysis_pages": len(analysis),
        "analysis_genres_text_only": dict(Counter(result.text_only[i.key].genre for i in analysis)),
        "analysis_genres_with_cues": dict(Counter(result.stored[i.key].genre for i in analysis)),
        "text_only": opinion_scores(items, result.text_only),
        "with_cues": opinion_scores(items, result.stored),
        "misclassified_text_only": misclassified(result, result.text_only),
        "misclassified_with_cues": misclassified(result, result.stored),
        "opinion_pages_profiled": [example(i, result.text_only[i.key]) for i in opinion],
        "attribution_density": {
            "opinion": _mean([result.stored[i.key].attribution_density for i in opinion]),
            "news": _mean([result.stored[i.key].attribution_density for i in news]),
        },
    }


def seed_figures(result: Profiled) -> dict[str, Any]:
    out = {}
    for item in result.items:
        p = result.stored.get(item.key)
        if p is None:
            out[item.key] = {"missing": True}
            continue
        out[item.key] = {
            "expected": {"genre": item.label, **item.meta},
            "genre": p.genre,
            "genre_text_only": result.text_only[item.key].genre,
            "genre_score": p.genre_score,
            "machine_written": p.machine_written,
            "derivative": p.derivative,
            "derived_from": list(p.derived_from),
            "attribution_density": None if p.attribution_density is None else round(p.attribution_density, 3),
            "cues": cue_summary(p),
            "ok": p.genre == item.label
            and p.machine_written == item.meta["machine_written"]
            and item.meta["derivative"] in (None, p.derivative),
        }
    return out


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The BENCHMARKS.md rows: (figure, value, anchor)."""
    none = "no published genre figure on these sets (proxy labels, see bench/profiles.py)"
    context = (
        "no published figure on this set; context only, not comparable: Yu & Hatzivassiloglou 2003, WSJ editorials "
        "and letters vs news, supervised naive Bayes, P and R above 0.97; SemEval-2019 Task 4 hyperpartisan "
        "(another task), best by-article accuracy 0.822"
    )
    a, p, s, t = figures["aeb"], figures["polnear"], figures["seeds"], figures["timing"]

    def prf(r: dict[str, Any]) -> str:
        return f"{r['precision']:.3f} / {r['recall']:.3f} / {r['f1']:.3f} (TP {r['tp']}, FP {r['fp']}, FN {r['fn']})"

    n = f"{a['opinion_pages']} opinion vs {a['news_pages']} news + {a['analysis_pages']} fact-check pages"
    distribution = "; ".join(
        f"{g} {d['opinion']}/{d['analysis']}/{d['articles']}" for g, d in p["genre_by_publisher"].items()
    )
    rows_ = [
        (f"AEB opinion P / R / F1, text only ({n})", prf(a["text_only"]), context),
        (f"AEB opinion P / R / F1, with URL and title cues ({n})", prf(a["with_cues"]), none),
        (
            f"AEB fact-check / explainer pages ({a['analysis_pages']}) profiled as, text only / with cues",
            f"{_genres(a['analysis_genres_text_only'])} / {_genres(a['analysis_genres_with_cues'])}",
            none,
        ),
        (
            f"PolNeAR train+dev wire stories profiled opinion ({p['wire_articles']} AP/UPI/AFP/Reuters)",
            f"{p['wire_opinion']['fp']} / {p['wire_articles']} = {p['wire_opinion']['fp_rate']:.3f} "
            f"(analysis {len(p['wire_analysis'])})",
            none,
        ),
        (
            f"PolNeAR profiled opinion / analysis / articles: non-wire sample by publisher (seed {SAMPLE_SEED}), wire",
            distribution,
            "no gold genre labels",
        ),
        (
            "PolNeAR wire stories profiled opinion, text only (URL and title withheld)",
            f"{p['wire_opinion_text_only']['fp']} / {p['wire_articles']}",
            none,
        ),
        (
            "derivative share, PolNeAR wire / non-wire",
            f"{p['derivative_share']['wire']:.3f} / {p['derivative_share']['non_wire']:.3f}",
            none,
        ),
        (
            "mean attribution density (attributed / claims): PolNeAR wire / AEB opinion / AEB news",
            f"{p['attribution_density']['wire']:.3f} / {a['attribution_density']['opinion']:.3f} / "
            f"{a['attribution_density']['news']:.3f}",
            none,
        ),
        (
            "seeds 000 opinion, 002 news + machine + derivative, 003 news",
            "; ".join(
                f"{k[:3]} {v['genre']}{' machine' if v['machine_written'] else ''}"
                f"{' derivative' if v['derivative'] else ''} {'ok' if v['ok'] else 'WRONG'}"
                for k, v in s.items()
            ),
            "expected labels of the seeds",
        ),
        (
            "articles/s, profile() alone (from stored evidence, 1 process, load average in the JSON)",
            f"{t['profile_articles_per_s']:,.0f}",
            "—",
        ),
        ("articles/s, whole pipeline on PolNeAR (2 workers)", f"{t['polnear_pipeline_articles_per_s']:.1f}", "—"),
    ]
    return rows_


def quick_items(wire: int = 30) -> list[Item]:
    """The small set of the quality-floor test: the AEB opinion pages and the first ``wire`` PolNeAR wire stories."""
    return aeb_items(opinion_only=True) + polnear_items(sample=0, wire_limit=wire)


def run_all(workdir: Path, sample: int, workers: int) -> dict[str, Profiled]:
    """The three corpora through the pipeline, one store each under ``workdir``."""
    results: dict[str, Profiled] = {}
    loaders: dict[str, Callable[[], list[Item]]] = {
        "seeds": seed_items,
        "aeb": aeb_items,
        "polnear": lambda: polnear_items(sample),
    }
    for name, load in loaders.items():
        items = load()
        print(f"{name}: {len(items)} articles through the pipeline", flush=True)
        results[name] = r = run_corpus(items, workdir / name, workers)
        print(f"{name}: {len(r.stored)} profiled in {r.pipeline_seconds:.1f} s", flush=True)
    return results


def _genres(counts: dict[str, int]) -> str:
    return ", ".join(f"{g} {counts[g]}" for g in ("news", "opinion", "analysis") if counts.get(g))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=NON_WIRE_SAMPLE, help="PolNeAR non-wire articles to sample")
    parser.add_argument("--workers", type=int, default=2, help="pipeline worker processes")
    parser.add_argument("--quick", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--workdir", help="keep the stores here and reuse them on the next run (default: a temp dir)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load = os.getloadavg()[0]  # other work on the machine slows the timings down
    with tempfile.TemporaryDirectory(prefix="bench-profiles-") as tmp:
        results = run_all(Path(args.workdir or tmp), args.sample, args.workers)
    calls = sum(r.profile_calls for r in results.values())
    seconds = sum(r.profile_seconds for r in results.values())
    figures: dict[str, Any] = {
        "params": _params(),
        "load_average_before": round(load, 2),
        "labelling": {
            "aeb_opinion_path": OPINION_PATH.pattern,
            "aeb_opinion_title": OPINION_TITLE.pattern,
            "aeb_other_genre_path": OTHER_GENRE_PATH.pattern,
            "aeb_news_hosts": sorted(NEWS_HOSTS),
            "polnear_sample": {"seed": SAMPLE_SEED, "non_wire": args.sample},
        },
        "aeb": aeb_figures(results["aeb"]),
        "polnear": polnear_figures(results["polnear"]),
        "seeds": seed_figures(results["seeds"]),
        "timing": {
            "profile_calls": calls,
            "profile_seconds": round(seconds, 3),
            "profile_articles_per_s": round(calls / seconds, 1) if seconds else None,
            "pipeline_seconds": {k: round(r.pipeline_seconds, 1) for k, r in results.items()},
            "polnear_pipeline_articles_per_s": round(
                len(results["polnear"].stored) / results["polnear"].pipeline_seconds, 2
            ),
            "bench_seconds": round(time.perf_counter() - started, 1),
        },
    }
    report(figures)
    if args.quick or any(r.reused for r in results.values()):
        print("not recorded (--quick, or stores reused from --workdir)")
        return
    record("profiles", figures, rows(figures))


def _params() -> dict[str, Any]:
    from dataclasses import fields

    defaults = ProfileParams()
    return {f.name: getattr(defaults, f.name) for f in fields(defaults)}


def report(figures: dict[str, Any]) -> None:
    """Print the figures and the examples a reader needs to judge them."""
    a, p = figures["aeb"], figures["polnear"]
    for mode in ("text_only", "with_cues"):
        r = a[mode]
        print(
            f"AEB {mode}: opinion P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
            f"(TP {r['tp']} FP {r['fp']} FN {r['fn']} of {a['opinion_pages']} + {a['news_pages']}) {r['genres']}"
        )
        for e in a[f"misclassified_{mode}"]:
            print(f"   {e['label']:>7} → {e['genre']:<8} {e['genre_score']:5.2f}  {e['url']}\n      {e['cues']}")
    fact = (a["analysis_genres_text_only"], a["analysis_genres_with_cues"])
    print(f"AEB fact-check pages: text only {fact[0]}, with cues {fact[1]}")
    print("AEB opinion pages (text only):")
    for e in a["opinion_pages_profiled"]:
        print(f"   {e['genre']:<8} {e['genre_score']:5.2f}  {e['title']}\n      {e['cues']}")
    w = p["wire_opinion"]
    print(f"PolNeAR wire: {w['fp']} / {p['wire_articles']} profiled opinion (rate {w['fp_rate']}), {w['genres']}")
    for e in p["wire_false_opinion"] + p["wire_analysis"]:
        print(f"   {e['genre']:<8} {e['genre_score']:5.2f}  [{e['wire']}] {e['title']}\n      {e['cues']}")
    print("PolNeAR genre by publisher (opinion / analysis / articles):")
    for group, d in p["genre_by_publisher"].items():
        print(f"   {group:<32} {d['opinion']:>3} / {d['analysis']:>3} / {d['articles']:>3}")
    print("PolNeAR non-wire titles profiled opinion:")
    for e in p["flagged_opinion"]:
        print(f"   {e['genre_score']:5.2f}  [{e['publisher']}] {e['title']}\n      {e['cues']}")
    print(f"derivative share wire / non-wire: {p['derivative_share']}, from {p['derived_from_wire']}")
    print(f"attribution density: PolNeAR {p['attribution_density']}, AEB {a['attribution_density']}")
    for key, s in figures["seeds"].items():
        print(f"seed {key}: {s}")
    print(f"timing: {figures['timing']}")


if __name__ == "__main__":
    main()
