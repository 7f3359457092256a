"""Need-to-know on the command line, as a user drives it: keys with clearances, answers
for a --clearance, a redacted export that import-check still verifies."""

import json
from pathlib import Path

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.runtime import open_ledger
from tests.factories import make
from tests.helpers import ledger_cli
from tests.scenarios import marked


def test_keys_carry_clearances_and_least_privilege_by_default(database_url: str) -> None:
    made = ledger_cli(
        "keys", "create", "--role", "analyst", "--name", "desk", "--clearance", "secret",
        "--compartment", "ALPHA", database_url=database_url,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "cleared to SECRET:ALPHA" in made.stderr
    plain = ledger_cli("keys", "create", "--role", "analyst", "--name", "open",
                       database_url=database_url)  # fmt: skip
    assert plain.returncode == 0 and "cleared to UNCLASSIFIED" in plain.stderr
    listed = ledger_cli("keys", "list", "--json", database_url=database_url)
    clearances = {
        json.loads(line)["name"]: json.loads(line)["clearance"]
        for line in listed.stdout.splitlines()
    }
    assert clearances == {
        "desk": {"level": "SECRET", "compartments": ["ALPHA"]},
        "open": {"level": "UNCLASSIFIED", "compartments": []},
    }
    table = ledger_cli("keys", "list", database_url=database_url)
    assert "SECRET:ALPHA" in table.stdout


def test_a_bad_clearance_is_one_clear_sentence(database_url: str) -> None:
    bad = ledger_cli("keys", "create", "--role", "analyst", "--name", "x", "--clearance",
                     "SECRETISH", database_url=database_url)  # fmt: skip
    assert bad.returncode == 1
    assert "'SECRETISH' is not a clearance level" in bad.stderr
    assert "Traceback" not in bad.stderr
    env = ledger_cli("posture", database_url=database_url,
                     env_extra={"LEDGER_CLEARANCE": "SECRET:lower"})  # fmt: skip
    assert env.returncode == 1
    assert "LEDGER_CLEARANCE" in env.stderr and "compartment name" in env.stderr
    assert "Traceback" not in env.stderr


def test_a_redacted_export_verifies_and_hides_the_secret_event(
    database_url: str, tmp_path: Path
) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        ledger.append(
            [
                make("SourceRegistered", source_id="source:open"),
                marked(
                    make("SourceRegistered", source_id="source:hidden", name="Hidden Person"),
                    Classification.SECRET,
                    [],
                ),
                make("SourceRegistered", source_id="source:open-2"),
            ]
        )
    path = tmp_path / "partner.avro"
    exported = ledger_cli("audit", "export", str(path), "--clearance", "RESTRICTED",
                          "--codec", "null", database_url=database_url)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert b"Hidden Person" not in path.read_bytes()
    checked = ledger_cli("audit", "import-check", str(path), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["range"] == {"from": 1, "to": 3}
    redacted = next(c for c in report["checks"] if c["name"] == "redacted")
    assert "1 events redacted" in redacted["detail"]
    full = tmp_path / "full.avro"
    whole = ledger_cli("audit", "export", str(full), "--codec", "null",
                       database_url=database_url)  # fmt: skip
    assert whole.returncode == 0 and b"Hidden Person" in full.read_bytes()


def test_a_bad_clearance_stops_a_command_before_any_database_starts(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for env in ({"LEDGER_CLEARANCE": "SECRETISH"}, {"LEDGER_CLEARANCE": "SECRET:lower"}):
        refused = ledger_cli("posture", home=home, env_extra=env)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: LEDGER_CLEARANCE"), lines
        assert not home.exists()  # the embedded PostgreSQL was never started
    # an unreachable server is not even tried: the setting is what is wrong
    unreachable = ledger_cli(
        "--clearance", "SECRETISH", "posture",
        database_url="postgresql://postgres@127.0.0.1:1/nowhere",
        env_extra={"LEDGER_POOL_TIMEOUT": "1"},
    )  # fmt: skip
    assert unreachable.returncode == 1
    assert "'SECRETISH' is not a clearance level" in unreachable.stderr
    assert "nowhere" not in unreachable.stderr and "Traceback" not in unreachable.stderr
