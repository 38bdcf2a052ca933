"""Pictures (SVG, PNG) for the actor graph and story timelines, drawn with matplotlib.

No pyplot: figures are plain ``Figure`` objects rendered by Agg, so nothing global is created and the web UI can
draw from a worker thread. Drawing still reads matplotlib's global rc settings, so :func:`drawing` holds a lock.
SVG text is kept as text (searchable, small) and escaped by matplotlib; news text is untrusted, so it also goes
through :func:`clean` (characters XML cannot hold) and is never parsed as mathtext ("$400m and $300m").
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from .errors import UsageError

PICTURES = (".svg", ".png")
_RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text as <text>, not glyph paths
    "svg.hashsalt": "newstrace",  # the same figure gives the same ids, so output is reproducible
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
}
_LOCK = threading.Lock()
# Control characters (except tab and newline), lone surrogates and U+FFFE/U+FFFF are not allowed in XML 1.0.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@contextmanager
def drawing() -> Iterator[None]:
    """Hold the drawing lock with newstrace's rc settings; create, draw and save figures inside it."""
    with _LOCK, matplotlib.rc_context(_RC):
        yield


def clean(text: object) -> str:
    """``text`` as a string that XML can hold, on one line."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def shorten(text: object, width: int) -> str:
    """Clean ``text`` and cut it to ``width`` characters at a word boundary, ending with "…" when cut."""
    value = clean(text)
    if len(value) <= width:
        return value
    cut = value[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


def empty(title: str, message: str, size: tuple[float, float]) -> Figure:
    """A picture that says there is nothing to draw, rather than a blank or an error."""
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=13, color="#555555")
    return fig


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` as SVG or PNG, by the suffix of ``path``. Call inside :func:`drawing`."""
    suffix = Path(path).suffix.lower()
    if suffix not in PICTURES:
        raise UsageError(f"cannot draw a picture as {suffix or 'a file without suffix'!r}: use .svg or .png")
    if suffix == ".svg":
        fig.savefig(path, format="svg", metadata={"Date": None})
    else:
        fig.savefig(path, format="png", dpi=150, metadata={"Software": None})


def svg_element(fig: Figure) -> str:
    """``fig`` as an ``<svg>`` element without the XML prolog and doctype, ready to inline in an HTML page.
    Call inside :func:`drawing`."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
