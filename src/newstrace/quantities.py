"""How many: numbers as digits or words, vague amounts ("hundreds"), ranges ("300 to 700 kilometres") and the
approximation a writer put on them ("around 400", "at least four shipments", "over 3,000").

A quantity keeps the text as written, whether it was written in words, the approximation word, a lower value and,
for ranges and vague amounts, an upper one; the unit is the counted noun's lemma ("missile", "kilometre").
Numbers inside names ("Fateh-110", "S-400", "G-7") and years inside dates are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "half": 0.5,
}  # fmt: skip
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000, "bn": 1_000_000_000, "m": 1_000_000, "k": 1_000}  # fmt: skip
# "hundreds" of something: at least two hundred, fewer than a thousand.
VAGUE = {"dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2_000, 9_999),
         "millions": (2e6, 9.99e8), "billions": (2e9, 9.99e11)}  # fmt: skip
# Words before a number that make it approximate, longest first; the value names the kind of approximation.
APPROX = [
    ("an estimated", "around"), ("as many as", "up to"), ("upwards of", "over"), ("more than", "over"),
    ("greater than", "over"), ("fewer than", "under"), ("less than", "under"), ("close to", "around"),
    ("at least", "at least"), ("at most", "up to"), ("no more than", "up to"), ("up to", "up to"),
    ("around", "around"), ("about", "around"), ("approximately", "around"), ("roughly", "around"),
    ("nearly", "around"), ("almost", "around"), ("some", "around"), ("estimated", "around"), ("over", "over"),
    ("above", "over"), ("under", "under"), ("below", "under"), ("approx.", "around"), ("circa", "around"),
]  # fmt: skip
_DIGITS = re.compile(r"^[$€£]?\d[\d,]*(?:\.\d+)?$")
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount found in the text. ``maximum`` is set for ranges and vague amounts; ``approx`` is around, at
    least, over, up to, under, or the vague word itself (hundreds, dozens)."""

    value: float
    maximum: float | None
    approx: str | None
    unit: str | None
    text: str
    words: bool  # written in words ("four", "hundreds") rather than digits
    start: int  # character offsets in the document
    end: int
    head: int  # token index of the counted noun (or of the number when nothing is counted)


def parse_number(text: str) -> float | None:
    """The value of a number as written: "3,000", "1.5 million", "four", "twenty-five", "a dozen", "$2bn".

    Returns None for anything else; never raises, however long the digit string.
    """
    words = text.lower().replace("-", " ").replace(",", "").strip().lstrip("$€£").split()
    if not words:
        return None
    if words[0] in ("a", "an"):
        words = ["one", *words[1:]]
    total = 0.0
    current = 0.0
    seen = False
    for word in words:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)(bn|m|k)?", word)
        if match:
            current += float(match.group(1))
            if match.group(2):
                current *= SCALES[match.group(2)]
            seen = True
        elif word in UNITS:
            current += UNITS[word]
            seen = True
        elif word in SCALES and seen:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total += current
                current = 0
        elif word == "and":
            continue
        else:
            return None
    return total + current if seen else None


def _is_number(token: Token) -> bool:
    lower = token.lower_
    if _DIGITS.match(token.text):
        return True
    return lower in UNITS or lower in SCALES and lower not in ("m", "k") or lower in VAGUE


def _in_name(token: Token) -> bool:
    """A number glued by a hyphen to a name ("Fateh-110", "S-400") or a word ("one-way") is no amount."""
    doc = token.doc
    glued = token.i >= 2 and doc[token.i - 1].text in ("-", "‑") and not doc[token.i - 2].whitespace_
    if glued and not doc[token.i - 1].whitespace_ and doc[token.i - 2].is_alpha and not _is_number(doc[token.i - 2]):
        return True
    if token.is_alpha and token.i + 1 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_:
        return True
    if (
        token.dep_ in ("nummod", "appos", "npadvmod")
        and token.head.i < token.i
        and token.head.pos_ in ("NOUN", "PROPN")
    ):
        return True  # a label after its noun: "day one", "Article 5"
    return token.ent_type_ in ("DATE", "TIME", "ORDINAL", "ORG", "PRODUCT", "LAW", "WORK_OF_ART", "FAC")


