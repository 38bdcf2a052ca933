"""Attribution quality gate: F1 floors on PolNeAR dev that may not drop (like trafilatura's eval gate).

Each floor sits about half a point under what ``bench/attribution.py`` measured on the same 84 articles (full
figures in BENCHMARKS.md). Skips when ``../shared/data/polnear`` (or ``$NEWSTRACE_SHARED/data``) is absent.
"""

from __future__ import annotations

import pytest
from bench._common import SHARED_DATA

# (mode, part) → floor, F1 in percent; measured with rules + span tagger on PolNeAR dev in the comments.
FLOORS = {
    ("exact", "source"): 75.8,  # 76.3
    ("exact", "cue"): 72.1,  # 72.6
    ("exact", "content"): 54.6,  # 55.1
    ("overlap", "content"): 81.3,  # 81.8
    ("exact", "relation"): 46.6,  # 47.1
    ("overlap", "relation"): 70.1,  # 70.6
}


@pytest.mark.skipif(not (SHARED_DATA / "polnear").is_dir(), reason=f"PolNeAR not found in {SHARED_DATA}")
def test_polnear_dev_floors() -> None:
    from bench.attribution import evaluate

    figures = evaluate("dev")["figures"]
    for (mode, part), floor in FLOORS.items():
        assert figures[f"{part} {mode} F1"] >= floor, (mode, part, figures[f"{part} {mode} F1"])
