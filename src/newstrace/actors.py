"""Who acts in an event: countries, governments (by metonym), organizations and persons, each with a country code.

The alias table (``data/actors.csv``, extendable with ``--set actor_aliases=PATH``) maps names as written to an
actor: "Tehran" → Iran's government (IRN), "IRGC" → Islamic Revolutionary Guard Corps (IRN, military), "Iranian" →
Iran. Country names come from pycountry as well, so any ISO country is found without a row of its own.

:func:`ActorTable.of_phrase` reads a noun phrase from the parse: "Iran's President Ebrahim Raisi" is a person with
role and country; "Senior Hungarian and Romanian officials" are the governments of Hungary and Romania; "Russian
forces" is Russia's military; "Tehran" is Iran's government when it acts, but a place after "in" (the caller decides).
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pycountry
from spacy.tokens import Doc, Span, Token

from .errors import UsageError

# Head nouns that say which part of a country acts: "Iranian officials" (government), "Russian forces" (military).
SECTOR_NOUNS = {
    "GOV": """official government minister ministry president premier administration authority regime leader cabinet
        diplomat envoy ambassador spokesman spokeswoman spokesperson state prime chancellor king emir monarch
        delegation negotiator parliament lawmaker embassy foreign_minister secretary""".split(),
    "MIL": """force troop army military soldier navy air_force commander general officer warship jet artillery
        militia marine unit battalion brigade division""".split(),
    "REB": "rebel militant insurgent guerrilla fighter separatist gunman jihadist".split(),
    "COP": "police policeman officer security_force".split(),
    "CVL": """protester demonstrator student citizen people civilian resident villager worker crowd farmer
        voter woman man child""".split(),
    "REF": "refugee migrant asylum_seeker".split(),
    "OPP": "opposition dissident".split(),
    "JUD": "court judge prosecutor tribunal".split(),
    "MED": "journalist reporter newspaper media".split(),
    "BUS": "company firm business bank investor".split(),
}
_SECTOR_OF = {noun: sector for sector, nouns in SECTOR_NOUNS.items() for noun in nouns}
_GOVERNMENT = frozenset(["government", "regime", "administration", "authority", "leadership"])
# Words that never start an alias lookup on their own ("the United Nations" and "United Nations" are one name).
_DETERMINERS = ("the ", "a ", "an ")
_POSSESSIVE = re.compile(r"\s*(?:'s|’s|'|’)$")
TITLES = frozenset(
    """president prime minister secretary general chancellor king queen emir sheikh ayatollah supreme leader
    spokesperson spokesman spokeswoman foreign defense defence interior finance state national security advisor
    adviser ambassador envoy commander chief head director senator governor mayor lt. gen. maj. col. gen
    maj col lt admiral vice deputy senior mr. mrs. ms. dr. mr mrs ms dr""".split()
)


@dataclass(frozen=True, slots=True)
class Actor:
    """A normalised actor. ``code`` is an ISO 3166 alpha-3 country code, or IGO / NGO / IMG for bodies of no one
    country; ``kind`` is country, government, organization, person or group ("Russian forces")."""

    name: str
    code: str | None
    kind: str
    sector: str | None = None
    role: str | None = None
    text: str = ""  # as written

    @property
    def key(self) -> str:
        return f"{self.code or '-'}:{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    code: str
    kind: str  # country | capital | demonym | organization | place | person (the row's kind in the CSV)
    sector: str | None


class ActorTable:
    """Every alias known: the shipped CSV, pycountry's country names, and the user's CSV if given."""

    def __init__(self, extra: str | Path | None = None) -> None:
        self.exact: dict[str, Alias] = {}  # acronyms, matched with their case: "WHO" is not "who"
        self.folded: dict[str, Alias] = {}
        self.country_names: dict[str, str] = {}  # code → short name, for "Iran's government" style names
        for country in pycountry.countries:
            name = getattr(country, "common_name", None) or country.name
            self.country_names[country.alpha_3] = name
            for text in {country.name, name, getattr(country, "official_name", None)}:
                if text:
                    self._add(text, Alias(name, country.alpha_3, "country", None))
        with resources.files("newstrace").joinpath("data/actors.csv").open(encoding="utf-8") as handle:
            self._read(handle, "data/actors.csv")
        if extra:
            path = Path(extra)
            try:
                with path.open(encoding="utf-8") as handle:
                    self._read(handle, str(path))
            except OSError as exc:
                raise UsageError(f"cannot read actor_aliases file {path}: {exc.strerror}") from None

    def _read(self, handle: Iterable[str], where: str) -> None:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for number, row in enumerate(rows, start=2):
            try:
                alias, name, code, kind = (row[k].strip() for k in ("alias", "name", "code", "kind"))
            except (KeyError, AttributeError):
                raise UsageError(f"{where}: row {number} needs alias, name, code and kind columns") from None
            if (
                not alias
                or not name
                or kind not in ("country", "capital", "demonym", "organization", "place", "person")
            ):
                raise UsageError(f"{where}: row {number}: empty alias/name or unknown kind {kind!r}")
            self._add(alias, Alias(name, code.upper() or "", kind, (row.get("sector") or "").strip() or None))
            if kind == "country" and code and alias == name:  # the usual short name: "Russia", not "Russian Federation"
                self.country_names[code.upper()] = name

    def _add(self, text: str, alias: Alias) -> None:
        if text.isupper() and len(text) <= 6:
            self.exact[text] = alias
        else:
            self.folded[_fold(text)] = alias

    def alias(self, text: str) -> Alias | None:
        """The alias row for a name as written, ignoring case (but not for acronyms), "the" and a possessive."""
        text = _POSSESSIVE.sub("", text.strip())
        if text in self.exact:
            return self.exact[text]
        folded = _fold(text)
        for det in _DETERMINERS:
            if folded.startswith(det):
                folded = folded[len(det) :]
        found = self.folded.get(folded)
        if found is None and folded.endswith("s"):  # "Palestinians", "Bosnian Serbs", "Israelis"
            singular = self.folded.get(folded[:-1])
            if singular is not None and singular.kind == "demonym":
                found = singular
        return found

    def lookup(self, text: str, acting: bool = True) -> Actor | None:
        """The actor a name denotes; a capital is its government when ``acting``, and no actor otherwise."""
        found = self.alias(text)
        if found is None or found.kind in ("place", "person") or (found.kind == "capital" and not acting):
            return None
        return self.actor_from(found, text)

    def actor_from(self, alias: Alias, text: str) -> Actor:
        """The actor an alias row stands for, as written in ``text``."""
        kind = {"capital": "government", "demonym": "country"}.get(alias.kind, alias.kind)
        return Actor(alias.name, alias.code or None, kind, alias.sector, text=text)

    def country(self, code: str) -> str:
        return self.country_names.get(code, code)

    # ------------------------------------------------------------------------------------------- noun phrases

    def of_phrase(self, head: Token, acting: bool = True) -> list[Actor]:
        """The actors a noun phrase headed by ``head`` names; several for "Hungarian and Romanian officials" or
        "Iran and Russia", none for "analysts". Persons keep role and country when the phrase gives them."""
        actors: list[Actor] = []
        for token in _coordinated(head):
            actor = self._one(token, acting)
            if actor is not None and all(a.key != actor.key for a in actors):
                actors.append(actor)
        if not actors:  # "the major European powers—Britain, France, and Italy"
            for child in head.children:
                if child.dep_ == "appos":
                    return self.of_phrase(child, acting)
        if len(actors) == 1 and actors[0].kind in ("country", "group") and head.pos_ in ("NOUN", "PROPN"):
            # "Senior Hungarian and Romanian officials": one head, two demonyms
            extra = [self.modifier_actor(t, head) for t in head.children if t.dep_ == "amod"]
            for token in head.children:
                if token.dep_ == "amod":
                    extra += [self.modifier_actor(c, head) for c in token.children if c.dep_ == "conj"]
            for actor in extra:
                if actor is not None and all(a.key != actor.key for a in actors):
                    actors.append(actor)
        return actors

    def _one(self, head: Token, acting: bool) -> Actor | None:
        phrase = _phrase(head)
        if head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and head.ent_type_ == "" and _has_title(head)):
            return self._person(head)
        if head.lower_ in TITLES:  # "Russia's Secretary of the Security Council Nikolai Patrushev"
            person_token = next((t for t in head.subtree if t.i > head.i and t.ent_type_ == "PERSON"
                         and t.head.ent_type_ != "PERSON"), None)  # fmt: skip
            if person_token is not None:
                person = self._person(person_token)
                role = head.doc[head.i : person_token.left_edge.i].text.strip(" ,") or None
                country = person.code or self.country_in(head.doc[head.left_edge.i : person_token.left_edge.i])
                return replace(person, role=person.role or role, code=country, sector="GOV" if country else None)
        whole = self.lookup(phrase.text, acting) if len(phrase) <= 8 else None
        if whole is not None:
            return replace(whole, sector=whole.sector or _sector(head), text=phrase.text)
        entity = _entity_at(head)
        if entity is not None:
            found = self.lookup(entity.text, acting)
            if found is not None:
                return replace(found, text=phrase.text)
        if head.lemma_.lower() in _GOVERNMENT:
            owner = self._owner(head)
            if owner is not None:
                return Actor(f"{self.country(owner.code or '')}'s government", owner.code, "government", "GOV",
                             text=phrase.text)  # fmt: skip
        owner = self._owner(head)
        if owner is not None:
            sector = _sector(head)
            if head.pos_ == "PROPN" and owner.kind == "organization":
                return replace(owner, text=phrase.text)
            name = owner.name if sector is None else f"{owner.name} ({head.lemma_.lower()})"
            kind = "group" if sector is not None else owner.kind
            return Actor(name, owner.code, kind, sector or owner.sector, text=phrase.text)
        return None

    def modifier_actor(self, token: Token, head: Token) -> Actor | None:
        """The country or group a demonym before ``head`` names: "Russian" in "Russian forces"."""
        found = self.alias(token.text)
        if found is None or found.kind not in ("demonym", "country"):
            return None
        sector = _sector(head)
        name = found.name if sector is None else f"{found.name} ({head.lemma_.lower()})"
        return Actor(name, found.code, "group" if sector else "country", sector, text=token.text)

    def _owner(self, head: Token) -> Actor | None:
        """Whose thing ``head`` is: "Iran's", "Iranian", "US" (compound), "of Russia", "Revolutionary Guard"."""
        candidates: list[Token] = []
        for child in head.children:
            if child.dep_ in ("poss", "compound", "amod", "nmod") and child.i < head.i:
                candidates.append(child)
        in_country = head.lemma_.lower() in _GOVERNMENT or _sector(head) is not None  # "rebels in the Ivory Coast"
        owners = ("of", "from", "in") if in_country else ("of", "from")
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in owners:
                candidates += [g for g in child.children if g.dep_ == "pobj"]
        for token in candidates:
            entity = _entity_at(token)
            texts = [entity.text] if entity is not None else []
            texts += [_phrase(token).text, token.text]
            for text in texts:
                found = self.alias(text)
                if found is not None:
                    return self.actor_from(found, text)
            if token.dep_ == "prep" or token.dep_ == "pobj":
                deeper = self._owner(token)
                if deeper is not None:
                    return deeper
        # "Revolutionary Guard advisers": a multiword name ending just before the head
        left = [t for t in head.lefts if t.dep_ in ("compound", "amod", "nmod")]
        if len(left) > 1:
            text = head.doc[left[0].i : head.i].text
            found = self.alias(text)
            if found is not None:
                return self.actor_from(found, text)
        return None

    def _person(self, head: Token) -> Actor:
        doc = head.doc
        entity = _entity_at(head)
        if entity is not None and entity.label_ == "PERSON":
            name_tokens = [t for t in entity if t.lower_ not in TITLES]
        else:
            name_tokens = [t for t in head.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [head]
        name = "".join(t.text_with_ws for t in name_tokens).strip() or head.text
        name = _POSSESSIVE.sub("", name)
        start = min(name_tokens[0].i if name_tokens else head.i, head.left_edge.i)
        before = [t for t in doc[start : name_tokens[0].i if name_tokens else head.i]]
        role_words = [
            t.text
            for t in before
            if t.lower_ in TITLES or (t.pos_ in ("PROPN", "NOUN") and t.dep_ == "compound" and t.ent_type_ == "")
        ]
        role = " ".join(role_words) or None
        known = self.alias(name)
        if known is not None and known.kind == "person":  # a well-known name: "Putin", "Raisi"
            return Actor(known.name, known.code or None, "person", known.sector, role, text=_phrase(head).text)
        country = self.country_in(doc[start : name_tokens[0].i]) if name_tokens and start < name_tokens[0].i else None
        for child in head.children:  # "Nikolai Patrushev, secretary of Russia's Security Council"
            if child.dep_ == "appos":
                appos = _phrase(child)
                role = role or appos.text
                if country is None:
                    country = self.country_in(appos)
        return Actor(name, country, "person", "GOV" if role and country else None, role, text=_phrase(head).text)

    def country_in(self, span: Span) -> str | None:
        """The code of the first country, demonym, capital or organization named in ``span``."""
        for token in span:
            found = self.alias(_POSSESSIVE.sub("", token.text))
            if found is not None and found.kind in ("country", "demonym", "capital"):
                return found.code
        for entity in entities_in(span):
            found = self.alias(entity.text)
            if found is not None and found.kind != "place":
                return found.code or None
        return None

    def in_text(self, span: Span) -> Iterator[Actor]:
        """Every actor named by an entity or a demonym in ``span``, in order: a fallback when the parse gives
        no subject."""
        seen: set[int] = set()
        for entity in entities_in(span):
            if entity.label_ in ("GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"):
                seen.update(range(entity.start, entity.end))
                if entity.label_ == "PERSON":
                    yield self._person(entity.root)
                    continue
                found = self.lookup(entity.text)
                if found is not None:
                    yield found
        for token in span:
            if token.i not in seen and token.pos_ in ("ADJ", "PROPN"):
                row = self.alias(token.text)
                if row is not None and row.kind == "demonym":
                    yield self.actor_from(row, token.text)


class EntityIndex:
    """The named entities of one doc, looked up by position.

    ``Span.ents`` builds every entity of the whole doc on each call, so asking it once per sentence or clause costs
    the square of the article's length; this builds them once. ``within(span)`` returns what ``span.ents`` does.
    Build it after the last change to ``doc.ents`` (the claims reader does, per article): from then on
    :func:`entities_in` answers from it for that doc.
    """

    def __init__(self, doc: Doc) -> None:
        self.ents: tuple[Span, ...] = tuple(doc.ents)
        self.starts = [e.start for e in self.ents]
        _INDEXES[doc] = self

    def within(self, span: Span) -> list[Span]:
        """The entities wholly inside ``span``, in order (as ``span.ents``: they stop at the first that runs past
        its end)."""
        out = []
        for entity in self.ents[bisect.bisect_left(self.starts, span.start) :]:
            if entity.end > span.end:
                break
            out.append(entity)
        return out


_INDEXES: weakref.WeakKeyDictionary[Doc, EntityIndex] = weakref.WeakKeyDictionary()


def entities_in(span: Span) -> list[Span]:
    """``span.ents``, from the doc's :class:`EntityIndex` when one was built."""
    index = _INDEXES.get(span.doc)
    return list(span.ents) if index is None else index.within(span)


