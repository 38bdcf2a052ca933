"""Briefings: every sentence is drawn from stored evidence, cites it, and says what it rests on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.cli import newstrace

from newstrace.brief import sentence_around, tidy, to_html, to_markdown
from newstrace.models import Briefing, BriefSentence, Evidence
from newstrace.pipeline import briefing
from newstrace.store import Store


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def all_briefings(db: Path) -> list[tuple[Briefing, dict[str, str], dict[tuple[str, int, int], tuple[str, str]]]]:
    """Each story's briefing, the texts of its articles, and every group member's span → (group, stance)."""
    found = []
    with Store(db, read_only=True) as store:
        _, stories = store.query("SELECT story_id FROM stories ORDER BY n_articles DESC")
        for (story_id,) in stories:
            groups, _, texts = store.brief_evidence(story_id)
            spans = {
                (m["article_id"], m["start"], m["end"]): (g["group_id"], m["stance"])
                for g in groups
                for m in g["members"]
            }
            result = briefing(store, story_id)
            assert result is not None
            found.append((result, texts, spans))
    return found


def test_every_sentence_cites_spans_that_exist_and_support_it(demo_db: Path) -> None:
    briefings = all_briefings(demo_db)
    assert sum(len(b.sentences) for b, _, _ in briefings) >= 10
    for brief, texts, spans in briefings:
        for sentence in brief.sentences:
            assert sentence.evidence, sentence
            for evidence in sentence.evidence:
                text = texts[evidence.article_id]  # the span's article is stored and in the story
                assert 0 <= evidence.start < evidence.end <= len(text)
            # Extractive: the sentence is its first span's text, tidied.
            first = sentence.evidence[0]
            assert words(sentence.text) in words(texts[first.article_id][first.start : first.end]), sentence
            if sentence.group_id is None:
                continue
            # The other spans are members of the same claim group, with the stance the sentence needs.
            stance = "contradicts" if sentence.kind == "denial" else "supports"
            for evidence in sentence.evidence[1:]:
                assert spans[(evidence.article_id, evidence.start, evidence.end)] == (sentence.group_id, stance)


def test_verdicts_origins_denials_and_unattributed_are_said(demo_db: Path) -> None:
    sentences = [s for b, _, _ in all_briefings(demo_db) for s in b.sentences]
    missiles = next(s for s in sentences if "400" in s.text and s.kind == "single-origin")
    assert "Meridian Wire (six people familiar with the matter)" in missiles.note
    assert re.search(r"relayed by \d outlets", missiles.note) and len(missiles.evidence) >= 4
    corroborated = next(s for s in sentences if s.kind == "corroborated")
    assert "3 independent origins" in corroborated.note and corroborated.note.count("(") == corroborated.note.count(")")
    contested = next(i for i, s in enumerate(sentences) if s.kind == "contested")
    denial = sentences[contested + 1]
    assert denial.kind == "denial" and "Persia News Agency" in denial.note and "baseless" in denial.text
    assert any(s.kind == "unattributed" and s.note.startswith("unattributed") for s in sentences)
    # A lone article (the tram story) is briefed from its own claims.
    assert any("tram" in s.text and "in no other outlet" in s.note for s in sentences)


def test_sentences_read_alone() -> None:
    text = "Prices rose. “Drones were the trial run. It expects a return,” she said. Then it ended."
    start = text.index("It expects")
    left, right = sentence_around(text, start, start + len("It expects a return"))
    assert text[left:right].startswith("“Drones") and text[left:right].endswith("she said.")
    assert tidy("  which   the sources said ,") == "Which the sources said."


def test_html_is_escaped_and_markdown_lists_the_quotes() -> None:
    text = 'Payload <script>alert(1)</script> <img src=x onerror="alert(2)"> said the spokesman.'
    evidence = Evidence("a1", "<b>Outlet</b>", 0, len(text))
    brief = Briefing(
        "s1",
        "<script>x</script>",
        None,
        None,
        1,
        1,
        (BriefSentence(tidy(text), "unattributed", "n", None, (evidence,)),),
    )
    page = to_html(brief, {"a1": text}, link="/articles/{article_id}#span-{start}-{end}")
    assert "<script>" not in page and "<img" not in page and "<b>Outlet" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and 'href="/articles/a1#span-0-' in page
    assert "chars 0–" in to_markdown(brief, {"a1": text})


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_cli_brief(demo_db: Path, tmp_path: Path, fmt: str) -> None:
    with Store(demo_db, read_only=True) as store:
        _, rows = store.query("SELECT story_id FROM stories ORDER BY n_articles DESC LIMIT 1")
    out = tmp_path / f"brief.{fmt}"
    done = newstrace("brief", rows[0][0][:7], "--format", fmt, "--out", str(out), "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    assert "single origin: Meridian Wire" in out.read_text()
    missing = newstrace("brief", "nosuchstory", "--db", str(demo_db))
    assert missing.returncode == 1 and "no story" in missing.stderr
