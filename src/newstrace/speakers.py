"""Who a source span is: its kind, normalised name, role, affiliation and, for anonymous sources, how many.

A :class:`Registry` remembers the speakers met so far in one article, so that "he added", "the official said",
"Price explained" and "the Journal said" resolve to the full speaker introduced earlier ("State Department
Spokesperson Ned Price", "The Wall Street Journal"), role and affiliation included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from .models import SpeakerKind

# Nouns that name people or groups without naming them: "six separate sources", "a senior official", "analysts".
ANONYMOUS_NOUNS = frozenset(
    """source official analyst expert diplomat person people insider aide observer critic officer adviser advisor
    advisers spokesperson spokesman spokeswoman resident witness investigator lawmaker legislator strategist
    economist researcher scientist staffer employee member leader democrat republican voter supporter opponent
    american military_official intelligence_official operative ally associate friend someone anyone individual
    authority negotiator commander soldier activist worker executive manager colleague reporter journalist
    prosecutor lawyer attorney doctor historian""".split()
)
# Nouns that make a phrase an outlet even when NER does not tag it: "Reuters news agency", "the Journal".
OUTLET_NOUNS = frozenset(
    """agency newspaper journal daily paper broadcaster network channel outlet magazine tabloid wire website
    times post herald tribune gazette telegraph guardian press news radio television tv station blog""".split()
)
# Well-known outlets NER often tags as PERSON/GPE or misses; names in lower case.
KNOWN_OUTLETS = frozenset(
    """reuters ap afp bloomberg cnn cnbc bbc nbc abc cbs fox msnbc npr pbs politico axios tass irna isna xinhua
    interfax ria novosti al-jazeera aljazeera breitbart huffpost vox the-hill""".split()
)
OUTLET_NAME_WORDS = frozenset(
    "times post journal news herald tribune gazette telegraph guardian press agency radio tv daily wire zone".split()
)
DOCUMENT_NOUNS = frozenset(
    """report study poll survey statement document memo memorandum note letter filing analysis data research
    assessment paper tweet post release record email complaint indictment transcript book article review
    investigation audit census figure estimate finding findings resolution communique website video footage
    testimony ruling order lawsuit assessment bulletin notice""".split()
)
ORGANIZATION_NOUNS = frozenset(
    """government ministry department administration command military army navy police company firm committee
    campaign office council court party group commission house senate congress parliament agency bureau
    service university institute foundation council coalition alliance union organization organisation
    authority regime cabinet kremlin pentagon embassy consultancy bank fund team force directorate intelligence
    guard corps""".split()
)
PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person", "they": "plural", "it": "thing",
            "we": "plural", "i": "person", "you": "person"}  # fmt: skip
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sen sen. rep rep. gov gov. gen gen. maj maj. lt lt. col col. capt
    capt. sgt sgt. adm adm. president senator governor minister secretary general major colonel admiral sir
    lord lady judge justice rev rev. spokesperson spokesman spokeswoman""".split()
)
# The abbreviated titles and ranks of TITLES, which say how to address someone rather than what they do.
ABBREVIATED_TITLES = frozenset("mr mrs ms dr prof sen rep gov gen maj lt col capt sgt adm rev".split())
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "another": 1, "single": 1,
                "dozen": 12, "both": 2}  # fmt: skip
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker. ``text`` is the span as written; the rest may come from an earlier mention."""

    text: str
    kind: SpeakerKind
    name: str | None = None
    role: str | None = None
    affiliation: str | None = None
    anonymous_count: int | None = None


class Registry:
    """The speakers of one article, in order of appearance, for resolving later mentions."""

    def __init__(self) -> None:
        self.seen: list[Speaker] = []

    def add(self, speaker: Speaker) -> Speaker:
        self.seen.append(speaker)
        return speaker

    def last(self, *kinds: str) -> Speaker | None:
        for speaker in reversed(self.seen):
            if speaker.kind in kinds:
                return speaker
        return None

    def person(self, name: str) -> Speaker | None:
        """The fullest earlier person whose name ends with the same surname (``Price`` → ``Ned Price``)."""
        surname = name.split()[-1].lower() if name.split() else ""
        people = [s for s in self.seen if s.kind == "person" and s.name and s.name.split()[-1].lower() == surname]
        return max(people, key=lambda s: len(s.name or ""), default=None)

    def named(self, name: str, kind: str) -> Speaker | None:
        """The fullest earlier speaker of ``kind`` whose name ends with ``name`` (``Journal`` → ``The Wall Street
        Journal``) or equals it."""
        wanted = _without_the(name)
        matches = []
        for speaker in self.seen:
            known = _without_the(speaker.name or "")
            if speaker.kind == kind and known and (known == wanted or known.endswith(" " + wanted)):
                matches.append(speaker)
        return max(matches, key=lambda s: len(s.name or ""), default=None)

    def anonymous(self, head: str) -> Speaker | None:
        """The latest anonymous speaker whose description has the same head noun ("the official")."""
        for speaker in reversed(self.seen):
            if speaker.kind == "anonymous" and speaker.role == head:
                return speaker
        return None


def describe(span: Span, registry: Registry) -> Speaker:
    """Type and name the source ``span``, resolving pronouns and short names through ``registry``; the result is
    also added to the registry."""
    text = span.text
    root = span.root
    lower = root.lower_
    if root.pos_ == "PRON" and lower in PRONOUNS:
        return registry.add(_pronoun(text, PRONOUNS[lower], registry))
    outlet = _outlet(span)
    if outlet is not None:
        earlier = registry.named(outlet, "outlet")
        name = earlier.name if earlier else outlet
        return registry.add(Speaker(text, "outlet", name=name))
    person = _person_entity(span)
    if person is not None:
        return registry.add(_person(span, person, registry))
    if all(t.pos_ == "PROPN" or t.is_punct for t in span):
        earlier = registry.person(_clean_name(text))  # "Price explained": a surname met before
        if earlier is not None:
            return registry.add(replace(earlier, text=text))
    lemma = root.lemma_.lower()
    if lemma in DOCUMENT_NOUNS and root.pos_ == "NOUN":
        return registry.add(Speaker(text, "document", name=_strip_det(span), affiliation=_affiliation(span)))
    if root.pos_ == "NOUN" and lemma in OUTLET_NOUNS and (lemma not in ORGANIZATION_NOUNS or _news(span)):
        # "The news agency said": the outlet named before it, if any; "the agency" alone may be a government's
        earlier = registry.last("outlet") if _definite(root) else None
        return registry.add(Speaker(text, "outlet", name=earlier.name if earlier else _strip_det(span)))
    organization = _organization(span)
    if organization is not None:
        return registry.add(Speaker(text, "organization", name=organization, affiliation=None))
    if root.pos_ == "PROPN":
        earlier = registry.person(_clean_name(text))
        name = _clean_name(" ".join(t.text for t in span if t.pos_ == "PROPN")) or text
        return registry.add(earlier and replace(earlier, text=text) or Speaker(text, "person", name=name))
    if lemma in ANONYMOUS_NOUNS or root.pos_ == "NOUN":
        return registry.add(_anonymous(span, registry))
    return registry.add(Speaker(text, "anonymous", name=_strip_det(span)))


def _news(span: Span) -> bool:
    return any(t.lower_ in ("news", "press", "wire") for t in span if t.i < span.root.i)


def _definite(token: Token) -> bool:
    return any(t.dep_ == "det" and t.lower_ in ("the", "this", "that") for t in token.children)


def _without_the(name: str) -> str:
    lower = name.lower().strip()
    return lower[4:] if lower.startswith("the ") else lower


def _pronoun(text: str, kind: str, registry: Registry) -> Speaker:
    if kind == "person":
        earlier = registry.last("person")
    elif kind == "thing":
        earlier = registry.last("outlet", "organization", "document")
    else:
        earlier = registry.last("anonymous", "organization", "outlet", "person")
    if earlier is None:
        return Speaker(text, "person" if kind == "person" else "anonymous")
    return replace(earlier, text=text)


def _outlet(span: Span) -> str | None:
    """The outlet's name when the span names a news outlet ("Reuters news agency" → "Reuters")."""
    for ent in span.ents:
        name = _strip_det(ent, keep_the=True)
        words = name.lower().split()
        if name.lower().replace(" ", "-") in KNOWN_OUTLETS or (words and words[-1] in OUTLET_NAME_WORDS):
            return name
    root = span.root
    if root.lemma_.lower() in OUTLET_NOUNS and root.pos_ in ("NOUN", "PROPN"):
        propn = [t for t in span if t.pos_ == "PROPN" and t.i <= root.i]
        if root.pos_ == "PROPN" and root.lower_ in OUTLET_NAME_WORDS:
            return _strip_det(span[propn[0].i - span.start : root.i - span.start + 1]) if propn else root.text
        if propn:  # "Reuters news agency"
            return " ".join(t.text for t in propn)
    for token in span:
        if token.lower_ in KNOWN_OUTLETS:
            return token.text
    return None


