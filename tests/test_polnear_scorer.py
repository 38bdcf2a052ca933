"""The PolNeAR loader and attribution scorer, on hand-built articles; one test reads the real dev split."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from bench._common import SHARED_DATA
from bench.polnear import (
    GoldArticle,
    Relation,
    Span,
    load_split,
    max_matching,
    parse_ann,
    said_baseline,
    score,
    split_stats,
)

TEXT = "“We will win,” Senator Jane Doe said on Monday, “and soon.” Her aides said that the polls were wrong."


def at(phrase: str, text: str = TEXT, nth: int = 0) -> Span:
    """The character span of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def rel(source: list[str] | None, cue: str | Span, content: list[str], text: str = TEXT) -> Relation:
    """A relation built from phrases of ``text`` (each phrase's first occurrence; a cue may be given as a span)."""
    return Relation(
        tuple(at(p, text) for p in source) if source is not None else None,
        (cue if isinstance(cue, tuple) else at(cue, text),),
        tuple(sorted(at(p, text) for p in content)),
    )


def article(*relations: Relation, name: str = "a", text: str = TEXT) -> GoldArticle:
    return GoldArticle(name, "test", text, list(relations))


SAID2 = at("said", nth=1)
GOLD = article(
    rel(["Senator Jane Doe"], "said", ["“We will win,”", "“and soon.”"]),
    rel(["Her aides"], SAID2, ["that the polls were wrong"]),
)


def figures(gold: list[GoldArticle], predicted: dict[str, list[Relation]], mode: str, part: str) -> tuple[int, ...]:
    row = score(gold, predicted)[mode][part]
    return row["tp"], row["fp"], row["fn"]


def test_gold_against_itself_is_perfect_in_every_mode() -> None:
    result = score([GOLD], {"a": list(GOLD.relations)})
    for mode in ("exact", "overlap", "token"):
        for part in ("source", "cue", "content", "relation"):
            assert result[mode][part]["f1"] == 1.0, (mode, part)
    assert result["exact"]["relation"]["tp"] == 2


def test_exact_trims_quotation_marks_commas_and_full_stops_but_not_words() -> None:
    gold = [article(rel(["Senator Jane Doe"], "said", ["“We will win,”"]))]
    trimmed = {"a": [rel(["Senator Jane Doe"], "said", ["We will win"])]}
    assert figures(gold, trimmed, "exact", "content") == (1, 0, 0)
    assert figures(gold, trimmed, "exact", "relation") == (1, 0, 0)
    source_with_comma = {"a": [rel(["Senator Jane Doe said"], "said", ["We will win"])]}
    assert figures(gold, source_with_comma, "exact", "source") == (0, 1, 1)
    assert figures(gold, source_with_comma, "overlap", "source") == (1, 0, 0)


def test_exact_keeps_a_span_that_is_only_punctuation() -> None:
    text = "DOE: We will win."
    gold = [article(rel(["DOE"], ":", ["We will win."], text), text=text)]
    predicted = {"a": [rel(["DOE"], ":", ["We will win"], text)]}
    assert figures(gold, predicted, "exact", "cue") == (1, 0, 0)
    assert figures(gold, predicted, "overlap", "cue") == (1, 0, 0)
    wrong = {"a": [rel(["DOE"], "We", ["will win"], text)]}
    assert figures(gold, wrong, "exact", "cue") == (0, 1, 1)
    assert figures(gold, wrong, "overlap", "cue") == (0, 1, 1)


def test_overlap_needs_a_shared_word_not_just_a_quotation_mark() -> None:
    gold = [article(rel(["Senator Jane Doe"], "said", ["“We will win,”"]))]
    only_the_closing_mark = {"a": [Relation(None, (at("said"),), ((at("”")[0], at("Senator")[1]),))]}
    assert figures(gold, only_the_closing_mark, "overlap", "content") == (0, 1, 1)
    one_word = {"a": [Relation(None, (at("said"),), (at("win"),))]}
    assert figures(gold, one_word, "overlap", "content") == (1, 0, 0)
    assert figures(gold, one_word, "exact", "content") == (0, 1, 1)


def test_matching_is_one_to_one() -> None:
    # one long predicted content overlapping both gold contents can be credited once
    long_content = Relation(None, (at("said"),), ((at("“We")[0], len(TEXT)),))
    assert figures([GOLD], {"a": [long_content]}, "overlap", "content") == (1, 0, 1)
    # two predictions overlapping the same gold span: one is a false positive
    text = "Doe said the plan will fail badly."
    gold = [article(rel(["Doe"], "said", ["the plan will fail badly"], text), text=text)]
    halves = {"a": [rel(["Doe"], "said", ["the plan"], text), rel(["Doe"], "said", ["fail badly"], text)]}
    assert figures(gold, halves, "overlap", "content") == (1, 1, 0)
    assert figures(gold, halves, "overlap", "relation") == (1, 1, 0)
    assert figures(gold, halves, "overlap", "source") == (1, 0, 0)  # the repeated source span counts once


