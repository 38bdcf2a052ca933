"""What happened: claims with event fields, read from the parse and the attributions of one article.

A **claim** is one check-worthy clause: an event of a known type (see :data:`EVENT_TYPES`), or any statement with
a named actor, an amount or a date. Each claim carries actor → event → target, the object and its quantity, a
resolved date, a place, how firmly it is asserted (:data:`MODALITIES`) and the attribution whose content holds it
(the article's own ``implicit`` voice when nobody is cited).

How a clause is read:

- **Clauses** are the verbs heading a sentence, a conjoined clause or the content of an attribution. The content
  of "Reuters reported that Iran was supplying Russia" is one clause; the reporting verb is not an event, unless it
  is one itself ("Iran denied …" is a *reject* event, "officials agreed that …" an *agree / cooperate* event).
- **Event type** comes from the clause's verb (:data:`EVENT_VERBS`), through verbs of intent or aspect ("decided
  to send" is a transfer), or from the noun of a light verb ("held talks", "imposed sanctions", "the embargo
  expired").
- **Actor** is the subject (the agent of a passive); pronouns and relative pronouns resolve to the last actor or the
  antecedent; a gerund in the content of "Iran denies sending weapons" takes the speaker; an agentless passive
  transfer takes the maker ("Iranian drones were sent") or the actor of the same event just before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from . import actors as actor_table
from .actors import Actor, ActorTable, EntityIndex, entities_in
from .attribution import CITE_VERBS, CUE_VERBS, Attributor, Found
from .attribution import VERSION as ATTRIBUTION_VERSION
from .attribution import to_records as attribution_records
from .errors import ErrorCode
from .models import Article, Attribution, Claim, ErrorRecord, content_id
from .quantities import Quantity, find_quantities
from .settings import Settings
from .timex import When, resolve

log = logging.getLogger(__name__)

# The taxonomy: a small, documented subset of PLOVER (https://github.com/openeventdata/PLOVER), with the PLOVER
# categories each type covers and examples. README.md ("Event types") repeats this table for users.
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "transfer": ("AID", "Iran supplied Russia with missiles; the US will send air defence; Tehran sold drones"),
    "consult": ("CONSULT", "Raisi met Patrushev in Tehran; the envoy visited Kyiv; the two sides held talks"),
    "cooperate": ("AGREE, COOPERATE, SUPPORT", "they agreed to cooperate; the allies signed a deal; X praised Y"),
    "concede": ("CONCEDE, RETREAT", "troops withdrew; the rebels released hostages; the UN eased sanctions"),
    "accuse": ("ACCUSE (DISAPPROVE, INVESTIGATE)", "the US accused Iran; G-7 ministers slammed Iran; police probed"),
    "sanction": ("SANCTION", "Washington imposed sanctions on Tehran; the UN arms embargo expired"),
    "threaten": ("THREATEN", "Iran threatened to close the strait; officials warned of retaliation"),
    "coerce": ("COERCE", "police arrested 40 protesters; the army seized the airport; Israel expelled diplomats"),
    "attack": (
        "ASSAULT (ASSAULT, FIGHT)",
        "Russia used over 300 Iranian drones to target power plants; rebels shelled",
    ),
    "mobilize": ("MOBILIZE", "Russia deployed troops to the border; the army was put on alert"),
    "protest": ("PROTEST", "thousands demonstrated in Tehran; workers went on strike"),
    "request": ("REQUEST (DEMAND)", "Ukraine asked for air defence; the UN urged restraint; X demanded Y"),
    "reject": ("REJECT", "Iran denied sending weapons; the council rejected the plan; Russia vetoed the text"),
    "statement": ("(none)", "any other check-worthy statement: Iran had over 3,000 ballistic missiles"),
}
# Verb lemmas of each type. A verb may have one type only; context changes a few (see _verb_type).
EVENT_VERBS: dict[str, str] = {
    lemma: kind
    for kind, lemmas in {
        "transfer": """supply send deliver provide give sell transfer ship export arm equip donate fund finance lend
            loan airlift smuggle hand furnish bankroll resupply rearm dispatch grant""",
        "consult": """meet visit host discuss consult negotiate confer talk telephone phone receive travel arrive
            mediate""",
        "cooperate": """agree sign cooperate ally pledge promise accept approve endorse support back praise commend
            thank recognize recognise join establish renew ratify conclude offer reach collaborate partner hail
            apologize apologise forgive reconcile normalize normalise restore invite defend share""",
        "concede": """release free withdraw retreat ease lift concede yield surrender resign relent evacuate
            demobilize disarm return reopen unfreeze pardon allow permit relax shorten open""",
        "accuse": """accuse criticize criticise condemn denounce blame slam charge allege investigate probe censure
            deplore rebuke complain lambaste decry fault castigate assail question warn sue""",
        "sanction": """sanction embargo boycott freeze suspend blacklist halt cut downgrade recall sever expel
            prohibit""",
        "threaten": """threaten vow menace swear""",
        "coerce": """arrest detain jail imprison seize deport confiscate raid ban censor abduct kidnap
            hijack evict blockade restrict demolish bulldoze hack""",
        "attack": """attack strike bomb shell shoot kill fire invade assault fight clash target hit destroy use
            ambush massacre occupy capture bombard wound injure launch storm torpedo down intercept assassinate
            beat torture retake recapture overrun""",
        "mobilize": """mobilize mobilise deploy mass reinforce station""",
        "protest": """protest demonstrate march rally riot picket block""",
        "request": """demand request ask call urge appeal seek press plead insist petition order""",
        "reject": """reject deny refuse dismiss veto rebuff refute oppose resist defy decline snub dispute
            renege violate flout breach""",
    }.items()
    for lemma in lemmas.split()
}
# Nouns that carry the event of a light or generic verb: "held talks", "imposed sanctions", "the embargo expired".
EVENT_NOUNS: dict[str, str] = {
    lemma: kind
    for kind, lemmas in {
        "transfer": "transfer supply delivery shipment sale aid assistance donation export",
        "consult": "meeting visit talk negotiation summit consultation conversation call mediation",
        "cooperate": "agreement deal accord treaty cooperation alliance partnership pact ceasefire truce",
        "concede": "withdrawal release concession",
        "accuse": "accusation criticism condemnation investigation probe allegation hearing inquiry lawsuit",
        "sanction": "sanction embargo boycott suspension",
        "threaten": "threat ultimatum",
        "coerce": "arrest crackdown detention curfew",
        "attack": "attack strike airstrike offensive bombing raid assault invasion war fight",
        "mobilize": "deployment mobilization mobilisation",
        "protest": "protest demonstration rally riot march",
        "request": "demand request appeal",
        "reject": "rejection refusal denial veto",
    }.items()
    for lemma in lemmas.split()
}
LIGHT_VERBS = frozenset(
    """hold have make take impose launch carry conduct stage issue reach sign give express begin start continue
    complete mount announce reiterate renew repeat voice lodge file open end""".split()
)
# Verbs of intent or aspect whose complement says what happens: "decided to send", "continues to sell".
PASS_THROUGH = frozenset(
    """decide plan begin start continue try want intend attempt hope prepare move seem appear manage keep resume
    go help expect aim seek need be""".split()
)
MODALITIES = ("denied", "negated", "hedged", "future", "reported", "asserted")
HEDGE_WORDS = frozenset(
    """could may might reportedly allegedly possibly perhaps probably likely apparently purportedly supposedly
    presumably unconfirmed suspected alleged""".split()
)
HEDGE_PASSIVES = frozenset("say believe think report suspect rumor rumour understand allege".split())
HEDGE_CUES = frozenset("suggest speculate believe think suspect allege claim guess fear hint".split())
DENY_CUES = frozenset("deny reject dismiss refute rebut dispute contradict".split())
FUTURE_WORDS = frozenset("will shall 'll wo".split())
FUTURE_VERBS = frozenset("expect set plan intend schedule due poise prepare".split()) | {
    "willing",
    "ready",
    "committed",
    "determined",
    "eager",
    "keen",
    "prepared",
}
PLACE_PREPS = frozenset("in at near via across through into inside outside over off along around within".split())
TARGET_PREPS = {
    "transfer": ("to",), "consult": ("with",), "cooperate": ("with", "to"), "concede": ("to",),
    "accuse": ("against", "of"), "sanction": ("on", "against"), "threaten": ("against",), "coerce": ("against",),
    "attack": ("against", "on", "at"), "mobilize": ("against",), "protest": ("against",),
    "request": ("on", "from", "to"), "reject": (), "statement": ("to", "with", "against"),
}  # fmt: skip
MIN_CLAIM_WORDS = 4


@dataclass
class Clause:
    """One clause of the text, read for its event; turned into a :class:`Claim` record by :func:`to_records`."""

    head: Token
    span: Span
    event_type: str
    trigger: Token
    actors: list[Actor] = field(default_factory=list)
    targets: list[Actor] = field(default_factory=list)
    object: str | None = None
    quantity: Quantity | None = None
    when: When | None = None
    place: str | None = None
    modality: str = "asserted"
    attribution: Found | None = None


class Reader:
    """Reads the claims of one parsed article. Keeps the actors met so far to resolve "it", "he", "they"."""

    def __init__(self, doc: Doc, found: Sequence[Found], published: date | None, table: ActorTable) -> None:
        self.doc = doc
        self.found = list(found)
        self.published = published
        self.table = table
        self.ents = EntityIndex(doc)
        self._holders: dict[int, Found] | None = None  # token index -> the narrowest attribution holding it
        self.recent: list[Actor] = []  # every actor named so far, in order
        self.subjects: list[Actor] = []  # the actors of the claims so far
        # the span tagger proposes a few cues that are events, not speech ("staged"): only speech verbs count
        self.cue_tokens = {t.i for f in self.found if f.cue is not None for t in f.cue
                           if f.cue.root.lemma_.lower() in CUE_VERBS | {"accord", "cite", "accuse"}}  # fmt: skip
        self.last_transfer: tuple[int, list[Actor]] | None = None  # (sentence start token, actors)

    def clauses(self) -> list[Clause]:
        """Every check-worthy clause of the document, in text order."""
        out: list[Clause] = []
        taken: set[int] = set()
        for sentence in self.doc.sents:
            if sentence.text.rstrip().endswith("?"):
                self._remember(sentence)
                continue
            for head in self._heads(sentence):
                if head.i in taken:
                    continue
                clause = self._read(head, sentence)
                if clause is not None:
                    taken.add(head.i)
                    out.append(clause)
            out.extend(self._nominal(sentence, taken))
            self._remember(sentence)
        return out

    def _nominal(self, sentence: Span, taken: set[int]) -> list[Clause]:
        """Transfers named by a noun: "the transfer of Iranian-made Shahed drones", "its weapons sales to Moscow"."""
        out: list[Clause] = []
        for token in sentence:
            if token.pos_ != "NOUN" or EVENT_NOUNS.get(token.lemma_.lower()) != "transfer" or token.i in taken:
                continue
            if token.lemma_.lower() in ("aid", "assistance", "supply") and token.dep_ not in ("pobj", "nsubj"):
                continue
            what = next((g for p in token.children if p.dep_ == "prep" and p.lower_ == "of"
                         for g in p.children if g.dep_ == "pobj"), None)  # fmt: skip
            weapons = [t for t in token.lefts if t.lemma_.lower() in _WEAPONS | {"arm", "weapon"}]
            if what is None and not weapons:
                continue
            end = max(token.i + 1, what.right_edge.i + 1 if what is not None else 0)
            for child in token.rights:
                if child.dep_ == "prep" and child.lower_ == "to":
                    end = max(end, child.right_edge.i + 1)
            span = self.doc[token.left_edge.i : end]
            clause = Clause(token, span, "transfer", token, attribution=self._attribution(token))
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            clause.actors = self._resolve(owner, clause.attribution) if owner is not None else []
            if what is not None:
                clause.object = _object_text(what)
                if not clause.actors:
                    made = next((t for t in what.subtree if self._maker(t) is not None), None)
                    clause.actors = [self._maker(made)] if made is not None else []  # type: ignore[list-item]
            else:
                clause.object = " ".join(t.text for t in weapons)
            for child in token.rights:
                if child.dep_ == "prep" and child.lower_ == "to":
                    for pobj in (g for g in child.children if g.dep_ == "pobj"):
                        clause.targets = self.table.of_phrase(pobj)
            clause.modality = self._modality(token, token, clause.attribution)
            clause.when = self._when(span, False, None)
            clause.place = _place_in(span, self.table)
            if clause.actors or clause.targets:
                taken.add(token.i)
                out.append(clause)
        return out

    def _maker(self, token: Token) -> Actor | None:
        """The country of a demonym ("Iranian drones") or a "-made" compound ("Iranian-made")."""
        found = self.table.alias(token.text.split("-")[0])
        if found is not None and found.kind == "demonym":
            return self.table.actor_from(found, token.text)
        return None

    def _remember(self, sentence: Span) -> None:
        """Every actor the sentence names, in order, for resolving pronouns in the sentences after it."""
        self.recent.extend(self.table.in_text(sentence))
        del self.recent[:-50]
        del self.subjects[:-50]

    # ----------------------------------------------------------------------------------------- clause heads

    def _heads(self, sentence: Span) -> list[Token]:
        """Verbs that head a clause: the root, conjoined verbs, verbs on the far side of a semicolon, the verbs
        heading an attribution's content, and event verbs that are attribution cues ("Iran denied …"). Reporting
        verbs themselves ("said", "cited") head no clause."""
        heads: list[Token] = []
        segment = _segments(sentence)
        for token in sentence:
            if token.pos_ not in ("VERB", "AUX"):
                continue
            if token.i == sentence.start and token.tag_ == "VBN" and not any(c.dep_.startswith("nsubj")
                                                                              for c in token.children):  # fmt: skip
                continue  # "Asked about the visit, Price said …"
            lemma = token.lemma_.lower()
            if token.i in self.cue_tokens or lemma in CITE_VERBS:
                if lemma in EVENT_VERBS and lemma not in ("say", "tell", "add"):
                    heads.append(token)
                continue
            head_ids = {h.i for h in heads}
            if token.dep_ == "ROOT" or token.dep_ in ("conj", "parataxis") and token.head.i in head_ids:
                heads.append(token)
            elif segment[token.i] != segment[token.head.i] and token.dep_ in ("conj", "parataxis", "ccomp", "advcl"):
                heads.append(token)  # "…; the UN arms embargo … expired in 2023"
            elif token.head.i in self.cue_tokens and token.dep_ in ("ccomp", "conj", "xcomp", "dobj", "parataxis"):
                if self._reported(token):
                    heads.append(token)  # the content of "X said that …", "X denied sending …"
            elif token.dep_ == "conj" and token.head.i in head_ids and self._reported(token):
                heads.append(token)
        return heads

    def _reported(self, token: Token) -> bool:
        found = self._attribution(token)
        return found is not None and not found.implicit

    # ----------------------------------------------------------------------------------------- one clause

    def _read(self, head: Token, sentence: Span) -> Clause | None:
        trigger, event_type = _event(head)
        span = _clause_span(head, sentence, self.cue_tokens, _segments(sentence))
        if span is None or sum(1 for t in span if t.is_alpha) < MIN_CLAIM_WORDS:
            return None
        attribution = self._attribution(head)
        # for an event stated by a cue ("Iran denied …") this is the attribution holding the cue itself
        clause = Clause(head, span, event_type, trigger, attribution=attribution)
        clause.actors = self._actors(head, trigger, attribution, event_type)
        clause.targets, clause.place = self._target_and_place(trigger, event_type, clause.actors)
        clause.object, quantity_head = _object(trigger, event_type, self.table)
        clause.quantity = self._quantity(span, quantity_head)
        clause.modality = self._modality(head, trigger, clause.attribution)
        clause.when = self._when(span, clause.modality == "future", attribution)
        if clause.place is None:
            clause.place = _place_in(span, self.table)
        if not clause.actors and event_type == "transfer":
            clause.actors = self._carried_actor(clause)
        reported = attribution is not None and not attribution.implicit and attribution.source is not None
        if event_type == "statement" and not (
            clause.quantity or (clause.when and clause.when.date) or any(a.code for a in clause.actors) or reported
        ):
            return None  # not check-worthy: no event, nobody named, no number, no date, nobody cited
        if clause.actors:
            self.subjects.extend(clause.actors)
            if event_type == "transfer":
                self.last_transfer = (sentence.start, clause.actors)
        return clause

    def _actors(self, head: Token, trigger: Token, attribution: Found | None, event_type: str) -> list[Actor]:
        for verb in (trigger, head):
            subject = _subject(verb)
            if subject is not None:
                if event_type == "transfer" and _is_recipient(subject):
                    break  # "Iran will be provided with technology": Iran receives
                return self._resolve(subject, attribution)
        if event_type == "statement":  # "Vietnam is committed to …": for a statement, who it is about
            passive = next((c for c in head.children if c.dep_ == "nsubjpass"), None)
            if passive is not None:
                return self._resolve(passive, attribution)
        # "Iran denies sending weapons", "officials agreed to cooperate": the speaker does it
        if attribution is not None and attribution.source is not None and head.tag_ in ("VBG", "VB"):
            return self._resolve(attribution.source.root, attribution)
        return []

    def _resolve(self, token: Token, attribution: Found | None = None) -> list[Actor]:
        lower = token.lower_
        if lower in ("who", "which", "that") and token.head.dep_ == "relcl":
            token = token.head.head  # "Budanov, who suggested": the antecedent
            lower = token.lower_
        speaker = attribution.speaker if attribution is not None and not attribution.implicit else None
        if lower in ("he", "she") and speaker is not None and speaker.kind == "person" and speaker.name:
            # "Sullivan explained that he had seen …": the speaker
            code = self.table.country_in(attribution.source) if attribution and attribution.source else None
            return [Actor(speaker.name, code, "person", None, speaker.role, text=token.text)]
        plural_speaker = speaker is not None and speaker.kind != "person" and attribution is not None
        if lower in ("they", "we", "it") and plural_speaker and attribution and attribution.source is not None:
            found = self.table.of_phrase(attribution.source.root)  # "the rebels said they would …": the speakers
            if found:
                return found
        if lower in ("he", "she", "him", "her"):
            return next(([a] for a in reversed(self.recent) if a.kind == "person"), [])
        if lower in ("it", "its", "they", "them", "their"):
            # the last subject, rather than the last name: "Iran made its mind up … to side with Russia. It sold …"
            for actor in reversed(self.subjects):
                if actor.kind != "person":
                    return [actor]
            return []
        return self.table.of_phrase(token)

    def _carried_actor(self, clause: Clause) -> list[Actor]:
        """An agentless transfer: the maker of what was sent ("Iranian drones were sent"), else the actor of the
        transfer just before ("Iran was supplying Russia … Its sources said 400 missiles had been sent")."""
        for token in clause.trigger.subtree:
            if token.head.lemma_.lower() in _WEAPONS or token.head.head.lemma_.lower() in _WEAPONS:
                maker = self._maker(token)
                if maker is not None:
                    return [maker]
        last = self.last_transfer
        if last is not None and clause.head.sent.start - last[0] <= 400:
            return last[1]
        return []

    def _target_and_place(self, trigger: Token, event_type: str, actors: list[Actor]) -> tuple[list[Actor], str | None]:
        """Who the event is aimed at (the object, "to Russia", "with X", "against Y", by event type) and where it
        happens ("in Tehran", "to Crimea", "via the Caspian Sea")."""
        targets: list[Actor] = []
        place: str | None = None
        preps = TARGET_PREPS.get(event_type, ())
        for child in _arguments(trigger):
            if child.dep_ in ("dobj", "dative", "iobj") and child.lower_ not in ("to", "for"):
                if event_type == "transfer" and _is_thing(child):
                    recipient = next((t for t in child.lefts if t.dep_ == "compound"
                                      and t.lemma_.lower() in _RECIPIENTS), None)  # fmt: skip
                    if recipient is not None:  # "sold the Russian army drones"
                        targets += [a for a in (self.table.modifier_actor(t, recipient) for t in child.lefts
                                                if t.i < recipient.i) if a is not None]  # fmt: skip
                    continue
                if _place_like(child, self.table):
                    place = place or _place_text(child)
                    continue
                targets += self.table.of_phrase(child)
            elif child.dep_ in ("prep", "dative"):
                for pobj in (g for g in child.children if g.dep_ == "pobj"):
                    prep = child.lower_
                    if _place_like(pobj, self.table) and (prep in PLACE_PREPS or prep in ("to", "from")):
                        place = place or _place_text(pobj)
                    elif prep in preps:
                        targets += self.table.of_phrase(pobj, acting=False)
            elif child.dep_ == "nsubjpass" and event_type not in ("transfer", "statement") and not _is_thing(child):
                targets += self.table.of_phrase(child)  # "Allawi was attacked by militants"
            elif child.dep_ in ("advcl", "xcomp") and child.lemma_ in ("help", "support", "enable", "aid"):
                for grand in child.children:  # "sent advisers to Crimea to help Russian forces (use …)"
                    if grand.dep_ == "dobj" and not targets:
                        targets += self.table.of_phrase(grand)
                    elif grand.dep_ in ("ccomp", "xcomp") and not targets:
                        subject = next((g for g in grand.children if g.dep_ == "nsubj"), None)
                        targets += self.table.of_phrase(subject) if subject is not None else []
        keys = {a.key for a in actors}
        return [t for t in targets if t.key not in keys], place

    def _quantity(self, span: Span, head: int | None) -> Quantity | None:
        """The amount of the object if it has one; else the first amount in the clause that is more than a
        count of the parties ("the two countries")."""
        quantities = find_quantities(span)
        for quantity in quantities:
            if head is not None and quantity.head == head:
                return quantity
        for quantity in quantities:
            if not (quantity.words and quantity.value <= 2) and quantity.unit not in ("year", "time"):
                return quantity
        return None

    def _modality(self, head: Token, trigger: Token, attribution: Found | None) -> str:
        cue = attribution.cue.root.lemma_.lower() if attribution is not None and attribution.cue is not None else ""
        if cue in DENY_CUES:
            return "denied"
        if _negated(head) or _negated(trigger):
            return "negated"
        words = {t.lower_ for t in _modifiers(head)} | {t.lower_ for t in _modifiers(trigger)}
        if words & HEDGE_WORDS or cue in HEDGE_CUES or _hedged_passive(head):
            return "hedged"
        lemmas = {t.lemma_.lower() for t in _chain(head)}
        lemmas |= {c.lower_ for t in _chain(head) for c in t.children if c.dep_ == "acomp"} & INTENT_WORDS
        lemmas |= {c.lower_ for c in head.children if c.dep_ == "acomp"} & INTENT_WORDS
        if words & FUTURE_WORDS or lemmas & FUTURE_VERBS or "going" in words and "to" in words:
            return "future"
        if "would" in words:
            return "future" if attribution is not None and not attribution.implicit else "hedged"
        if attribution is not None and not attribution.implicit:
            return "reported"
        return "asserted"

    def _when(self, span: Span, future: bool, attribution: Found | None) -> When | None:
        """The first date in the clause; else one attached to the attribution's cue ("As of 2022, … estimated")."""
        candidates = [e for e in self.ents.within(span) if e.label_ == "DATE"]
        if not candidates and attribution is not None and attribution.cue is not None:
            cue = attribution.cue.root
            candidates = [e for e in self.ents.within(cue.sent) if e.label_ == "DATE" and _attached_to(e.root, cue)]
        for entity in candidates:
            when = resolve(entity.text, self.published, future)
            if when.date is not None:
                return when
        return When(candidates[0].text) if candidates else None

    def _attribution(self, head: Token) -> Found | None:
        """The attribution whose content holds ``head``: the narrowest one (the first of equals)."""
        if self._holders is None:  # once per article: looking through every attribution per clause is quadratic
            self._holders = {}
            sizes: dict[int, int] = {}
            for item in self.found:
                for span in item.content:
                    size = span.end - span.start
                    for i in range(span.start, span.end):
                        if size < sizes.get(i, len(self.doc) + 1):
                            sizes[i] = size
                            self._holders[i] = item
        return self._holders.get(head.i)


