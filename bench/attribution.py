"""Attribution benchmark: newstrace's attribution stage against the PolNeAR gold standard (train and dev splits).

Scores source, cue and content spans and whole relations in the three modes of :func:`bench.polnear.score`
(exact, one-token overlap, Citron's token overlap) and measures articles per second of the whole stage (parse,
rules, span tagger, speaker resolution) in this process. The anchor is BBC Citron on PARC 3.0 (WSJ): source F1
82.0, cue F1 82.3, content F1 59.3 exact / 83.3 overlap (its model README). The PolNeAR test split is held back.

Only attributions with a cue are scored: continued quotes (no cue of their own) and the article's own voice
(``implicit``) are newstrace additions that PolNeAR does not annotate.

Run: ``python -m bench.attribution [--split dev] [--limit N] [--no-model]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import record  # noqa: E402
from bench.polnear import GoldArticle, Relation, format_scores, load_split, score  # noqa: E402

CITRON = {"source exact F1": 82.0, "cue exact F1": 82.3, "content exact F1": 59.3, "content overlap F1": 83.3}


def predict(articles: Sequence[GoldArticle], use_model: bool = True) -> tuple[dict[str, list[Relation]], float]:
    """Run the attribution stage on every article; return relations per article name and the seconds taken."""
    from newstrace.attribution import Attributor
    from newstrace.settings import Settings

    stage = Attributor(Settings(span_model=use_model))
    started = time.perf_counter()
    found = stage.find([a.text for a in articles])
    seconds = time.perf_counter() - started
    predicted: dict[str, list[Relation]] = {}
    for article, items in zip(articles, found, strict=True):
        relations = []
        for item in items:
            if item.cue is None or item.implicit:
                continue
            source = ((item.source.start_char, item.source.end_char),) if item.source is not None else None
            content = tuple(sorted((span.start_char, span.end_char) for span in item.content))
            relations.append(Relation(source, ((item.cue.start_char, item.cue.end_char),), content))
        predicted[article.name] = relations
    return predicted, seconds


def evaluate(split: str, limit: int | None = None, use_model: bool = True) -> dict[str, Any]:
    """Scores and throughput on one split, as a flat dict of figures (F1 in percent) plus the full score table."""
    gold = load_split(split)
    gold = [a for a in gold if a.relations][:limit] if limit else [a for a in gold if a.relations]
    predicted, seconds = predict(gold, use_model)
    result = score(gold, predicted)
    words = sum(len(a.text.split()) for a in gold)
    figures: dict[str, Any] = {
        "split": split,
        "articles": len(gold),
        "span_model": use_model,
        "articles_per_s": round(len(gold) / seconds, 2),
        "words_per_s": round(words / seconds),
    }
    for mode in ("exact", "overlap", "token"):
        for part in ("source", "cue", "content", "relation"):
            row = result[mode][part]
            figures[f"{part} {mode} P"] = round(100 * row["precision"], 1)
            figures[f"{part} {mode} R"] = round(100 * row["recall"], 1)
            figures[f"{part} {mode} F1"] = round(100 * row["f1"], 1)
    return {"figures": figures, "scores": result}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/attribution.py", description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="append", choices=("train", "dev"), help="split(s) to score (default dev)")
    parser.add_argument("--limit", type=int, help="only the first N articles of each split (a quick check)")
    parser.add_argument("--no-model", action="store_true", help="rules only, without the trained span tagger")
    args = parser.parse_args(argv)
    splits = args.split or ["dev"]
    results = {}
    for split in splits:
        outcome = evaluate(split, args.limit, not args.no_model)
        results[split] = outcome
        print(
            format_scores(
                outcome["scores"], f"PolNeAR {split} ({'rules + span tagger' if not args.no_model else 'rules'})"
            )
        )
        print(f"{outcome['figures']['articles_per_s']} articles/s, {outcome['figures']['words_per_s']} words/s")
    if args.limit is None:
        name = "attribution" if not args.no_model else "attribution_rules"
        rows = []
        for split, outcome in results.items():
            figures = outcome["figures"]
            for label, anchor in CITRON.items():
                part, mode, _ = label.split()
                rows.append((f"PolNeAR {split} {label}", figures[f"{part} {mode} F1"], f"Citron PARC3 {anchor}"))
            rows.append((f"PolNeAR {split} relation exact F1", figures["relation exact F1"], "human 61.5"))
            rows.append((f"attribution articles/s ({split})", figures["articles_per_s"], "one process"))
        record(name, {split: outcome["figures"] for split, outcome in results.items()}, rows)


if __name__ == "__main__":
    main()