def test_matching_is_maximum_not_greedy() -> None:
    # gold 0 and 1; prediction 0 overlaps both, prediction 1 only gold 0: the best pairing credits both
    edges = {(0, 0), (1, 0), (0, 1)}
    assert max_matching(2, 2, lambda g, p: (g, p) in edges) == 2
    assert max_matching(2, 0, lambda g, p: True) == 0


def test_discontinuous_spans() -> None:
    gold = [article(rel(["Senator Jane Doe"], "said", ["“We will win,”", "“and soon.”"]))]
    same = {"a": [rel(["Senator Jane Doe"], "said", ["We will win", "and soon"])]}
    assert figures(gold, same, "exact", "content") == (1, 0, 0)
    first_part_only = {"a": [rel(["Senator Jane Doe"], "said", ["“We will win,”"])]}
    assert figures(gold, first_part_only, "exact", "content") == (0, 1, 1)
    assert figures(gold, first_part_only, "overlap", "content") == (1, 0, 0)
    # a single span running over the cue is not the same content
    across = {"a": [Relation((at("Senator Jane Doe"),), (at("said"),), ((0, at("“and soon.”")[1]),))]}
    assert figures(gold, across, "exact", "content") == (0, 1, 1)
    # fragments that only whitespace or punctuation separate are one span
    text = "Doe said: the plan , will fail."
    split_gold = [
        article(
            Relation((at("Doe", text),), (at("said", text),), (at("the plan", text), at("will fail", text))), text=text
        )
    ]
    whole = {"a": [rel(["Doe"], "said", ["the plan , will fail"], text)]}
    assert figures(split_gold, whole, "exact", "content") == (1, 0, 0)


def test_no_source_relations() -> None:
    gold = [article(rel(None, SAID2, ["that the polls were wrong"]))]
    with_source = {"a": [rel(["Her aides"], SAID2, ["that the polls were wrong"])]}
    assert figures(gold, with_source, "exact", "relation") == (1, 0, 0)  # a source the gold lacks is not checked
    assert figures(gold, with_source, "exact", "source") == (0, 1, 0)
    without = {"a": [rel(None, SAID2, ["that the polls were wrong"])]}
    assert figures(gold, without, "exact", "relation") == (1, 0, 0)
    assert score(gold, without)["exact"]["source"]["f1"] == 0.0  # nothing to find, nothing found: 0/0 -> 0
    # the other way round: a gold source the prediction misses fails the relation
    gold_with_source = [article(rel(["Her aides"], SAID2, ["that the polls were wrong"]))]
    assert figures(gold_with_source, without, "exact", "relation") == (0, 1, 1)


def test_shared_source_counts_once() -> None:
    text = "Doe said taxes will rise, adding that spending will fall."
    gold = [
        article(
            rel(["Doe"], "said", ["taxes will rise"], text),
            rel(["Doe"], "adding", ["that spending will fall"], text),
            text=text,
        )
    ]
    predicted = {"a": [rel(["Doe"], "said", ["taxes will rise"], text)]}
    assert figures(gold, predicted, "exact", "source") == (1, 0, 0)
    assert figures(gold, predicted, "exact", "cue") == (1, 0, 1)
    assert figures(gold, predicted, "exact", "relation") == (1, 0, 1)


def test_relation_needs_every_gold_role() -> None:
    gold = [article(rel(["Senator Jane Doe"], "said", ["“We will win,”"]))]
    wrong_source = {"a": [rel(["Jane Doe"], "said", ["“We will win,”"])]}
    assert figures(gold, wrong_source, "exact", "relation") == (0, 1, 1)
    assert figures(gold, wrong_source, "overlap", "relation") == (1, 0, 0)
    wrong_cue = {"a": [rel(["Senator Jane Doe"], "Monday", ["“We will win,”"])]}
    assert figures(gold, wrong_cue, "overlap", "relation") == (0, 1, 1)


def test_token_mode_gives_partial_credit() -> None:
    text = "Doe said the plan will fail badly."
    gold = [article(rel(["Doe"], "said", ["the plan will fail badly"], text), text=text)]
    predicted = {"a": [rel(["Doe"], "said", ["the plan will fail badly."], text), rel(None, "Doe", ["the plan"], text)]}
    # content: gold has 5 word tokens, predictions cover them all ("." is not a word; "the plan" twice counts once)
    assert figures(gold, predicted, "token", "content") == (5, 0, 0)
    assert figures(gold, predicted, "token", "cue") == (1, 1, 0)
    assert figures(gold, predicted, "token", "relation") == (7, 1, 0)


def test_micro_average_and_article_checks() -> None:
    second = article(rel(["Doe"], "said", ["it"], "Doe said it."), name="b", text="Doe said it.")
    result = score([GOLD, second], {"a": list(GOLD.relations)})
    assert result["articles"] == 2 and result["gold_relations"] == 3 and result["predicted_relations"] == 2
    assert (result["exact"]["relation"]["tp"], result["exact"]["relation"]["fn"]) == (2, 1)
    assert result["exact"]["relation"]["recall"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="not in the gold data"):
        score([GOLD], {"zzz": []})
    with pytest.raises(ValueError, match="not inside the text"):
        score([GOLD], {"a": [Relation(None, ((0, 10_000),), ())]})


