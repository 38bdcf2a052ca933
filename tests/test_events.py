"""Claims and events: amounts, dates, actors, event types, modality, the seeds, and bad input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newstrace import nlp
from newstrace.actors import ActorTable
from newstrace.actors import load as load_actors
from newstrace.attribution import Attributor
from newstrace.errors import UsageError
from newstrace.events import EVENT_TYPES, EventReader, main_clause, read_claims
from newstrace.models import Article, Attribution, Claim
from newstrace.quantities import find_quantities, parse_number
from newstrace.settings import Settings
from newstrace.timex import resolve

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
THURSDAY = date(2024, 2, 22)  # a Thursday: "on Thursday" is that day, "on Wednesday" the day before


@pytest.fixture(scope="module")
def attributor() -> Attributor:
    return Attributor(Settings())


def claims_of(attributor: Attributor, text: str, published: date | None = THURSDAY) -> list:  # type: ignore[type-arg]
    doc, found = attributor.read([text])[0]
    return read_claims(doc, found, published, load_actors())


def main(attributor: Attributor, text: str):  # type: ignore[no-untyped-def]
    clause = main_clause(claims_of(attributor, text))
    assert clause is not None, text
    return clause


# --------------------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "value"),
    [("3,000", 3000), ("1.5 million", 1_500_000), ("four", 4), ("twenty-five", 25), ("a dozen", 12), ("$2bn", 2e9),
     ("two hundred and fifty", 250), ("1,000,000,000,000,000", 1e15), ("two dozen", 24), ("missiles", None),
     ("", None)],
)  # fmt: skip
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value", "maximum", "approx", "unit", "words"),
    [
        ("Iran sent around 400 missiles.", 400, None, "around", "missile", False),
        ("Tehran sent hundreds of its ballistic missiles.", 200, 999, "hundreds", "missile", True),
        ("Iran had over 3,000 ballistic missiles.", 3000, None, "over", "missile", False),
        ("There were at least four shipments.", 4, None, "at least", "shipment", True),
        ("It can hit targets from a distance of 300 to 700 kilometres.", 300, 700, None, "kilometre", False),
        ("They bought 1,000,000,000,000,000 missiles.", 1e15, None, None, "missile", False),
    ],
)
def test_quantities(text: str, value: float, maximum: float | None, approx: str | None, unit: str, words: bool) -> None:
    doc = nlp.load()(text)
    (quantity,) = find_quantities(doc[:])
    assert (quantity.value, quantity.maximum, quantity.approx, quantity.unit, quantity.words) == (
        value, maximum, approx, unit, words,
    )  # fmt: skip
    assert doc.text[quantity.start : quantity.end] == quantity.text


def test_numbers_in_names_and_labels_are_no_amounts() -> None:
    doc = nlp.load()("Missiles of the Fateh-110 family and the S-400 were discussed from day one.")
    assert find_quantities(doc[:]) == []


# --------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "future", "expected", "precision"),
    [
        ("on Thursday", False, date(2024, 2, 22), "day"),
        ("Wednesday", False, date(2024, 2, 21), "day"),
        ("Late on Tuesday", False, date(2024, 2, 20), "day"),
        ("on Friday", True, date(2024, 2, 23), "day"),
        ("in January this year", False, date(2024, 1, 1), "month"),
        ("in December", False, date(2023, 12, 1), "month"),
        ("by the end of the month", False, date(2024, 2, 29), "day"),
        ("in 2023", False, date(2023, 1, 1), "year"),
        ("104 years ago", False, date(1920, 1, 1), "year"),
        ("this week", False, date(2024, 2, 19), "week"),
        ("September 30, 1938", False, date(1938, 9, 30), "day"),
        ("yesterday", False, date(2024, 2, 21), "day"),
    ],
)
def test_dates_resolve_against_publication(text: str, future: bool, expected: date, precision: str) -> None:
    when = resolve(text, THURSDAY, future)
    assert (when.date, when.precision, when.text) == (expected, precision, text)


@pytest.mark.parametrize("text", ["on the 31st of February", "in recent weeks", "the coming few weeks", "9999999"])
def test_unresolvable_dates_keep_their_text(text: str) -> None:
    when = resolve(text, THURSDAY)
    assert when.date is None and when.text == text


def test_relative_dates_need_a_publication_date() -> None:
    assert resolve("on Thursday", None).date is None
    assert resolve("in 2023", None).date == date(2023, 1, 1)


# --------------------------------------------------------------------------------------------------- actors


def test_alias_table() -> None:
    table = load_actors()
    tehran = table.lookup("Tehran")
    assert tehran is not None and (tehran.name, tehran.code, tehran.kind) == ("Iran's government", "IRN", "government")
    assert table.lookup("Tehran", acting=False) is None  # "in Tehran" is a place
    for alias, name, code, sector in [
        ("IRGC", "Islamic Revolutionary Guard Corps", "IRN", "MIL"),
        ("the Revolutionary Guards", "Islamic Revolutionary Guard Corps", "IRN", "MIL"),
        ("Hashd ash-Shaabi", "Popular Mobilization Forces", "IRQ", "REB"),
        ("US Central Command", "US Central Command", "USA", "MIL"),
        ("the Houthis", "Houthis (Ansar Allah)", "YEM", "REB"),
        ("the Kremlin", "Russia's government", "RUS", "GOV"),
        ("Washington", "US government", "USA", "GOV"),
    ]:
        actor = table.lookup(alias)
        assert actor is not None and (actor.name, actor.code, actor.sector) == (name, code, sector), alias
    assert table.lookup("Iranian") is not None and table.lookup("Iranian").code == "IRN"  # type: ignore[union-attr]
    assert table.lookup("WHO") is not None and table.lookup("who") is None
    assert table.lookup("Burkina Faso").code == "BFA"  # type: ignore[union-attr]  # from pycountry


def test_user_aliases_extend_the_table(tmp_path: Path) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text("alias,name,code,kind,sector\nAnsarullah,Houthis (Ansar Allah),YEM,organization,REB\n")
    table = ActorTable(extra)
    assert table.lookup("Ansarullah").code == "YEM"  # type: ignore[union-attr]
    assert table.lookup("IRGC") is not None  # the shipped rows are still there
    broken = tmp_path / "broken.csv"
    broken.write_text("alias,name,code,kind\nFoo,Foo,XXX,planet\n")
    with pytest.raises(UsageError, match="unknown kind"):
        ActorTable(broken)
    with pytest.raises(UsageError, match="cannot read"):
        ActorTable(tmp_path / "missing.csv")


def test_persons_keep_role_and_country(attributor: Attributor) -> None:
    clause = main(attributor, "Iran's President Ebrahim Raisi on Wednesday met Nikolai Patrushev, secretary of "
                              "Russia's Security Council, in Tehran.")  # fmt: skip
    raisi = clause.actors[0]
    assert (raisi.name, raisi.code, raisi.kind, raisi.role) == ("Ebrahim Raisi", "IRN", "person", "President")
    assert [(t.name, t.code) for t in clause.targets] == [("Nikolai Patrushev", "RUS")]
    assert clause.place == "Tehran" and clause.when.date == date(2024, 2, 21)


def test_demonyms_and_metonyms_are_actors(attributor: Attributor) -> None:
    clause = main(attributor, "Senior Hungarian and Romanian officials agreed to cooperate on refugees.")
    assert {a.code for a in clause.actors} == {"HUN", "ROU"}
    clause = main(attributor, "Moscow expelled two Estonian diplomats.")
    assert (clause.actors[0].code, clause.actors[0].kind) == ("RUS", "government")


# --------------------------------------------------------------------------------------------------- event types

EXAMPLES = {
    "transfer": "Iran supplied Russia with hundreds of ballistic missiles last month.",
    "consult": "The Iranian foreign minister met his Russian counterpart in Moscow on Monday.",
    "cooperate": "Iran and Russia signed a military cooperation agreement in Tehran.",
    "concede": "Israeli troops withdrew from the town after the ceasefire.",
    "accuse": "The United States accused Iran of arming Russian forces.",
    "sanction": "The European Union imposed new sanctions on Iranian drone makers.",
    "threaten": "Iran threatened to close the Strait of Hormuz to shipping.",
    "coerce": "Police arrested forty protesters in central Tehran.",
    "attack": "Russian forces shelled the port of Odesa with Iranian drones.",
    "mobilize": "Russia deployed thousands of troops to the border.",
    "protest": "Thousands of students demonstrated against the government in Tehran.",
    "request": "Ukraine urged its allies to send more air defence systems.",
    "reject": "The Security Council rejected the Russian resolution.",
    "statement": "Iran had over 3,000 ballistic missiles in its arsenal.",
}


def test_every_event_type_is_documented_and_has_an_example() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for kind in EVENT_TYPES:
        assert f"| `{kind}` |" in readme, f"event type {kind} is not in the README's table"


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_event_types(attributor: Attributor, kind: str) -> None:
    assert main(attributor, EXAMPLES[kind]).event_type == kind


# --------------------------------------------------------------------------------------------------- modality


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Iran sent drones to Russia.", "asserted"),
        ("Iran sent drones to Russia, officials said.", "reported"),
        ("Iran could send missiles to Russia by the end of the month.", "hedged"),
        ("Iran reportedly sent missiles to Russia.", "hedged"),
        ("Iran is said to have sent missiles to Russia.", "hedged"),
        ("Iran will send more missiles to Russia.", "future"),
        ("Russia is expected to receive more missiles from Iran.", "future"),
        ("Iran did not send missiles to Russia.", "negated"),
        ("Iran denied sending missiles to Russia.", "denied"),
    ],
)
def test_modality(attributor: Attributor, text: str, modality: str) -> None:
    kinds = {c.modality for c in claims_of(attributor, text) if c.event_type != "reject"}
    assert modality in kinds, (text, kinds)


def test_declining_to_comment_is_no_denial(attributor: Attributor) -> None:
    found = claims_of(attributor, "Iran's defence ministry declined to comment on the missile shipments to Russia.")
    assert all(c.modality != "denied" and c.event_type != "reject" for c in found)


# --------------------------------------------------------------------------------------------------- seeds


def seed(name: str) -> Article:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}: put ../shared beside the repository")
    path = next(SEEDS.glob(f"{name}_*.txt"))
    text = path.read_text(encoding="utf-8")
    return Article(article_id=name, input_id="seed", input_ref=path.name, text=text, text_hash=name,
                   source_name=f"Outlet {name}", published=THURSDAY, language="en")  # fmt: skip


@pytest.fixture(scope="module")
def seed_claims() -> dict[str, tuple[list[Claim], dict[str, Attribution]]]:
    reader = EventReader(Settings())
    out = {}
    for name in ("000", "002", "003"):
        records = reader([seed(name)])
        claims = [r for r in records if isinstance(r, Claim)]
        attributions = {r.attribution_id: r for r in records if isinstance(r, Attribution)}
        out[name] = (claims, attributions)
    return out


def find(claims: list[Claim], **fields: object) -> Claim:
    for claim in claims:
        if all(getattr(claim, key) == value for key, value in fields.items()):
            return claim
    raise AssertionError(f"no claim with {fields}; claims: {[(c.event_type, c.actor, c.text[:60]) for c in claims]}")


def test_seed_000_missiles_to_russia_with_route_and_range(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claims, attributions = seed_claims["000"]
    supplying = find(claims, event_type="transfer", trigger="supplying")
    assert (supplying.actor_code, supplying.target_code) == ("IRN", "RUS")
    assert "ballistic missiles from the Fateh-110 family" in (supplying.object or "")
    assert (supplying.quantity, supplying.quantity_max, supplying.unit) == (300, 700, "kilometre")
    assert supplying.modality == "reported"
    sources = attributions[supplying.attribution_id or ""]
    assert (sources.speaker_kind, sources.anonymous_count) == ("anonymous", 6)
    assert attributions[sources.parent_id or ""].speaker_name == "Reuters"
    sent = find(claims, event_type="transfer", trigger="sent")
    assert (sent.actor_code, sent.target_code, sent.place) == ("IRN", "RUS", "Caspian Sea")
    assert (sent.quantity, sent.quantity_approx, sent.unit) == (400, "around", "missile")
    drones = find(claims, event_type="transfer", trigger="sold")
    assert (drones.actor_code, drones.target_code, drones.object) == ("IRN", "RUS", "drones")


def test_seed_002_reuters_missiles_drones_arsenal_and_embargo(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claims, attributions = seed_claims["002"]
    delivered = find(claims, trigger="delivered")
    assert (delivered.event_type, delivered.actor_code, delivered.target_code) == ("transfer", "IRN", "RUS")
    assert (delivered.quantity, delivered.quantity_approx, delivered.quantity_text) == (400, "at least", "at least 400")
    assert (delivered.date, delivered.date_precision) == (date(2024, 1, 1), "month")
    assert attributions[delivered.attribution_id or ""].speaker_name == "Reuters"
    hundreds = find(claims, event_type="transfer", actor="Iran's government")
    assert hundreds.quantity_approx == "hundreds" and hundreds.target_code == "RUS"
    drones = find(claims, event_type="transfer", trigger="transfer")
    assert drones.actor_code == "IRN" and "Shahed drones" in (drones.object or "")
    arsenal = find(claims, quantity_text="over 3,000")
    assert (arsenal.actor_code, arsenal.quantity, arsenal.unit, arsenal.date) == ("IRN", 3000, "missile",
                                                                                   date(2022, 1, 1))  # fmt: skip
    assert attributions[arsenal.attribution_id or ""].speaker_name == "US Central Command"
    embargo = find(claims, trigger="expired")
    assert (embargo.event_type, embargo.actor_code, embargo.date) == ("sanction", "IGO", date(2023, 1, 1))
    assert embargo.actor == "United Nations"


def test_seed_003_meeting_drones_and_advisers(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claims, attributions = seed_claims["003"]
    meeting = find(claims, event_type="consult", actor="Ebrahim Raisi")
    assert (meeting.actor_code, meeting.target, meeting.target_code) == ("IRN", "Nikolai Patrushev", "RUS")
    assert (meeting.place, meeting.date) == ("Tehran", date(2024, 2, 21))
    used = find(claims, event_type="attack", actor="Russia")
    assert (used.quantity, used.quantity_approx, used.object) == (300, "over", "Iranian drones")
    assert used.date is None and used.date_text == "recent weeks"
    assert attributions[used.attribution_id or ""].speaker_name == "The Wall Street Journal"
    advisers = find(claims, event_type="transfer", object="Revolutionary Guard advisers")
    assert (advisers.actor_code, advisers.place, advisers.modality) == ("IRN", "Crimea", "reported")
    said_by = attributions[advisers.attribution_id or ""]
    assert (said_by.speaker_kind, said_by.speaker) == ("anonymous", "US officials")
    budanov = find(claims, event_type="transfer", modality="hedged")
    assert budanov.date == date(2024, 2, 29)  # "by the end of the month"


# --------------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "Iran sent 1,000,000,000,000,000 missiles to Russia.",
        "The shipment arrived on the 31st of February, officials said.",
        " ".join(["missiles"] * 2500 + ["and", "drones"] * 1250),  # a 5,000-word "sentence"
        "Missiles. Drones. Tehran, Moscow — 400, 700; Caspian Sea!",  # no verbs
        "",
    ],
)
def test_bad_input_does_not_crash(attributor: Attributor, text: str) -> None:
    claims = claims_of(attributor, text)
    for claim in claims:
        assert claim.span.text.strip()
        if claim.when is not None and "February" in claim.when.text:
            assert claim.when.date is None


def test_a_huge_amount_is_stored(tmp_path: Path) -> None:
    article = Article(article_id="huge", input_id="t", input_ref="t", text_hash="h", language="en",
                      text="Iran sent 1,000,000,000,000,000 missiles to Russia on the 31st of February.")  # fmt: skip
    records = EventReader(Settings())([article])
    claim = next(r for r in records if isinstance(r, Claim))
    assert claim.quantity == 1e15 and claim.date is None and claim.date_text
