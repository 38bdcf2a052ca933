"""The README documents every command, every table and column, and every error code."""

from __future__ import annotations

import re
from pathlib import Path

from newstrace.cli import app
from newstrace.errors import ErrorCode
from newstrace.store import Store

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme_with_an_example_in_its_help() -> None:
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"`newstrace {name}" in README, f"command {name} is not documented in the README"
        assert command.callback is not None and "Example: newstrace" in (command.callback.__doc__ or "")


def test_every_table_and_column_is_documented() -> None:
    with Store(":memory:") as store:
        for table in store.tables():
            assert f"`{table}`" in README, f"table {table} is not documented"
            _, columns = store.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            )
            for (column,) in columns:
                assert re.search(rf"`{column}`", README), f"column {table}.{column} is not documented"


def test_every_error_code_is_documented() -> None:
    for code in ErrorCode:
        assert f"`{code.value}`" in README, f"error code {code.value} is not documented"


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.DOTALL)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
