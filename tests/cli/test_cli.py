"""End to end: the ``ledger`` command as a user runs it, against real PostgreSQL."""

import json
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from tests.factories import json_line
from tests.helpers import database_url_for, drop_database, ledger_cli, positions, write_lines


def test_help_explains_every_command() -> None:
    result = ledger_cli("--help")
    assert result.returncode == 0
    for command in ("init", "append", "events", "schemas", "demo", "serve", "keys"):
        assert command in result.stdout
    for words in (
        ["init"],
        ["append"],
        ["events"],
        ["schemas", "check"],
        ["demo"],
        ["serve"],
        ["keys", "create"],
        ["keys", "list"],
        ["keys", "revoke"],
    ):
        assert ledger_cli(*words, "--help").returncode == 0


def test_init_is_idempotent(empty_database_url: str) -> None:
    first = ledger_cli("init", database_url=empty_database_url)
    assert first.returncode == 0, first.stderr
    assert "applied migrations: 0001_ledger, 0002_roles" in first.stdout
    second = ledger_cli("init", database_url=empty_database_url)
    assert second.returncode == 0
    assert "already up to date" in second.stdout


def test_uninitialised_server_says_run_init(empty_database_url: str, tmp_path: Path) -> None:
    file = write_lines(tmp_path / "e.jsonl", json_line("ClaimAsserted"))
    result = ledger_cli("append", str(file), database_url=empty_database_url)
    assert result.returncode == 1
    assert "run `ledger init`" in result.stderr


def test_append_then_read_back(database_url: str, tmp_path: Path) -> None:
    records = [
        json_line("SourceRegistered"),
        json_line("ClaimAsserted"),
        json_line("DeploymentReported"),
    ]
    file = write_lines(tmp_path / "events.jsonl", *records)
    # the factory's events name a document, claim, actor and place never registered
    result = ledger_cli("append", str(file), "--allow-unresolved", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "appended 3 events at positions 1-3" in result.stdout
    assert "direct append" in result.stdout

    again = ledger_cli(
        "append", str(file), "--json", "--allow-unresolved", database_url=database_url
    )
    assert again.returncode == 0
    assert [json.loads(x) for x in again.stdout.splitlines()] == [
        {
            "line": i + 1,
            "event_id": r["envelope"]["event_id"],
            "position": i + 1,
            "appended": False,
        }
        for i, r in enumerate(records)
    ]

    read = ledger_cli("events", "--json", database_url=database_url)
    rows = [json.loads(line) for line in read.stdout.splitlines()]
    assert [r["type"] for r in rows] == ["SourceRegistered", "ClaimAsserted", "DeploymentReported"]
    assert rows[2]["event"]["strength"]["text"] == "over 4000"
    assert rows[1]["stream_id"] == "claim:test-1"

    table = ledger_cli("events", "--type", "DeploymentReported", database_url=database_url)
    assert "over 4000 (>= 4000 fighters)" in table.stdout
    assert "ClaimAsserted" not in table.stdout

    ranged = ledger_cli("events", "--json", "--from", "2", "--to", "2", database_url=database_url)
    assert [json.loads(x)["position"] for x in ranged.stdout.splitlines()] == [2]


def test_append_from_stdin(database_url: str) -> None:
    result = ledger_cli(
        "append",
        "-",
        stdin=json.dumps(json_line("ActorRegistered", member_of=[])) + "\n",
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    assert positions(database_url) == [1]


def _broken(kind: str) -> str:
    record = json_line("ClaimAsserted")
    if kind == "unknown type":
        record["type"] = "ClaimMade"
    elif kind == "missing field":
        del record["statement"]
    elif kind == "wrong enum":
        record["kind"] = "RUMOUR"
    elif kind == "naive datetime":
        record["valid_time"] = {"start": "2015-10-01T12:00:00", "precision": "DAY"}
    elif kind == "malformed json":
        return json.dumps(record)[:-3]
    return json.dumps(record)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("unknown type", "line 2: unknown event type 'ClaimMade'"),
        ("missing field", "line 2, field statement: is required but missing"),
        ("wrong enum", "line 2, field kind: 'RUMOUR' is not allowed"),
        ("naive datetime", "line 2, field valid_time.start: '2015-10-01T12:00:00' has no timezone"),
        ("malformed json", "line 2: not valid JSON"),
    ],
)
def test_bad_input_appends_nothing(
    database_url: str, tmp_path: Path, kind: str, message: str
) -> None:
    file = write_lines(
        tmp_path / "bad.jsonl",
        json_line("ActorRegistered"),
        _broken(kind),
        json_line("PlaceRegistered"),
    )
    result = ledger_cli("append", str(file), database_url=database_url)
    assert result.returncode == 1
    assert message in result.stderr
    assert "nothing appended" in result.stderr
    assert positions(database_url) == []


