"""Article text as escaped HTML paragraphs with spans (speakers, cues, quoted content, claims) wrapped in ``<mark>``.

Spans overlap freely: a claim sits inside a quote, a speaker inside a clause, a quote runs over two paragraphs. HTML
elements must nest, so a boundary sweep walks the span edges in order, keeping a stack of open marks; when a mark
ends under others that are still open, those are closed and opened again after it. Every span thus becomes one
``<mark>``, or several pieces where it crosses another span or a paragraph break; all pieces share ``data-ref``,
and the first carries ``id="span-START-END"`` (unless another span with the same offsets took it), which is what
evidence links point at (``/articles/ID#span-START-END``).

Everything from the article is escaped here; attribute values come from the caller and are escaped too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# The kinds that nest outermost first when two spans start together and have the same length.
KIND_ORDER = {"evidence": 0, "content": 1, "claim": 2, "speaker": 3, "cue": 4}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch ``text[start:end]`` to mark: ``kind`` becomes the class ``m-KIND``; ``ref`` identifies the record
    (attribution or claim id) for ``data-ref``; ``classes`` add classes; ``title`` is shown on hover."""

    start: int
    end: int
    kind: str
    ref: str
    classes: tuple[str, ...] = ()
    title: str = ""


@dataclass
class _Open:
    span: Span
    pieces: int = 0  # pieces of this span emitted so far


@dataclass
class _Writer:
    text: str
    anchors: set[str] = field(default_factory=set)  # span-START-END ids already given
    out: list[str] = field(default_factory=list)

    def open(self, item: _Open) -> None:
        span = item.span
        attrs = [f'class="{escape(" ".join(("m-" + span.kind, *span.classes)))}"', f'data-ref="{escape(span.ref)}"']
        anchor = f"span-{span.start}-{span.end}"
        if item.pieces == 0 and anchor not in self.anchors:
            self.anchors.add(anchor)
            attrs.insert(0, f'id="{anchor}"')
        if span.title:
            attrs.append(f'title="{escape(span.title)}"')
        item.pieces += 1
        self.out.append(f"<mark {' '.join(attrs)}>")

    def close(self) -> None:
        self.out.append("</mark>")

    def chars(self, start: int, end: int) -> None:
        if end > start:
            self.out.append(str(escape(self.text[start:end])))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: the text between blank lines, without the surrounding whitespace."""
    found, at = [], 0
    for gap in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = gap.start() if gap else len(text)
        chunk = text[at:end]
        lead = len(chunk) - len(chunk.lstrip())
        stripped = chunk.strip()
        if stripped:
            found.append((at + lead, at + lead + len(stripped)))
        at = gap.end() if gap else len(text)
    return found


def render(text: str, spans: Iterable[Span]) -> list[Markup]:
    """The text as one escaped HTML fragment per paragraph, with every span marked (empty or outside spans are
    dropped). Each paragraph's marks are balanced, so the fragments can go into ``<p>`` elements as they are."""
    spans = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, -s.end, KIND_ORDER.get(s.kind, 9), s.ref),
    )
    writer = _Writer(text)
    opened: dict[Span, _Open] = {}
    rendered = []
    for p_start, p_end in paragraphs(text):
        inside = [s for s in spans if s.start < p_end and s.end > p_start]
        _paragraph(writer, p_start, p_end, inside, opened)
        rendered.append(Markup("".join(writer.out)))
        writer.out = []
    return rendered


def _paragraph(writer: _Writer, p_start: int, p_end: int, spans: Sequence[Span], opened: dict[Span, _Open]) -> None:
    """Sweep one paragraph's edges; spans are clipped to it and keep their piece count across paragraphs."""
    edges = sorted({p_start, p_end, *(max(s.start, p_start) for s in spans), *(min(s.end, p_end) for s in spans)})
    starting: dict[int, list[Span]] = {}
    for span in spans:  # already in nesting order
        starting.setdefault(max(span.start, p_start), []).append(span)
    stack: list[_Open] = []
    at = p_start
    for edge in edges:
        writer.chars(at, edge)
        at = edge
        ending = [i for i, item in enumerate(stack) if min(item.span.end, p_end) == edge]
        if ending:
            # Close everything from the lowest ending mark up; open again the ones that go on.
            lowest = ending[0]
            reopen = [item for item in stack[lowest:] if min(item.span.end, p_end) != edge]
            for _ in stack[lowest:]:
                writer.close()
            del stack[lowest:]
            for item in reopen:
                writer.open(item)
                stack.append(item)
        for span in starting.get(edge, []):
            if edge < min(span.end, p_end):
                item = opened.setdefault(span, _Open(span))
                writer.open(item)
                stack.append(item)