def find_quantities(span: Span) -> list[Quantity]:
    """Every amount in ``span``, in text order."""
    doc = span.doc
    found: list[Quantity] = []
    i = span.start
    while i < span.end:
        token = doc[i]
        if not _is_number(token) or _in_name(token):
            i += 1
            continue
        j = i + 1  # a number may run over several tokens: "1.5 million", "two hundred and fifty"
        while j < span.end and (_is_number(doc[j]) or doc[j].lower_ == "and" and j + 1 < span.end
                                and _is_number(doc[j + 1])) and doc[j].lower_ not in VAGUE:  # fmt: skip
            j += 1
        quantity, last = _quantity(doc, i, j, span.end)
        if quantity is not None:
            found.append(quantity)
        i = max(j, last)
    return found


def _quantity(doc: Doc, start: int, end: int, limit: int) -> tuple[Quantity | None, int]:
    """The amount written in tokens ``start:end``, widened to its approximation word and range; and the token
    index after it."""
    words = doc[start:end]
    lower = words.text.lower()
    maximum: float | None = None
    approx: str | None = None
    if lower in VAGUE:
        value, maximum = VAGUE[lower]
        approx = lower
    elif len(words) == 2 and words[0].lower_ in ("several", "few") and words[1].lower_ in VAGUE:
        value, maximum = VAGUE[words[1].lower_]
        approx = words[1].lower_
    else:
        parsed = parse_number(lower)
        if parsed is None:
            return None, end
        value = parsed
    text_start = start
    before = doc[max(0, start - 3) : start].text.lower()
    for phrase, kind in APPROX:
        if before.endswith(phrase) and (len(before) == len(phrase) or not before[-len(phrase) - 1].isalpha()):
            approx = approx or kind
            text_start = start - len(phrase.split())
            break
    last = end
    # a range: "300 to 700", "40-50", "between 5 and 10"
    joined = end + 1 < limit and doc[end].lower_ in ("to", "-", "–", "and") and _is_number(doc[end + 1])
    if joined and (doc[end].lower_ != "and" or doc[max(0, text_start - 1)].lower_ == "between"):
        upper = parse_number(doc[end + 1].text)
        if upper is not None and upper >= value:
            maximum, last = upper, end + 2
            while last < limit and _is_number(doc[last]) and doc[last].lower_ in SCALES:
                scale = SCALES[doc[last].lower_]
                maximum, value, last = maximum * scale, value * scale if value < scale else value, last + 1
    head = doc[last - 1]
    unit, head_index = _unit(head)
    if words[0].text[0] in _CURRENCY:
        unit = _CURRENCY[words[0].text[0]]
    quantity = Quantity(
        value=value,
        maximum=maximum,
        approx=approx,
        unit=unit,
        text=doc[text_start:last].text,
        words=not any(ch.isdigit() for ch in words.text),
        start=doc[text_start].idx,
        end=doc[last - 1].idx + len(doc[last - 1].text),
        head=head_index,
    )
    return quantity, last


def _unit(number: Token) -> tuple[str | None, int]:
    """The counted noun: the head of "400 missiles", or what "hundreds of missiles" are of."""
    doc = number.doc
    head = number.head
    if (
        number.dep_ in ("nummod", "quantmod", "compound", "amod")
        and head.pos_ in ("NOUN", "PROPN")
        and head.i > number.i
    ):
        return head.lemma_.lower(), head.i
    for child in number.children:  # "400 of its missiles", "hundreds of ballistic missiles"
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return pobj.lemma_.lower(), pobj.i
    nxt = doc[number.i + 1] if number.i + 1 < len(doc) else None
    if nxt is not None and nxt.pos_ == "NOUN" and nxt.head.i != number.i:
        return nxt.lemma_.lower(), nxt.i
    if number.i + 2 < len(doc) and doc[number.i + 1].text == "-" and doc[number.i + 2].is_alpha:
        return doc[number.i + 2].lemma_.lower(), doc[number.i + 2].i  # "300-kilometre"
    return None, number.i
