"""Event benchmark: newstrace's claim reader against the PLOVER gold-standard records (322 sentences coded from the
CAMEO manual by Parus Analytics; ``../shared/data/plover-gsr``).

Each gold sentence is read like a one-sentence article (attributions first, then claims); the **main claim** is the
one whose trigger is nearest the root of the parse, an event of a known type before a generic statement. Scored:

- **event type accuracy** and macro-F1, after mapping the gold PLOVER 0.5b1 labels onto the newstrace taxonomy
  with :data:`GOLD_TO_TYPE` (written down here and in the README);
- **source / target actor accuracy** on country codes: a sentence counts when a code of the main claim's actors
  (targets) is among the gold source (target) codes; over all sentences with gold codes, and over those where a
  code was predicted (precision);
- **coverage**: sentences with any claim, with an actor code, with a target code.

No published figure exists for this set (its README); the first measured figures are the floors in
``tests/test_events_quality.py``. The sentences are split by record number into an even half (looked at while
writing the rules) and an odd half (not looked at), so the gap between the halves shows how much the rules are
fitted to what was looked at.

Run: ``python -m bench.events``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import data_dir, record  # noqa: E402

# PLOVER 0.5b1 label → newstrace event type. The 2021 PLOVER manual merges DISAPPROVE and INVESTIGATE into ACCUSE
# and ASSAULT with FIGHT, and renames DEMAND to REQUEST; newstrace follows it and keeps COERCE and MOBILIZE apart.
GOLD_TO_TYPE = {
    "AGREE": "cooperate", "COOPERATE": "cooperate", "SUPPORT": "cooperate", "CONSULT": "consult",
    "AID": "transfer", "CONCEDE": "concede", "RETREAT": "concede", "DISAPPROVE": "accuse", "INVESTIGATE": "accuse",
    "SANCTION": "sanction", "THREATEN": "threaten", "COERCE": "coerce", "ASSAULT": "attack", "FIGHT": "attack",
    "MOBILIZE": "mobilize", "PROTEST": "protest", "DEMAND": "request", "REJECT": "reject",
}  # fmt: skip
# CAMEO country codes that differ from ISO 3166 alpha-3.
CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM", "ROM": "ROU", "SER": "SRB", "MNT": "MNE"}


@dataclass
class Gold:
    number: int
    text: str
    event: str
    sources: set[str]
    targets: set[str]


def load() -> list[Gold]:
    """The 322 gold records, event labels mapped and codes normalised."""
    out = []
    path = data_dir("plover-gsr") / "plover_gsr_cameo.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        out.append(Gold(number, raw["text"], GOLD_TO_TYPE[raw["event"]], _codes(raw.get("source")),
                        _codes(raw.get("target"))))  # fmt: skip
    return out


def _codes(actors: Any) -> set[str]:
    if not isinstance(actors, list):
        return set()
    return {CAMEO_TO_ISO.get(a["code"], a["code"]) for a in actors if a.get("code")}


POSITIVE = frozenset({"transfer", "consult", "cooperate", "concede"})
NEGATIVE = frozenset({"sanction", "coerce", "attack", "mobilize", "protest"})


def plover_type(event_type: str, modality: str, clause_words: set[str]) -> str:
    """What PLOVER would call a newstrace claim. PLOVER codes intentions by their sign, not their content: "Finland
    will give Tanzania a grant" is AGREE, "they would boycott the talks" THREATEN; a reported "must" is a DEMAND,
    and a negated offer ("will not accept refugees") a REJECT. newstrace keeps the event and says "future" or
    "negated" in ``modality`` instead; this projection is for scoring only."""
    if modality == "future" and event_type in POSITIVE and not clause_words & {"unless", "if"}:
        return "cooperate"
    if modality == "future" and (event_type in NEGATIVE or clause_words & {"unless"}):
        return "threaten"
    if modality == "negated" and event_type in POSITIVE:
        return "reject"
    if clause_words & {"must", "should"} and event_type not in ("request", "reject"):
        return "request"
    return event_type


def predict(texts: list[str]) -> list[dict[str, Any]]:
    """The main claim of each text: event type (as PLOVER would code it), actor codes, and target codes (the
    targets' and, since PLOVER codes the country visited or acted in as the target, the place's)."""
    from newstrace.actors import load as load_actors
    from newstrace.attribution import Attributor
    from newstrace.events import main_clause, read_claims
    from newstrace.settings import Settings

    stage = Attributor(Settings())
    table = load_actors()
    out = []
    for doc, found in stage.read(texts):
        clause = main_clause(read_claims(doc, found, None, table))
        if clause is None:
            out.append({"type": None, "actors": set(), "targets": set()})
            continue
        place = table.alias(clause.place) if clause.place else None
        words = {t.lower_ for t in clause.span}
        out.append({
            "type": plover_type(clause.event_type, clause.modality, words),
            "actors": {a.code for a in clause.actors if a.code},
            "targets": {a.code for a in clause.targets if a.code} | ({place.code} if place and place.code else set()),
        })  # fmt: skip
    return out


def score(gold: list[Gold], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(gold)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if p["type"] == g.event)
    types = sorted(set(GOLD_TO_TYPE.values()))
    per_type = {}
    for kind in types:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g.event == kind and p["type"] == kind)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g.event != kind and p["type"] == kind)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g.event == kind and p["type"] != kind)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        per_type[kind] = {"f1": round(100 * f1, 1), "gold": tp + fn, "predicted": tp + fp}
    result: dict[str, Any] = {
        "sentences": n,
        "event accuracy": _pct(correct, n),
        "event macro-F1": round(sum(t["f1"] for t in per_type.values()) / len(per_type), 1),
        "coverage (any claim)": _pct(sum(1 for p in predicted if p["type"] is not None), n),
        "coverage (actor code)": _pct(sum(1 for p in predicted if p["actors"]), n),
        "coverage (target code)": _pct(sum(1 for p in predicted if p["targets"]), n),
    }
    for side, key in (("source", "actors"), ("target", "targets")):
        with_gold = [(g, p) for g, p in zip(gold, predicted, strict=True) if getattr(g, side + "s")]
        hits = sum(1 for g, p in with_gold if p[key] & getattr(g, side + "s"))
        tried = sum(1 for _, p in with_gold if p[key])
        result[f"{side} actor accuracy"] = _pct(hits, len(with_gold))
        result[f"{side} actor precision"] = _pct(hits, tried)
    result["per type"] = per_type
    result["confusion (gold → predicted, top 12)"] = [
        f"{g} → {p}: {c}"
        for (g, p), c in Counter(
            (g.event, pr["type"] or "none") for g, pr in zip(gold, predicted, strict=True) if g.event != pr["type"]
        ).most_common(12)
    ]
    return result


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def run(limit: int | None = None) -> dict[str, Any]:
    gold = load()[:limit]
    started = time.perf_counter()
    predicted = predict([g.text for g in gold])
    elapsed = time.perf_counter() - started
    figures: dict[str, Any] = {"all": score(gold, predicted)}
    for half, parity in (("even (looked at)", 0), ("odd (not looked at)", 1)):
        pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g.number % 2 == parity]
        figures[half] = {k: v for k, v in score([g for g, _ in pairs], [p for _, p in pairs]).items()
                         if not isinstance(v, (dict, list))}  # fmt: skip
    figures["sentences per second"] = round(len(gold) / elapsed, 1)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    args = parser.parse_args(argv)
    figures = run(args.limit)
    print(json.dumps(figures, indent=2))
    if args.limit is None:
        whole = figures["all"]
        rows = [
            ("PLOVER GSR event type accuracy (322 sentences)", f"{whole['event accuracy']}", "no published figure"),
            ("event type macro-F1", f"{whole['event macro-F1']}", "no published figure"),
            ("source actor accuracy / precision (country codes)",
             f"{whole['source actor accuracy']} / {whole['source actor precision']}", "no published figure"),
            ("target actor accuracy / precision (country codes)",
             f"{whole['target actor accuracy']} / {whole['target actor precision']}", "no published figure"),
            ("coverage: any claim / actor code / target code",
             f"{whole['coverage (any claim)']} / {whole['coverage (actor code)']} / {whole['coverage (target code)']}",
             "no published figure"),
            ("event accuracy, even half (looked at) / odd half (not)",
             f"{figures['even (looked at)']['event accuracy']} / {figures['odd (not looked at)']['event accuracy']}",
             "gap = fit to the looked-at half"),
            ("sentences/s (parse + attribution + claims, 1 process)", f"{figures['sentences per second']}", "—"),
        ]  # fmt: skip
        record("events", figures, rows)


if __name__ == "__main__":
    main()