@functools.lru_cache(maxsize=4)
def load(extra: str | None = None) -> ActorTable:
    """The actor table, built once per process (and per extra file)."""
    return ActorTable(extra or None)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‐", "-")).strip().lower()


def _coordinated(head: Token) -> list[Token]:
    """``head`` and the nouns coordinated with it: "Iran and Russia"."""
    tokens = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN"):
            tokens += _coordinated(child)
    return tokens


def _phrase(head: Token) -> Span:
    """The noun phrase of ``head`` without clauses, appositions, coordinations and trailing punctuation."""
    doc = head.doc
    start, end = head.i, head.i + 1
    for child in head.lefts:
        if child.dep_ not in ("punct", "cc", "conj", "preconj"):
            start = min(start, child.left_edge.i)
    for child in head.rights:
        if child.dep_ in ("compound", "nummod", "case") or (child.dep_ == "prep" and child.lower_ == "of"):
            end = max(end, child.right_edge.i + 1)
    while start < end - 1 and doc[start].lower_ in ("the", "a", "an"):
        start += 1
    return doc[start:end]


def _entity_at(token: Token) -> Span | None:
    """The named entity ``token`` is part of, found from the IOB tags (no scan over the document)."""
    if not token.ent_type_:
        return None
    doc, start, end = token.doc, token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def _sector(head: Token) -> str | None:
    return _SECTOR_OF.get(head.lemma_.lower())


def _has_title(head: Token) -> bool:
    return any(t.lower_ in TITLES for t in head.lefts)
