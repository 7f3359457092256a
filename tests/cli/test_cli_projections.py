"""End to end: project, posture and history as an analyst runs them."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from ledger.projection.catalog import PROJECTIONS
from ledger.store.election import Election
from tests.factories import json_line
from tests.helpers import SESSION_KEY, ledger_cli, write_lines


def test_posture_and_history_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    missing = ledger_cli("posture", "--no-refresh", database_url=database_url)
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


def test_appending_then_asking_answers_without_ledger_project(
    database_url: str, tmp_path: Path
) -> None:
    first = write_lines(
        tmp_path / "a.jsonl",
        json_line("ClaimAsserted", claim_id="claim:x"),
        json_line("DeploymentReported", claim_id="claim:x"),
    )
    assert (
        ledger_cli("append", str(first), "--allow-unresolved", database_url=database_url).returncode
        == 0
    )
    answer = json.loads(ledger_cli("posture", "--format", "json", database_url=database_url).stdout)
    assert [r["strength"] for r in answer["rows"]] == ["over 4000"]
    later = write_lines(
        tmp_path / "b.jsonl",
        json_line("ClaimAsserted", claim_id="claim:y"),
        json_line(
            "DeploymentReported",
            claim_id="claim:y",
            report_id="dep:later",
            strength={"best": 5000, "qualifier": "APPROX", "unit": "fighters", "text": "5000"},
            valid_time={"start": "2015-11-01T00:00:00Z", "precision": "DAY"},
        ),
    )
    assert (
        ledger_cli("append", str(later), "--allow-unresolved", database_url=database_url).returncode
        == 0
    )
    behind = ledger_cli("posture", "--no-refresh", "--format", "json", database_url=database_url)
    assert json.loads(behind.stdout)["position"] == 2
    assert "the ledger head is 4" in behind.stderr
    fresh = ledger_cli("posture", "--format", "json", database_url=database_url)
    assert json.loads(fresh.stdout)["position"] == 4 and fresh.stderr == ""
    assert [r["strength"] for r in json.loads(fresh.stdout)["rows"]] == ["5000"]


def test_names_aliases_case_and_accents_resolve_unknown_names_are_errors(
    database_url: str, tmp_path: Path
) -> None:
    file = write_lines(
        tmp_path / "g.jsonl",
        json_line(
            "ActorRegistered",
            actor_id="actor:hezbollah",
            name="Hezbollah",
            kind="NON_STATE_GROUP",
            aliases=["Hizballah"],
        ),
        json_line(
            "ActorRegistered",
            actor_id="actor:hezbollah-unit",
            name="Radwan Force",
            kind="NON_STATE_GROUP",
            parent_actor_id="actor:hezbollah",
        ),
        json_line(
            "PlaceRegistered",
            place_id="place:idlib",
            name="Idlib",
            kind="CITY",
            aliases=["Idlíb"],
            latitude=35.93,
            longitude=36.63,
        ),
        json_line(
            "ActorRegistered",
            actor_id="actor:russia",
            name="[bold]Russia[/bold] :flag_ru:",
            kind="STATE",
        ),
        json_line("ClaimAsserted", claim_id="claim:x"),
        json_line(
            "DeploymentReported",
            claim_id="claim:x",
            actor_id="actor:hezbollah",
            place={"name": "around Idlib", "place_id": "place:idlib", "precision": "CITY"},
        ),
        json_line(
            "DeploymentReported",
            claim_id="claim:x",
            report_id="dep:unit",
            actor_id="actor:hezbollah-unit",
            place={"name": "around Idlib", "place_id": "place:idlib", "precision": "CITY"},
        ),
    )
    assert (
        ledger_cli("append", str(file), "--allow-unresolved", database_url=database_url).returncode
        == 0
    )
    for given in ("actor:hezbollah", "Hizballah", "hezbollah", "HIZBALLAH", "ＨＥＺＢＯＬＬＡＨ"):
        answer = ledger_cli(
            "posture", "--actor", given, "--format", "json", database_url=database_url
        )
        assert answer.returncode == 0, answer.stderr
        (row,) = json.loads(answer.stdout)["rows"]
        assert (row["actor_id"], row["actor"]) == ("actor:hezbollah", "Hezbollah")
        assert (row["latitude"], row["longitude"]) == (35.93, 36.63)
    rolled = ledger_cli(
        "posture",
        "--actor",
        "Hezbollah",
        "--include-subordinates",
        "--format",
        "json",
        database_url=database_url,
    )
    assert [r["actor_id"] for r in json.loads(rolled.stdout)["rows"]] == [
        "actor:hezbollah",
        "actor:hezbollah-unit",
    ]
    for place in ("idlib", "Idlib", "idlib"):
        rows = json.loads(
            ledger_cli(
                "posture", "--place", place, "--format", "json", database_url=database_url
            ).stdout
        )["rows"]
        assert len(rows) == 2
    unknown = ledger_cli("posture", "--actor", "Hezbolah", database_url=database_url)
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "--actor 'Hezbolah'" in unknown.stderr and "did you mean 'Hezbollah'" in unknown.stderr
    listed = ledger_cli("actors", "--format", "json", database_url=database_url)
    items = {i["id"]: i for i in json.loads(listed.stdout)["items"]}
    assert items["actor:hezbollah"]["aliases"] == ["Hizballah"]
    assert items["actor:hezbollah-unit"]["parent_id"] == "actor:hezbollah"
    assert items["actor:hezbollah"]["reports"] == 1
    table = ledger_cli("actors", database_url=database_url).stdout
    assert "[bold]Russia[/bold]" in table and ":flag_ru:" in table  # data, not markup
    places = ledger_cli("places", database_url=database_url)
    assert "place:idlib" in places.stdout and "35.930, 36.630" in places.stdout


def _cursors(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        found = conn.execute("SELECT to_regclass('projection.cursors')").fetchone()
        if not (found and found[0]):
            return {}
        return dict(conn.execute("SELECT name, position FROM projection.cursors").fetchall())


def _wait_for(
    database_url: str, position: int, follower: subprocess.Popen[str], *, every: bool = True
) -> None:
    """Until every projection's cursor (or, ``every=False``, one of them) is at
    ``position``."""
    deadline = time.monotonic() + 90
    cursors: dict[str, int] = {}
    while time.monotonic() < deadline:
        cursors = _cursors(database_url)
        reached = [c >= position for c in cursors.values()]
        if (all(reached) and len(cursors) == len(PROJECTIONS)) if every else any(reached):
            return
        assert follower.poll() is None, follower.communicate()
        time.sleep(0.01)
    raise AssertionError(f"the follower did not reach position {position}: {cursors}")


def test_project_follow_folds_each_new_append_until_stopped(
    database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=database_url, LEDGER_SIGNING_KEY_FILE=str(SESSION_KEY))
    other = Election(database_url)  # another follower (a server's) folds this database
    assert other.holds()
    follower = subprocess.Popen(
        [sys.executable, "-m", "ledger", "project", "--follow", "--every", "0.05"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        standing_by = write_lines(tmp_path / "0.jsonl", json_line("ActorRegistered"))
        added = ledger_cli(
            "append", str(standing_by), "--allow-unresolved", database_url=database_url
        )
        assert added.returncode == 0, added.stderr
        time.sleep(3)  # it stands by: only one follower folds a database
        assert _cursors(database_url) == {}
        other.close()  # the other stops: this one takes over
        _wait_for(database_url, 1, follower)
        for n, claim in enumerate(("claim:x", "claim:y"), start=1):
            file = write_lines(
                tmp_path / f"{n}.jsonl",
                json_line("ClaimAsserted", claim_id=claim),
                json_line("DeploymentReported", claim_id=claim, report_id=f"dep:{n}"),
            )
            appended = ledger_cli(
                "append", str(file), "--allow-unresolved", database_url=database_url
            )
            assert appended.returncode == 0, appended.stderr
            # the first run is waited for; the second is stopped once it has begun (its
            # first fold is in), and must finish before the follower ends
            _wait_for(database_url, 1 + 2 * n, follower, every=n == 1)
    finally:
        other.close()
        follower.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = follower.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            follower.kill()
            raise
    assert follower.returncode == 0, stderr
    assert "another follower folds this database's projections: standing by" in stdout
    assert "the other follower stopped: folding from here on" in stdout
    assert "projections at 1 (+1 event)" in stdout, stdout
    assert "projections at 5 (+2 events)" in stdout, stdout
    assert stdout.rstrip().endswith("stopped"), stdout
    assert set(_cursors(database_url).values()) == {5}
    answer = ledger_cli("posture", "--no-refresh", "--format", "json", database_url=database_url)
    assert json.loads(answer.stdout)["position"] == 5 and answer.stderr == ""


def test_project_follow_refuses_rebuild_and_check(database_url: str) -> None:
    for other in ("--rebuild", "--check"):
        refused = ledger_cli("project", "--follow", other, database_url=database_url)
        assert refused.returncode == 1
        assert "--follow folds increments: give it without --rebuild or --check" in refused.stderr


@pytest.mark.parametrize("every", ["1e999", "-1", "0", "soon"])
def test_project_follow_refuses_an_interval_it_cannot_keep(database_url: str, every: str) -> None:
    refused = ledger_cli("project", "--follow", "--every", every, database_url=database_url)
    assert refused.returncode == 2 and "Invalid value for '--every'" in refused.stderr
    assert "Traceback" not in refused.stderr
