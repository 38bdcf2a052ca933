"""Article profiles: genre from the own voice, machine-written, derivative, attribution counts — on hand-built
articles, on the seeds and on the demo corpus (real pipeline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.models import Article, Attribution, Claim
from newstrace.profile import Earlier, own_voice, profile
from newstrace.store import Store


def article(text: str, **fields: object) -> Article:
    return Article(article_id="a1", input_id="i", input_ref="ref", text=text, text_hash="h", **fields)  # type: ignore[arg-type]


def said(
    start: int, end: int, text: str, kind: str = "person", name: str = "Jane Roe", **fields: object
) -> Attribution:
    return Attribution(
        attribution_id=f"t{start}",
        article_id="a1",
        speaker=name,
        speaker_name=name,
        speaker_kind=kind,  # type: ignore[arg-type]
        content=text[start:end],
        start=start,
        end=end,
        **fields,  # type: ignore[arg-type]
    )


def claim(start: int, end: int, attribution_id: str | None, claim_id: str = "c1") -> Claim:
    return Claim(claim_id, "a1", "x", start, end, "statement", "asserted", attribution_id=attribution_id)


COLUMN = (
    "The government's arrogance and stupidity are now plain for all to see. Its reckless, short-sighted policy "
    "has failed, and its ministers ignominiously retreat. We should not be surprised. Just wait and see."
)
REPORT = (
    'The minister said the plan was "a shameful, reckless, stupid betrayal" and called critics "pathetic". '
    "The plan will cost 4 billion euros over five years, according to the finance ministry."
)


def test_opinion_is_read_from_the_articles_own_voice() -> None:
    column = profile(article(COLUMN), [], [], [], {})
    assert column.genre == "opinion"
    kinds = {c.kind for c in column.cues}
    assert {"evaluative", "rhetorical", "first-plural", "prescriptive"} <= kinds
    assert any(c.text == "Just wait and see." for c in column.cues)
    for cue in column.cues:
        assert COLUMN[cue.start : cue.end].strip() == cue.text  # every cue is evidence in the text


def test_evaluative_words_inside_quotes_or_attributed_speech_are_not_the_outlets() -> None:
    quoted = REPORT.index('"a shameful')
    attributions = [said(quoted, REPORT.index("betrayal") + 9, REPORT)]
    news = profile(article(REPORT), attributions, [], [], {})
    assert news.genre == "news", news.cues
    voice = own_voice(REPORT, attributions)
    assert len(voice) == len(REPORT) and "shameful" not in voice and "pathetic" not in voice


def test_a_section_cue_decides_and_world_war_i_is_not_a_writer() -> None:
    text = "Analysts weigh the vote. It ended World War I, historians say."
    assert profile(article(text, url="https://example.com/opinion/2024/vote"), [], [], [], {}).genre == "opinion"
    assert profile(article(text, title="Analysis: what the vote means"), [], [], [], {}).genre == "analysis"
    plain = profile(article(text), [], [], [], {})
    assert plain.genre == "news" and not any(c.kind == "first-person" for c in plain.cues)


def test_machine_written_from_the_byline_or_bio() -> None:
    found = profile(article("Text.", authors=("Hermes A.I.",)), [], [], [], {})
    assert found.machine_written and found.machine_evidence and "A.I." in found.machine_evidence
    assert not profile(article("Text.", authors=("Jane Roe",)), [], [], [], {}).machine_written


def test_derivative_names_the_outlets_it_carries() -> None:
    text = "Iran sent missiles to Russia, Reuters reported. The ministry said more would follow. Prices rose."
    reuters = said(0, 28, text, kind="outlet", name="Reuters")
    ministry = said(48, 82, text, kind="organization", name="the ministry")
    claims = [claim(0, 28, reuters.attribution_id, "c1"), claim(48, 82, ministry.attribution_id, "c2")]
    claims.append(claim(84, 96, None, "c3"))
    found = profile(article(text, source_name="Daily Planet"), [reuters, ministry], claims, [], {"c2": 1})
    assert found.derivative and found.derived_from == ("Reuters",)
    assert (found.n_claims, found.n_attributed, found.n_named, found.n_anonymous) == (3, 2, 2, 0)
    assert found.n_no_origin == 1 and found.attribution_density == pytest.approx(2 / 3)
    # The outlet citing itself is not lifting; a copy of another outlet's article is derivative of it.
    own = profile(article(text, source_name="Reuters"), [reuters, ministry], claims, [], {})
    assert not own.derivative
    copy = profile(article("Text.", source_name="Harbor"), [], [], [Earlier(None, "Meridian Wire")], {})
    assert copy.derivative and copy.derived_from == ("Meridian Wire",)


def test_empty_and_odd_articles_do_not_crash() -> None:
    for text in ("", "!!!!", "“" * 5000, "I " * 10000, "a" * 200_000, "x — y (@z) " * 5000, "pic.twitter.com/x " * 999):
        found = profile(article(text), [], [], [], {})
        assert found.genre in ("news", "opinion", "analysis") and found.attribution_density is None


def profiles(db: Path) -> dict[str, dict[str, object]]:
    with Store(db, read_only=True) as store:
        columns, rows = store.query(
            "SELECT a.input_ref, coalesce(s.name, a.source) AS outlet, p.* FROM profiles p "
            "JOIN articles a USING (article_id) LEFT JOIN sources s ON s.source_id = a.source"
        )
    return {Path(row[0]).name: dict(zip(columns, row, strict=True)) for row in rows}


def test_seeds_000_opinion_002_machine_written_and_derivative_003_news(seeds_db: Path) -> None:
    found = profiles(seeds_db)
    column, rewrite, report = (found[name] for name in sorted(found))
    assert column["genre"] == "opinion"
    assert any(c["text"] == "Just wait and see." for c in column["genre_cues"])  # type: ignore[attr-defined]
    assert rewrite["machine_written"] and "HERMES" in str(rewrite["machine_evidence"]).upper()
    assert rewrite["derivative"] and {"Reuters", "CNBC"} <= set(rewrite["derived_from"])  # type: ignore[call-overload]
    assert rewrite["genre"] == "news"
    assert report["genre"] == "news" and not report["machine_written"]
    assert report["n_named"] > report["n_anonymous"]  # type: ignore[operator]


def test_demo_profiles_and_outlet_aggregates(demo_db: Path) -> None:
    found = profiles(demo_db)
    assert len(found) == 12
    copy = next(p for p in found.values() if p["outlet"] == "Harbor Times")
    assert copy["derivative"] and copy["derived_from"][0] == "Meridian Wire"  # type: ignore[index]
    wire = next(p for p in found.values() if p["outlet"] == "Meridian Wire")
    assert not wire["derivative"] and wire["genre"] == "news"
    with Store(demo_db, read_only=True) as store:
        _, rows = store.query("SELECT name, n_articles, n_derivative, attribution_density FROM source_profiles")
    outlets = {name: (n, derivative, density) for name, n, derivative, density in rows}
    assert len(outlets) == len({p["outlet"] for p in found.values()})
    assert outlets["Harbor Times"][1] == 1 and 0 < outlets["Meridian Wire"][2] <= 1
