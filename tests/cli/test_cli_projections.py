"""End to end: project, posture and history as an analyst runs them."""

import csv
import io
import json
from pathlib import Path

from tests.factories import json_line
from tests.helpers import ledger_cli, write_lines


def test_posture_and_history_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    missing = ledger_cli("posture", database_url=database_url)
    assert missing.returncode == 1 and "run `ledger project` first" in missing.stderr

    file = write_lines(
        tmp_path / "e.jsonl",
        json_line("SourceReliabilityAssessed", source_id="source:s", reliability="B"),
        json_line("ClaimAsserted", claim_id="claim:x"),
        json_line("AttributionMade", claim_id="claim:x", source_id="source:s", via_source_id=None),
        json_line("DeploymentReported", claim_id="claim:x"),
    )
    # the claim's document, actor and place are never registered: allowed, explicitly
    appended = ledger_cli("append", str(file), "--allow-unresolved", database_url=database_url)
    assert appended.returncode == 0, appended.stderr
    projected = ledger_cli("project", database_url=database_url)
    assert projected.returncode == 0, projected.stderr
    assert "force_posture" in projected.stdout

    table = ledger_cli("posture", database_url=database_url)
    assert "over 4000 (>= 4000)" in table.stdout and "B3" in table.stdout

    as_json = json.loads(
        ledger_cli("posture", "--format", "json", database_url=database_url).stdout
    )
    (row,) = as_json["rows"]
    assert (row["actor_id"], row["status"], row["low"], row["grade"]) == (
        "actor:militia",
        "ACTIVE",
        4000,
        "B3",
    )
    assert row["positions"] == [4] and as_json["position"] == 4

    rows = list(
        csv.DictReader(
            io.StringIO(ledger_cli("posture", "--format", "csv", database_url=database_url).stdout)
        )
    )
    assert rows[0]["place"] == "around the town"

    early = json.loads(
        ledger_cli(
            "posture",
            "--format",
            "json",
            "--as-of",
            "2000-01-01T00:00:00Z",
            database_url=database_url,
        ).stdout
    )
    assert early["rows"] == [] and early["position"] == 0
    outside = json.loads(
        ledger_cli(
            "posture",
            "--format",
            "json",
            "--valid-at",
            "2014-01-01T00:00:00Z",
            database_url=database_url,
        ).stdout
    )
    assert outside["rows"] == []

    history = json.loads(
        ledger_cli("history", "claim:x", "--json", database_url=database_url).stdout
    )
    assert history["status"] == "ASSERTED" and history["origin"] == "source:s"
    assert [e["type"] for e in history["events"]] == [
        "ClaimAsserted",
        "AttributionMade",
        "DeploymentReported",
    ]
    unknown = ledger_cli("history", "claim:none", database_url=database_url)
    assert unknown.returncode == 1 and "no events name claim:none" in unknown.stderr
    naive = ledger_cli("posture", "--as-of", "2015-01-01T00:00:00", database_url=database_url)
    assert naive.returncode == 1 and "has no timezone" in naive.stderr

    rebuilt = ledger_cli("project", "--rebuild", database_url=database_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "(rebuilt)" in rebuilt.stdout
