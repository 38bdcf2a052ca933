"""A story's timeline: its claim groups and its dated claims in no group, placed in time and drawn by event type.

A group is dated by the earliest date its members state ("since January"), else by the earliest publication of a
member article; a claim in no group is shown only when it states a date, since its article's publication date
says when it was reported, not when it happened. Entries with no date at all are listed apart ("undated").
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import figures
from .errors import UsageError
from .models import TimelineEntry

Row = Mapping[str, Any]
# Lanes top to bottom: the event types in the README's order, any other type after them, statements last.
LANES = """transfer consult cooperate concede accuse sanction threaten coerce attack mobilize protest request
    reject""".split()
VERDICT_COLOURS = {
    "corroborated": "#2e7d32",
    "single-origin": "#ef8f00",
    "contested": "#c62828",
    "unattributed": "#757575",
}
CLAIM_COLOUR = "#5c7c99"  # a claim in no group: not cross-checked
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
MAX_DRAWN = 80  # entries drawn (groups first); the JSON and CSV have them all
LABEL_CHARS = 52
MAX_UNDATED = 25
_x = cast(Callable[[date], float], mdates.date2num)  # a date as a position on the time axis


def entries(story_id: str, groups: Iterable[Row], claims: Iterable[Row]) -> list[TimelineEntry]:
    """The timeline entries of a story from ``Store.story_timeline_rows``: one per group, one per dated claim in
    no group; earliest first, undated last, groups before claims on the same day."""
    found = [_group_entry(story_id, g) for g in groups]
    found += [_claim_entry(story_id, c) for c in claims if c.get("date") is not None]
    return sorted(found, key=_order)


def _group_entry(story_id: str, row: Row) -> TimelineEntry:
    stated = row.get("claim_date")
    when = stated if stated is not None else row.get("published")
    return TimelineEntry(
        story_id=story_id, kind="group", item_id=row["group_id"], claim_id=row["claim_id"],
        article_id=row["article_id"], text=row["text"], event_type=row["event_type"], modality=row["modality"],
        verdict=row["verdict"], n_outlets=row["n_outlets"], date=when,
        date_precision=row.get("date_precision") if stated is not None else None,
        dated_by=None if when is None else "claim" if stated is not None else "published",
    )  # fmt: skip


def _claim_entry(story_id: str, row: Row) -> TimelineEntry:
    return TimelineEntry(
        story_id=story_id, kind="claim", item_id=row["claim_id"], claim_id=row["claim_id"],
        article_id=row["article_id"], text=row["text"], event_type=row["event_type"], modality=row["modality"],
        verdict=None, n_outlets=1, date=row["date"], date_precision=row.get("date_precision"), dated_by="claim",
    )  # fmt: skip


def _order(entry: TimelineEntry) -> tuple[Any, ...]:
    return (entry.date is None, entry.date or date.min, entry.kind != "group", -entry.n_outlets, entry.item_id)


# -- files ------------------------------------------------------------------------------------------------------


def write_timeline(found: Sequence[TimelineEntry], path: str | Path, title: str | None = None) -> None:
    """Write the timeline by the suffix of ``path``: a picture (``.svg``, ``.png``) or the entries for analysts
    (``.json``: a list of objects; ``.csv``: one row each; dates as ISO text)."""
    suffix = Path(path).suffix.lower()
    if suffix in figures.PICTURES:
        with figures.drawing():
            figures.save(draw(found, title), path)
    elif suffix == ".json":
        rows = [_plain(e) for e in found]
        Path(path).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, [f.name for f in fields(TimelineEntry)])
            writer.writeheader()
            writer.writerows(_plain(e) for e in found)
    else:
        raise UsageError(f"cannot write a timeline as {suffix or 'a file without suffix'!r}: use .svg, .png, "
                         ".json or .csv")  # fmt: skip


def svg(found: Sequence[TimelineEntry], title: str | None = None) -> str:
    """The timeline's picture as an ``<svg>`` element to inline in an HTML page."""
    with figures.drawing():
        return figures.svg_element(draw(found, title))


