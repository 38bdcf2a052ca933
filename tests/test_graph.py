"""The actor graph: edges aggregated from hand-built claim rows, the GEXF / GraphML / SVG / PNG writers, hostile
text, and the graph of the demo corpus through the store, the pipeline function and the CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from tests.cli import newstrace

from newstrace import graph
from newstrace.errors import UsageError
from newstrace.pipeline import actor_graph
from newstrace.store import Store

SCRIPT = "<script>alert(1)</script>"


def claim(n: int, actor: str | None, target: str | None, **fields: Any) -> dict[str, Any]:
    """A row as ``Store.actor_claims`` gives it; Iran → Russia transfer unless told otherwise."""
    row = {
        "claim_id": f"c{n}", "article_id": f"a{n}", "story_id": "s1", "event_type": "transfer",
        "modality": "reported", "actor": actor, "actor_code": "IRN", "actor_kind": "country", "target": target,
        "target_code": "RUS", "date": None, "published": date(2024, 2, 21), "outlet": f"Outlet {n}",
        "verdicts": None,
    }  # fmt: skip
    return row | fields


ROWS = [
    claim(1, "Iran", "Russia", date=date(2024, 1, 1), verdicts=["single-origin"]),
    claim(2, "Iran's government", "Russia", actor_kind="government", published=date(2024, 2, 23)),
    claim(3, "Iran", "Russia", article_id="a2", outlet="Outlet 2"),  # a second claim of the same article
    claim(4, "Iran", "Russia", duplicate_of="a1"),  # a copy: counted once, through its original
    claim(5, "Russia", None, actor_code="RUS", event_type="attack"),  # no target: only says Russia is a country
    claim(6, "Iran", "Russia", modality="denied", event_type="statement", verdicts=["contested"]),
    claim(
        7,
        "Nikolai Patrushev",
        "Ebrahim Raisi; Iran (official)",
        actor_code="RUS",
        actor_kind="person",
        target_code="IRN",
        event_type="consult",
    ),
    claim(8, "Iran", "Tehran's allies; Iran", event_type="cooperate"),  # Iran on itself: no loop
]


def test_edges_aggregate_claims_per_actor_target_and_event_type() -> None:
    g = graph.build(ROWS, "s1")
    transfer = g.edges["IRN", "RUS", "transfer"]
    assert transfer["n_claims"] == 3 and transfer["weight"] == 3
    assert transfer["n_articles"] == 2 and transfer["n_outlets"] == 2
    assert (transfer["first"], transfer["last"]) == (date(2024, 1, 1), date(2024, 2, 23))  # claim date, published
    assert transfer["claim_ids"] == ["c1", "c2", "c3"] and transfer["story_ids"] == ["s1"]
    assert transfer["verdicts"] == {"single-origin": 1} and transfer["modalities"] == {"reported": 3}
    assert not transfer["contested"]
    # a country and its government are one node, labelled by its most common name; a person stays a person
    assert g.nodes["IRN"]["label"] == "Iran" and g.nodes["IRN"]["kind"] == "country"
    assert g.nodes["RUS"]["kind"] == "country"  # learnt from the claim where Russia acts
    assert g.nodes["nikolai patrushev"] == {
        "label": "Nikolai Patrushev", "kind": "person", "code": "RUS", "n_claims": 1, "n_articles": 1,
    }  # fmt: skip
    # several targets are several edges; the copy is left out, and so is Iran → Iran
    assert set(g.successors("nikolai patrushev")) == {"ebrahim raisi", "iran (official)"}
    assert not any("c4" in d["claim_ids"] for _, _, d in g.edges(data=True))
    assert not nx.number_of_selfloops(g)
    assert g.graph == {"story_id": "s1", "n_claims": 6}


def test_a_denied_claim_or_contested_group_flags_its_edge() -> None:
    g = graph.build(ROWS)
    denied = g.edges["IRN", "RUS", "statement"]
    assert denied["contested"] and denied["n_disputed"] == 1 and denied["modalities"] == {"denied": 1}
    grouped = graph.build([claim(1, "Iran", "Russia", verdicts=["contested", "single-origin"])])
    assert grouped.edges["IRN", "RUS", "transfer"]["contested"]
    assert grouped.edges["IRN", "RUS", "transfer"]["n_disputed"] == 0


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_gexf_and_graphml_read_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"g{suffix}"
    graph.write_graph(graph.build(ROWS), path)
    back = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    assert isinstance(back, nx.MultiDiGraph)
    assert back.nodes["IRN"]["label"] == "Iran"
    (data,) = [d for u, v, d in back.edges(data=True) if (u, v) == ("IRN", "RUS") and d["event_type"] == "transfer"]
    assert int(data["n_claims"]) == 3 and data["claim_ids"] == "c1; c2; c3"
    assert data["modalities"] == "reported: 3"
    if suffix == ".gexf":  # dynamic: Gephi's timeline shows when each edge was reported
        assert (data["start"], data["end"]) == ("2024-01-01", "2024-02-23")
    else:
        assert (data["first"], data["last"]) == ("2024-01-01", "2024-02-23")


def test_pictures_are_well_formed(tmp_path: Path) -> None:
    g = graph.build(ROWS)
    svg = graph.svg(g)
    assert svg.startswith("<svg") and ET.fromstring(svg).tag.endswith("svg")
    assert "transfer ×3" in svg and "Nikolai Patrushev" in svg  # text stays text
    graph.write_graph(g, tmp_path / "g.svg")
    ET.parse(tmp_path / "g.svg")
    graph.write_graph(g, tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_graph_is_written_and_drawn(tmp_path: Path) -> None:
    g = graph.build([claim(1, "Iran", None), claim(2, None, "Russia")])
    assert g.number_of_nodes() == 0 and g.number_of_edges() == 0
    assert "no actor → target events" in graph.svg(g)
    for suffix in (".gexf", ".graphml", ".svg", ".png"):
        graph.write_graph(g, tmp_path / f"empty{suffix}")
        assert (tmp_path / f"empty{suffix}").stat().st_size > 0
    with pytest.raises(UsageError):
        graph.write_graph(g, tmp_path / "g.txt")


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    hostile = f"{SCRIPT} \x00\x1b$400m and $300m"  # tags, characters XML cannot hold, mathtext dollars
    g = graph.build([claim(1, hostile, "Russia"), claim(2, "Iran", hostile, target_code=None)])
    svg = graph.svg(g)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)
    for suffix in (".gexf", ".graphml", ".svg"):
        path = tmp_path / f"h{suffix}"
        graph.write_graph(g, path)
        assert "<script" not in path.read_text(encoding="utf-8")
        ET.parse(path)
    labels = {d["label"] for _, d in nx.read_gexf(tmp_path / "h.gexf").nodes(data=True)}
    assert f"{SCRIPT} $400m and $300m" in labels


def test_large_graphs_draw_only_the_most_active_actors() -> None:
    rows = [claim(n, f"Actor {n}", "Russia", actor_code=None, actor_kind="person") for n in range(60)]
    rows += [claim(100, "Actor 7", "Russia", actor_code=None, actor_kind="person")]
    g = graph.build(rows)
    assert len(g) == 61
    svg = graph.svg(g)
    assert f"{graph.MAX_DRAWN} of 61 actors" in svg and "Actor 7" in svg


# -- the demo corpus ---------------------------------------------------------------------------------------------


def iran_story(db: Path) -> str:
    with Store(db, read_only=True) as store:
        _, rows = store.query("SELECT story_id FROM stories ORDER BY n_articles DESC LIMIT 1")
    return str(rows[0][0])


def test_demo_iran_transfers_russia(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        everything = actor_graph(store)
        story = actor_graph(store, iran_story(demo_db))
        rows = store.actor_claims(None)
        _, copies = store.query("SELECT article_id FROM articles WHERE duplicate_of IS NOT NULL")
        assert actor_graph(store, "no-such-story").number_of_edges() == 0
    for g in (everything, story):
        transfer = g.edges["IRN", "RUS", "transfer"]
        assert transfer["n_claims"] >= 2 and transfer["n_outlets"] >= 2
        assert g.nodes["IRN"]["label"] == "Iran"
    assert story.graph["story_id"] == iran_story(demo_db)
    assert copies and not {r["article_id"] for r in rows} & {c for (c,) in copies}
    assert all(r["actor"] for r in rows)
    ET.fromstring(graph.svg(everything))


def test_cli_graph(demo_db: Path, tmp_path: Path) -> None:
    story = iran_story(demo_db)
    done = newstrace("graph", "--story", story[:7], "--out", str(tmp_path / "iran.gexf"), "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    assert "actors and" in done.stdout and "iran.svg" in done.stdout
    assert nx.read_gexf(tmp_path / "iran.gexf").has_edge("IRN", "RUS")
    ET.parse(tmp_path / "iran.svg")
    picture = newstrace("graph", "--out", str(tmp_path / "all.png"), "--db", str(demo_db))
    assert picture.returncode == 0, picture.stderr
    assert (tmp_path / "all.png").exists() and not (tmp_path / "all.svg").exists()
    missing = newstrace("graph", "--story", "nosuchstory", "--out", str(tmp_path / "x.svg"), "--db", str(demo_db))
    assert missing.returncode == 2 and "no story" in missing.stderr
    wrong = newstrace("graph", "--out", str(tmp_path / "x.txt"), "--db", str(demo_db))
    assert wrong.returncode == 2 and ".gexf" in wrong.stderr