def test_reused_id_with_different_content_names_the_line(database_url: str, tmp_path: Path) -> None:
    original = json_line("ClaimAsserted")
    assert (
        ledger_cli(
            "append",
            str(write_lines(tmp_path / "a.jsonl", original)),
            "--allow-unresolved",
            database_url=database_url,
        ).returncode
        == 0
    )
    changed = json.loads(json.dumps(original))
    changed["statement"] = "a different statement under the same id"
    file = write_lines(tmp_path / "b.jsonl", json_line("ActorRegistered"), changed)
    result = ledger_cli("append", str(file), "--allow-unresolved", database_url=database_url)
    assert result.returncode == 1
    assert "b.jsonl line 2: event" in result.stderr
    assert "appended before at position 1 with different content" in result.stderr
    assert positions(database_url) == [1]


def test_missing_file_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    result = ledger_cli("append", str(tmp_path / "nope.jsonl"), database_url=database_url)
    assert result.returncode == 1
    assert "nope.jsonl: cannot read" in result.stderr


def test_unreachable_database_exits_2() -> None:
    result = ledger_cli(
        "events",
        database_url="postgresql://postgres@127.0.0.1:1/none",
        env_extra={"LEDGER_POOL_TIMEOUT": "1"},  # it would try for 10 s
    )
    assert result.returncode == 2
    assert "cannot connect to PostgreSQL at 127.0.0.1:1/none" in result.stderr


def test_a_missing_signing_key_means_the_command_could_not_run(
    database_url: str, tmp_path: Path
) -> None:
    result = ledger_cli("checkpoint", database_url=database_url, home=tmp_path / "keyless")
    assert result.returncode == 2, result.stderr
    assert f"no signing key at {tmp_path / 'keyless' / 'signing.key'}: run `ledger init`" in (
        result.stderr
    )


def test_a_missing_database_is_said_at_once_and_init_creates_it(server_url: str) -> None:
    name = f"ledger_newcomer_{uuid.uuid4().hex[:8]}"
    url = database_url_for(server_url, name)
    started = time.monotonic()
    asked = ledger_cli("posture", database_url=url)
    assert asked.returncode == 2 and time.monotonic() - started < 8
    assert asked.stderr.count("\n") == 1, asked.stderr  # one line, said once
    assert f"the database {name!r} does not exist on PostgreSQL at" in asked.stderr
    assert f"`ledger init` creates it, or create it with `createdb {name}`" in asked.stderr
    try:
        made = ledger_cli("init", database_url=url)
        assert made.returncode == 0, made.stderr
        assert "created the database: PostgreSQL at" in made.stdout
        assert "applied migrations: 0001_ledger" in made.stdout
        assert ledger_cli("posture", database_url=url).returncode == 0
    finally:
        drop_database(server_url, name)


def test_a_role_that_may_not_create_databases_is_told_how(server_url: str) -> None:
    role = f"ledger_newcomer_{uuid.uuid4().hex[:8]}"
    name = f"{role}_db"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN NOCREATEDB")
    try:
        url = make_conninfo(database_url_for(server_url, name), user=role)
        refused = ledger_cli("init", database_url=url)
        assert refused.returncode == 2, refused.stderr
        assert f"the database {name!r} does not exist and this role may not create it: ask" in (
            refused.stderr
        )
        assert f"`createdb {name}`" in refused.stderr
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_schemas_list_and_check() -> None:
    listed = ledger_cli("schemas", "list")
    assert listed.returncode == 0
    assert "DocumentIngested" in listed.stdout and "newest" in listed.stdout
    checked = ledger_cli("schemas", "check")
    assert checked.returncode == 0
    assert "BACKWARD_TRANSITIVE" in checked.stdout


@pytest.mark.slow
def test_demo_on_a_fresh_embedded_home(tmp_path: Path) -> None:
    home = tmp_path / "ledger-home"
    first = ledger_cli("demo", home=home)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "138 newly appended" in out
    for expected in (
        "actor:hezbollah",
        "around Sahel al-Ghab",
        "over 4000 (>= 4000)",
        "around Idlib",
        "around Aleppo",
        "thousands (>= 2000)",
        "a high ranking source in Damascus",
        "claim:seed-05: ASSERTED",
        "said by: source:anon-damascus-senior [F] (direct_quote) <- source:elijah-magnier [B]",
    ):
        assert expected in out, expected
    assert f"signing key created: {home / 'signing.key'}" in out
    # the demo leaves a working ledger, as `ledger init` does: a checkpoint can be signed
    signed = ledger_cli("checkpoint", home=home)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith("ledger.local/log\n138\n")
    second = ledger_cli("demo", home=home)
    assert second.returncode == 0, second.stderr
    assert "0 newly appended, 138 already present" in second.stdout
    assert "signing key created" not in second.stdout
    stream = ledger_cli("events", "--stream", "claim:seed-05", "--json", home=home)
    assert stream.returncode == 0, stream.stderr
    types = [json.loads(x)["type"] for x in stream.stdout.splitlines()]
    assert types[0] == "ClaimAsserted" and "AttributionMade" in types
