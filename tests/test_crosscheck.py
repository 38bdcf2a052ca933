"""Claim groups, stances, origins and verdicts on hand-built claims (no spaCy, no model: a word-count embedding
stands in for MiniLM so that the grouping logic is what is tested), and the story clusterer's online behaviour:
copies, restore, undated articles and 20,000 near-identical articles."""

from __future__ import annotations

import ast
import re
import zlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from newstrace import crosscheck
from newstrace.crosscheck import (
    Reported,
    amounts_conflict,
    chain_of,
    check_story,
    frames,
    group,
    kind_of,
    negative,
    origin_of,
    stance,
    verdict,
)
from newstrace.embed import DIMENSIONS
from newstrace.models import Article, Attribution, Claim
from newstrace.stories import StoryClusterer, StoryParams, names


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for the sentence embedding: hashed word counts, L2-normalised."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            out[row, zlib.crc32(word.encode()) % DIMENSIONS] += 1.0
        norm = np.linalg.norm(out[row])
        out[row] /= norm if norm else 1.0
    return out


def claim(claim_id: str, article: str, text: str, **fields: object) -> Claim:
    values: dict[str, object] = {"event_type": "transfer", "modality": "reported", "actor_code": "IRN"}
    values.update(fields)
    return Claim(claim_id=claim_id, article_id=article, text=text, start=0, end=len(text), **values)  # type: ignore[arg-type]


def said(attribution_id: str, name: str, kind: str, parent: str | None = None, count: int | None = None,
         direct: bool = False, content: str = "") -> Attribution:  # fmt: skip
    return Attribution(attribution_id, "a", name, name, kind, content or name, 0, 1, direct=direct,  # type: ignore[arg-type]
                       anonymous_count=count, parent_id=parent)  # fmt: skip


def reported(c: Claim, outlet: str, day: int, *chain: Attribution, original: str | None = None,
             carrier: str | None = None) -> Reported:  # fmt: skip
    """``carrier``: for a copy, the name of its original's outlet (what the store gives)."""
    return Reported(c, date(2024, 2, day), outlet.lower(), carrier or outlet, original or c.article_id, chain)


WIRE = said("w", "Meridian Wire", "outlet")
SIX = said("s", "six people familiar with the matter", "anonymous", count=6)
SIX_VIA_WIRE = said("s2", "six sources", "anonymous", parent="w", count=6)


def test_kinds_are_head_nouns_and_frames_need_no_topic_words() -> None:
    assert kind_of("Iranian-made Shahed drones") == "drone" and kind_of("Fateh-110 missiles") == "missile"
    assert kind_of("ballistic missiles") == kind_of("a missile") == "missile" and kind_of("batteries") == "battery"
    assert kind_of("them") is None and kind_of(None) is None
    sent = claim("c", "a", "Iran sent Russia 400 missiles", event_type="transfer", actor_code="IRN",
                 target_code="RUS", object="400 ballistic missiles")  # fmt: skip
    sold = claim("d", "b", "It sold the Russian army missiles", event_type="transfer", actor_code="IRN",
                 target_code="RUS", object="missiles")  # fmt: skip
    assert ("transfer", "IRN", "RUS", "missile") in frames(sent) & frames(sold)


