"""``ledger export stix`` and ``ledger audit check-proof --stix`` as a user runs them."""

import json
from pathlib import Path

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.log.key_file import ensure_signer
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from tests.factories import make
from tests.helpers import ledger_cli, ledger_cli_bytes
from tests.scenarios import marked
from tests.stix.checkers import assert_valid


def exported(url: str, *args: str, home: Path | None = None) -> bytes:
    result = ledger_cli_bytes("export", "stix", *args, database_url=url, stdin=b"")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_export_to_a_file_and_to_stdout(seeded_url: str, tmp_path: Path) -> None:
    out = tmp_path / "seed.stix.json"
    result = ledger_cli("export", "stix", "--out", str(out), database_url=seeded_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "wrote " in result.stderr and "up to position 138, as OPERATOR" in result.stderr
    data = out.read_bytes()
    assert_valid(data)
    assert exported(seeded_url) == data
    assert [p.name for p in tmp_path.iterdir()] == ["seed.stix.json"]  # no temporary left
    early = json.loads(exported(seeded_url, "--as-of", "2000-01-01T00:00:00Z"))
    assert len(early["objects"]) == 3
    every = json.loads(exported(seeded_url, "--all-versions"))
    assert len(every["objects"]) > len(json.loads(data)["objects"])


def test_export_for_a_clearance(database_url: str) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        ledger.append([make("SourceRegistered")])
        ledger.append([marked(make("ActorRegistered"), Classification.SECRET, ["ALPHA"])])
        ledger.append([marked(make("PlaceRegistered"), Classification.SECRET, [])])
        head = ledger.head().position
        expected = b"".join(
            StixExport(
                ledger,
                ExportRequest(head, Clearance.of("SECRET")),
                Context(Settings(database_url=database_url).log_name),
            )
        )
    mine = exported(database_url, "--clearance", "secret")
    assert mine == expected
    cleared = exported(database_url, "--clearance", "SECRET", "--compartment", "ALPHA")
    assert b'"ActorRegistered"' in cleared and b'"ActorRegistered"' not in mine
    globally = ledger_cli_bytes(
        "--clearance", "SECRET", "export", "stix", database_url=database_url, stdin=b""
    )
    assert globally.stdout == mine
    bad = ledger_cli("export", "stix", "--clearance", "COSMIC", database_url=database_url)
    assert bad.returncode == 1 and "'COSMIC' is not a clearance level" in bad.stderr
    assert "Traceback" not in bad.stderr
    odd = ledger_cli("export", "stix", "--compartment", "ALPHA", database_url=database_url)
    assert odd.returncode == 2 and "--clearance LEVEL with --compartment" in odd.stderr


def test_a_proven_export_checks_offline(seeded_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "signing.key"
    env = {"LEDGER_SIGNING_KEY_FILE": str(key_file), "LEDGER_LOG_NAME": "test.example/log"}
    refused = ledger_cli("export", "stix", "--proofs", database_url=seeded_url, env_extra=env)
    assert refused.returncode == 1 and "no signed checkpoint covers position 138" in (
        refused.stderr
    )
    signer, _ = ensure_signer(key_file, "test.example/log")
    out = tmp_path / "proven.json"
    result = ledger_cli(
        "export", "stix", "--proofs", "--out", str(out), database_url=seeded_url, env_extra=env
    )
    assert result.returncode == 0, result.stderr
    key = signer.verifier.encode()
    checked = ledger_cli("audit", "check-proof", "--stix", str(out), "--key", key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "PROVEN: 140 STIX object(s)" in checked.stdout
    as_json = ledger_cli("audit", "check-proof", "--stix", str(out), "--key", key, "--json")
    assert json.loads(as_json.stdout)["objects"] == 140
    seen = ledger_cli("audit", "check-proof", "--stix", str(out), "--key", key, "--seen", str(out))
    assert seen.returncode == 2 and "does not go with --stix" in seen.stderr
    bundle = json.loads(out.read_text())
    bundle["objects"][5]["name"] = "Someone else"
    out.write_text(json.dumps(bundle))
    altered = ledger_cli("audit", "check-proof", "--stix", str(out), "--key", key)
    assert altered.returncode == 1 and "NOT PROVEN: object" in altered.stdout
    out.write_text("not json")
    broken = ledger_cli("audit", "check-proof", "--stix", str(out), "--key", key)
    assert broken.returncode == 1 and "not a STIX bundle" in broken.stdout