# --------------------------------------------------------------------------------------------------- helpers


def _event(head: Token) -> tuple[Token, str]:
    """The trigger and event type of a clause headed by ``head``."""
    if head.lemma_.lower() in LIGHT_VERBS:  # "launched an investigation", "staged demonstrations", "opened fire"
        for child in head.children:
            kind = _noun_type(child) if child.dep_ == "dobj" else None
            if kind is not None:
                return head, kind
    token = head
    for _ in range(4):  # "decided to send", "plans to continue supplying"
        lemma = token.lemma_.lower()
        kind = _verb_type(token)
        if kind is not None:
            return token, kind
        xcomp = next((c for c in token.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")), None)
        if lemma in PASS_THROUGH and xcomp is not None:
            token = xcomp
            continue
        intent = next((c for c in token.children if c.dep_ == "acomp" and c.lower_ in INTENT_WORDS), None)
        if intent is not None:  # "is willing to withdraw", "is committed to opening"
            inner = next((g for g in intent.subtree if g.pos_ == "VERB" and g.i > intent.i), None)
            if inner is not None:
                token = inner
                continue
        break
    # light verbs and copulas: "held talks", "imposed sanctions", "the embargo … expired", "is a deepening alliance"
    transitive = any(c.dep_ in ("dobj", "attr", "acomp") for c in head.children)
    for child in head.children:
        if child.dep_ in ("dobj", "attr", "nsubj", "nsubjpass") and child.lemma_.lower() in EVENT_NOUNS:
            if child.dep_ in ("dobj", "attr") and head.lemma_.lower() not in LIGHT_VERBS | {"be"}:
                continue
            if child.dep_.startswith("nsubj") and (transitive or head.lemma_.lower() == "be"):
                continue  # only "the embargo expired", "talks collapsed"
            return head, EVENT_NOUNS[child.lemma_.lower()]
    return head, "statement"


def _noun_type(token: Token) -> str | None:
    """The event a noun names: "talks", "sanctions", "a hunger strike" (a protest, not an attack), "fire"."""
    lemma = token.lemma_.lower()
    if lemma == "strike" and any(c.lower_ in ("hunger", "general", "labor", "labour") for c in token.lefts):
        return "protest"
    if lemma == "fire" and token.head.lemma_.lower() == "open":
        return "attack"
    return EVENT_NOUNS.get(lemma)


def _verb_type(token: Token) -> str | None:
    lemma = token.lemma_.lower()
    kind = EVENT_VERBS.get(lemma)
    if kind is None:
        return None
    children = {c.dep_: c for c in token.children}
    particles = {c.lower_ for c in token.children if c.dep_ in ("prt", "prep")}
    if lemma == "decline" and "xcomp" in children and children["xcomp"].lemma_.lower() in _NO_COMMENT:
        return None  # "declined to comment" is no denial; "declined to resign", "declined the offer" are
    if lemma == "block" and any(c.lemma_.lower() in ("resolution", "bill", "plan", "proposal", "deal", "move")
                                for c in token.children if c.dep_ == "dobj"):  # fmt: skip
        return "reject"
    if lemma == "use" and not any(t.lemma_.lower() in _WEAPONS for t in token.subtree):
        return None
    if kind == "transfer" and any(c.dep_ == "dobj" and c.lemma_.lower() in _ABSTRACT for c in token.children):
        return None  # "gave Moscow a cheap way to …", "giving way to …"
    if lemma == "strike" and not any(c.dep_ in ("dobj", "nsubjpass") for c in token.children) and "on" in particles:
        return "protest"  # "workers went on strike"
    if lemma in ("call", "press") and not particles & {"for", "on"}:
        return None
    if lemma == "pull" and "out" in particles:
        return "concede"
    if lemma == "cut" and "off" not in particles and "ties" not in {c.lower_ for c in token.subtree}:
        return None
    if lemma in ("return", "release", "free") and "dobj" not in children and "nsubjpass" not in children:
        return None  # "he returned from Ukraine"
    if lemma in ("warn",) and any(c.lower_ in ("of", "against") for c in token.children):
        return "threaten"
    if lemma in ("reach", "conclude", "launch", "sign") and not any(
        c.lemma_.lower() in EVENT_NOUNS for c in token.children if c.dep_ == "dobj"
    ):
        return None if lemma in ("reach", "launch") else kind
    if lemma == "give" and any(c.lemma_.lower() in ("support", "backing") for c in token.children):
        return "cooperate"
    if lemma in ("arrive", "travel") and not any(c.ent_type_ in ("GPE", "LOC") for c in token.subtree):
        return None
    return kind


_NO_COMMENT = frozenset("comment elaborate discuss confirm say specify answer respond speak identify".split())
INTENT_WORDS = frozenset("willing prepared ready committed determined eager keen".split())
_ABSTRACT = frozenset(
    """way chance opportunity access impression reason time signal boost edge advantage hope credit sense idea
    birth rise voice priority attention thought example warning""".split()
)
_WEAPONS = frozenset(
    """drone missile rocket weapon bomb gun artillery tank jet aircraft warship munition shell gas force troop
    mine torpedo grenade""".split()
)


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    if verb.dep_ in ("xcomp", "conj") and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)  # "agreed to cooperate", "met X and discussed Y"
    if verb.dep_ == "relcl":
        return verb.head  # "missiles that Russian forces have deployed" has its own subject; "who met" does not
    return None


def _arguments(trigger: Token) -> list[Token]:
    """The trigger's dependents, those of its event noun ("held talks with") and of the verb it governs
    ("offered to hand over to Britain", "promised to continue military aid to Mozambique")."""
    out = list(trigger.children)
    for child in trigger.children:
        if child.dep_ in ("dobj", "attr") and child.lemma_.lower() in EVENT_NOUNS:
            out += list(child.children)
        elif child.dep_ == "xcomp":
            out += _arguments(child)
    return out


def _is_recipient(subject: Token) -> bool:
    """The subject of a passive "be supplied/provided/equipped with …" receives rather than gives."""
    verb = subject.head
    return subject.dep_ == "nsubjpass" and any(c.dep_ == "prep" and c.lower_ == "with" for c in verb.children)


def _is_thing(token: Token) -> bool:
    """A transferred thing rather than a recipient: "sent drones", not "supplied Russia"."""
    return (
        token.lemma_.lower() in _WEAPONS
        or token.ent_type_ not in ("GPE", "NORP", "ORG", "PERSON")
        and not any(c.dep_ == "poss" for c in token.children)
        and token.lemma_.lower() not in ("army", "military", "force", "government", "ally", "regime")
    )


def _place_like(token: Token, table: ActorTable) -> bool:
    """A place rather than an actor after a preposition: Crimea, Tehran, the Caspian Sea (not Russia, not the UN).
    Countries count as places only after "in", "at", "via" …; the caller checks the preposition."""
    found = table.alias(_place_text(token))
    if found is None:
        found = table.alias(token.text)
    if found is None:
        return token.ent_type_ in ("GPE", "LOC", "FAC")
    if found.kind == "country":
        return token.dep_ == "pobj" and token.head.lower_ in PLACE_PREPS
    return found.kind in ("capital", "place")


def _place_text(token: Token) -> str:
    doc = token.doc
    start = min((t.i for t in token.lefts if t.dep_ in ("compound", "det", "amod") and t.lower_ != "the"),
                default=token.i)  # fmt: skip
    return doc[start : token.i + 1].text


def _place_in(span: Span, table: ActorTable) -> str | None:
    """A place named with a locative preposition anywhere in the clause: "via the Caspian Sea", "in Tehran"."""
    for entity in entities_in(span):
        if entity.label_ not in ("GPE", "LOC", "FAC"):
            continue
        prep = entity.root.head
        known = table.alias(entity.text)
        if known is not None and known.kind == "organization":
            continue  # "working at the United Nations"
        if entity.root.dep_ == "pobj" and prep.lower_ in PLACE_PREPS | {"to"}:
            if prep.lower_ == "to" and not _place_like(entity.root, table):
                continue
            return entity.text[4:] if entity.text.lower().startswith("the ") else entity.text
    return None


def _object(trigger: Token, event_type: str, table: ActorTable) -> tuple[str | None, int | None]:
    """What the event is about, as a noun phrase without its amount, and the token index of its head noun."""
    if event_type in ("consult", "accuse", "threaten", "reject", "protest"):
        return None, None
    candidates: list[Token] = []
    for child in trigger.children:
        if child.dep_ == "prep" and child.lower_ == "with" and event_type == "transfer":
            candidates += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ == "nsubjpass" and event_type == "transfer" and _is_recipient(child):
            continue
        elif child.dep_ in ("dobj", "nsubjpass") and (event_type != "transfer" or _is_thing(child)):
            candidates.append(child)
        elif child.dep_ == "prep" and child.lower_ == "for" and event_type == "request":
            candidates += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ == "dative" or child.dep_ == "dobj":
            candidates += [g for g in child.children if g.dep_ == "dobj"]
    if event_type == "transfer" and not candidates:  # "sold the Russian army drones": two objects
        objects = [c for c in trigger.children if c.dep_ in ("dobj", "dative")]
        candidates = objects[1:] if len(objects) > 1 else []
    for head in candidates:
        if head.like_num or head.lower_ in ("hundreds", "thousands", "dozens", "more"):
            inner = next((g for p in head.children if p.dep_ == "prep" and p.lower_ == "of"
                          for g in p.children if g.dep_ == "pobj"), None)  # fmt: skip
            if inner is None:
                continue
            head = inner
        if table.of_phrase(head) and head.ent_type_ in ("GPE", "NORP", "PERSON"):
            continue
        text = _object_text(head)
        # "supplying Russia with missiles from the Fateh-110 family": the parser hangs "from …" on the verb
        after = head.right_edge.i + 1
        source = next((c for c in trigger.children if c.dep_ == "prep" and c.lower_ == "from" and c.i == after), None)
        if source is not None:
            text = f"{text} {head.doc[source.i : source.right_edge.i + 1].text}"
        return text, head.i
    return None, None


def _object_text(head: Token) -> str:
    doc = head.doc
    start = head.i
    for child in head.lefts:
        if child.dep_ in ("amod", "compound", "nmod", "poss", "npadvmod", "advmod") and not child.like_num:
            start = min(start, child.left_edge.i)
    end = head.i + 1
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "from"):
            end = max(end, child.right_edge.i + 1)
        elif child.dep_ in ("compound", "appos") and child.i == end:
            end = child.right_edge.i + 1
    while start < head.i and (doc[start].like_num or doc[start].lower_ in _DROP or doc[start].dep_ == "poss"
                              and doc[start].pos_ == "PRON"):  # fmt: skip
        start += 1
    # "sold the Russian army drones": the parser makes one phrase of recipient and thing
    recipient = next((t for t in head.lefts if t.dep_ == "compound" and t.lemma_.lower() in _RECIPIENTS), None)
    if recipient is not None:
        start = max(start, recipient.i + 1)
    return doc[start:end].text.strip(" ,")


