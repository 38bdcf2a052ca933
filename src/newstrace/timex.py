"""When: a time expression resolved against the article's publication date.

"on Thursday" is the last Thursday on or before publication (the next one when the clause speaks of the future);
"in January this year", "by the end of the month", "in 2023", "104 years ago", "this week", "September 30, 1938"
resolve to a date and a precision (day, week, month, year). What cannot be resolved ("in recent weeks", any
relative expression in an undated article, "the 31st of February") keeps its text and gets no date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_LEAD = re.compile(
    r"^(?:(?:late|early|earlier|later|on|in|by|as of|from|since|until|till|before|after|during|at|the|of|"
    r"through|around|about|last|this|next|mid|mid-)\s+)+"
)
_PATTERNS = [
    ("iso", re.compile(r"(?P<year>\d{4})-(?P<mm>\d{1,2})-(?P<day>\d{1,2})")),
    ("mdy", re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})")),
    ("dmy", re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})")),
    ("md", re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b")),
    ("dm", re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b")),
    ("my", re.compile(_MONTH + r",?\s+(?:of\s+)?(?P<year>\d{4})")),
    ("year", re.compile(r"(?<![\d-])(?P<year>1[5-9]\d\d|20\d\d)(?![\d-])")),
]
_AGO = re.compile(r"(?P<n>\d+|" + "|".join(NUMBERS) + r")\s+(?P<unit>day|week|month|year)s?\s+ago")


@dataclass(frozen=True, slots=True)
class When:
    """A resolved time: ``date`` is the first day of the period named (None when unresolved)."""

    text: str
    date: date | None = None
    precision: str | None = None  # day | week | month | year


def resolve(text: str, published: date | None, future: bool = False) -> When:
    """Resolve one time expression; ``future`` says the clause looks ahead ("will meet on Thursday")."""
    lower = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip(" ,.")
    try:
        found = _absolute(lower, published, future) or _relative(lower, published, future)
    except (ValueError, OverflowError):  # "the 31st of February", year 0, dates past 9999
        found = None
    if found is None:
        return When(text)
    return When(text, found[0], found[1])


def _absolute(lower: str, published: date | None, future: bool) -> tuple[date, str] | None:
    for kind, pattern in _PATTERNS:
        match = pattern.search(lower)
        if match is None:
            continue
        groups = match.groupdict()
        if kind == "iso":
            return date(int(groups["year"]), int(groups["mm"]), int(groups["day"])), "day"
        if kind == "year":
            return date(int(groups["year"]), 1, 1), "year"
        month = MONTHS[groups["month"]]
        if groups.get("year"):
            day = int(groups["day"]) if groups.get("day") else None
            return (date(int(groups["year"]), month, day), "day") if day else (date(int(groups["year"]), month, 1),
                                                                                "month")  # fmt: skip
        if published is None:
            return None
        year = _year_of(month, lower, published, future)
        return date(year, month, int(groups["day"])), "day"
    for name, month in MONTHS.items():  # "in January this year", "last March"
        if re.search(rf"\b{re.escape(name)}\b", lower) and len(name) > 3 or lower == name:
            if published is None:
                return None
            return date(_year_of(month, lower, published, future), month, 1), "month"
    return None


def _year_of(month: int, lower: str, published: date, future: bool) -> int:
    """The year of a month named without one: this year's, unless that is after publication in a past-tense
    clause (written in February, "in December" is last December) or "last/next year" says otherwise."""
    if "last year" in lower:
        return published.year - 1
    if "next year" in lower:
        return published.year + 1
    if "this year" in lower:
        return published.year
    if month > published.month and not future:
        return published.year - 1
    if month < published.month and future:
        return published.year + 1
    return published.year


def _relative(lower: str, published: date | None, future: bool) -> tuple[date, str] | None:
    if published is None:
        return None
    stem = _LEAD.sub("", lower)
    if lower in ("today", "tonight", "this morning", "this afternoon", "this evening", "now"):
        return published, "day"
    if stem in ("yesterday", "tomorrow"):
        return published + timedelta(days=-1 if stem == "yesterday" else 1), "day"
    for name, weekday in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", lower):
            ahead = future or lower.startswith("next ")
            delta = (weekday - published.weekday()) % 7 if ahead else -((published.weekday() - weekday) % 7)
            if lower.startswith("last ") and delta == 0:
                delta = -7
            return published + timedelta(days=delta), "day"
    match = _AGO.search(lower)
    if match:
        n = int(match["n"]) if match["n"].isdigit() else NUMBERS[match["n"]]
        unit = match["unit"]
        if unit == "day":
            return published - timedelta(days=n), "day"
        if unit == "week":
            return published - timedelta(weeks=n), "week"
        if unit == "month":
            months = published.year * 12 + published.month - 1 - n
            return date(months // 12, months % 12 + 1, 1), "month"
        return date(published.year - n, 1, 1), "year"
    shift = -1 if lower.startswith("last ") or lower.startswith("the last ") else 1 if "next " in lower else 0
    if re.search(r"\bend of (?:the |this )?month\b", lower):
        last = calendar.monthrange(published.year, published.month)[1]
        return date(published.year, published.month, last), "day"
    if re.search(r"\bend of (?:the |this )?year\b", lower):
        return date(published.year, 12, 31), "day"
    if stem in ("week", "weekend") or lower in ("this week", "last week", "next week", "the past week"):
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        return monday, "week"
    if stem == "month" or lower in ("this month", "last month", "next month"):
        months = published.year * 12 + published.month - 1 + shift
        return date(months // 12, months % 12 + 1, 1), "month"
    if stem == "year" or lower in ("this year", "last year", "next year"):
        return date(published.year + shift, 1, 1), "year"
    return None
