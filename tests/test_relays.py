"""Relays (the outlets an article carries) and copies found by containment, on hand-written texts."""

from __future__ import annotations

from datetime import date

from newstrace.dedup import Candidate, DuplicateIndex, shingle_sample, signature
from newstrace.models import Attribution
from newstrace.relays import canonical, find, is_outlet, key, own, wire
from newstrace.settings import Settings


def outlets(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(r.outlet, r.marker) for r in find(text, **kwargs)]  # type: ignore[arg-type]


def test_wire_markers_name_the_wire() -> None:
    assert outlets("SEOUL, Oct. 18 (Yonhap) -- The spy agency said on Friday ...") == [("Yonhap", "dateline")]
    assert outlets("(Bloomberg) -- The president said ...") == [("Bloomberg", "dateline")]
    assert outlets("Rescuers worked through the night.\n\nMore were found. (BSS/AFP)") == [
        ("BSS", "tag"), ("AFP", "tag"),
    ]  # fmt: skip
    assert outlets("The board met on Friday.\n\nSource: The Verge") == [("The Verge", "credit")]
    assert outlets("By The Associated Press\n\nThe board said ...")[0] == ("AP", "byline")
    assert outlets("Text.", dateline_outlet="Reuters") == [("Reuters", "dateline")]
    assert outlets("Text.", source_name="WHBL (Reuters wire)") == [("Reuters", "site")]
    assert wire(find("Text.", source_name="KION546 (CNN)")) == "CNN"


def test_citations_name_outlets_in_passing() -> None:
    text = (
        "An intelligence report, seen by Reuters on Thursday, said so. Two officials told The Wall Street Journal "
        "the same. According to a report by Wired on Monday, staff quit. The shuffle was first reported by The "
        "Information."
    )
    assert outlets(text) == [
        ("Reuters", "cited"), ("The Wall Street Journal", "told"), ("Wired", "cited"), ("The Information", "cited"),
    ]  # fmt: skip
    assert wire(find(text)) is None  # citations are no wire: the article reports on its own
    assert find(text, citations=False) == [] and wire(find("(CNN) — Text.", citations=False)) == "CNN"


def test_not_outlets_and_the_article_s_own_outlet() -> None:
    assert not is_outlet("Seoul") and not is_outlet("reporters") and not is_outlet("AP Photo")
    assert is_outlet("The Kyiv Independent") and is_outlet("Meridian Wire") and is_outlet("Blick", known={"blick"})
    assert outlets("MOSCOW, October 10. /TASS/. Peskov told TASS the reports were fake.", source_id="tass.com") == []
    assert own("Al Arabiya", "Al Arabiya English", None) and not own("Bloomberg", "BNN Bloomberg", None)
    assert outlets("(AP Photo/Mark Lennihan)\n\nThe Times wrote that ...") == [("The New York Times", "cited")]


def test_names_are_canonical_so_one_outlet_is_one_relay() -> None:
    assert canonical("The Associated Press") == canonical("AP") == "AP"
    assert canonical("Agence France-Presse") == "AFP" and canonical("the War Zone's") == "The War Zone"
    assert key("The New York Times") == key("New York Times") == key("NYT")
    text = "Officials told AFP on Monday. Agence France-Presse later reported the toll had risen."
    assert outlets(text) == [("AFP", "told")]


def test_outlet_speakers_and_whom_it_was_told_to_come_from_the_attributions() -> None:
    said = Attribution("x", "a", "the Journal", "The Wall Street Journal", "outlet", "x", 0, 1, speaker_start=0,
                       speaker_end=11)  # fmt: skip
    told = Attribution("y", "a", "he", "Ryder", "person", "x", 0, 1, reported_to="Reuters", cue_start=3, cue_end=7)
    assert outlets("Plain text.", attributions=[said, told]) == [("The Wall Street Journal", "speaker"),
                                                                 ("Reuters", "told")]  # fmt: skip


def test_hostile_text_is_read_in_linear_time_and_never_raises() -> None:
    for text in ("(" * 20_000, "By " * 20_000, "A " * 50_000 + "(AFP)", "told " * 20_000, "\n" * 10_000, ""):
        find(text, source_name="((((", authors=["By By By"], dateline_outlet="/ / /")


def _candidate(article_id: str, text: str, day: int, settings: Settings) -> Candidate:
    return Candidate(article_id, article_id, date(2024, 1, day), article_id, signature(text, settings),
                     shingle_sample(text, settings))  # fmt: skip


WIRE_STORY = " ".join(
    f"Paragraph {i}: the ministry said on Monday that {i * 7} families had been moved from the valley near "
    f"the river while engineers inspected dam number {i}." for i in range(30)
)


def test_a_truncated_or_lightly_edited_copy_is_a_copy() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    assert index.add(_candidate("wire", WIRE_STORY, 1, settings)) == {"wire": None}
    truncated = WIRE_STORY[: len(WIRE_STORY) // 4]  # the first quarter only: symmetric similarity is ~0.25
    assert index.add(_candidate("short", truncated, 2, settings)) == {"short": "wire"}
    edited = WIRE_STORY.replace("the ministry said", "officials stated").replace("engineers", "experts")
    assert index.add(_candidate("edited", edited, 3, settings)) == {"edited": "wire"}


def test_another_report_on_the_same_event_is_no_copy() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    index.add(_candidate("wire", WIRE_STORY, 1, settings))
    other = (
        "Families living below the dam were told to leave their homes this week, and several hundred spent the "
        "night in schools. The ministry said on Monday that families had been moved. Engineers are expected to "
        "finish their inspection by the weekend, a regional official told our reporter, adding that the river "
        "had risen two metres since Saturday and that the valley road would stay closed."
    )
    assert index.add(_candidate("other", other, 2, settings)) == {"other": None}
    tiny = "The ministry said on Monday"  # too short to say anything about containment
    assert index.add(_candidate("tiny", tiny, 3, settings)) == {"tiny": None}


def test_copies_add_nothing_to_the_containment_postings() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    index.add(_candidate("wire", WIRE_STORY, 1, settings))
    size = sum(len(h) for h in index.postings.values())
    for i in range(100):  # a wire story run by 100 sites, each trimming it differently
        text = WIRE_STORY[: len(WIRE_STORY) - 40 * i]
        assert index.add(_candidate(f"copy{i}", text, 2, settings)).get(f"copy{i}") == "wire"
    assert sum(len(h) for h in index.postings.values()) == size
