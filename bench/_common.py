"""Shared plumbing for benchmark scripts: where the data is, and how figures are recorded.

Each benchmark writes ``bench/results/<name>.json`` and replaces its own rows in ``BENCHMARKS.md`` (one row per
figure: benchmark, figure, value, anchor, date, machine), so the table always shows the latest measured run.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NEWSTRACE_SHARED", ROOT.parent / "shared")) / "data"
RESULTS = ROOT / "bench" / "results"
TABLE = ROOT / "BENCHMARKS.md"

HEADER = (
    "# Benchmarks\n\n"
    "Measured by the scripts in `bench/` on the data in `../shared/data/`. Each script rewrites its own rows.\n"
    "Timings are throughputs or ratios measured in one run on the machine named.\n\n"
    "| benchmark | figure | value | anchor | date | machine |\n"
    "|---|---|---|---|---|---|\n"
)


def data_dir(name: str) -> Path:
    """The shared data folder ``name``, or exit with a clear message when it is absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        sys.exit(f"benchmark data not found at {path}: put ../shared beside the repository or set NEWSTRACE_SHARED")
    return path


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def record(name: str, figures: dict[str, Any], rows: list[tuple[str, str, str]]) -> None:
    """Write ``figures`` to ``bench/results/<name>.json`` and ``rows`` (figure, value, anchor) to BENCHMARKS.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "date": date.today().isoformat(), "machine": machine(), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    lines = TABLE.read_text(encoding="utf-8").splitlines() if TABLE.exists() else HEADER.splitlines()
    kept = [line for line in lines if not line.startswith(f"| {name} |")]
    today, where = date.today().isoformat(), machine()
    kept += [f"| {name} | {figure} | {value} | {anchor} | {today} | {where} |" for figure, value, anchor in rows]
    TABLE.write_text("\n".join(kept) + "\n", encoding="utf-8")
