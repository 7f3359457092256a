"""Global options typed after the command, as users type them: ``ledger posture
--clearance SECRET`` answers as ``ledger --clearance SECRET posture`` does, while a
command's own option of the same name (``keys create --clearance``) stays its own."""

import json

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.runtime import open_ledger
from tests.factories import make
from tests.helpers import ledger_cli
from tests.scenarios import marked


def _marked_ledger(database_url: str) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        ledger.append(
            [
                make("SourceRegistered", source_id="source:open"),
                marked(make("SourceRegistered", source_id="source:s"), Classification.SECRET, []),
                marked(
                    make("SourceRegistered", source_id="source:a"), Classification.SECRET, ["ALPHA"]
                ),
            ]
        )


def _streams(stdout: str) -> list[str]:
    return [json.loads(line)["stream_id"] for line in stdout.splitlines()]


def test_global_options_after_the_command_answer_as_before_it(database_url: str) -> None:
    _marked_ledger(database_url)
    before = ledger_cli("--clearance", "SECRET", "posture", "--format", "json",
                        database_url=database_url)  # fmt: skip
    after = ledger_cli("posture", "--clearance", "SECRET", "--format", "json",
                       database_url=database_url)  # fmt: skip
    assert (before.returncode, after.returncode) == (0, 0), after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    seen = {
        args: _streams(ledger_cli(*args, database_url=database_url).stdout)
        for args in [
            ("events", "--json", "--clearance", "SECRET"),
            ("events", "--clearance=SECRET", "--json", "--compartment", "ALPHA"),
            ("events", "--json"),
        ]
    }
    assert list(seen.values()) == [
        ["source:open", "source:s"],
        ["source:open", "source:s", "source:a"],
        ["source:open", "source:s", "source:a"],
    ]


def test_a_global_option_after_the_command_reaches_the_database(database_url: str) -> None:
    _marked_ledger(database_url)
    named = ledger_cli("events", "--json", "--database-url", database_url)
    assert named.returncode == 0, named.stderr
    assert len(named.stdout.splitlines()) == 3


def test_a_command_keeps_its_own_option_of_a_global_name(database_url: str) -> None:
    made = ledger_cli("keys", "create", "--role", "analyst", "--name", "desk",
                      "--clearance", "SECRET", database_url=database_url)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "cleared to SECRET" in made.stderr
    listed = ledger_cli("keys", "list", "--json", database_url=database_url)
    assert json.loads(listed.stdout)["clearance"]["level"] == "SECRET"


def test_a_global_option_after_the_command_still_checks_its_value(database_url: str) -> None:
    bad = ledger_cli("posture", "--compartment", "ALPHA", database_url=database_url)
    assert bad.returncode == 2
    assert "give --clearance LEVEL with --compartment" in bad.stderr
    assert "No such option" not in bad.stderr
