"""The actor graph: who does what to whom, built from the claims' actor → event → target fields (networkx).

A node is an actor. A country and its government are one node, keyed by the country code ("Tehran sent" and
"Iran sent" are both IRN); every other actor (a person, an organization, "Iran (ministry)") is keyed by its
normalised name, since its code is only the country it belongs to and Nikolai Patrushev is not Russia. Several
actors joined by "; " are each a node. An edge is one (actor, target, event type), aggregated over the claims that
state it, with their dates, modalities and verdicts, and example claim ids as evidence.

Claims come in as plain rows (``Store.actor_claims``). A target has no kind of its own: it takes the kind its name
has where it acts (rows without a target are read for that alone), else "country" when the name is the country's
name for its code ("Russia", RUS). Claims of copies (``duplicate_of``) and of an actor on itself are left out.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pycountry
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from . import figures
from .errors import UsageError

Row = Mapping[str, Any]
DISPUTED = frozenset({"denied", "negated"})  # modalities that say the event did not happen
EXAMPLES = 5  # claim ids kept on an edge as evidence
MAX_DRAWN = 30  # actors drawn in a picture (the most active); the GEXF and GraphML files have them all
LABELLED = 20  # arrows labelled in a picture (the busiest)
SEED = 7
COUNTRY_KINDS = frozenset({"country", "government"})
_GOVERNMENT = re.compile(r".+['’]s government$")
KIND_COLOURS = {
    "country": "#4c78a8",
    "person": "#f58518",
    "organization": "#54a24b",
    "group": "#b279a2",
    "other": "#9d9d9d",
}
EDGE_COLOUR, DISPUTED_COLOUR = "#555555", "#c62828"
# Translucent, so that an arrow arriving from below still shows through the label hanging under its node.
_LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6}


@dataclass(frozen=True, slots=True)
class _Party:
    key: str
    name: str
    code: str | None
    kind: str | None


@dataclass
class _Edge:
    claims: list[str] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)
    dates: list[date] = field(default_factory=list)
    modalities: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)


def build(rows: Iterable[Row], story_id: str | None = None) -> nx.MultiDiGraph:
    """The actor graph of the given claim rows (keys as in ``Store.actor_claims``; missing ones are ``None``).

    Node attributes: ``label`` (the most common name), ``kind``, ``code``, ``n_claims``, ``n_articles``. Edge key
    and ``event_type``: the event type; ``n_claims`` (also ``weight``), ``n_articles``, ``n_outlets``, ``first`` and
    ``last`` (claim date, else the article's publication), ``modalities`` and ``verdicts`` (counts of claims),
    ``n_disputed`` (denied or negated claims), ``contested`` (any disputed claim or contested group),
    ``claim_ids`` (up to five, evidence) and ``story_ids``. Graph attributes: ``story_id``, ``n_claims`` (claims
    that gave an edge)."""
    kept = [r for r in rows if r.get("actor") and not r.get("duplicate_of")]
    known = _known_actors(kept)
    names: defaultdict[str, Counter[str]] = defaultdict(Counter)
    kinds: defaultdict[str, Counter[str]] = defaultdict(Counter)
    codes: dict[str, str] = {}
    node_claims: defaultdict[str, set[str]] = defaultdict(set)
    node_articles: defaultdict[str, set[str]] = defaultdict(set)
    edges: defaultdict[tuple[str, str, str], _Edge] = defaultdict(_Edge)
    used = 0  # claims that gave an edge
    for row in kept:
        if not row.get("target"):
            continue
        actors = _parties(row["actor"], row.get("actor_code"), row.get("actor_kind"), known)
        targets = _parties(row["target"], row.get("target_code"), None, known)
        pairs = [(a, t) for a in actors for t in targets if a.key != t.key]
        for party in {p for pair in pairs for p in pair}:
            names[party.key][party.name] += 1
            kinds[party.key][party.kind or "other"] += 1
            if party.code:
                codes.setdefault(party.key, party.code)
            node_claims[party.key].add(row["claim_id"])
            node_articles[party.key].add(row["article_id"])
        for actor, target in pairs:
            _add(edges[(actor.key, target.key, row["event_type"])], row)
        used += bool(pairs)
    graph = nx.MultiDiGraph(story_id=story_id or "", n_claims=used)
    for key in sorted(names):
        graph.add_node(
            key, label=_most_common(names[key]), kind=_most_common(kinds[key]), code=codes.get(key),
            n_claims=len(node_claims[key]), n_articles=len(node_articles[key]),
        )  # fmt: skip
    for (source, target_key, event_type), edge in sorted(edges.items()):
        graph.add_edge(source, target_key, key=event_type, **_edge_attributes(event_type, edge))
    return graph


def _known_actors(rows: list[Row]) -> dict[str, tuple[str | None, str | None]]:
    """(code, kind) of each name seen as a first actor, the most common pair when the rows disagree."""
    seen: defaultdict[str, Counter[tuple[str | None, str | None]]] = defaultdict(Counter)
    for row in rows:
        first = _names(row["actor"])[:1]
        if first:
            seen[first[0]][(row.get("actor_code"), row.get("actor_kind"))] += 1
    return {name: pairs.most_common(1)[0][0] for name, pairs in seen.items()}


def _parties(
    text: str, code: str | None, kind: str | None, known: dict[str, tuple[str | None, str | None]]
) -> list[_Party]:
    """The actors of one actor or target field. Its code and kind belong to the first name only; the others, and
    targets (which have no kind), take what the name had as an actor elsewhere."""
    found = []
    for index, name in enumerate(_names(text)):
        seen_code, seen_kind = known.get(name, (None, None))
        this_code = (code if index == 0 else None) or seen_code
        this_kind = (kind if index == 0 else None) or seen_kind
        if this_kind is None and this_code and (name.casefold(), this_code) in _country_names():
            this_kind = "country"
        elif this_kind is None and _GOVERNMENT.match(name):
            this_kind = "government"
        key = this_code if this_code and this_kind in COUNTRY_KINDS else name.casefold()
        found.append(_Party(key, name, this_code, this_kind))
    return found


@functools.lru_cache(maxsize=1)
def _country_names() -> frozenset[tuple[str, str]]:
    """(folded name, code) of every country as the events stage names it: pycountry's names and the alias table's
    short ones ("Russia"). A target has no kind of its own; this tells that "Russia" (RUS) is the country."""
    names = set()
    for country in pycountry.countries:
        for text in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if text:
                names.add((text.casefold(), country.alpha_3))
    with resources.files("newstrace").joinpath("data/actors.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if row["kind"] == "country" and row["code"]:
                names.add((row["name"].strip().casefold(), row["code"].strip().upper()))
    return frozenset(names)


def _names(text: str) -> list[str]:
    """The names of an actor or target field; cleaned here, since a name is also a node id in GEXF and GraphML."""
    return [name for name in map(figures.clean, text.split(";")) if name]


def _add(edge: _Edge, row: Row) -> None:
    edge.claims.append(row["claim_id"])
    edge.articles.add(row["article_id"])
    if row.get("outlet"):
        edge.outlets.add(row["outlet"])
    if row.get("story_id"):
        edge.stories.add(row["story_id"])
    when = row.get("date") or row.get("published")
    if when is not None:
        edge.dates.append(when)
    edge.modalities[row.get("modality") or "asserted"] += 1
    edge.verdicts.update(set(row.get("verdicts") or ()))


def _edge_attributes(event_type: str, edge: _Edge) -> dict[str, Any]:
    disputed = sum(edge.modalities[m] for m in DISPUTED)
    return {
        "event_type": event_type,
        "label": event_type,
        "weight": len(edge.claims),
        "n_claims": len(edge.claims),
        "n_articles": len(edge.articles),
        "n_outlets": len(edge.outlets),
        "first": min(edge.dates, default=None),
        "last": max(edge.dates, default=None),
        "modalities": dict(edge.modalities.most_common()),
        "verdicts": dict(edge.verdicts.most_common()),
        "n_disputed": disputed,
        "contested": bool(disputed or edge.verdicts["contested"]),
        "claim_ids": edge.claims[:EXAMPLES],
        "story_ids": sorted(edge.stories),
    }


def _most_common(counts: Counter[str]) -> str:
    """The most frequent value; ties go to the alphabetically first, so the result does not depend on row order."""
    return min(counts, key=lambda value: (-counts[value], value))


# -- files ------------------------------------------------------------------------------------------------------


def write_graph(graph: nx.MultiDiGraph, path: str | Path) -> None:
    """Write the graph by the suffix of ``path``: ``.gexf`` (Gephi; dynamic, edges carry their first and last
    date), ``.graphml``, or a picture (``.svg``, ``.png``).

    GEXF and GraphML hold only strings and numbers: lists and counts become text ("reported: 6, denied: 1"),
    missing values are left out, and characters XML cannot hold are dropped."""
    suffix = Path(path).suffix.lower()
    if suffix in figures.PICTURES:
        with figures.drawing():
            figures.save(draw(graph), path)
    elif suffix == ".gexf":
        nx.write_gexf(_flat(graph, dynamic=True), path)
    elif suffix == ".graphml":
        nx.write_graphml(_flat(graph, dynamic=False), path)
    else:
        raise UsageError(f"cannot write a graph as {suffix or 'a file without suffix'!r}: use .gexf, .graphml, "
                         ".svg or .png")  # fmt: skip


def svg(graph: nx.MultiDiGraph) -> str:
    """The graph's picture as an ``<svg>`` element to inline in an HTML page."""
    with figures.drawing():
        return figures.svg_element(draw(graph))


def _flat(graph: nx.MultiDiGraph, dynamic: bool) -> nx.MultiDiGraph:
    flat = nx.MultiDiGraph()
    if dynamic and any(data.get("first") for _, _, data in graph.edges(data=True)):
        flat.graph["mode"] = "dynamic"  # Gephi's timeline then shows when each edge was reported
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **_flat_values(data))
    for source, target, key, data in graph.edges(keys=True, data=True):
        values = _flat_values(data)
        if dynamic and "first" in values:
            values["start"], values["end"] = values.pop("first"), values.pop("last")
        flat.add_edge(source, target, key=key, **values)
    return flat


