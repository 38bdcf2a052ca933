"""Main-text extraction benchmark: newstrace against bare trafilatura on two public evaluation sets.

1. The Zyte/Scrapinghub article-extraction-benchmark (181 English-mostly news pages, gold ``articleBody``), scored as
   that benchmark does: multisets of 4-token shingles over ``\\w+`` tokens, tp/fp/fn normalised per page, corpus
   precision and recall as means over pages, F1 their harmonic mean, "accuracy" the share of pages whose tokens
   match exactly. The scorer is first checked against the published numbers on the shipped reference outputs.
2. trafilatura's own evaluation set (990 multilingual pages): per page, snippets that must appear in the text and
   snippets that must not; P/R/F micro-averaged over all snippets (skipped with ``--quick``).

"newstrace" is ``newstrace.extract.article_text_from_html`` (body extraction plus the news clean-up) when it
exists, else ``newstrace.body.extract_body``; the body alone is scored as well, so the clean-up's share shows.

Usage::

    python -m bench.extraction            # both sets, records the figures (from the repository root)
    python -m bench.extraction --quick    # Zyte set only, nothing recorded
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ZYTE = "article-extraction-benchmark"
TRAFILATURA_EVAL = "trafilatura-eval"

# Published F1 of the reference outputs shipped with the Zyte set (its README); the scorer must reproduce them.
PUBLISHED_F1 = {
    "AutoExtract": 0.970,
    "go_trafilatura": 0.960,
    "html-text": 0.665,
    "newspaper": 0.949,
    "readability": 0.922,
    "trafilatura": 0.958,
}
ZYTE_ANCHOR = "best published 0.970 (Zyte AutoExtract, rs_trafilatura); trafilatura 2.0.0 0.958"
TE_ANCHOR = "published trafilatura 2.2.0 F 0.924 (standard mode)"

Extractor = Callable[[str, str | None], str]

# --- the Zyte benchmark's metric ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


@dataclass(frozen=True)
class ShingleScore:
    """Corpus figures of the Zyte metric, with bootstrap standard deviations."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    f1_std: float
    pages: int


def _tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def _shingles(tokens: list[str]) -> Counter[tuple[str, ...]]:
    # a text shorter than one shingle still counts as one (short) shingle, as in the benchmark's own scorer
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(max(1, len(tokens) - _SHINGLE + 1)) if tokens)


