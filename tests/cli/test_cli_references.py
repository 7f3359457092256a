"""Referential integrity through ``ledger append``: an event naming an actor, place,
source, document or claim that is neither in the ledger nor earlier in the file is
refused, with the closest registered names; ``--allow-unresolved`` appends it anyway."""

from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from ledger.demo import load_seed
from ledger.runtime import open_ledger
from tests.factories import json_line
from tests.helpers import ledger_cli, write_lines

SEED_EVENTS = 138


@pytest.fixture
def seeded(database_url: str) -> str:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        load_seed(ledger)
    return database_url


def _head(url: str) -> int:
    with open_ledger(Settings(database_url=url)) as ledger:
        return ledger.head().position


def _report(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "claim_id": "claim:seed-05",
        "actor_id": "actor:hezbollah",
        "place": {"name": "Idlib", "place_id": "place:idlib", "precision": "AREA"},
        **overrides,
    }
    return json_line("DeploymentReported", **fields)


def _attribution(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "claim_id": "claim:seed-05",
        "source_id": "source:anon-damascus-senior",
        "via_source_id": "source:elijah-magnier",
        "document_id": "doc:magnier-2015-russia-ops-rooms",
        **overrides,
    }
    return json_line("AttributionMade", **fields)


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (
            _report(actor_id="Hizballah"),
            "line 2, field actor_id: actor 'Hizballah' is not in the ledger nor registered "
            "(ActorRegistered) earlier in this input; did you mean actor:hezbollah ('Hizballah')",
        ),
        (
            _report(place={"name": "Idlib", "place_id": "place:idleb", "precision": "AREA"}),
            "line 2, field place.place_id: place 'place:idleb' is not in the ledger",
        ),
        (
            _attribution(source_id="source:elijah-magnir", via_source_id=None),
            "line 2, field source_id: source 'source:elijah-magnir' is not in the ledger",
        ),
        (
            _attribution(document_id="doc:magnier-2016"),
            "line 2, field document_id: document 'doc:magnier-2016' is not in the ledger",
        ),
        (
            _report(claim_id="claim:seed-5"),
            "line 2, field claim_id: claim 'claim:seed-5' is not in the ledger",
        ),
    ],
)
def test_each_kind_of_dangling_reference_is_refused(
    seeded: str, tmp_path: Path, event: dict[str, Any], says: str
) -> None:
    first = json_line("ActorRegistered", actor_id="actor:new-unit", member_of=[])
    file = write_lines(tmp_path / "in.jsonl", first, event)
    result = ledger_cli("append", str(file), database_url=seeded)
    assert result.returncode == 1, result.stdout
    assert says in result.stderr
    assert "did you mean" in result.stderr
    assert "pass --allow-unresolved" in result.stderr
    assert _head(seeded) == SEED_EVENTS


def test_names_registered_earlier_in_the_file_resolve(seeded: str, tmp_path: Path) -> None:
    file = write_lines(
        tmp_path / "in.jsonl",
        json_line("ActorRegistered", actor_id="actor:new-unit", member_of=["actor:hezbollah"]),
        json_line("PlaceRegistered", place_id="place:new-town", parent_place_id="place:syria"),
        _report(
            actor_id="actor:new-unit",
            place={"name": "New Town", "place_id": "place:new-town", "precision": "CITY"},
        ),
    )
    result = ledger_cli("append", str(file), database_url=seeded)
    assert result.returncode == 0, result.stderr
    assert _head(seeded) == SEED_EVENTS + 3


def test_a_name_used_before_its_registration_is_refused(seeded: str, tmp_path: Path) -> None:
    file = write_lines(
        tmp_path / "in.jsonl",
        _report(actor_id="actor:new-unit"),
        json_line("ActorRegistered", actor_id="actor:new-unit", member_of=[]),
    )
    result = ledger_cli("append", str(file), database_url=seeded)
    assert result.returncode == 1
    assert "line 1, field actor_id: actor 'actor:new-unit' is not in the ledger" in result.stderr


def test_allow_unresolved_appends_and_the_trace_shows_it_unresolved(
    seeded: str, tmp_path: Path
) -> None:
    file = write_lines(tmp_path / "in.jsonl", _report(claim_id="claim:never-asserted"))
    refused = ledger_cli("append", str(file), database_url=seeded)
    assert refused.returncode == 1
    result = ledger_cli("append", str(file), "--allow-unresolved", database_url=seeded)
    assert result.returncode == 0, result.stderr
    assert _head(seeded) == SEED_EVENTS + 1
    assert ledger_cli("project", database_url=seeded).returncode == 0
    trace = ledger_cli("audit", "trace", "claim:never-asserted", database_url=seeded)
    assert "never asserted (unresolved)" in trace.stdout, trace.stdout + trace.stderr
