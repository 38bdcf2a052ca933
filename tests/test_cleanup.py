"""Each news clean-up rule on hand-built text, then on the three seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.cleanup import clean_text, split_paragraphs

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(prefix: str) -> tuple[str, str]:
    """(title, body) of the seed whose file name starts with ``prefix``."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS} (put ../shared beside the repository)")
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    return title.strip(), body


BODY = [
    "The council voted on Monday to extend the tram line to the northern suburbs by 2027.",
    "Supporters said the extension would cut commuting times for thousands of residents every day.",
    "Opponents argued that the budget of 40 million euros had not been properly scrutinised by anyone.",
    "The mayor said construction would begin next spring once the final permits had been granted.",
]


def test_comment_section_is_cut_from_its_heading_to_the_end() -> None:
    text = "\n".join([*BODY, "2 thoughts on “Tram line approved”", "Great news!", "Leave a Reply", "Name *"])
    cleaned = clean_text(text)
    assert cleaned.text.split("\n\n") == BODY
    assert [rule for rule, _ in cleaned.removed] == ["comments"] * 4


def test_comment_form_without_heading_is_cut() -> None:
    text = "\n".join([*BODY, "Your email address will not be published. Required fields are marked *"])
    assert clean_text(text).text.split("\n\n") == BODY


def test_comment_words_at_the_top_do_not_cut_the_article() -> None:
    text = "\n".join(["Comments", *BODY])
    assert "tram line" in clean_text(text).text


def test_repeated_caption_is_kept_once_as_caption() -> None:
    caption = "The mayor speaks to reporters outside city hall, as seen in this picture taken on Monday."
    cleaned = clean_text("\n".join([caption, caption, *BODY]))
    assert cleaned.caption == caption
    assert caption not in cleaned.text
    assert cleaned.text.split("\n\n") == BODY


def test_declared_figcaption_is_lifted_even_once() -> None:
    caption = "Residents gather at the planned terminus of the northern tram line."
    cleaned = clean_text("\n".join([BODY[0], caption, *BODY[1:]]), captions=[caption])
    assert cleaned.caption == caption
    assert cleaned.text.split("\n\n") == BODY


def test_repeated_ordinary_paragraph_keeps_its_first_copy_in_the_body() -> None:
    cleaned = clean_text("\n".join([*BODY, BODY[0]]))
    assert cleaned.caption is None
    assert cleaned.text.split("\n\n") == BODY


@pytest.mark.parametrize(
    "line",
    [
        "Read More: Council delays vote on the airport link",
        "READ ALSO: Ten things to know about the new tram",
        "Related: Budget hearings resume next week",
        "Sign up for our free morning newsletter to get the news delivered to your inbox.",
        "Subscribe to our newsletter for daily updates",
    ],
)
def test_teaser_and_newsletter_lines_are_removed(line: str) -> None:
    cleaned = clean_text("\n".join([BODY[0], BODY[1], line, BODY[2], BODY[3]]))
    assert cleaned.text.split("\n\n") == BODY


def test_sentences_that_mention_reading_are_kept() -> None:
    line = "Read more carefully, the report says the budget doubled since 2020 without a public hearing."
    assert line in clean_text("\n".join([*BODY, line])).text


def test_ai_author_bio_is_lifted_and_marks_machine_written() -> None:
    text = "\n".join([*BODY, "Author: Nova A.I.", "Who am I? I'm NOVA A.I., an artificial intelligence writing news."])
    cleaned = clean_text(text)
    assert cleaned.text.split("\n\n") == BODY
    assert cleaned.byline == "Nova A.I."
    assert cleaned.author_bio is not None and cleaned.author_bio.startswith("Who am I?")
    assert cleaned.machine_written


def test_human_author_bio_is_lifted_without_machine_flag() -> None:
    bio = "Jana Novak is a senior correspondent covering city politics and transport."
    cleaned = clean_text("\n".join([*BODY, bio]))
    assert cleaned.author_bio == bio
    assert not cleaned.machine_written
    assert cleaned.text.split("\n\n") == BODY


@pytest.mark.parametrize(
    ("opening", "place", "outlet"),
    [
        ("WASHINGTON DC, United States (Zagros24) - ", "WASHINGTON DC, United States", "Zagros24"),
        ("DUBAI, Feb 21 (Meridian Wire) - ", "DUBAI", "Meridian Wire"),
        ("KYIV, Ukraine — ", "KYIV, Ukraine", None),
    ],
)
def test_dateline_is_lifted_from_the_first_sentence(opening: str, place: str, outlet: str | None) -> None:
    cleaned = clean_text("\n".join([opening + BODY[0], *BODY[1:]]))
    assert cleaned.dateline_place == place
    assert cleaned.dateline_outlet == outlet
    assert cleaned.text.split("\n\n") == BODY


def test_ordinary_opening_is_not_a_dateline() -> None:
    text = "\n".join(["A spokesman - who declined to be named - said the vote was close.", *BODY])
    cleaned = clean_text(text)
    assert cleaned.dateline_place is None
    assert cleaned.text.startswith("A spokesman - who")


def test_lines_broken_mid_sentence_are_joined() -> None:
    assert split_paragraphs("It angered the two U.S.\nadversaries, officials said.\nNext paragraph.") == [
        "It angered the two U.S. adversaries, officials said.",
        "Next paragraph.",
    ]


def test_invisible_characters_and_odd_spaces_are_normalised() -> None:
    assert split_paragraphs("Tram\u00a0line\u200b  approved \r\n\r\nSecond\tline") == [
        "Tram line approved",
        "Second line",
    ]


# --- the seeds ----------------------------------------------------------------------------------------------


def test_seed_opinion_column_loses_its_comment_form() -> None:
    title, body = seed("000")
    cleaned = clean_text(body, title=title)
    assert "Leave a Reply" not in cleaned.text
    assert "email address will not be published" not in cleaned.text
    assert "thoughts on" not in cleaned.text
    assert cleaned.text.rstrip().endswith("Just wait and see.")
    assert "Caspian Sea" in cleaned.text


def test_seed_aggregator_rewrite_is_machine_written_with_bio_lifted() -> None:
    title, body = seed("002")
    cleaned = clean_text(body, title=title)
    assert cleaned.machine_written
    assert cleaned.byline == "Hermes A.I."
    assert cleaned.author_bio is not None and "HERMES A.I." in cleaned.author_bio
    assert "Who am I" not in cleaned.text and "Author:" not in cleaned.text
    assert "the two U.S. adversaries" in cleaned.text  # the line break inside the sentence is mended
    assert "Fateh-110" in cleaned.text


def test_seed_regional_outlet_caption_dateline_and_read_more() -> None:
    title, body = seed("003")
    cleaned = clean_text(body, title=title)
    assert cleaned.caption is not None and cleaned.caption.startswith("Iran's President Ebrahim Raisi on Wednesday")
    assert cleaned.caption not in cleaned.text
    assert cleaned.dateline_place == "WASHINGTON DC, United States"
    assert cleaned.dateline_outlet == "Kurdistan24"
    assert "(Kurdistan24)" not in cleaned.text
    assert "Late on Tuesday, Nikolai Patrushev" in cleaned.text
    assert "Read More" not in cleaned.text
    assert "“This is a deepening alliance,” Price said" in cleaned.text