def _plain(entry: TimelineEntry) -> dict[str, Any]:
    row = asdict(entry)
    row["date"] = entry.date.isoformat() if entry.date else None
    return row


# -- picture ----------------------------------------------------------------------------------------------------


def draw(found: Sequence[TimelineEntry], title: str | None = None) -> Figure:
    """The timeline as a figure: time across, one lane per event type, a marker per entry coloured by verdict
    (size by outlets; a hollow marker for a claim in no group), a faint bar for the period a date stands for
    ("in January" is a month), and labels packed into as many rows per lane as they need not to overlap.
    Undated entries are listed in a column on the right. Call inside ``figures.drawing()``."""
    drawn = _chosen(found)
    dated = [e for e in drawn if e.date is not None]
    undated = [e for e in drawn if e.date is None]
    heading = title or (f"story {found[0].story_id}" if found else "timeline")
    if len(drawn) < len(found):
        heading += f" ({len(drawn)} of {len(found)} entries shown)"
    if not found:
        return figures.empty(heading, "no claim groups or dated claims", (10, 2.5))
    width = 12.0
    plot_width = width * (0.72 if undated else 0.95) - 1.4  # minus the lane names
    rows, places = _pack(dated, plot_width) if dated else ({}, [])
    height = min(30.0, 1.6 + 0.3 * max(sum(rows.values()) if rows else 0, min(len(undated), MAX_UNDATED) * 0.8, 3))
    fig = Figure(figsize=(width, height), layout="constrained")
    grid = fig.add_gridspec(1, 2 if undated else 1, width_ratios=[3, 1] if undated else [1])
    ax = fig.add_subplot(grid[0, 0])
    fig.suptitle(figures.shorten(heading, 110), fontsize=11)
    if dated:
        _draw_dated(ax, dated, rows, places)
    else:
        ax.set_axis_off()
    if undated:
        _draw_undated(fig.add_subplot(grid[0, 1]), undated)
    _legend(fig, drawn)
    return fig