_RECIPIENTS = frozenset("army military force troop government navy regime ally".split())
_DROP = frozenset("its their his her our the a an some around about over more than at least nearly".split())


def _segments(sentence: Span) -> dict[int, int]:
    """Token index → number of the part of the sentence it is in, parts being cut at semicolons."""
    out: dict[int, int] = {}
    part = 0
    for token in sentence:
        out[token.i] = part
        if token.text == ";":
            part += 1
    return out


def _clause_span(head: Token, sentence: Span, cue_tokens: set[int], segment: dict[int, int]) -> Span | None:
    """The text of the clause headed by ``head``: its subtree in the sentence, without conjoined clauses that are
    clauses of their own, without a reporting clause around it, and trimmed of conjunctions and punctuation."""
    doc = head.doc
    skip: set[int] = set()
    for child in head.children:
        if child.dep_ in ("conj", "parataxis") and child.pos_ in ("VERB", "AUX") and child.i > head.i:
            skip.update(t.i for t in child.subtree)
            skip.update(t.i for t in child.lefts if t.dep_ == "cc")
        if child.dep_ == "cc" and child.i > head.i:
            later = [c for c in head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i > child.i]
            if later:
                skip.add(child.i)
        if child.i in cue_tokens or any(g.i in cue_tokens for g in child.subtree if g.dep_ in ("ROOT",)):
            skip.update(t.i for t in child.subtree)
    if head.i in cue_tokens:
        indices = [t.i for t in sentence if t.i not in skip and segment[t.i] == segment[head.i]]
    else:
        indices = [t.i for t in head.subtree if sentence.start <= t.i < sentence.end and t.i not in skip]
        # a reporting clause inside the subtree ("…, analysts say"): leave it out
        indices = [i for i in indices if i not in cue_tokens and not _in_reporting(doc[i], head, cue_tokens)
                   and segment[i] == segment[head.i]]  # fmt: skip
    if not indices:
        return None
    start, end = min(indices), max(indices) + 1
    while start < end and (doc[start].is_punct or doc[start].dep_ == "cc" or doc[start].lower_ in ("that",)):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text not in ')”’"' or doc[end - 1].dep_ == "cc"):
        end -= 1
    return doc[start:end] if end > start else None