def _person_entity(span: Span) -> Span | None:
    people = [ent for ent in span.ents if ent.label_ == "PERSON"]
    if not people:
        return None
    for ent in people:  # prefer the entity that is the phrase's head
        if ent.start <= span.root.i < ent.end:
            return ent
    return people[0]


def _person(span: Span, ent: Span, registry: Registry) -> Speaker:
    names = _name_tokens(span, ent)
    name = _clean_name(" ".join(t.text for t in names))
    role, affiliation = _role(span, ent, names[0].i)
    earlier = registry.person(name) if name else None
    if earlier is not None:
        return Speaker(
            span.text, "person", name=earlier.name if len(earlier.name or "") > len(name) else name,
            role=role or earlier.role, affiliation=affiliation or earlier.affiliation,
        )  # fmt: skip
    return Speaker(span.text, "person", name=name or ent.text, role=role, affiliation=affiliation)


def _name_tokens(span: Span, ent: Span) -> list[Token]:
    """The person's name: the entity without leading titles, extended left over proper nouns NER left out
    ("Behnam" in "Behnam ben Taleblu")."""
    tokens = [t for t in ent if not t.is_punct or t.text == "."]
    while len(tokens) > 1 and (tokens[0].lower_ in TITLES or tokens[0].text == "."):
        tokens = tokens[1:]
    i = tokens[0].i - 1
    while (
        i >= span.start
        and span.doc[i].pos_ == "PROPN"
        and (span.doc[i].ent_type_ in ("", "PERSON") or span.doc[i].dep_ == "compound")
    ):
        if span.doc[i].lower_ in TITLES or span.doc[i].text == ".":
            break  # the tokenizer splits "Col." into "Col" and a "." the tagger calls a proper noun
        tokens.insert(0, span.doc[i])
        i -= 1
    return tokens