def _flat_values(data: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list | tuple | set):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, date):
            value = value.isoformat()
        flat[name] = figures.clean(value) if isinstance(value, str) else value
    return flat


# -- picture ----------------------------------------------------------------------------------------------------


def draw(graph: nx.MultiDiGraph) -> Figure:
    """The graph as a figure: node size by claims, colour by kind; edges labelled with their event type and
    count, width by claims, dashed red when contested. Only the ``MAX_DRAWN`` most active actors are drawn.
    Call inside ``figures.drawing()``."""
    shown = _most_active(graph)
    title = "Actor → target events"
    if graph.graph.get("story_id"):
        title += f" in story {graph.graph['story_id']}"
    if not graph.number_of_edges():
        return figures.empty(title, "no actor → target events", (8, 3))
    pos = _layout(shown)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    low_x, high_x, low_y, high_y = min(xs) - 1.0, max(xs) + 1.0, min(ys) - 0.7, max(ys) + 0.7
    # the figure takes the layout's shape, so that a wide graph is not shrunk into a square
    height = min(10.0, max(3.5, 11 * (high_y - low_y) / (high_x - low_x) + 1.2))
    fig = Figure(figsize=(11, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(low_x, high_x)
    ax.set_ylim(low_y, high_y)
    shown_text = f"{len(shown)} of {len(graph)}" if len(shown) < len(graph) else str(len(graph))
    ax.set_title(f"{title}: {shown_text} actors, {shown.number_of_edges()} events (actor, target, type)")
    # data units per typographic point, from the room the axes get (less the title and legend)
    per_point = max((high_x - low_x) / (11 - 0.3), (high_y - low_y) / (height - 0.9)) / 72
    sizes = {n: 180 + 100 * math.sqrt(d["n_claims"]) for n, d in shown.nodes(data=True)}
    taken: list[_Box] = []  # what edge labels must not cover: nodes and their labels, earlier edge labels
    for node, data in shown.nodes(data=True):
        x, y = pos[node]
        colour = KIND_COLOURS.get(data.get("kind") or "other", KIND_COLOURS["other"])
        ax.scatter(x, y, s=sizes[node], c=colour, edgecolors="white", linewidths=1.5, zorder=3)
        below = math.sqrt(sizes[node]) / 2 + 2  # points: the label hangs under the marker
        label = _wrap(figures.shorten(data["label"], 40), 18)
        ax.annotate(label, (x, y), xytext=(0, -below), textcoords="offset points", ha="center", va="top",
                    fontsize=9, zorder=5, bbox=_LABEL_BOX)  # fmt: skip
        radius = below * per_point
        taken += [(x - radius, y - radius, x + radius, y + radius), _box(x, y - radius, label, 9, per_point, top=True)]
    _draw_edges(ax, shown, pos, sizes, per_point, taken)
    _legend(fig, shown)
    return fig


_Box = tuple[float, float, float, float]  # left, bottom, right, top in data units


def _box(x: float, y: float, text: str, size: float, per_point: float, top: bool = False) -> _Box:
    """Roughly where ``text`` at ``size`` points lands when centred on (x, y), or hung from it when ``top``."""
    lines = text.split("\n")
    width = (max(map(len, lines)) * 0.6 * size + 4) * per_point
    height = (len(lines) * 1.25 * size + 3) * per_point
    upper = y if top else y + height / 2
    return (x - width / 2, upper - height, x + width / 2, upper)


def _overlap(a: _Box, b: _Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _most_active(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The subgraph of the ``MAX_DRAWN`` nodes with the most claims (all nodes with an edge when fewer)."""
    nodes = [n for n in graph if graph.degree(n)]
    nodes.sort(key=lambda n: (-graph.nodes[n]["n_claims"], n))
    return graph.subgraph(nodes[:MAX_DRAWN])


EDGE_LENGTH = 2.0  # mean edge length in layout units; the figure is about 11 units wide for a small graph


def _layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Each connected component laid out alone, scaled to the same mean edge length, turned so that its long
    side lies across, and packed in rows, largest first: one layout of the whole graph pushes small components
    to the edges and squeezes the large one."""
    simple = nx.Graph(graph.to_undirected())
    parts = [_component_layout(simple.subgraph(sorted(part))) for part in nx.connected_components(simple)]
    parts.sort(key=lambda part: (-len(part), min(part)))
    extents = [_extent(part) for part in parts]
    area = sum((width + 1) * (height + 1) for width, height in extents)
    row_width = max(max(width for width, _ in extents), 1.8 * math.sqrt(area))
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for part, (width, height) in zip(parts, extents, strict=True):
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y - row_height - 1.4, 0.0
        left, top = min(p[0] for p in part.values()), max(p[1] for p in part.values())
        for node, (px, py) in part.items():
            pos[node] = (x + px - left, y + py - top)
        x += width + 1.6
        row_height = max(row_height, height)
    return pos


def _component_layout(component: nx.Graph) -> dict[str, tuple[float, float]]:
    if len(component) == 1:
        return {next(iter(component)): (0.0, 0.0)}
    try:  # Kamada-Kawai gives even edge lengths; it needs scipy (which lightgbm brings)
        raw = nx.kamada_kawai_layout(component, weight=None)
    except ImportError:  # pragma: no cover
        raw = nx.spring_layout(component, seed=SEED)
    points = np.array([raw[n] for n in component], dtype=float)
    points -= points.mean(axis=0)
    # turn the long side across: the principal axis of the points becomes x
    _, _, axes = np.linalg.svd(points, full_matrices=False)
    points = points @ axes.T
    lengths = [float(np.linalg.norm(raw[u] - raw[v])) for u, v in component.edges()]
    points *= EDGE_LENGTH / max(float(np.mean(lengths)), 1e-9)
    return {node: (float(x), float(y)) for node, (x, y) in zip(component, points, strict=True)}


def _extent(pos: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    return max(xs) - min(xs), max(ys) - min(ys)


def _draw_edges(
    ax: Axes,
    graph: nx.MultiDiGraph,
    pos: dict[str, tuple[float, float]],
    sizes: dict[str, float],
    per_point: float,
    taken: list[_Box],
) -> None:
    """One arrow per actor → target, whatever the event types: parallel arrows, one per type, are unreadable
    beyond a handful. Its label lists the types with their counts; only the ``LABELLED`` busiest arrows are
    labelled, busiest first, each at the point along its curve where it covers the least of what is already
    drawn (``taken``). When both directions exist, each bends to its own side."""
    pairs: defaultdict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for source, target, data in graph.edges(data=True):
        pairs[(source, target)].append(data)
    busiest = sorted(pairs, key=lambda pair: (-sum(d["n_claims"] for d in pairs[pair]), pair))[:LABELLED]
    bends = {pair: 0.3 if pair[::-1] in pairs else 0.0 for pair in pairs}  # arc3 bends left of travel
    for (source, target), edges in pairs.items():
        claims = sum(d["n_claims"] for d in edges)
        contested = any(d["contested"] for d in edges)
        ax.add_patch(FancyArrowPatch(
            pos[source], pos[target], connectionstyle=f"arc3,rad={bends[(source, target)]}", arrowstyle="-|>",
            mutation_scale=14, linewidth=0.8 + 1.2 * math.log2(1 + claims), alpha=0.8,
            color=DISPUTED_COLOUR if contested else EDGE_COLOUR, linestyle="--" if contested else "-",
            shrinkA=math.sqrt(sizes[source]) / 2 + 2, shrinkB=math.sqrt(sizes[target]) / 2 + 2, zorder=2,
        ))  # fmt: skip
    for source, target in busiest:
        edges = pairs[(source, target)]
        label = _edge_label(edges)
        (x1, y1), (x2, y2) = pos[source], pos[target]
        bend = bends[(source, target)]
        # arc3 is the quadratic Bézier through this control point
        cx, cy = (x1 + x2) / 2 + bend * (y2 - y1), (y1 + y2) / 2 - bend * (x2 - x1)
        spots = [
            ((1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t**2 * x2, (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t**2 * y2)
            for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)
        ]
        # the first spot (the middle is preferred) among those covering the least
        x, y = min(spots, key=lambda xy: sum(_overlap(_box(xy[0], xy[1], label, 8, per_point), b) for b in taken))
        taken.append(_box(x, y, label, 8, per_point))
        colour = DISPUTED_COLOUR if any(d["contested"] for d in edges) else EDGE_COLOUR
        ax.text(x, y, label, ha="center", va="center", fontsize=8, color=colour, zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})  # fmt: skip


def _edge_label(edges: list[Mapping[str, Any]]) -> str:
    """ "transfer ×7 (1 denied)" per event type, the most claimed first; at most three lines."""
    lines = []
    for data in sorted(edges, key=lambda d: (-d["n_claims"], d["event_type"])):
        line = f"{data['event_type']} ×{data['n_claims']}"
        disputed = [f"{data['modalities'][m]} {m}" for m in sorted(DISPUTED) if data["modalities"].get(m)]
        if disputed:
            line += f" ({', '.join(disputed)})"
        elif data["contested"]:
            line += " (contested)"
        lines.append(line)
    return "\n".join(lines if len(lines) <= 3 else [*lines[:2], f"+{len(lines) - 2} more types"])


def _wrap(text: str, width: int) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _legend(fig: Figure, graph: nx.MultiDiGraph) -> None:
    kinds = sorted({d.get("kind") or "other" for _, d in graph.nodes(data=True)})
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=9, color=KIND_COLOURS.get(k, KIND_COLOURS["other"]),
               label=k)
        for k in kinds
    ]  # fmt: skip
    handles.append(Line2D([], [], color=EDGE_COLOUR, label="event (width: claims)"))
    handles.append(Line2D([], [], color=DISPUTED_COLOUR, linestyle="--", label="denied, negated or contested"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