def _in_reporting(token: Token, head: Token, cue_tokens: set[int]) -> bool:
    """Whether ``token`` belongs to a reporting clause under ``head`` (its cue's subject, say)."""
    node = token
    while node.i != head.i and node.head.i != node.i:
        if node.head.i in cue_tokens and node.dep_ in ("nsubj", "nsubjpass", "agent", "npadvmod", "prep", "punct"):
            return True
        if node.i in cue_tokens:
            return True
        node = node.head
    return False


def _attached_to(token: Token, verb: Token) -> bool:
    """Whether ``token`` hangs from ``verb`` through at most three prepositions ("As of 2022, … estimated")."""
    for _ in range(4):
        if token.head.i == verb.i:
            return True
        if token.head.i == token.i or token.dep_ not in ("pobj", "prep", "npadvmod", "advmod"):
            return False
        token = token.head
    return False


def _modifiers(token: Token) -> list[Token]:
    """Auxiliaries and adverbs on a verb and on the verbs it hangs from (through xcomp)."""
    out = [c for c in token.children if c.dep_ in ("aux", "auxpass", "advmod", "neg", "prt")]
    if token.dep_ == "xcomp":
        out += [c for c in token.head.children if c.dep_ in ("aux", "auxpass", "advmod", "neg")]
    return out


