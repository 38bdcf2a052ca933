"""Relays: the other outlets whose reporting an article carries, each with the words that say so.

A regional site running a wire story says so in its dateline ("DUBAI, Feb 21 (Reuters) -"), a tag at the end of a
paragraph ("(BSS/AFP)", "– Bernama"), a credit line ("Source: The Verge", "(c) 2023 Reuters"), a byline ("By The
Associated Press", "By Samantha Delouya, CNN") or its own site name ("WHBL (Reuters wire)"). Those name the
article's **wire**: the outlet whose report it reproduces, so that its claims rest on the wire's sources, not on
the relaying site. Other outlets are relayed in passing ("seen by Reuters", "first reported by The Information",
"told CNN", "according to The New York Times"): the attribution stage finds most of them as outlet speakers and
``reported_to``; the citation patterns here add the ones with no speaker ("a memo viewed by The New York Times").

A name counts as an outlet when it is a known news organization (:data:`OUTLETS`, the agencies and broadcasters
that syndicate news, by their usual short names), when its last word is a newspaper word ("Times", "Post",
"News" …), or when it names an outlet of the user's corpus. The article's own outlet is never its relay.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from .models import Attribution, Relay

# Outlets that syndicate news or are cited as sources everywhere, as "short name: other names" (lower case).
# General knowledge of the news trade, not of any one story: the names a wire dateline or credit line uses.
OUTLETS: dict[str, tuple[str, ...]] = {
    "AP": ("associated press", "the associated press", "ap"),
    "AFP": ("agence france-presse", "agence france presse", "afp"),
    "Reuters": ("reuters", "thomson reuters"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "UPI": ("upi", "united press international"),
    "DPA": ("dpa", "deutsche presse-agentur"),
    "ANSA": ("ansa",), "EFE": ("efe",), "Kyodo": ("kyodo", "kyodo news"), "Yonhap": ("yonhap",),
    "Xinhua": ("xinhua",), "TASS": ("tass",), "RIA Novosti": ("ria novosti", "ria"), "Interfax": ("interfax",),
    "Anadolu Agency": ("anadolu", "anadolu agency", "aa"), "IRNA": ("irna",), "PTI": ("pti",), "IANS": ("ians",),
    "Bernama": ("bernama",), "Antara": ("antara",), "WAFA": ("wafa",), "Ukrinform": ("ukrinform",),
    "KCNA": ("kcna", "korean central news agency"), "BSS": ("bss",), "APP": ("app",), "DHA": ("dha",),
    "CNN": ("cnn",), "CNBC": ("cnbc",), "BBC": ("bbc", "bbc news"), "NBC News": ("nbc", "nbc news"),
    "ABC News": ("abc news",), "CBS News": ("cbs", "cbs news"), "Fox News": ("fox news",), "NPR": ("npr",),
    "Sky News": ("sky news",), "Al Jazeera": ("al jazeera", "aljazeera"), "Al Arabiya": ("al arabiya",),
    "Axios": ("axios",), "Politico": ("politico",), "Wired": ("wired",), "The Verge": ("the verge", "verge"),
    "TechCrunch": ("techcrunch",), "The Information": ("the information",),
    "The New York Times": ("the new york times", "new york times", "nyt", "the times"),
    "The Wall Street Journal": ("the wall street journal", "wall street journal", "wsj", "the journal"),
    "The Washington Post": ("the washington post", "washington post"), "Financial Times": ("financial times", "ft"),
    "The Guardian": ("the guardian", "guardian"), "The Economist": ("the economist",),
}  # fmt: skip
_ALIASES = {alias: short for short, names in OUTLETS.items() for alias in names}
# Words that end a newspaper's or broadcaster's name ("The Kyiv Independent" is not found this way; the corpus is).
_OUTLET_WORDS = frozenset(
    "times post journal news herald tribune gazette telegraph guardian press agency radio tv daily wire zone "
    "chronicle independent observer standard mail express mirror monitor reporter courier examiner".split()
)
_NOT_OUTLETS = frozenset("reporters journalists press media the press the media photo file".split())


_NAME = r"[A-Z][\w&'’-]*(?:[ ][A-Z][\w&'’-]*){0,4}"  # up to five capitalised words; a full stop ends a name
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "SEOUL, Oct. 18 (Yonhap) --", "(CNN) —" at a paragraph start, "Oct 31, 2024 (BSS/AFP) -"
    ("dateline", re.compile(r"\((?P<o>[A-Z][\w .&/'’-]{1,40}?)\)\s*(?:--|[-–—])\s")),
    # "... in Syria. (AFP)" or "(BSS/AFP)" closing a paragraph; "– Bernama" closing one
    ("tag", re.compile(r"\((?P<o>[A-Z][\w .&/-]{1,30})\)\s*$", re.MULTILINE)),
    ("tag", re.compile(r"[-–—]\s*(?P<o>" + _NAME + r")\s*$", re.MULTILINE)),
    # "Source: The Verge", "Sources: Reuters, citing ...", "(c) 2023 Reuters", "© 2023 The Associated Press"
    ("credit", re.compile(r"^\s*Sources?\s*:\s*(?P<o>" + _NAME + ")", re.MULTILINE)),
    ("credit", re.compile(r"(?:©|\([cC]\))\s*(?:\d{4}\s+)?(?P<o>" + _NAME + ")")),
    # "By The Associated Press", "By Samantha Delouya, CNN"
    ("byline", re.compile(r"\bBy\s+(?:the\s+)?(?P<o>Associated Press|" + _NAME + r")(?=\s|$)")),
    ("byline", re.compile(r"\bBy\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3},\s+(?P<o>" + _NAME + ")")),
    # "seen by Reuters", "(which was reviewed by Axios)", "first reported by The Information"
    ("cited", re.compile(r"\b(?:seen|reviewed|obtained|viewed|reported|published|verified|cited|broken)\s+by\s+"
                         r"(?:an?\s+)?(?P<o>(?:[Tt]he\s+)?" + _NAME + ")")),  # fmt: skip
    # "according to a Reuters report", "according to The New York Times", "reports Reuters", "Reuters notes"
    ("cited", re.compile(r"\b(?i:according to) (?:an?\s+)?(?:report (?:by|from|in)\s+)?"
                         r"(?P<o>(?:[Tt]he\s+)?" + _NAME + ")")),  # fmt: skip
    ("cited", re.compile(r"\b(?:reports?|reported|notes|wrote)\s+(?P<o>(?:the\s+)?" + _NAME + r")\s*[.,]")),
    # "a Reuters report", "an AP analysis", "in a Monday CNBC interview"
    ("cited", re.compile(r"\b(?:an?|the)\s+(?:\w+day\s+)?(?P<o>" + _NAME + r")\s+(?:report|story|analysis|"
                         r"investigation|interview|article|editorial|broadcast)\b")),  # fmt: skip
    # "told Reuters", "told broadcaster Sky News", "asked by AFP", "carried by the state-run Anadolu Agency"
    ("told", re.compile(r"\b(?:told|telling|asked by|carried by|speaking to|in an interview with)\s+(?:the\s+)?"
                        r"(?:(?:state-run|state|private|broadcaster|news agency|newspaper|channel)\s+)*"
                        r"(?P<o>" + _NAME + ")")),  # fmt: skip
    # "Reuters reported", "the DHA news agency said", "The Verge earlier reported"
    ("cited", re.compile(r"(?P<o>" + _NAME + r")(?:\s+news agency)?\s+(?:\w+ly\s+|earlier\s+|also\s+)?"
                         r"(?:reported|reports|said|says|notes|noted|wrote|writes|quoted|cited|added|published)\b")),
)


def canonical(name: str) -> str:
    """An outlet's usual short name ("The Associated Press" → "AP"); other names tidied ("the War Zone's" →
    "The War Zone")."""
    tidy = re.sub(r"[’']s$", "", name.strip(" .,;:'\"“”()")).strip()
    tidy = re.sub(r"\s+(?:news agency|report|reported|correspondent)$", "", tidy, flags=re.IGNORECASE)
    tidy = "The " + tidy[4:] if tidy.startswith("the ") else tidy
    return _ALIASES.get(tidy.lower(), _ALIASES.get(tidy.lower().removeprefix("the "), tidy))


def key(name: str | None) -> str:
    """A comparison key for outlet names: letters and digits of the canonical name, without a leading "the"."""
    return re.sub(r"[^a-z0-9]", "", canonical(name or "").lower().removeprefix("the "))


def is_outlet(name: str, known: Collection[str] = ()) -> bool:
    """Whether ``name`` names a news outlet: a known one, one whose last word is a newspaper word, or one of
    ``known`` (keys of the corpus's outlets)."""
    name = canonical(name)
    lowered = name.lower()
    if not name[:1].isupper() or lowered in _NOT_OUTLETS or "photo" in lowered:
        return False
    return name in OUTLETS or lowered.split()[-1] in _OUTLET_WORDS or key(name) in known


def own(name: str, source_name: str | None, source_id: str | None) -> bool:
    """Whether ``name`` is the article's own outlet ("TASS" in a tass.com article, "Al Arabiya" on Al Arabiya
    English); a wire named inside the site's name ("KION546 (CNN)") is not."""
    k = key(name)
    site = re.sub(r"\(.*", "", source_name or "")
    domain = (source_id or "").split(".")[0]
    return bool(k) and (key(site).startswith(k) or k == re.sub(r"[^a-z0-9]", "", domain))


def find(
    text: str,
    source_name: str | None = None,
    source_id: str | None = None,
    authors: Iterable[str] = (),
    dateline_outlet: str | None = None,
    attributions: Iterable[Attribution] = (),
    known: Collection[str] = (),
    citations: bool = True,
) -> list[Relay]:
    """Every other outlet the article carries, wire markers first, one entry per outlet (its first evidence);
    with ``citations`` false, only the wire markers are looked for (what the cross-check needs, per re-check)."""
    found: list[Relay] = []
    for part in _split(dateline_outlet):
        found.append(Relay(part, "dateline"))
    for part in _split(_parenthesised(source_name)):
        found.append(Relay(part, "site"))
    for author in authors:
        for part in _split(author if is_outlet(author, known) else None):
            found.append(Relay(part, "byline"))
    for marker, pattern in _PATTERNS:
        if not citations and not Relay("", marker).is_wire:
            continue
        for match in pattern.finditer(text):
            for part in _split(match.group("o")):
                found.append(Relay(part, marker, match.start("o"), match.end("o")))
    for a in attributions:
        if a.speaker_kind == "outlet" and a.speaker_name:
            found.append(Relay(a.speaker_name, "speaker", a.speaker_start or -1, a.speaker_end or -1))
        if a.reported_to and a.speaker_kind != "implicit":
            found.append(Relay(a.reported_to.split(",")[0], "told", a.cue_start or -1, a.cue_end or -1))
    kept: dict[str, Relay] = {}
    for relay in sorted(found, key=lambda r: (not r.is_wire, r.start)):  # a wire marker wins over a citation
        name = canonical(relay.outlet)
        k = key(name)
        if not k or k in kept or not is_outlet(name, known) or own(name, source_name, source_id):
            continue
        kept[k] = Relay(name, relay.marker, relay.start, relay.end)
    return list(kept.values())


def wire(relays: Iterable[Relay]) -> str | None:
    """The outlet whose report the article reproduces, when a wire marker names one."""
    return next((r.outlet for r in relays if r.is_wire), None)


def _parenthesised(name: str | None) -> str | None:
    """"WHBL (Reuters wire)" → "Reuters wire"; None for a name with no parenthesis."""
    match = re.search(r"\(([^()]+)\)", name or "")
    return re.sub(r"\s+(?:wire|repost|feed)$", "", match.group(1)) if match else None


def _split(names: str | None) -> list[str]:
    """"BSS/AFP" → BSS, AFP; "NPR News / The Associated Press" → both."""
    return [p.strip() for p in re.split(r"\s*/\s*|\s+and\s+", names or "") if p.strip()]
