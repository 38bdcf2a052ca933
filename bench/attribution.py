"""Attribution benchmark: newstrace's attribution stage against the PolNeAR gold standard (train and dev splits).

Scores source, cue and content spans and whole relations in the three modes of :func:`bench.polnear.score`
(exact, one-token overlap, Citron's token overlap) and measures articles per second of the whole stage (parse,
rules, span tagger, speaker resolution) in this process. The anchor is BBC Citron on PARC 3.0 (WSJ): source F1
82.0, cue F1 82.3, content F1 59.3 exact / 83.3 overlap (its model README). The PolNeAR test split is held back.

Only attributions with a cue are scored: continued quotes (no cue of their own), the article's own voice
(``implicit``) and attributions nested inside another's content (PolNeAR is univocal: a token has one label, so
"the Journal noted how officials claim …" is one relation there) are newstrace additions PolNeAR does not annotate.

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


def human_agreement() -> dict[str, float]:
    """F1 of every PolNeAR annotator against every other on the annotator-training compartment (4 articles, 6
    annotators each, all ordered pairs pooled): the ceiling a system can be expected to reach on this corpus."""
    import itertools
    import tarfile
    from collections import defaultdict

    from bench.polnear import data_dir, parse_ann

    texts: dict[str, str] = {}
    anns: dict[str, dict[str, str]] = defaultdict(dict)
    with tarfile.open(data_dir("polnear") / "polnear-annotator-training.tar.gz") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            *_, folder, filename = member.name.split("/")
            if folder == "text":
                texts[filename[:-4]] = handle.read().decode("utf-8")
            elif folder == "attributions":
                stem, _, annotator = filename[:-4].rpartition("_")
                anns[stem][annotator] = handle.read().decode("utf-8")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for name, by_annotator in anns.items():
        relations = {who: parse_ann(ann, texts[name])[0] for who, ann in by_annotator.items()}
        for first, second in itertools.permutations(sorted(relations), 2):
            result = score([GoldArticle(name, "", texts[name], relations[first])], {name: relations[second]})
            for mode in ("exact", "overlap"):
                for part in ("source", "cue", "content", "relation"):
                    row = result[mode][part]
                    for i, key in enumerate(("tp", "fp", "fn")):
                        counts[f"{part} {mode} F1"][i] += row[key]
    return {key: round(200 * tp / (2 * tp + fp + fn), 1) for key, (tp, fp, fn) in counts.items()}


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
            if item.cue is None or item.implicit or _nested(item, items):
                continue
            source = ((item.source.start_char, item.source.end_char),) if item.source is not None else None
            content = tuple(sorted((span.start_char, span.end_char) for span in item.content))
            relations.append(Relation(source, ((item.cue.start_char, item.cue.end_char),), content))
        predicted[article.name] = relations
    return predicted, seconds


def _nested(item: Any, items: Sequence[Any]) -> bool:
    """An attribution whose cue lies inside another's content ("the Journal noted how officials claim …")."""
    return any(
        other is not item and other.cue is not None and any(c.start <= item.cue.start < c.end for c in other.content)
        for other in items
    )


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
    human = human_agreement()
    print("human agreement (annotator vs annotator):", ", ".join(f"{k} {v}" for k, v in human.items()))
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
            seen = "the tagger's training data, not a held-out figure; " if split == "train" else ""
            for label, anchor in CITRON.items():
                part, mode, _ = label.split()
                rows.append((
                    f"PolNeAR {split} {label}", figures[f"{part} {mode} F1"],
                    f"{seen}Citron on PARC3 {anchor}; PolNeAR human agreement {human[label]}",
                ))  # fmt: skip
            for label in ("relation exact F1", "relation overlap F1"):
                anchor = f"{seen}PolNeAR human agreement {human[label]}"
                rows.append((f"PolNeAR {split} {label}", figures[label], anchor))
            rows.append((f"attribution articles/s ({split})", figures["articles_per_s"], "one process"))
        payload = {split: outcome["figures"] for split, outcome in results.items()}
        record(name, {**payload, "human_agreement": human, "citron_parc3": CITRON}, rows)


if __name__ == "__main__":
    main()