def _chain(token: Token) -> list[Token]:
    """``token`` and the verbs above it through xcomp: "is expected to increase" gives increase, expect."""
    out = [token]
    while token.dep_ == "xcomp" and token.head.i != token.i:
        token = token.head
        out.append(token)
    for child in out[0].children:
        if child.dep_ == "aux" and child.lower_ == "to" and token.dep_ == "xcomp":
            out.append(token.head)
    return out


def _negated(token: Token) -> bool:
    if any(c.dep_ == "neg" for c in token.children):
        return True
    for child in token.children:  # "no deal was ever reached"
        if child.dep_ in ("nsubj", "nsubjpass", "dobj") and any(g.lower_ in ("no", "neither") for g in child.lefts):
            return True
    return False


def _hedged_passive(head: Token) -> bool:
    """ "Iran is said to have sent", "is believed to", "appears to": the clause's own verb is hedged."""
    for token in _chain(head):
        if token.lemma_.lower() in ("appear", "seem"):
            return True
        if token.lemma_.lower() in HEDGE_PASSIVES and any(c.dep_ == "auxpass" for c in token.children):
            return True
    return False


# --------------------------------------------------------------------------------------------------- records


def read_claims(doc: Doc, found: Sequence[Found], published: date | None, table: ActorTable) -> list[Clause]:
    """The claims of one parsed article, given its attributions (token spans, as the attribution stage finds
    them)."""
    return Reader(doc, found, published, table).clauses()


