"""Run the ``newstrace`` command in a subprocess, as a user would, for the tests that check the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

NEWSTRACE = [sys.executable, "-c", "from newstrace.cli import main; main()"]


def newstrace(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}  # wide enough that tables do not fold their cells
    return subprocess.run([*NEWSTRACE, *args], capture_output=True, text=True, timeout=timeout, env=env)
