"""Answers in an 80-column terminal: no line is wider, and no id, name or figure is cut
(tables that do not fit become one block per row; prose wraps at spaces)."""

import re

import pytest

from tests.helpers import ledger_cli

COMMANDS = [
    ["posture"],
    ["posture", "--timeline", "--actor", "Hezbollah"],
    ["actors"],
    ["places"],
    ["sources"],
    ["history", "claim:seed-05"],
    ["events", "--limit", "40"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_nothing_is_wider_than_the_terminal_or_cut(seeded_url: str, command: list[str]) -> None:
    narrow = ledger_cli(*command, database_url=seeded_url, env_extra={"COLUMNS": "80"})
    wide = ledger_cli(*command, database_url=seeded_url)
    assert narrow.returncode == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert max(map(len, lines)) <= 80, next(line for line in lines if len(line) > 80)
    assert "…" not in narrow.stdout
    words = set(re.findall(r"[a-z]+:[a-z0-9-]+", narrow.stdout))
    assert words == set(re.findall(r"[a-z]+:[a-z0-9-]+", wide.stdout))  # every id, whole