def main_clause(clauses: Sequence[Clause]) -> Clause | None:
    """The claim a one-sentence summary would keep: an event of a known type before a generic statement, then the
    trigger nearest the root of its sentence, then the first."""

    def depth(token: Token) -> int:
        steps = 0
        while token.head.i != token.i and steps < 50:
            token, steps = token.head, steps + 1
        return steps

    if not clauses:
        return None
    return min(clauses, key=lambda c: (c.event_type == "statement", depth(c.trigger), c.span.start))


def to_records(article: Article, clauses: Sequence[Clause], attribution_ids: dict[int, str]) -> list[Claim]:
    """Claim records; ``attribution_ids`` maps ``id(Found)`` to the stored attribution id."""
    records = []
    for clause in clauses:
        actor = clause.actors[0] if clause.actors else None
        target = clause.targets[0] if clause.targets else None
        quantity = clause.quantity
        when = clause.when
        start, end = clause.span.start_char, clause.span.end_char
        records.append(
            Claim(
                claim_id=content_id(article.article_id, str(start), str(end), clause.trigger.text),
                article_id=article.article_id,
                text=clause.span.text,
                start=start,
                end=end,
                event_type=clause.event_type,
                trigger=clause.trigger.text,
                actor=_names(clause.actors),
                actor_code=actor.code if actor else None,
                actor_kind=actor.kind if actor else None,
                actor_role=actor.role if actor else None,
                target=_names(clause.targets),
                target_code=target.code if target else None,
                object=clause.object,
                quantity=quantity.value if quantity else None,
                quantity_approx=quantity.approx if quantity else None,
                quantity_max=quantity.maximum if quantity else None,
                quantity_text=quantity.text if quantity else None,
                unit=quantity.unit if quantity else None,
                date=when.date if when else None,
                date_text=when.text if when else None,
                date_precision=when.precision if when else None,
                place=clause.place,
                modality=clause.modality,
                attribution_id=attribution_ids.get(id(clause.attribution)) if clause.attribution else None,
            )
        )
    return records


