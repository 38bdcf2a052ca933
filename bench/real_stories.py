"""Real-coverage benchmark: the whole pipeline on real multi-outlet stories, scored against hand-made gold.

Each folder of ``../shared/data/real-stories/`` is one developing story as real outlets covered it (``corpus.jsonl``)
with the gold an analyst wrote (``gold.json``; see its ``SCHEMA.md``). As a user would, every folder is run with
``newstrace run corpus.jsonl`` into a fresh store, its tables exported with ``newstrace export``, and the export
scored by the reference scorer ``../shared/tools/real_stories_score.py`` (the code held-back coverage is scored
with; this script computes no figure of its own, so the two cannot disagree).

Three runs per figure set:

- **per story**: each folder alone;
- **English**: the same exports scored against the gold with the non-English articles' mentions left out (the
  issue's "mention recall on English articles"), so that what the analysis reaches where it reads the language is
  seen apart from what it does not read yet;
- **pooled**: all folders in one corpus and one store (ids prefixed with the folder, the gold merged into the
  scorer's multi-story form), which is how a user brings mixed coverage: stories must also stay apart.

The pipeline's wall time per article is measured on the pooled run.

Run: ``python -m bench.real_stories`` (about 3 minutes on 2 cores); ``--quick`` writes nothing;
``--keep DIR`` keeps the stores and exports; ``--baseline CHECKOUT`` first runs the pooled corpus with the newstrace
of another checkout (``git worktree add ../base <commit>``), so that figures and cost before and after are measured
in one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import SHARED_DATA, data_dir, record  # noqa: E402

SCORER = SHARED_DATA.parent / "tools" / "real_stories_score.py"
TABLES = (
    "articles", "claims", "claim_groups", "claim_group_members", "origins", "article_stories", "stories", "profiles",
)  # fmt: skip
# The goals for the pooled dev figures (mention recall on English articles).
GOALS = {
    "verdict_acc": 0.85, "origin_count_exact": 0.75, "grouping_f1": 0.75, "denial_f1": 0.75,
    "copy_f1": 0.90, "relay_f1": 0.80, "mention_recall": 0.80,
}  # fmt: skip
NEWSTRACE = [str(Path(sys.executable).parent / "newstrace")]  # the console script, as a user runs it


def story_folders() -> list[Path]:
    """The story folders, in name order (each holds ``corpus.jsonl`` and ``gold.json``)."""
    base = data_dir("real-stories")
    return sorted(p for p in base.iterdir() if (p / "gold.json").is_file() and (p / "corpus.jsonl").is_file())


def run_pipeline(corpus: Path, db: Path, source: Path | None = None) -> float:
    """``newstrace run CORPUS --db DB`` in a fresh process (with the package from ``source``/src when given: an
    older checkout, for a before/after comparison in one run); the wall time it took."""
    env = {**os.environ, "PYTHONPATH": str(source / "src")} if source else None
    started = time.perf_counter()
    subprocess.run([*NEWSTRACE, "run", str(corpus), "--db", str(db), "--quiet"], check=False, capture_output=True,
                   env=env)  # fmt: skip
    return time.perf_counter() - started


def export(db: Path, out: Path) -> None:
    """Every table the scorer reads, as ``TABLE.jsonl`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        with (out / f"{table}.jsonl").open("w", encoding="utf-8") as fh:
            subprocess.run([*NEWSTRACE, "export", table, "--db", str(db)], check=True, stdout=fh)


def score(gold: dict[str, Any], exports: Path, work: Path) -> dict[str, Any]:
    """The reference scorer's figures for ``gold`` against the exports in ``exports``."""
    work.mkdir(parents=True, exist_ok=True)
    gold_file = work / "gold.json"
    gold_file.write_text(json.dumps(gold), encoding="utf-8")
    env = {**os.environ, "BARS_WORK": str(work)}
    subprocess.run([sys.executable, str(SCORER), str(gold_file), str(exports)], check=True, env=env,
                   capture_output=True)  # fmt: skip
    figures: dict[str, Any] = json.loads((work / "_verdicts.json").read_text(encoding="utf-8"))
    return figures


def english_only(gold: dict[str, Any], languages: dict[str, str]) -> dict[str, Any]:
    """The gold with the mentions in non-English articles left out (claims left with none are dropped)."""
    claims = []
    for claim in gold["claims"]:
        mentions = [m for m in claim["mentions"] if languages.get(m["article"], "en") == "en"]
        if mentions:
            claims.append({**claim, "mentions": mentions})
    return {**gold, "claims": claims}


def languages_of(corpus: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    return {str(r["id"]): str(r.get("language") or "en") for r in rows}


def pooled_inputs(folders: list[Path], work: Path) -> tuple[Path, dict[str, Any]]:
    """One corpus of every folder (ids prefixed ``folder/``) and the gold merged into the scorer's multi-story form."""
    corpus = work / "pooled.jsonl"
    stories = []
    with corpus.open("w", encoding="utf-8") as fh:
        for folder in folders:
            prefix = folder.name + "/"
            for line in (folder / "corpus.jsonl").open(encoding="utf-8"):
                if line.strip():
                    row = json.loads(line)
                    row["id"] = prefix + str(row["id"])
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
            articles = {
                prefix + k: {**v, "copy_of": prefix + v["copy_of"] if v.get("copy_of") else None}
                for k, v in gold["articles"].items()
            }
            claims = [
                {**c, "mentions": [{**m, "article": prefix + m["article"]} for m in c["mentions"]]}
                for c in gold["claims"]
            ]
            stories.append({**gold, "articles": articles, "claims": claims})
    return corpus, {"stories": stories}


def _revision(checkout: Path) -> str:
    """The commit a checkout is at (its path when it is no git checkout)."""
    found = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip() or str(checkout)


def run_pooled(
    corpus: Path, gold: dict[str, Any], folders: list[Path], work: Path, name: str, source: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any], float]:
    """The pooled corpus through one ``newstrace run`` (of ``source`` when given) into ``work/NAME.duckdb``: the
    scorer's figures over all articles and over English ones, and the wall time of the run."""
    db = work / f"{name}.duckdb"
    seconds = run_pipeline(corpus, db, source)
    export(db, work / name)
    languages: dict[str, str] = {}
    for folder in folders:
        languages.update({f"{folder.name}/{k}": v for k, v in languages_of(folder / "corpus.jsonl").items()})
    gold_en = {"stories": [english_only(s, languages) for s in gold["stories"]]}
    every = score(gold, work / name, work / "score" / name)
    english = score(gold_en, work / name, work / "score-en" / name)
    return every, english, seconds


def summary(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures the issue names, under short keys."""
    return {
        "story_b3_f1": figures["story_b3_f1"],
        "storyline_b3_f1": figures["storyline_b3_f1"],
        "mention_recall": figures["mention_recall"],
        "grouping_f1": figures["grouping_b3"][2],
        "verdict_acc": figures["verdict_acc"],
        "origin_count_exact": figures["origin_count_exact"],
        "origin_count_mae": figures["origin_count_mae"],
        "origin_name_recall": figures["origin_name_recall"],
        "denial_f1": figures["denial_f1"],
        "copy_f1": figures["copy_f1"],
        "relay_f1": figures["relay_f1"],
        "claims": figures["claims"],
        "nonen_in_story": figures["nonen_in_story"],
        "nonen_mention_recall": figures["nonen_mention_recall"],
    }


def run(work: Path, baseline: Path | None = None) -> dict[str, Any]:
    """Every folder alone (all articles and English only), then all of them pooled; with ``baseline`` (another
    checkout of newstrace) the pooled corpus also goes through that version first, timed and scored alike."""
    folders = story_folders()
    per_story: dict[str, Any] = {}
    for folder in folders:
        db = work / f"{folder.name}.duckdb"
        seconds = run_pipeline(folder / "corpus.jsonl", db)
        exports = work / folder.name
        export(db, exports)
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        every = score(gold, exports, work / "score" / folder.name)
        english = score(english_only(gold, languages_of(folder / "corpus.jsonl")), exports,
                        work / "score-en" / folder.name)  # fmt: skip
        per_story[folder.name] = {
            "all": summary(every), "english": summary(english), "raw": every, "seconds": round(seconds, 1),
            "articles": len(gold["articles"]),
        }  # fmt: skip
        print(folder.name, json.dumps(per_story[folder.name]["english"]), flush=True)
    corpus, gold = pooled_inputs(folders, work)
    before: dict[str, Any] = {}
    if baseline is not None:
        every, english, before_seconds = run_pooled(corpus, gold, folders, work, "baseline", baseline)
        before = {"all": summary(every), "english": summary(english), "seconds": round(before_seconds, 1),
                  "source": _revision(baseline)}  # fmt: skip
    pooled_all, pooled_en, seconds = run_pooled(corpus, gold, folders, work, "pooled")
    n_articles = sum(len(s["articles"]) for s in gold["stories"])
    print("pooled", json.dumps(summary(pooled_en)), flush=True)
    return {
        "stories": per_story,
        "pooled": {"all": summary(pooled_all), "english": summary(pooled_en), "raw": pooled_all},
        "pooled_articles": n_articles,
        "pooled_seconds": round(seconds, 1),
        "seconds_per_article": round(seconds / n_articles, 3),
        "baseline": before,
        "goals": GOALS,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    pooled, english = result["pooled"]["all"], result["pooled"]["english"]
    goal = GOALS
    out.append(("pooled verdict accuracy (claims in ≥ 2 articles)", f"{english['verdict_acc']:.3f} "
                f"({english['claims']} claims)", f"goal ≥ {goal['verdict_acc']}"))  # fmt: skip
    out.append(("pooled origin count exact / MAE", f"{english['origin_count_exact']:.3f} / "
                f"{english['origin_count_mae']:.2f}", f"goal ≥ {goal['origin_count_exact']}"))  # fmt: skip
    out.append(("pooled origin-name recall", f"{english['origin_name_recall']:.3f}", "—"))
    out.append(("pooled claim-grouping B³ F1", f"{english['grouping_f1']:.3f}", f"goal ≥ {goal['grouping_f1']}"))
    out.append(("pooled denial F1", f"{english['denial_f1']:.3f}", f"goal ≥ {goal['denial_f1']}"))
    out.append(("pooled copy F1 / relay F1", f"{pooled['copy_f1']:.3f} / {pooled['relay_f1']:.3f}",
                f"goal ≥ {goal['copy_f1']} / ≥ {goal['relay_f1']}"))  # fmt: skip
    out.append(("pooled mention recall, English / all articles",
                f"{english['mention_recall']:.3f} / {pooled['mention_recall']:.3f}",
                f"goal ≥ {goal['mention_recall']} on English"))  # fmt: skip
    out.append(("pooled storyline B³ F1 (stories B³ F1); non-English articles in their story",
                f"{pooled['storyline_b3_f1']:.3f} ({pooled['story_b3_f1']:.3f}); {pooled['nonen_in_story']:.3f}",
                "a folder is one storyline"))  # fmt: skip
    for name, story in result["stories"].items():
        e, a = story["english"], story["all"]
        out.append((
            f"{name}: verdict / origins exact / grouping F1 / denial F1 / copy F1 / relay F1 / mention recall (en)",
            f"{e['verdict_acc']:.2f} / {e['origin_count_exact']:.2f} / {e['grouping_f1']:.2f} / "
            f"{e['denial_f1']:.2f} / {a['copy_f1']:.2f} / {a['relay_f1']:.2f} / {e['mention_recall']:.2f}",
            "goals 0.85 / 0.75 / 0.75 / 0.75 / 0.90 / 0.80 / 0.80",
        ))  # fmt: skip
    before = result.get("baseline") or {}
    anchor = f"{result['pooled_articles']} articles, one `newstrace run`"
    if before:
        anchor += f"; {before['seconds'] / result['pooled_articles']:.3f} for the baseline in the same run"
        b, e = before["english"], english
        out.append((f"baseline {before['source']} (same run): verdict / origins exact / grouping F1 / denial F1 / "
                    "copy F1 / relay F1 / mention recall (en)",
                    f"{b['verdict_acc']:.3f} / {b['origin_count_exact']:.3f} / {b['grouping_f1']:.3f} / "
                    f"{b['denial_f1']:.3f} / {before['all']['copy_f1']:.3f} / {before['all']['relay_f1']:.3f} / "
                    f"{b['mention_recall']:.3f}",
                    f"now {e['verdict_acc']:.3f} / {e['origin_count_exact']:.3f} / {e['grouping_f1']:.3f} / "
                    f"{e['denial_f1']:.3f} / {pooled['copy_f1']:.3f} / {pooled['relay_f1']:.3f} / "
                    f"{e['mention_recall']:.3f}"))  # fmt: skip
    out.append(("whole pipeline, seconds per article (pooled run)", f"{result['seconds_per_article']:.3f}", anchor))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--keep", type=Path, help="keep the stores and exports in this folder")
    parser.add_argument("--baseline", type=Path, help="another newstrace checkout to run the pooled corpus with first")
    args = parser.parse_args(argv)
    if not SCORER.is_file():
        sys.exit(f"reference scorer not found at {SCORER}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(args.keep, args.baseline)
    else:
        with tempfile.TemporaryDirectory(prefix="nt-real-") as tmp:
            result = run(Path(tmp), args.baseline)
    if not args.quick:
        for story in result["stories"].values():
            story.pop("raw", None)
        result["pooled"].pop("raw", None)
        record("real_stories", result, rows(result))
    print(json.dumps({"pooled": result["pooled"], "seconds_per_article": result["seconds_per_article"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
