"""Story timelines: entries from hand-built group and claim rows, the SVG / PNG / JSON / CSV writers, hostile
text, and the timeline of the demo corpus's largest story through the store, the pipeline function and the CLI."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.cli import newstrace

from newstrace import timeline
from newstrace.errors import UsageError
from newstrace.models import TimelineEntry
from newstrace.pipeline import story_timeline
from newstrace.store import Store

SCRIPT = "<script>alert(1)</script>"


def group(n: int, **fields: Any) -> dict[str, Any]:
    """A group row as ``Store.story_timeline_rows`` gives it."""
    row = {
        "group_id": f"g{n}", "claim_id": f"c{n}", "article_id": f"a{n}", "text": f"Group claim {n}",
        "event_type": "transfer", "modality": "reported", "verdict": "corroborated", "n_outlets": 3,
        "claim_date": None, "date_precision": None, "published": date(2024, 2, 21),
    }  # fmt: skip
    return row | fields


def claim(n: int, **fields: Any) -> dict[str, Any]:
    row = {
        "claim_id": f"k{n}", "article_id": f"a{n}", "text": f"Lone claim {n}", "event_type": "attack",
        "modality": "asserted", "date": date(2024, 2, 20), "date_precision": "day",
    }  # fmt: skip
    return row | fields


GROUPS = [
    group(1, claim_date=date(2024, 1, 1), date_precision="month"),  # "since January": dated by the claim
    group(2, verdict="contested", event_type="reject"),  # no date stated: dated by its first article
    group(3, verdict="single-origin", published=None),  # nothing known: undated
]
CLAIMS = [claim(1), claim(2, date=None), claim(3, date=date(2023, 10, 1), date_precision="month")]


def test_entries_are_dated_by_claim_else_publication_and_ordered() -> None:
    found = timeline.entries("s1", GROUPS, CLAIMS)
    assert [e.item_id for e in found] == ["k3", "g1", "k1", "g2", "g3"]  # the undated claim k2 is left out
    by_id = {e.item_id: e for e in found}
    assert by_id["g1"].date == date(2024, 1, 1) and by_id["g1"].dated_by == "claim"
    assert by_id["g1"].date_precision == "month" and by_id["g1"].verdict == "corroborated"
    assert by_id["g2"].date == date(2024, 2, 21) and by_id["g2"].dated_by == "published"
    assert by_id["g2"].date_precision is None
    assert by_id["g3"].date is None and by_id["g3"].dated_by is None
    assert by_id["k1"] == TimelineEntry(
        story_id="s1", kind="claim", item_id="k1", claim_id="k1", article_id="a1", text="Lone claim 1",
        event_type="attack", modality="asserted", verdict=None, n_outlets=1, date=date(2024, 2, 20),
        date_precision="day", dated_by="claim",
    )  # fmt: skip


def test_json_and_csv_hold_every_entry(tmp_path: Path) -> None:
    found = timeline.entries("s1", GROUPS, CLAIMS)
    timeline.write_timeline(found, tmp_path / "t.json")
    rows = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert [r["item_id"] for r in rows] == [e.item_id for e in found]
    assert rows[1]["date"] == "2024-01-01" and rows[-1]["date"] is None
    timeline.write_timeline(found, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["item_id"] for r in table] == [e.item_id for e in found] and table[1]["verdict"] == "corroborated"


def test_pictures_are_well_formed(tmp_path: Path) -> None:
    found = timeline.entries("s1", GROUPS, CLAIMS)
    svg = timeline.svg(found, title="Drones")
    assert svg.startswith("<svg") and ET.fromstring(svg) is not None
    for text in ("Drones", "transfer", "undated", "Group claim 1 [3 outlets]", "Lone claim 1", "contested"):
        assert text in svg, text
    timeline.write_timeline(found, tmp_path / "t.svg")
    ET.parse(tmp_path / "t.svg")
    timeline.write_timeline(found, tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(UsageError):
        timeline.write_timeline(found, tmp_path / "t.gexf")


def test_empty_and_all_undated_timelines_are_drawn(tmp_path: Path) -> None:
    assert "no claim groups or dated claims" in timeline.svg([])
    timeline.write_timeline([], tmp_path / "empty.png")
    timeline.write_timeline([], tmp_path / "empty.json")
    assert json.loads((tmp_path / "empty.json").read_text(encoding="utf-8")) == []
    undated = timeline.entries("s1", [group(3, published=None)], [])
    ET.fromstring(timeline.svg(undated))


def test_many_entries_are_cut_to_the_most_reported() -> None:
    groups = [group(n, n_outlets=n % 7 + 1, published=date(2024, 1, 1 + n % 28)) for n in range(120)]
    svg = timeline.svg(timeline.entries("s1", groups, []))
    assert f"({timeline.MAX_DRAWN} of 120 entries shown)" in svg


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    hostile = f"{SCRIPT} \x00\x1b$400m and $300m"
    found = timeline.entries("s1", [group(1, text=hostile), group(2, text=hostile, published=None)], [])
    svg = timeline.svg(found, title=hostile)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)
    timeline.write_timeline(found, tmp_path / "h.svg", title=hostile)
    ET.parse(tmp_path / "h.svg")


# -- the demo corpus ---------------------------------------------------------------------------------------------


def test_demo_timeline_of_the_largest_story(demo_db: Path, tmp_path: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        _, rows = store.query("SELECT story_id FROM stories ORDER BY n_articles DESC LIMIT 1")
        story_id = rows[0][0]
        found = story_timeline(store, story_id)
        _, groups = store.query("SELECT count(*) FROM claim_groups WHERE story_id = ?", [story_id])
        assert story_timeline(store, "no-such-story") == []
    assert sum(e.kind == "group" for e in found) == groups[0][0] > 3
    assert {"corroborated", "single-origin"} <= {e.verdict for e in found}
    assert all(e.story_id == story_id and (e.kind == "group" or e.date is not None) for e in found)
    dates = [e.date for e in found if e.date is not None]
    assert dates == sorted(dates)
    missiles = [e for e in found if e.kind == "group" and "400" in e.text and e.event_type == "transfer"]
    assert missiles and missiles[0].date is not None and missiles[0].date <= date(2024, 2, 21)

    done = newstrace("timeline", story_id[:7], "--out", str(tmp_path / "t.svg"), "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    assert f"{len(found)} entries" in done.stdout
    ET.parse(tmp_path / "t.svg")
    missing = newstrace("timeline", "nosuchstory", "--out", str(tmp_path / "x.svg"), "--db", str(demo_db))
    assert missing.returncode == 2 and "no story" in missing.stderr
    wrong = newstrace("timeline", story_id, "--out", str(tmp_path / "x.gexf"), "--db", str(demo_db))
    assert wrong.returncode == 2 and ".json" in wrong.stderr