def _role(span: Span, ent: Span, name_start: int) -> tuple[str | None, str | None]:
    """Role and affiliation from the words before a name ("State Department Spokesperson Ned Price"), an
    appositive ("…, a senior fellow at the Foundation for …") or a possessive ("FDD's Ben Taleblu")."""
    role: str | None = None
    affiliation: str | None = None
    possessors = [t for t in span if t.i < name_start and t.dep_ == "poss"]
    owned = {t.i for p in possessors for t in p.subtree}
    before = [t for t in span if t.i < name_start and t.dep_ not in ("det", "punct", "case") and t.i not in owned]
    orgs = [e for e in span.ents if e.label_ in ("ORG", "NORP", "GPE") and e.end <= name_start]
    if orgs:
        organisation = orgs[-1]
        rest = [t for t in before if not organisation.start <= t.i < organisation.end]
        if rest:  # "State Department Spokesperson": role Spokesperson, affiliation State Department
            affiliation = _strip_det(organisation)
            before = rest
    if before:
        role = _without_titles(before)
    if possessors:
        affiliation = _possessor(possessors[0])
    appos = [t for t in ent.root.children if t.dep_ == "appos" and t.i >= ent.end]
    if not appos:
        appos = [t for t in span.root.children if t.dep_ == "appos" and t.i >= ent.end]
    if appos:
        head = appos[0]
        role = " ".join(t.text for t in head.lefts if t.dep_ in ("amod", "compound", "nmod")) + " " + head.text
        role = role.strip()
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in ("at", "of", "with", "for", "in"):
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    affiliation = _strip_det(_subtree(objects[0]))
                    break
    return role, affiliation