ANN = "\n".join(
    [
        "T1\tSource 15 31\tSenator Jane Doe",
        "T2\tCue 32 36\tsaid",
        "T3\tContent 48 59;0 14\t“and soon.” “We will win,”",  # fragments in selection order, not text order
        "T4\tAttribution 32 36\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        "T5\tContent 75 100\tthat the polls were wrong",
        "T6\tAttribution-no-source 70 74\tsaid",
        "E2\tAttribution-no-source:T6 Content:T5",  # no Cue role: the anchor is the cue
        "T7\tAttribution-no-source 70 74\tsaid",
        "E3\tAttribution-no-source:T7 ",  # an empty relation: dropped
        "T8\tDiscuss 60 69\tHer aides",
        "T9\tSource 60 69\tHer aides",  # in no relation: ignored
        "#1\tAnnotatorNotes T8\twho are they?",
        "T10\tContent 37 47\ton Monday,",
        "E4\tAttribution:T4 Cue:T2 Source:T1 Content:T10 Content2:T3",
    ]
)


def test_parse_ann_handles_brat_quirks() -> None:
    relations, issues = parse_ann(ANN + "\n", TEXT)
    assert relations[0] == Relation((at("Senator Jane Doe"),), (at("said"),), ((0, 14), (48, 59)))
    assert relations[1] == Relation(None, ((70, 74),), ((75, 100),))
    assert relations[2].content == ((0, 14), (37, 47), (48, 59))
    assert len(relations) == 3
    kinds = sorted(issue.kind for issue in issues)
    assert kinds == [
        "empty-relation-dropped",
        "no-cue-anchor-used",
        "orphan-source-ignored",
        "repeated-content-merged",
    ]


def test_parse_ann_notices_offsets_that_do_not_match_the_text() -> None:
    _, issues = parse_ann("T1\tCue 0 4\tsays\nT2\tAttribution 0 4\tsays\nE1\tAttribution:T2 Cue:T1\n", "said it")
    kinds = [issue.kind for issue in issues]
    assert kinds == ["offset-text-mismatch", "offset-text-mismatch", "no-content", "no-source-on-attribution-anchor"]


def test_load_split_reads_the_archive_and_keeps_the_first_annotator(tmp_path: Path) -> None:
    files = {
        "dev/text/nyt_2016-09-01_doe-wins.txt": TEXT,
        "dev/text/politico_2016-09-02_nobody-said.txt": "Nothing here.",
        "dev/attributions/nyt_2016-09-01_doe-wins_ef2d.ann": "",
        "dev/attributions/nyt_2016-09-01_doe-wins_4b22.ann": ANN,
        "dev/attributions/politico_2016-09-02_nobody-said_6b86.ann": "T1\tDiscard 0 13\tNothing here.\n",
    }
    with tarfile.open(tmp_path / "polnear-dev.tar.gz", "w:gz") as tar:
        for name, content in files.items():
            data = content.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    articles = load_split("dev", tmp_path)
    assert [a.name for a in articles] == ["nyt_2016-09-01_doe-wins", "politico_2016-09-02_nobody-said"]
    first = articles[0]
    assert (first.publisher, first.annotator, first.annotators) == ("nyt", "4b22", ("4b22", "ef2d"))
    assert first.text == TEXT and len(first.relations) == 3
    assert articles[1].relations == [] and articles[1].issues == ()
    assert split_stats(articles)["relations"] == 3
    with pytest.raises(ValueError, match="unknown PolNeAR split"):
        load_split("test", tmp_path)


def test_said_baseline_finds_cue_source_and_content() -> None:
    text = "The vote is today. Senator Jane Doe said the plan will fail. Nobody agreed."
    (relation,) = said_baseline(text)
    assert relation == rel(["Senator Jane Doe"], "said", ["the plan will fail."], text)


@pytest.mark.skipif(
    not (SHARED_DATA / "polnear" / "polnear-dev.tar.gz").is_file(),
    reason=f"PolNeAR data not found at {SHARED_DATA / 'polnear'} (put ../shared beside the repository)",
)
def test_dev_split_matches_the_readme_counts() -> None:
    articles = load_split("dev")
    assert len(articles) == 84
    kept = sum(len(a.relations) for a in articles)
    dropped = sum(1 for a in articles for issue in a.issues if issue.kind == "empty-relation-dropped")
    # README: 2,193 relations (E lines of the first annotator) and 1,952 Source spans; one E line is an empty
    # duplicate of another relation's anchor, which the loader drops
    assert (kept, dropped) == (2192, 1)
    assert split_stats(articles)["spans"]["source"] == 1952
    assert sum(len(a.annotators) > 1 for a in articles) == 2
    assert not [issue for a in articles for issue in a.issues if issue.kind == "offset-text-mismatch"]
