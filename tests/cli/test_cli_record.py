"""``ledger record`` and ``ledger template`` as a user runs them: the seed article as a
report gives the same posture as its JSON Lines; recording twice appends nothing new;
--dry-run appends nothing; unknown names are refused with suggestions."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.config import Settings
from ledger.demo import load_seed
from ledger.domain.events import EVENT_TYPES
from ledger.intake.lines import validate_event
from ledger.runtime import open_ledger
from tests.helpers import create_database, database_url_for, drop_database, ledger_cli

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "examples" / "seed-article.report.yaml"


def _head(url: str) -> int:
    with open_ledger(Settings(database_url=url)) as ledger:
        return ledger.head().position


def _posture(url: str) -> list[tuple[Any, ...]]:
    """The posture rows as a reader sees them, without the positions they rest on."""
    assert ledger_cli("project", database_url=url).returncode == 0
    result = ledger_cli("posture", "--format", "json", "--include-retracted", database_url=url)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    keep = ("actor_id", "place_key", "place", "status", "activity", "strength", "low", "best")
    return sorted(
        (
            *(r[k] for k in keep),
            r["high"],
            r["valid_from"],
            r["valid_to"],
            r["grade"],
            len(r["supporting"]),
            len(r["contradicting"]),
        )
        for r in rows
    )


@pytest.mark.slow
def test_the_seed_report_gives_the_posture_of_the_seed_events(
    database_url: str, server_url: str, template_db: str
) -> None:
    name = create_database(server_url, template_db)
    try:
        _compare_with_seed(database_url, database_url_for(server_url, name))
    finally:
        drop_database(server_url, name)


def _compare_with_seed(database_url: str, seed_url: str) -> None:
    with open_ledger(Settings(database_url=seed_url)) as ledger:
        load_seed(ledger)
    recorded = ledger_cli("record", str(REPORT), database_url=database_url)
    assert recorded.returncode == 0, recorded.stderr
    assert "138 events, 138 new" in recorded.stdout
    assert _posture(database_url) == _posture(seed_url)
    assert len(_posture(database_url)) == 18
    again = ledger_cli("record", str(REPORT), database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stdout
    assert _head(database_url) == 138


def test_dry_run_prints_the_events_and_appends_nothing(database_url: str) -> None:
    """The report is read from stdin here, as `ledger record -` does."""
    result = CliRunner().invoke(
        app,
        ["record", "-", "--dry-run"],
        input=REPORT.read_bytes(),
        env={"LEDGER_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 138
    for number, line in enumerate(lines, start=1):
        event, problems = validate_event(json.loads(line), f"line {number}")
        assert problems == [] and event is not None
    assert _head(database_url) == 0


def test_unknown_names_are_refused_with_suggestions(database_url: str, tmp_path: Path) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        load_seed(ledger)
    report = tmp_path / "r.yaml"
    report.write_text(
        "recorded_by: analyst:t\n"
        "document: {id: doc:t, title: T, outlet: Elijah Magnier}\n"
        "claims:\n"
        "  - kind: DEPLOYMENT\n"
        "    statement: More fighters came.\n"
        "    valid: {start: 2015-10-02T00:00:00Z}\n"
        "    credibility: POSSIBLY_TRUE\n"
        "    chain: [{said_by: elijah magnier}]\n"
        "    deployments:\n"
        "      - {actor: Hizbolah, place: Idlibb, strength: over 300}\n"
    )
    result = ledger_cli("record", str(report), database_url=database_url)
    assert result.returncode == 1
    assert "r.yaml, claims[0].deployments[0].actor: no actor is called 'Hizbolah'" in (
        result.stderr
    )
    assert "did you mean actor:hezbollah ('Hizbollah')" in result.stderr
    assert "claims[0].deployments[0].place: no place is called 'Idlibb'" in result.stderr
    assert "did you mean place:idlib" in result.stderr
    assert _head(database_url) == 138


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("document: [", "r.yaml: not valid YAML at line 1 column 12"),
        ("- a list", "r.yaml: expected a report"),
        ("recorded_by: x\ndocument: {id: d, title: t, outlet: o}\nclaims: 3\n", "field claims"),
        ("recorded_by: x\ndocument: {id: d, title: t, outlet: o, colour: red}\n", "colour"),
        ("a: &x [1, 2]\nb: [*x, *x]\n", "YAML aliases (*name) are not accepted"),
        (
            "recorded_by: x\ndocument: {id: d, title: t, outlet: o}\n"
            "claims: [{deployments: [{actor: A, strength: about 2,000}]}]\n",
            "field claims.0.deployments.0: the key 0 is not text; inside {...} a comma",
        ),
        (
            "recorded_by: x\ndocument: {id: doc:d, title: " + "t" * 70_000 + ", outlet: O}\n"
            "sources: [{id: source:o, kind: OUTLET, name: O}]\n",
            "field title: text of 70,000 bytes is longer than the 65,536 allowed",
        ),
    ],
)
def test_unreadable_reports_are_one_sentence(
    database_url: str, tmp_path: Path, text: str, says: str
) -> None:
    report = tmp_path / "r.yaml"
    report.write_text(text)
    result = CliRunner().invoke(
        app, ["record", str(report)], env={"LEDGER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1
    assert says in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_template_prints_a_valid_event_and_the_enum_values(event_type: str) -> None:
    result = CliRunner().invoke(app, ["template", event_type])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("{")]
    _, problems = validate_event(json.loads(line), event_type)
    assert problems == []
    assert "# envelope.classification: UNKNOWN | UNCLASSIFIED" in result.output


def test_template_of_an_unknown_type() -> None:
    result = CliRunner().invoke(app, ["template", "Claim"])
    assert result.exit_code == 1
    assert "unknown event type 'Claim'" in result.output


def _report(tmp_path: Path, published: str, start: str, credibility: str = "POSSIBLY_TRUE") -> Path:
    report = tmp_path / "r.yaml"
    report.write_text(
        "recorded_by: analyst:t\n"
        f"document: {{id: doc:t, title: T, outlet: Elijah Magnier, published: {published}}}\n"
        "claims:\n"
        "  - kind: deployment\n"
        "    statement: More fighters came.\n"
        f"    valid: {{start: {start}, precision: week}}\n"
        f"    credibility: {credibility}\n"
        "    chain: [{said_by: elijah magnier, mode: direct quote}]\n"
        "    deployments:\n"
        "      - {actor: Hezbollah, place: Idlib, strength: over 300, activity: present}\n"
    )
    return report


def test_report_times_are_read_by_the_moment_rule_naming_the_reports_own_fields(
    database_url: str, tmp_path: Path
) -> None:
    """Unquoted, as every example writes them: a typo in a date is no traceback, and a
    time without a timezone is blamed on the report's field, not on an event's."""
    report = _report(tmp_path, "2015-13-02T00:00:00Z", "2015-10-01T00:00:00")
    result = CliRunner().invoke(
        app, ["record", str(report)], env={"LEDGER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no ValueError
    said = result.output
    assert "r.yaml, field document.published: '2015-13-02T00:00:00Z' is not a time: month" in said
    assert "r.yaml, field claims.0.valid.start: '2015-10-01T00:00:00' has no timezone" in said
    assert "DocumentIngested" not in said and "event 1" not in said
    # the headline once, then each finding once on its own line
    assert said.count("2 invalid input(s), nothing appended") == 1
    assert said.count("month must be in 1..12") == 1 and said.count("has no timezone") == 1
    assert f"\n  - {report}, field claims.0.valid.start" in said


def test_report_takes_dates_alone_and_symbols_in_any_case(
    database_url: str, tmp_path: Path
) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        load_seed(ledger)
    report = _report(tmp_path, "2015-10-01", "2015-10-02", credibility="possibly true")
    result = CliRunner().invoke(
        app, ["record", str(report), "--dry-run"], env={"LEDGER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    by_type = {e["type"]: e for e in events}
    assert by_type["DocumentIngested"]["published_at"] == "2015-10-01T00:00:00Z"
    claim = by_type["ClaimAsserted"]
    assert claim["kind"] == "DEPLOYMENT" and claim["credibility"] == "POSSIBLY_TRUE"
    assert claim["valid_time"] == {"start": "2015-10-02T00:00:00Z", "precision": "WEEK"}
    assert by_type["DeploymentReported"]["activity"] == "PRESENT"
    assert by_type["AttributionMade"]["mode"] == "DIRECT_QUOTE"