def _without_titles(tokens: list[Token]) -> str:
    """Role words without the abbreviated titles and ranks among them ("air force spokesman Col ." → "air force
    spokesman"); a role that is only a title keeps it ("Lt. Col.")."""
    tokens = [t for t in tokens if not t.is_space]  # "Sen.\xa0Sanders" has a no-break space token
    words = [t for t in tokens if t.lower_.rstrip(".") not in ABBREVIATED_TITLES and t.text != "."]
    if not words:
        return "".join(t.text_with_ws for t in tokens).strip()
    return " ".join(t.text for t in words)


def _anonymous(span: Span, registry: Registry) -> Speaker:
    root = span.root
    if root.lemma_.lower() in ("number", "lot", "couple", "handful", "group", "dozen", "dozens"):
        objects = [g for c in root.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        root = objects[0] if objects else root  # "a number of unnamed … sources": the sources
    head = root.lemma_.lower()
    definite = _definite(root)
    if definite and not any(t.dep_ == "nummod" for t in root.children):
        earlier = registry.anonymous(head)
        if earlier is not None:
            return replace(earlier, text=span.text)
        person = registry.last("person")
        if person is not None and person.role and head in person.role.lower():
            return replace(person, text=span.text)
    count: int | None = None
    for child in root.children:
        if child.dep_ in ("nummod", "det", "quantmod") or (child.dep_ == "amod" and child.lower_ in NUMBER_WORDS):
            word = child.lower_
            if word in NUMBER_WORDS:
                count = NUMBER_WORDS[word]
            elif word.isdigit():
                count = int(word)
    if count is None and root.tag_ in ("NN",) and head != "people":
        count = 1  # "a senior official" has a determiner; a bare singular noun is still one person
    if any(t.lower_ in ("number", "several", "many", "some", "dozens") for t in span):
        count = None
    # compare positions: spaCy makes a new Token object at each access, so `root is span.root` is never true
    described = _strip_det(_subtree(root)) if root.i != span.root.i else _strip_det(span)
    return Speaker(span.text, "anonymous", name=described, role=head, affiliation=_affiliation(span),
                   anonymous_count=count)  # fmt: skip


def _affiliation(span: Span) -> str | None:
    """An organisation, country or nationality named inside a phrase ("US officials", "analysts at … Eurasia
    Group", "Its sources")."""
    ents = [e for e in span.ents if e.label_ in ("ORG", "NORP", "GPE")]
    if ents:
        return _strip_det(ents[-1])
    for token in span:
        if token.dep_ == "poss" and token.pos_ != "PRON":
            return _possessor(token)
    return None


def _organization(span: Span) -> str | None:
    ents = [e for e in span.ents if e.label_ in ("ORG", "GPE", "NORP", "FAC")]
    for ent in ents:
        if ent.start <= span.root.i < ent.end:
            return _strip_det(ent)
    root = span.root
    if root.lemma_.lower() in ORGANIZATION_NOUNS:
        return _strip_det(span)
    return None


def _possessor(token: Token) -> str:
    words = [t.text for t in token.subtree if t.dep_ != "case"]
    return _POSSESSIVE.sub("", " ".join(words)).strip()


def _subtree(token: Token) -> Span:
    return token.doc[token.left_edge.i : token.right_edge.i + 1]


def _strip_det(span: Span, keep_the: bool = False) -> str:
    """The phrase without a leading article (``keep_the``: except a capitalised "The" that is part of a name,
    as in "The New York Times") and without punctuation at either end."""
    tokens = list(span)
    while tokens and (
        tokens[0].dep_ == "det"
        and tokens[0].lower_ in ("the", "a", "an")
        and not (keep_the and tokens[0].text == "The")
        or tokens[0].is_punct
    ):
        tokens = tokens[1:]
    while tokens and tokens[0].dep_ == "poss" and tokens[0].pos_ == "PRON":
        tokens = tokens[1:]  # "Its sources" → "sources" (the owner becomes the affiliation)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    return "".join(t.text_with_ws for t in tokens).strip()


def _clean_name(name: str) -> str:
    """A person's name without titles and possessive ("Maj. Gen. Kyrylo Budanov's" → "Kyrylo Budanov")."""
    words = _POSSESSIVE.sub("", name.strip()).split()
    while len(words) > 1 and (words[0].lower() in TITLES or words[0] == "."):
        words = words[1:]
    return " ".join(words)
