"""A fuzz corpus of hostile inputs mixed with good ones, through the real ingest (issue 18).

Generates, in a temporary folder (nothing is committed), the families of issue 18 — JSONL lines with lone
surrogates, non-list authors, huge numbers, deep nesting, wrong shapes; damaged and cut gzip of every kind; WARC
records without a target URI, cut WARCs, HTML named .warc; charset labels that are Python codecs or nonsense;
random bytes under news suffixes; non-UTF-8 file names; dangling and looping links, FIFOs, empty files — with good
articles between them, runs ``newstrace.pipeline.run`` over it (``analyse=False``) twice, and checks: no crash,
every bad input has a coded error row, every good input is stored, the rerun adds nothing.

Example: python bench/hostile.py --inputs 5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/hostile.py``: make ``bench`` and ``tests`` importable
    sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402

from bench._common import machine, record  # noqa: E402


@dataclass
class Expect:
    ref: str  # the input_ref (file, or file#line) of the input
    good: bool | None  # True: stored as an article; False: a coded error row; None: either, but one of them
    family: str
    title: str | None = None  # a good input's title


BAD_LINES = [
    ("surrogate", '{"title": "s", "text": "Officials said \\ud800 it rained."}'),
    ("authors-int", '{"title": "a", "text": "Officials said it rained.", "authors": 5}'),
    ("authors-bool", '{"title": "a", "text": "Officials said it rained.", "authors": true}'),
    ("authors-float", '{"title": "a", "text": "Officials said it rained.", "authors": 1.5}'),
    ("huge-number", '{"text": "x", "n": ' + "7" * 5_000 + "}"),
    ("deep", "[" * 100_000 + "]" * 100_000),
    ("not-json", "{'single': 'quotes'}"),
    ("array", "[1, 2, 3]"),
    ("text-object", '{"text": {"a": 1}}'),
    ("no-text", '{"title": "only a title"}'),
]
CHARSETS = ["punycode", "idna", "unicode_escape", "raw_unicode_escape", "base64", "rot13", "zlib", "hex", "utf-7",
            "undefined", "x-nonsense", "utf-16", "utf_32", "latin-1", "koi8-r", "shift_jis"]  # fmt: skip


def build(folder: Path, inputs: int, seed: int) -> list[Expect]:
    """Write about ``inputs`` inputs (files and JSONL lines) into ``folder``; return what each must give."""
    rng = random.Random(seed)
    out: list[Expect] = []
    n = 0

    def good_name(tag: str) -> str:
        return hostile.good_text(tag).partition("\n")[0]

    while len(out) < inputs:
        n += 1
        family = rng.choice(["good", "jsonl", "gzip", "cut-gzip", "warc", "charset", "random", "name", "special"])
        base = folder / f"{n:05d}"
        if family == "good":
            tag = f"good {n}"
            base.with_suffix(".txt").write_text(hostile.good_text(tag), encoding="utf-8")
            out.append(Expect(str(base.with_suffix(".txt")), True, family, good_name(tag)))
        elif family == "jsonl":
            path = base.with_suffix(".jsonl")
            lines: list[str | dict[str, object]] = []
            for line in range(1, rng.randint(2, 12)):
                if rng.random() < 0.5:
                    lines.append(hostile.good_record(n * 100 + line))
                    out.append(Expect(f"{path}#{line}", True, family, f"Good record {n * 100 + line}"))
                else:
                    kind, text = rng.choice(BAD_LINES)
                    lines.append(text)
                    out.append(Expect(f"{path}#{line}", False, f"jsonl-{kind}"))
            path.write_bytes(hostile.jsonl_lines(*lines))
        elif family in ("gzip", "cut-gzip"):
            suffix = rng.choice([".html.gz", ".txt.gz", ".jsonl.gz", ".xml.gz"])
            path = base.with_suffix(suffix)
            content = {
                ".html.gz": hostile.html_page(hostile.good_text(f"gz {n}")).encode(),
                ".txt.gz": hostile.good_text(f"gz {n}").encode(),
                ".jsonl.gz": hostile.jsonl_lines(hostile.good_record(n * 100)),
                ".xml.gz": b"<rss><channel><item><link>https://x.example/</link></item></channel></rss>",
            }[suffix] * 30
            path.write_bytes(hostile.damaged_gzip(content) if family == "gzip" else hostile.cut_gzip(content))
            out.append(Expect(str(path), False, f"{family}{suffix}"))
        elif family == "warc":
            kind = rng.choice(["no-uri", "html-named-warc", "cut"])
            path = base.with_suffix(".warc")
            if kind == "no-uri":
                hostile.warc_without_target_uri(path)
                out.append(Expect(f"{path}#1", False, "warc-no-uri"))
            elif kind == "html-named-warc":
                path.write_text(hostile.html_page(hostile.good_text(f"warc {n}")), encoding="utf-8")
                out.append(Expect(str(path), False, "warc-html"))
            else:
                hostile.warc_without_target_uri(path)
                data = path.read_bytes()
                path.write_bytes(data[: rng.randint(50, len(data) - 10)])
                out.append(Expect(str(path), None, "warc-cut"))
        elif family == "charset":
            charset = rng.choice(CHARSETS)
            path = base.with_suffix(".html")
            text = hostile.html_page(hostile.good_text(f"charset {n} café"), charset)
            data = text.encode("utf-8") if rng.random() < 0.5 else text.encode("latin-1")
            path.write_bytes(data)
            out.append(Expect(str(path), None, f"charset-{charset}"))
        elif family == "random":
            path = base.with_suffix(rng.choice([".html", ".txt", ".jsonl", ".warc", ".xml", ".html.gz", ".warc.gz"]))
            path.write_bytes(rng.randbytes(rng.randint(0, 3000)))
            out.append(Expect(str(path), None, f"random{path.suffix}"))
        elif family == "name":
            path = folder / os.fsdecode(f"{n:05d}-".encode() + bytes([rng.randint(0x80, 0xFF)]) + b".txt")
            path.write_text(hostile.good_text(f"name {n}"), encoding="utf-8")
            out.append(
                Expect(os.fsencode(path).decode("utf-8", "backslashreplace"), True, "name", good_name(f"name {n}"))
            )
        else:
            kind = rng.choice(["dangling", "loop", "fifo", "empty"])
            path = base.with_suffix(".html")
            if kind == "dangling":
                path.symlink_to(folder / "nowhere.html")
            elif kind == "loop":
                path.symlink_to(path)
            elif kind == "fifo":
                os.mkfifo(path)
            else:
                path.write_bytes(b"")
            out.append(Expect(str(path), False, f"special-{kind}"))
    return out


def check(expected: list[Expect], db: Path) -> dict[str, object]:
    from newstrace.store import Store

    with Store(db, read_only=True) as store:
        errors = Counter(ref for (ref,) in store.query("SELECT input_ref FROM errors")[1])
        codes = Counter(code for (code,) in store.query("SELECT code FROM errors")[1])
        refs = {ref for (ref,) in store.query("SELECT input_ref FROM articles")[1]}
        titles = {title for (title,) in store.query("SELECT title FROM articles")[1]}
    files_with_errors = {ref.split("#")[0] for ref in errors}
    missing: Counter[str] = Counter()
    for item in expected:
        errored = item.ref in errors or item.ref in files_with_errors  # a JSONL or WARC file's rows are per record
        stored = item.ref in refs or (item.title is not None and item.title in titles)
        ok = stored if item.good else errored if item.good is False else stored or errored
        if not ok:
            missing[item.family] += 1
    return {"codes": dict(codes.most_common()), "unaccounted": dict(missing)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/hostile.py", description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    from newstrace.pipeline import run
    from newstrace.settings import Settings
    from newstrace.store import Store

    settings = Settings(analyse=False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        expected = build(folder, args.inputs, args.seed)
        db = Path(tmp) / "fuzz.duckdb"
        crashes = 0
        start = time.monotonic()
        summaries = []
        for _ in range(2):
            try:
                with Store(db) as store:
                    summaries.append(run([str(folder)], store, settings))
            except Exception as exc:  # what the benchmark is looking for
                crashes += 1
                print(f"crash: {type(exc).__name__}: {exc}", file=sys.stderr)
        seconds = time.monotonic() - start
        result = check(expected, db) if not crashes else {}
    families = Counter(item.family for item in expected)
    row = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "inputs": len(expected),
        "bad": sum(1 for e in expected if e.good is False),
        "good": sum(1 for e in expected if e.good),
        "either": sum(1 for e in expected if e.good is None),
        "families": dict(families),
        "crashes": crashes,
        "rerun_new_articles": summaries[1].articles_new if len(summaries) == 2 else None,
        "seconds_two_runs": round(seconds, 1),
        **result,
    }
    print(json.dumps(row, indent=2))
    write(row)


def write(row: dict[str, Any]) -> None:
    """``bench/results/hostile.json`` and the table rows."""
    figures = {k: v for k, v in row.items() if k not in ("date", "machine")}
    unaccounted = sum(row.get("unaccounted", {}).values()) if not row["crashes"] else "n/a"
    record("hostile", figures, [
        ("fuzz inputs (bad / good / either)", f"{row['inputs']} ({row['bad']} / {row['good']} / {row['either']})",
         "issue 18: >= 5,000"),
        ("crashes over two runs", str(row["crashes"]), "0"),
        ("inputs with neither an article nor a coded error row", str(unaccounted), "0"),
        ("articles added by the rerun", str(row["rerun_new_articles"]), "0"),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