def _chosen(found: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """At most ``MAX_DRAWN`` entries: groups before claims, the most reported first; kept in timeline order."""
    if len(found) <= MAX_DRAWN:
        return list(found)
    ranked = sorted(found, key=lambda e: (e.kind != "group", -e.n_outlets, _order(e)))[:MAX_DRAWN]
    return sorted(ranked, key=_order)


def _lane_order(lane: str) -> tuple[int, str]:
    if lane == "statement":
        return (len(LANES) + 1, lane)
    return (LANES.index(lane), lane) if lane in LANES else (len(LANES), lane)


def _span(dated: Sequence[TimelineEntry]) -> tuple[float, float]:
    """The x range in matplotlib date numbers, padded so that markers at the ends are not cut."""
    first = min(e.date for e in dated if e.date)
    last = max(e.date + timedelta(days=PERIOD_DAYS.get(e.date_precision or "day", 1)) for e in dated if e.date)
    pad = max(3.0, (last - first).days * 0.04)
    return float(_x(first)) - pad, float(_x(last)) + pad


def _pack(dated: Sequence[TimelineEntry], plot_width: float) -> tuple[dict[str, int], list[tuple[int, bool]]]:
    """How many rows each lane needs so that no two labels overlap, and for each entry its row in its lane and
    whether its label goes right of the marker. Greedy: each label takes the first row where it fits."""
    low, high = _span(dated)
    days_per_inch = (high - low) / plot_width
    char_days = 0.6 * 8 / 72 * days_per_inch  # 8-point text: about 0.6 em a character
    lanes: defaultdict[str, list[list[tuple[float, float]]]] = defaultdict(list)
    places = []
    for entry in dated:
        assert entry.date is not None
        x = float(_x(entry.date))
        length = (len(_label(entry)) + 2) * char_days
        right = x + length <= high  # the label goes right of its marker unless it would run off the plot
        span = (x - char_days, x + length) if right else (x - length, x + char_days)
        rows = lanes[entry.event_type]
        row = next((i for i, taken in enumerate(rows) if all(span[1] < a or span[0] > b for a, b in taken)), None)
        if row is None:
            rows.append([])
            row = len(rows) - 1
        rows[row].append(span)
        places.append((row, right))
    return {lane: len(rows) for lane, rows in lanes.items()}, places


def _draw_dated(
    ax: Axes, dated: Sequence[TimelineEntry], rows: Mapping[str, int], places: Sequence[tuple[int, bool]]
) -> None:
    lanes = sorted(rows, key=_lane_order)
    base: dict[str, int] = {}
    top = 0
    for lane in lanes:
        base[lane] = top
        top += rows[lane]
    for entry, (row, right) in zip(dated, places, strict=True):
        assert entry.date is not None
        x, y = float(_x(entry.date)), -(base[entry.event_type] + row)
        colour = VERDICT_COLOURS.get(entry.verdict or "", CLAIM_COLOUR)
        days = PERIOD_DAYS.get(entry.date_precision or "day", 1)
        if days > 1:
            # under the marker's row, so that it does not run through the label
            ax.plot([x, x + days], [y - 0.3] * 2, color=colour, alpha=0.35, linewidth=3, solid_capstyle="butt")
        size = 40 + 25 * min(entry.n_outlets, 10)
        if entry.kind == "group":
            ax.scatter(x, y, s=size, color=colour, edgecolors="white", linewidths=1, zorder=3)
        else:
            ax.scatter(x, y, s=35, facecolors="white", edgecolors=colour, linewidths=1.5, marker="D", zorder=3)
        ax.annotate(_label(entry), (x, y), xytext=(7 if right else -7, 0), textcoords="offset points",
                    ha="left" if right else "right", va="center", fontsize=8, color="#222222")  # fmt: skip
    for lane in lanes[1:]:
        ax.axhline(-base[lane] + 0.5, color="#dddddd", linewidth=0.8, zorder=0)
    ax.set_yticks([-(base[lane] + (rows[lane] - 1) / 2) for lane in lanes], lanes)
    ax.set_ylim(-top + 0.4, 0.6)
    ax.set_xlim(*_span(dated))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _draw_undated(ax: Axes, undated: Sequence[TimelineEntry]) -> None:
    """A list from the top of the column, one line each, with a marker in the verdict's colour."""
    ax.set_axis_off()
    ax.set_title("undated", fontsize=9, loc="left")
    shown = undated[:MAX_UNDATED]
    for index, entry in enumerate(shown):
        colour = VERDICT_COLOURS.get(entry.verdict or "", CLAIM_COLOUR)
        down = (0, -16 * index - 8)
        ax.annotate("●", (0, 1), xycoords="axes fraction", xytext=down, textcoords="offset points", color=colour,
                    va="center", fontsize=9)  # fmt: skip
        text = f"{entry.event_type}: {figures.shorten(entry.text, 34)}"
        ax.annotate(text, (0, 1), xycoords="axes fraction", xytext=(down[0] + 12, down[1]),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    if len(undated) > len(shown):
        ax.annotate(f"… and {len(undated) - len(shown)} more", (0, 1), xycoords="axes fraction",
                    xytext=(12, -16 * len(shown) - 8), textcoords="offset points", va="center", fontsize=8)  # fmt: skip


def _label(entry: TimelineEntry) -> str:
    text = figures.shorten(entry.text, LABEL_CHARS)
    if entry.kind != "group":
        return text
    return f"{text} [{entry.n_outlets} outlet{'s' if entry.n_outlets != 1 else ''}]"


def _legend(fig: Figure, drawn: Sequence[TimelineEntry]) -> None:
    verdicts = [v for v in VERDICT_COLOURS if any(e.verdict == v for e in drawn)]
    handles = [Line2D([], [], marker="o", linestyle="", color=VERDICT_COLOURS[v], label=v) for v in verdicts]
    if any(e.kind == "claim" for e in drawn):
        handles.append(Line2D([], [], marker="D", linestyle="", markerfacecolor="white",
                              markeredgecolor=CLAIM_COLOUR, color=CLAIM_COLOUR, label="claim in no group"))  # fmt: skip
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
