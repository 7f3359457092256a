"""What a first day at the command line meets, over the seed example: dates alone,
times PostgreSQL would refuse, names where ids were asked, suggestions for unknown ids,
symbols in any case, the source register's grades, a cut before the first event."""

import json
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ledger.cli.main import app


def ledger(url: str, *args: str) -> Result:
    """The command run in this process (CliRunner), as a user would type it."""
    return CliRunner().invoke(app, list(args), env={"LEDGER_DATABASE_URL": url, "COLUMNS": "200"})


def _rows(result: Result) -> list[Any]:
    assert result.exit_code == 0, result.output
    rows: list[Any] = json.loads(result.stdout)["rows"]
    return rows


def test_a_date_alone_is_the_start_of_that_day_in_utc(seeded_url: str) -> None:
    dated = _rows(ledger(seeded_url, "posture", "--valid-at", "2015-09-20", "--format", "json"))
    timed = ledger(seeded_url, "posture", "--valid-at", "2015-09-20T00:00:00Z", "--format", "json")
    assert dated == _rows(timed) and dated
    helped = ledger(seeded_url, "posture", "--help")
    assert "a date alone, which is the start of that day in UTC" in " ".join(helped.output.split())


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("2015-10-01T00:00:00-23:59", "has the UTC offset -23:59, which is out of range"),
        ("2015-10-01T00:00:00", "has no timezone"),
        ("2015-13-01", "is not a date: month must be in 1..12"),
    ],
)
def test_refused_times_name_the_option(seeded_url: str, given: str, said: str) -> None:
    result = ledger(seeded_url, "posture", "--valid-at", given)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"error: --valid-at {given!r} {said}" in result.output
    assert "displacement" not in result.output


def test_a_cut_before_the_first_event_says_so(seeded_url: str) -> None:
    result = ledger(seeded_url, "posture", "--as-of", "2000-01-01")
    assert result.exit_code == 0, result.output
    assert "Force posture as known at position 0" in result.output
    assert "note: nothing was recorded by 2000-01-01T00:00:00Z (--as-of): the ledger's first" in (
        " ".join(result.output.split())
    )
    later = ledger(seeded_url, "posture", "--as-of", "2999-01-01")
    assert "nothing was recorded" not in later.output


def test_trace_takes_names_and_aliases_as_the_filters_do(seeded_url: str) -> None:
    by_id = ledger(
        seeded_url, "audit", "trace", "--actor", "actor:hezbollah", "--place", "place:idlib"
    )
    by_name = ledger(seeded_url, "audit", "trace", "--actor", "Hizballah", "--place", "idlib")
    assert by_id.exit_code == 0 and by_name.exit_code == 0, by_name.output
    assert by_name.output == by_id.output
    assert "posture actor:hezbollah@place:idlib" in by_name.output
    unknown = ledger(seeded_url, "audit", "trace", "--actor", "Hezbolah", "--place", "Idlib")
    assert unknown.exit_code == 1
    assert "--actor 'Hezbolah': no registered actor has this id or name; did you mean" in (
        unknown.output
    )


@pytest.mark.parametrize(
    "command", [("history", "seed-20"), ("audit", "trace", "seed-20")], ids=["history", "trace"]
)
def test_an_unknown_claim_id_gets_suggestions(seeded_url: str, command: tuple[str, ...]) -> None:
    result = ledger(seeded_url, *command)
    assert result.exit_code == 1, result.output
    assert "no events name seed-20" in result.output
    assert "did you mean claim:seed-20?" in result.output


def test_event_types_in_any_case(seeded_url: str) -> None:
    exact = ledger(seeded_url, "events", "--type", "DeploymentReported", "--json", "--limit", "0")
    loose = ledger(seeded_url, "events", "--type", "deploymentreported", "--json", "--limit", "0")
    assert loose.exit_code == 0, loose.output
    assert loose.stdout == exact.stdout and loose.stdout
    typo = ledger(seeded_url, "events", "--type", "DeploymentReport")
    assert typo.exit_code == 1 and "did you mean DeploymentReported?" in typo.output


def test_the_source_register_shows_grades_and_only_what_sources_have(seeded_url: str) -> None:
    table = ledger(seeded_url, "sources")
    assert table.exit_code == 0, table.output
    assert "reliability" in table.output and "F since 2015-10-01" in table.output
    listed = ledger(seeded_url, "sources", "--format", "JSON")
    items = {i["id"]: i for i in json.loads(listed.stdout)["items"]}
    anonymous = items["source:anon-damascus-senior"]
    assert anonymous["reliability"] == "F" and anonymous["claims"] > 0
    assert not {"latitude", "longitude", "parent_id", "member_of"} & set(anonymous)
    csv = ledger(seeded_url, "sources", "--format", "csv").stdout.splitlines()[0]
    assert csv == (
        "id,name,kind,aliases,affiliated_id,reliability,reliability_since,claims,position"
    )
    places = json.loads(ledger(seeded_url, "places", "--format", "json").stdout)["items"]
    assert {"latitude", "longitude", "parent_id"} <= set(places[0])


def test_serve_help_says_it_follows_and_how_to_turn_it_off() -> None:
    said = " ".join(CliRunner().invoke(app, ["serve", "--help"]).output.split())
    assert "keeps the projections at the ledger head by itself" in said
    assert "--no-follow" in said and "at_least=POSITION" in said and "LEDGER_READ_WAIT" in said
    kafka = " ".join(CliRunner().invoke(app, ["kafka", "broker", "--help"]).output.split())
    assert "production uses a real Apache Kafka cluster (infra/compose.yaml)" in kafka