def page_counts(gold: str, predicted: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle multisets, normalised to sum to 1 so every page weighs the same."""
    g, p = _shingles(_tokens(gold)), _shingles(_tokens(predicted))
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def _corpus(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return precision, recall, 2 * precision * recall / (precision + recall)


def shingle_score(gold: Mapping[str, str], predicted: Mapping[str, str | None], bootstrap: int = 200) -> ShingleScore:
    """Score ``predicted`` bodies against ``gold`` with the Zyte benchmark's metric (missing ids count as empty)."""
    ids = sorted(gold)
    counts = [page_counts(gold[i], predicted.get(i)) for i in ids]
    exact = [float(_tokens(gold[i]) == _tokens(predicted.get(i))) for i in ids]
    precision, recall, f1 = _corpus(counts)
    rng = random.Random(0)
    resampled = []
    for _ in range(bootstrap):
        sample = [counts[rng.randrange(len(counts))] for _ in counts]
        resampled.append(_corpus(sample)[2])
    return ShingleScore(
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=statistics.mean(exact),
        f1_std=statistics.stdev(resampled) if bootstrap > 1 else 0.0,
        pages=len(ids),
    )


# --- trafilatura-eval's metric -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SnippetScore:
    """Micro-averaged figures of trafilatura's snippet evaluation."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_score(items: Iterable[Mapping[str, Any]], outputs: Iterable[str | None]) -> SnippetScore:
    """Each "with" snippet found is a tp (else fn), each "without" snippet found a fp (else tn)."""
    tp = fp = fn = tn = pages = 0
    for item, output in zip(items, outputs, strict=True):
        text = _norm(output or "")
        found_with = sum(_norm(s) in text for s in item["with"]) if output else 0
        found_without = sum(_norm(s) in text for s in item["without"]) if output else 0
        tp += found_with
        fn += len(item["with"]) - found_with
        fp += found_without
        tn += len(item["without"]) - found_without
        pages += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SnippetScore(precision, recall, f1, (tp + tn) / (tp + tn + fp + fn), pages)


# --- data --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZytePage:
    item_id: str
    url: str
    html: str
    gold: str


@dataclass(frozen=True)
class EvalPage:
    url: str
    html: bytes
    item: Mapping[str, Any]


def load_zyte(root: Path) -> list[ZytePage]:
    """The Zyte pages with their gold bodies, sorted by id."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for item_id in sorted(truth):
        with gzip.open(root / "html" / f"{item_id}.html.gz", "rt", encoding="utf-8") as handle:
            html = handle.read()
        pages.append(ZytePage(item_id, truth[item_id].get("url", ""), html, truth[item_id]["articleBody"]))
    return pages


def load_reference_outputs(root: Path) -> dict[str, dict[str, str | None]]:
    """System name -> {item id: article body} for the reference outputs shipped with the Zyte set."""
    outputs = {}
    for path in sorted((root / "reference-outputs").glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        data = data.get("output", data) if "version" in data else data
        outputs[path.name.removesuffix(".json.gz")] = {k: (v or {}).get("articleBody") for k, v in data.items()}
    return outputs


def load_trafilatura_eval(root: Path) -> list[EvalPage]:
    """The trafilatura-eval pages (raw bytes, read from the archive) with their snippets, sorted by URL."""
    with gzip.open(root / "evaldata.json.gz", "rt", encoding="utf-8") as handle:
        evaldata = json.load(handle)
    files: dict[str, bytes] = {}
    with tarfile.open(root / "trafilatura-eval-html.tar.gz") as archive:
        for member in archive:
            content = archive.extractfile(member) if member.isfile() else None
            if content is not None:
                folder, _, name = member.name.rpartition("/")
                # trafilatura's own eval looks in cache/ before eval/
                if name not in files or folder.endswith("cache"):
                    files[name] = content.read()
    return [EvalPage(url, files[item["file"]], item) for url, item in sorted(evaldata.items())]


# --- systems -----------------------------------------------------------------------------------------------


def bare_trafilatura(html: str | bytes, url: str | None) -> str:
    """trafilatura.extract with its default settings (comments included, fallback on)."""
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def newstrace_systems() -> dict[str, Callable[[str, str | None], str]]:
    """The newstrace extractors to score: the full article text and, when that exists, the body alone."""
    from newstrace import body
    from newstrace.settings import Settings

    settings = Settings()

    def body_only(html: str, url: str | None) -> str:
        content = body.extract_body(html, url, settings)
        return content.text if content else ""

    try:
        from newstrace import extract
    except ImportError:
        extract = None  # type: ignore[assignment]
    if extract is not None and hasattr(extract, "article_text_from_html"):

        def full(html: str, url: str | None) -> str:
            return str(extract.article_text_from_html(html, url, settings))

        return {"newstrace": full, "newstrace body": body_only}
    return {"newstrace": body_only}


def run(
    extractor: Callable[[Any, str | None], str], inputs: Sequence[tuple[Any, str | None]]
) -> tuple[list[str], float]:
    """Outputs of ``extractor`` on ``inputs`` and its throughput in pages per second (one process)."""
    start = time.perf_counter()
    outputs = [extractor(html, url) for html, url in inputs]
    return outputs, len(inputs) / (time.perf_counter() - start)


def decode(html: bytes) -> str:
    """Bytes to text as newstrace's ingest would: trafilatura's decoder (declared charset, then detection)."""
    from trafilatura.utils import decode_file

    text = decode_file(html)
    return text if isinstance(text, str) else text.decode("utf-8", "replace")


# --- main --------------------------------------------------------------------------------------------------


def main() -> None:
    """Run the benchmark, print the tables and record the figures."""
    from bench._common import data_dir, record

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="skip the trafilatura-eval set and record nothing (a partial run)"
    )
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)  # trafilatura warns on every odd page; the figures are what matter here

    zyte_root = data_dir(ZYTE)
    pages = load_zyte(zyte_root)
    gold = {p.item_id: p.gold for p in pages}

    print("Scorer check on the Zyte reference outputs (published F1 in brackets):")
    check = {}
    for name, reference in load_reference_outputs(zyte_root).items():
        score = shingle_score(gold, reference, bootstrap=0)
        check[name] = {
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "f1": round(score.f1, 3),
        }
        published = PUBLISHED_F1.get(name)
        flag = "" if published is None or abs(score.f1 - published) < 0.0015 else "  MISMATCH"
        shown = "n/a" if published is None else f"{published:.3f}"
        print(f"  {name:<16} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}  [{shown}]{flag}")

    systems: dict[str, Callable[[Any, str | None], str]] = {"bare trafilatura": bare_trafilatura}
    systems.update(newstrace_systems())
    import trafilatura

    print(f"\nZyte set, {len(pages)} pages (trafilatura {trafilatura.__version__}):")
    zyte_figures: dict[str, dict[str, float]] = {}
    inputs = [(p.html, p.url) for p in pages]
    for name, extractor in systems.items():
        outputs, speed = run(extractor, inputs)
        s = shingle_score(gold, dict(zip(gold, outputs, strict=True)))
        zyte_figures[name] = {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "f1_std": round(s.f1_std, 3),
            "accuracy": round(s.accuracy, 4),
            "pages_per_s": round(speed, 1),
        }
        print(
            f"  {name:<17} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f} ± {zyte_figures[name]['f1_std']:.3f}"
            f"  accuracy {s.accuracy:.3f}  {speed:5.1f} pages/s"
        )

    te_figures: dict[str, dict[str, float]] = {}
    if not args.quick:
        eval_pages = load_trafilatura_eval(data_dir(TRAFILATURA_EVAL))
        print(f"\ntrafilatura-eval, {len(eval_pages)} pages (snippets):")
        te_systems = {"bare trafilatura": bare_trafilatura, "newstrace": systems["newstrace"]}
        for name, extractor in te_systems.items():
            # bare trafilatura reads bytes as in trafilatura's own evaluation; newstrace gets decoded text
            te_inputs = [(p.html if name == "bare trafilatura" else decode(p.html), p.url) for p in eval_pages]
            outputs, speed = run(extractor, te_inputs)
            t = snippet_score([p.item for p in eval_pages], outputs)
            te_figures[name] = {
                "precision": round(t.precision, 4),
                "recall": round(t.recall, 4),
                "f1": round(t.f1, 4),
                "accuracy": round(t.accuracy, 4),
                "pages_per_s": round(speed, 1),
            }
            print(
                f"  {name:<17} P {t.precision:.3f}  R {t.recall:.3f}  F {t.f1:.3f}  accuracy {t.accuracy:.3f}"
                f"  {speed:5.1f} pages/s"
            )

    figures: dict[str, Any] = {
        "trafilatura_version": trafilatura.__version__,
        "scorer_check": check,
        "zyte": zyte_figures,
        "trafilatura_eval": te_figures,
    }
    rows = []
    for name, f in zyte_figures.items():
        rows.append((f"Zyte F1, {name}", f"{f['f1']:.3f} ± {f['f1_std']:.3f}", ZYTE_ANCHOR))
        rows.append(
            (f"Zyte P / R / accuracy, {name}", f"{f['precision']:.3f} / {f['recall']:.3f} / {f['accuracy']:.3f}", "")
        )
        rows.append((f"Zyte pages/s, {name}", f"{f['pages_per_s']:.1f}", "one process"))
    for name, f in te_figures.items():
        rows.append((f"trafilatura-eval F, {name}", f"{f['f1']:.3f}", TE_ANCHOR))
        rows.append((f"trafilatura-eval P / R, {name}", f"{f['precision']:.3f} / {f['recall']:.3f}", ""))
        rows.append((f"trafilatura-eval pages/s, {name}", f"{f['pages_per_s']:.1f}", "one process"))
    if args.quick:
        print("\n--quick: figures not recorded")
    else:
        record("extraction", figures, rows)


if __name__ == "__main__":
    main()