def test_crosscheck_holds_no_topic_word_lists() -> None:
    """What claims are about comes from their own words, not from a list fitted to one story: no string constant
    or name in the module (docstrings and comments aside) holds a topic word."""
    tree = ast.parse(Path(crosscheck.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
        and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip
    words = " ".join(
        str(node.value).lower() if isinstance(node, ast.Constant) else node.id.lower()
        for node in ast.walk(tree)
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)
        or isinstance(node, ast.Name)
    )
    for topic in ("missile", "drone", "shahed", "fateh", "zolfaghar", "adviser", "troop", "iranian", "quake"):
        assert topic not in words, topic


def test_amounts_conflict_only_for_counts_that_cannot_both_hold() -> None:
    about_400 = claim("a", "x", "about 400 missiles", quantity=400.0, quantity_approx="around", unit="missile")
    exactly_200 = claim("b", "y", "200 missiles", quantity=200.0, unit="missile")
    hundreds = claim("c", "z", "hundreds of missiles", quantity=200.0, quantity_max=999.0,
                     quantity_approx="hundreds", unit="missile")  # fmt: skip
    at_least_350 = claim("d", "w", "at least 350", quantity=350.0, quantity_approx="at least", unit="missile")
    range_km = claim("e", "v", "300 to 700 km", quantity=300.0, quantity_max=700.0, unit="km")
    assert amounts_conflict(about_400, exactly_200)
    assert not amounts_conflict(about_400, hundreds) and not amounts_conflict(about_400, at_least_350)
    assert not amounts_conflict(exactly_200, range_km)  # a distance is no count of missiles
    launchers = claim("f", "u", "200 launchers", quantity=200.0, unit="launchers")
    assert not amounts_conflict(about_400, launchers)  # a count of other things


def test_stances() -> None:
    sent = claim("a", "x", "Iran has sent Revolutionary Guard advisers to Crimea", object="advisers",
                 place="Crimea")  # fmt: skip
    absent = claim("b", "y", "No Iranian military adviser is present in Crimea", event_type="statement",
                   object="Iranian military adviser", modality="negated", place="Crimea")  # fmt: skip
    dismissed = claim("c", "y", "Karimi dismissed as baseless claims that advisers were deployed", event_type="reject",
                      modality="asserted")  # fmt: skip
    going_on = claim("d", "z", "The shipments have not stopped", modality="negated", trigger="stopped")
    maybe = claim("e", "w", "Iran could send advisers to Crimea", modality="hedged", object="advisers")
    gesture = claim("f", "v", "Four hundred missiles is not a symbolic gesture", event_type="statement",
                    modality="negated", actor_code=None, quantity=400.0, unit="missile")  # fmt: skip
    assert stance(absent, sent)[0] == "contradicts" and stance(dismissed, sent)[0] == "contradicts"
    assert not negative(going_on) and stance(going_on, sent)[0] == "supports"
    assert stance(maybe, sent) == ("discusses", None)
    assert stance(gesture, claim("g", "u", "400 missiles", quantity=400.0, unit="missile"))[0] == "discusses"
    reason = stance(claim("h", "t", "200 missiles", quantity=200.0, unit="missile"),
                    claim("i", "s", "400 missiles", quantity=400.0, unit="missile", quantity_text="400"))  # fmt: skip
    assert reason[0] == "supports" and "400" in (reason[1] or "")  # a different count is noted, not a contest


def test_origins_collapse_relays_and_name_anonymous_sources() -> None:
    own = origin_of(reported(claim("a", "wire", "x"), "Meridian Wire", 21, SIX))
    relayed = origin_of(reported(claim("b", "ledger", "x"), "The Daily Ledger", 22, WIRE))
    relayed_with_sources = origin_of(reported(claim("c", "atlas", "x"), "Atlas Post", 22, SIX_VIA_WIRE, WIRE))
    assert own and relayed and relayed_with_sources
    assert own.key == relayed.key == relayed_with_sources.key == "meridian wire"
    assert own.name == "Meridian Wire (six people familiar with the matter)" and own.anonymous_count == 6
    assert relayed.via == "The Daily Ledger" and relayed_with_sources.anonymous_count == 6
    official = origin_of(reported(claim("d", "x", "x"), "Zagros24", 22,
                                  Attribution("p", "x", "Price", "Ned Price", "person", "c", 0, 1,
                                              speaker_role="spokesperson")))  # fmt: skip
    assert official and official.kind == "official" and official.name == "Ned Price" and official.via == "Zagros24"
    assert origin_of(reported(claim("e", "x", "x"), "Zagros24", 22, said("i", "Zagros24", "implicit"))) is None


def test_chain_of_stops_at_cycles_and_missing_parents() -> None:
    loop = {"a": said("a", "A", "person", parent="b"), "b": said("b", "B", "outlet", parent="a")}
    assert [a.attribution_id for a in chain_of("a", loop)] == ["a", "b"]
    assert chain_of("missing", loop) == () and chain_of(None, loop) == ()


def test_verdicts() -> None:
    assert verdict(["supports", "contradicts"], 3) == "contested"
    assert verdict(["supports"], 2) == "corroborated"
    assert verdict(["supports"], 1) == "single-origin"
    assert verdict(["supports"], 0) == "unattributed"


def test_five_outlets_on_one_wire_report_are_one_origin() -> None:
    text = "Iran has sent about {} ballistic missiles to Russia"
    wire = reported(claim("w1", "wire", text.format(400), target_code="RUS", object="ballistic missiles",
                          quantity=400.0, quantity_approx="around", unit="missile"),
                    "Meridian Wire", 21, SIX)  # fmt: skip
    copy = reported(claim("h1", "harbor", text.format(400), target_code="RUS", object="ballistic missiles",
                          quantity=400.0, quantity_approx="around", unit="missile"), "Harbor Times", 21, SIX,
                    original="wire", carrier="Meridian Wire")  # fmt: skip
    relays = [
        reported(claim(f"r{i}", f"relay{i}", text.format(400) + f", outlet {i} reports", target_code="RUS",
                       object="missiles", quantity=400.0, unit="missile"), f"Relay {i}", 22, WIRE)
        for i in range(4)
    ]  # fmt: skip
    own_voice = reported(claim("o1", "opinion", "Iran shipped missiles to Russia", target_code="RUS",
                               object="missiles", modality="asserted"), "Op-Ed", 23)  # fmt: skip
    groups, members, origins = check_story("s", [wire, copy, *relays, own_voice], bag_of_words)
    assert len(groups) == 1, groups
    only = groups[0]
    assert (only.verdict, only.n_origins, only.n_articles, only.n_outlets) == ("single-origin", 1, 7, 7)
    assert [(o.name, o.kind, o.anonymous_count) for o in origins] == [
        ("Meridian Wire (six people familiar with the matter)", "anonymous", 6)
    ]
    assert set((origins[0].via or "").split(", ")) == {f"Relay {i}" for i in range(4)}
    assert {m.stance for m in members} == {"supports"}


def test_a_denial_contests_a_group_and_a_conflicting_amount_is_only_noted() -> None:
    sent = reported(claim("a", "x", "Iran sent Revolutionary Guard advisers to Crimea", object="advisers",
                          place="Crimea", target_code="RUS"), "Zagros24", 22,
                    said("u", "US officials", "anonymous"))  # fmt: skip
    denied = reported(claim("b", "y", "No Iranian military adviser is present in Crimea", event_type="statement",
                            object="Iranian military adviser", modality="negated", place="Crimea"),
                      "Persia News Agency", 23,
                      said("k", "Hossein Karimi", "person"))  # fmt: skip
    groups, members, _ = check_story("s", [sent, denied], bag_of_words)
    assert [g.verdict for g in groups] == ["contested"]
    assert {m.claim_id: m.stance for m in members} == {"a": "supports", "b": "contradicts"}
    a = reported(claim("c", "p", "Iran delivered 400 missiles to Russia", target_code="RUS", object="missiles",
                       quantity=400.0, unit="missile", quantity_text="400"), "Wire", 21, WIRE)  # fmt: skip
    b = reported(claim("d", "q", "Iran delivered 200 missiles to Russia", target_code="RUS", object="missiles",
                       quantity=200.0, unit="missile", quantity_text="200"), "Other", 22,
                 said("o", "Other Agency", "outlet"))  # fmt: skip
    groups, members, _ = check_story("t", [a, b], bag_of_words)
    # two counts that differ are noted, not a contest: in real coverage counts rise and get rounded
    assert [g.verdict for g in groups] == ["corroborated"]
    assert [(m.claim_id, m.stance, m.reason) for m in members if m.reason] == [
        ("d", "supports", "amount 200 against 400")
    ]


def test_different_events_stay_apart_and_claims_without_actor_or_date_are_fine() -> None:
    missiles = reported(claim("a", "x", "Iran sent 400 missiles to Russia", target_code="RUS", object="missiles",
                              quantity=400.0, unit="missile"), "Wire", 21, WIRE)  # fmt: skip
    sanctions = reported(claim("b", "y", "Washington imposed sanctions on Tehran", event_type="sanction",
                               actor_code="USA", target_code="IRN", object="sanctions"), "Other", 22, WIRE)  # fmt: skip
    no_actor = [
        Reported(claim(f"n{i}", f"art{i}", "Sanctions were imposed", event_type="sanction", actor_code=None), None,
                 None, None, f"art{i}", ())
        for i in range(3)
    ]  # fmt: skip
    groups = group([missiles, sanctions, *no_actor], bag_of_words)
    assert [0] in groups and [1] not in [g for g in groups if 0 in g]
    found, _, _ = check_story("s", no_actor, bag_of_words)
    assert [(g.verdict, g.n_articles, g.n_outlets) for g in found] == [("unattributed", 3, 3)]


def test_a_lifted_quote_keeps_the_origin_of_its_first_carrier() -> None:
    words = "Drones were the trial run and ballistic missiles tell us Tehran sees the war as its own investment"
    interview = said("q1", "Miriam Okonjo", "person", direct=True, content=words)
    misattributed = said("q2", "Meridian Wire", "outlet", direct=True, content=words)
    first = reported(claim("a", "ledger", "Tehran sees the war as its own investment", event_type="statement"),
                     "The Daily Ledger", 22, interview)  # fmt: skip
    lifted = reported(claim("b", "pulse", "Tehran sees the war as its own investment", event_type="statement"),
                      "NewsPulse24", 23, misattributed)  # fmt: skip
    groups, _, origins = check_story("s", [first, lifted], bag_of_words)
    assert [(g.verdict, g.n_origins) for g in groups] == [("single-origin", 1)]
    assert origins[0].name == "Miriam Okonjo" and "NewsPulse24" in (origins[0].via or "")


def test_copies_of_one_article_do_not_make_a_group_on_their_own() -> None:
    text = "Iran has sent missiles to Russia"
    wire = reported(claim("a", "wire", text, object="missiles"), "Meridian Wire", 21, SIX)
    copy = reported(claim("b", "copy", text, object="missiles"), "Harbor Times", 21, SIX, original="wire",
                    carrier="Meridian Wire")
    assert check_story("s", [wire, copy], bag_of_words) == ([], [], [])


# -- stories ---------------------------------------------------------------------------------------------------


def article(article_id: str, title: str, text: str, day: date | None) -> Article:
    return Article(article_id=article_id, input_id=article_id, input_ref=article_id, text=text, text_hash="",
                   title=title, published=day)  # fmt: skip


def test_names_are_capitalised_words_acronyms_and_long_numbers() -> None:
    assert names("On Tuesday Jane Doe, 34, was shot on 1200 block of Main Street. The NYPD said") == {
        "jane", "doe", "1200", "main", "street", "nypd",
    }  # fmt: skip


def test_stories_are_online_incremental_and_copies_follow_their_original() -> None:
    day = date(2016, 5, 1)
    shooting = "Police in Springfield say Jane Doe was shot on Elm Street on Sunday night; a suspect was arrested."
    tram = "Riverton council approved the Eastside tram line after a marathon session about its budget."
    first = [article("a", "Woman shot on Elm Street", shooting, day),
             article("b", "Springfield shooting: suspect arrested", shooting.replace("Sunday", "late Sunday"), day),
             article("c", "Council approves tram line", tram, day + timedelta(days=1))]  # fmt: skip
    clusterer = StoryClusterer(bag_of_words)
    placed = {p.article_id: p for p in clusterer.add(first)}
    assert placed["a"].story_id == placed["b"].story_id != placed["c"].story_id
    assert placed["a"].score is None and placed["b"].score is not None

    later = StoryClusterer(bag_of_words)  # a new run: restore what the first one stored, then extend
    later.restore((p.article_id, p.story_id, p.vector, sorted(p.names), None) for p in placed.values())
    more = [article("d", "Elm Street shooting victim named", shooting + " Jane Doe was 34.", day + timedelta(days=2)),
            article("e", "copy", shooting, day + timedelta(days=2)),
            article("f", "undated tram follow-up", tram + " Riverton", None)]  # fmt: skip
    again = {p.article_id: p for p in later.add(more, duplicate_of={"e": "a"})}
    assert again["d"].story_id == placed["a"].story_id
    assert again["e"].story_id == placed["a"].story_id and again["e"].vector is None
    assert again["f"].story_id == placed["c"].story_id
    assert later.add(first) == []  # already placed articles are skipped


def test_twenty_thousand_near_identical_articles_form_one_story_in_linear_time() -> None:
    base = "Iran has sent about 400 ballistic missiles to Russia across the Caspian Sea, six sources said."
    many = [article(f"n{i}", f"Iran sends missiles, report {i}", base + f" Update {i}.", date(2024, 2, 21))
            for i in range(20_000)]  # fmt: skip
    # each article costs one ANN search over a bounded neighbour list; bench/stories.py measures the cost curve
    placed = StoryClusterer(bag_of_words, StoryParams(neighbours=10)).add(many)
    assert len(placed) == 20_000 and len({p.story_id for p in placed}) == 1


@pytest.mark.parametrize("count", [0, 1])
def test_empty_and_single_inputs(count: int) -> None:
    clusterer = StoryClusterer(bag_of_words)
    placed = clusterer.add([article(f"x{i}", "", "", None) for i in range(count)])
    assert len(placed) == count
    assert check_story("s", [], bag_of_words) == ([], [], [])


def test_twenty_thousand_near_identical_claims_group_without_blowing_up() -> None:
    """One claim per article of a 20,000-article story; identical texts are embedded and searched once."""
    many = [
        reported(claim(f"c{i}", f"art{i}", f"Iran has sent about 400 ballistic missiles to Russia{' again' * (i % 3)}",
                       target_code="RUS", object="ballistic missiles", quantity=400.0, unit="missile"),
                 f"Outlet {i % 50}", 1 + i % 28, WIRE)
        for i in range(20_000)
    ]  # fmt: skip
    groups, members, origins = check_story("s", many, bag_of_words)
    assert [(g.verdict, g.n_articles, g.n_outlets, g.n_origins) for g in groups] == [("single-origin", 20_000, 50, 1)]
    assert len(members) == 20_000 and len(origins) == 1


# -- hostile stories ------------------------------------------------------------------------------------------------

WIRE_TEXT = "Iran sent about 400 ballistic missiles to Russia, six people familiar with the matter said"


def test_two_thousand_copies_of_one_wire_text_are_one_origin_not_two_thousand() -> None:
    original = reported(claim("w", "wire", WIRE_TEXT, object="missiles"), "Meridian Wire", 1, SIX)
    copies = [
        reported(claim(f"c{i}", f"copy{i}", WIRE_TEXT, object="missiles"), f"Site {i}", 2, SIX,
                 original="wire", carrier="Meridian Wire")
        for i in range(2000)
    ]  # fmt: skip
    groups, _, _ = check_story("s", [original, *copies], bag_of_words)
    assert groups == []  # every article carries the one original: nothing recurs across independent articles
    relays = [  # the same wire text relayed (not copied) by 2,000 outlets, each naming the wire
        reported(claim(f"r{i}", f"relay{i}", WIRE_TEXT, object="missiles"), f"Site {i}", 2, SIX_VIA_WIRE, WIRE)
        for i in range(2000)
    ]  # fmt: skip
    groups, members, origins = check_story("s", [original, *relays], bag_of_words)
    assert [(g.verdict, g.n_origins, g.n_articles) for g in groups] == [("single-origin", 1, 2001)]
    assert len(members) == 2001 and [o.name for o in origins] == ["Meridian Wire (six people familiar with the matter)"]


def test_an_article_quoting_itself_ends_its_chain() -> None:
    loop = Attribution("l", "a", "the paper", "Daily Loop", "outlet", "x", 0, 1, parent_id="l")
    a = reported(claim("a", "x", WIRE_TEXT, object="missiles"), "Daily Loop", 1, loop)
    b = reported(claim("b", "y", WIRE_TEXT, object="missiles"), "Other Paper", 2, loop)
    assert len(chain_of("l", {"l": loop})) == 1
    groups, _, origins = check_story("s", [a, b], bag_of_words)
    assert [g.verdict for g in groups] == ["single-origin"] and len(origins) == 1


def test_a_claim_denied_and_reaffirmed_by_one_speaker_is_contested_with_one_origin() -> None:
    karimi = said("k", "Hossein Karimi", "person")
    sent = reported(claim("a", "x", "Iran sent missiles to Russia", object="missiles", target_code="RUS"), "A", 1,
                    karimi)  # fmt: skip
    denied = reported(claim("b", "y", "Iran did not send missiles to Russia", object="missiles", target_code="RUS",
                            modality="denied"), "B", 2, karimi)  # fmt: skip
    again = reported(claim("c", "z", "Iran sent missiles to Russia", object="missiles", target_code="RUS"), "C", 3,
                     karimi)  # fmt: skip
    groups, members, origins = check_story("s", [sent, denied, again], bag_of_words)
    assert [(g.verdict, g.n_origins) for g in groups] == [("contested", 1)]
    assert {m.claim_id: m.stance for m in members} == {"a": "supports", "b": "contradicts", "c": "supports"}
    assert [o.name for o in origins] == ["Hossein Karimi"]
