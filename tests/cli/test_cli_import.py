"""``ledger import stix`` as a user runs it: a bundle in through the common intake, its
report per type, nothing appended twice, and a bad bundle refused in one sentence."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ledger_cli, ledger_cli_bytes

BUNDLES = Path(__file__).resolve().parents[1] / "stix" / "bundles"


def exported(url: str) -> bytes:
    result = ledger_cli_bytes("export", "stix", database_url=url, stdin=b"")
    assert result.returncode == 0, result.stderr
    return result.stdout


def held(url: str) -> int:
    """How many events the ledger holds."""
    shown = ledger_cli("events", "--json", "--limit", "0", database_url=url)
    assert shown.returncode == 0, shown.stderr
    return len(shown.stdout.splitlines())


def test_the_seed_exported_imports_into_an_empty_ledger_and_once(
    seeded_url: str, database_url: str, tmp_path: Path
) -> None:
    bundle = tmp_path / "seed.stix.json"
    bundle.write_bytes(exported(seeded_url))
    dry = ledger_cli("import", "stix", str(bundle), "--dry-run", database_url=database_url)
    assert dry.returncode == 0, dry.stderr
    assert "nothing appended (--dry-run)" in dry.stderr
    assert held(database_url) == 0
    first = ledger_cli("import", "stix", str(bundle), "--json", database_url=database_url)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["appended"] == report["events"] > 100
    assert report["types"]["identity"]["mapped"] > 0 and report["types"]["note"]["mapped"] > 0
    again = ledger_cli("import", "stix", "-", database_url=database_url, stdin=bundle.read_text())
    assert again.returncode == 0, again.stderr
    assert "nothing new appended" in again.stderr
    assert "identity: 0 mapped" in again.stdout and "already held" in again.stdout
    posture = ["posture", "--format", "json", "--valid-at", "2015-10-15T00:00:00Z"]
    ours = json.loads(ledger_cli(*posture, database_url=seeded_url).stdout)
    theirs = json.loads(ledger_cli(*posture, database_url=database_url).stdout)
    assert _names(theirs) == _names(ours) and _names(ours)


def _names(answer: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    """The posture's rows, without where in each ledger they rest."""
    return sorted((r["actor_id"], r["place"], r["status"], r["strength"]) for r in answer["rows"])


def test_a_third_partys_bundle_reports_what_it_did_not_map(database_url: str) -> None:
    file = BUNDLES / "oasis" / "threat-actor-leveraging-attack-patterns-and-malware.json"
    result = ledger_cli("import", "stix", str(file), database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "malware: 0 mapped; 0 already held; 1 not mapped: " in result.stdout
    assert "imported " in result.stdout and "appended 2 events" in result.stdout


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json", "not valid JSON"),
        ('{"type": "bundle", "id": "bundle--1", "spec_version": "2.0", "objects": []}', "2.0"),
        ("[]", "bundle"),
    ],
)
def test_a_bad_bundle_is_one_sentence_and_nothing_appended(
    database_url: str, body: str, expected: str
) -> None:
    result = ledger_cli("import", "stix", "-", database_url=database_url, stdin=body)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and expected in result.stderr, result.stderr
    assert held(database_url) == 0


def test_a_missing_file_is_named(database_url: str, tmp_path: Path) -> None:
    result = ledger_cli("import", "stix", str(tmp_path / "none.json"), database_url=database_url)
    assert result.returncode == 1 and "none.json: cannot read" in result.stderr