def _names(actors: Sequence[Actor]) -> str | None:
    return "; ".join(a.name for a in actors) or None


# --------------------------------------------------------------------------------------------------- the stage

VERSION = "2"  # bump when the claim rules or the alias table change, so stored articles are read again
ANALYSIS_VERSION = f"a{ATTRIBUTION_VERSION}.c{VERSION}"  # attributions and claims come from one parse


class EventReader:
    """The language stage: one parse per article gives its attributions and its claims. Loads spaCy, the span
    tagger and the actor table in ``__init__``; ``__call__`` takes a batch of articles and returns their
    attribution and claim records, plus an error record for each article it had to skip (see
    :class:`~newstrace.attribution.Attributor`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.attributor = Attributor(settings)
        self.table = actor_table.load(settings.actor_aliases or None)

    def __call__(self, articles: Sequence[Article]) -> list[Attribution | Claim | ErrorRecord]:
        out: list[Attribution | Claim | ErrorRecord] = []
        for result in self.attributor.analyse(articles):
            if isinstance(result, ErrorRecord):
                out.append(result)
                continue
            article, doc, found = result
            attributions = attribution_records(article.article_id, doc, found)
            out.extend(attributions)
            ids = {id(item): record.attribution_id for item, record in zip(found, attributions, strict=True)}
            try:
                clauses = read_claims(doc, found, article.published, self.table)
            except Exception as exc:  # a parse the rules trip over loses its claims, not the batch
                log.exception("claims failed on %s", article.article_id)
                out.append(ErrorRecord(f"{article.input_ref}#{article.article_id}", ErrorCode.E_NLP_FAILED.value,
                                       f"claims: {type(exc).__name__}: {exc}", "claims", article.input_id))  # fmt: skip
                continue
            out.extend(to_records(article, clauses, ids))
        return out
