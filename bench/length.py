"""Cost of one article against its length: attribution + events on one text of 2.5k … 49k words (issue 18).

The text is real news: PolNeAR dev wire stories (``../shared/data/polnear``) joined in a fixed order until the
word count is reached, so every length has the dates, names and quotes of ordinary articles. Each length runs in
a fresh process (spaCy loaded there first and not timed), which reports the seconds of the analysis and the
process's peak RSS. ``--profile`` prints the top cumulative costs of the largest length instead.

Example: python bench/length.py --words 2500 10000 20000 49000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/length.py``: make the ``bench`` package importable
    sys.path.insert(0, str(ROOT))

from bench._common import RESULTS, machine, record  # noqa: E402


def text_of(words: int) -> str:
    """Whole PolNeAR dev stories, in name order, then the last one cut at a sentence end near ``words``."""
    from bench.polnear import load_split

    pieces: list[str] = []
    count = 0
    stories = load_split("dev")
    while count < words:
        for story in stories:
            body = story.text.strip()
            n = len(body.split())
            if count + n > words:
                cut = " ".join(body.split()[: words - count])
                body = cut[: cut.rfind(".") + 1] or cut
                n = len(body.split())
            pieces.append(body)
            count += n
            if count >= words - 20:
                return "\n\n".join(pieces)
    return "\n\n".join(pieces)


def measure(words: int, profile: bool) -> dict[str, float]:
    """Analyse one article of ``words`` words in this process."""
    import resource
    import time

    from newstrace.events import EventReader
    from newstrace.models import Article
    from newstrace.settings import Settings

    text = text_of(words)
    article = Article(
        article_id="a", input_id="i", input_ref="bench", text=text, text_hash="h", published=date(2020, 1, 15),
        language="en", word_count=len(text.split()),
    )  # fmt: skip
    reader = EventReader(Settings())
    reader([Article(article_id="w", input_id="i", input_ref="w", text="Officials said it rained.", text_hash="w")])
    start = time.process_time()
    if profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            out = reader([article])
        prof.dump_stats(os.environ.get("NEWSTRACE_LENGTH_PROFILE", "length.prof"))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    else:
        out = reader([article])
    seconds = time.process_time() - start
    dump = os.environ.get("NEWSTRACE_LENGTH_DUMP")  # compare outputs before and after a change
    if dump:
        Path(f"{dump}-{words}.txt").write_text("\n".join(sorted(repr(r) for r in out)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "words": article.word_count,
        "cpu_seconds": round(seconds, 2),
        "peak_rss_mb": round(peak),
        "records": len(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/length.py", description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, nargs="+", default=[2500, 10000, 20000, 49000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one length
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--label", default="after", help="the key the figures are stored under (before/after)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.profile)))
        return
    if args.profile:
        measure(max(args.words), True)
        return
    rows = []
    for words in args.words:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(words)], capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(row, flush=True)
        rows.append(row)
    path = RESULTS / "length.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[args.label] = {"date": date.today().isoformat(), "machine": machine(), "rows": rows}
    write(results)


def write(results: dict[str, Any]) -> None:
    """Store every labelled run, and one table row per length: CPU seconds and peak RSS, before -> after."""
    runs = {label: {row["words"]: row for row in results[label]["rows"]} for label in ("before", "after")
            if label in results}  # fmt: skip
    rows = []
    for words in sorted({w for run in runs.values() for w in run}):
        cells = [runs[label].get(words) for label in runs]
        seconds = " -> ".join(f"{c['cpu_seconds']} s" for c in cells if c)
        peak = "peak RSS " + " -> ".join(f"{c['peak_rss_mb']} MB" for c in cells if c)
        figure = f"CPU for one {words:,}-word article, attribution + claims ({' -> '.join(runs)})"
        rows.append((figure, seconds, peak))
    record("length", {label: results[label] for label in ("before", "after") if label in results}, rows)


if __name__ == "__main__":
    main()
