"""A whole verify split over worker processes reports what one pass reports, clean or
tampered at the junctions between its parts (where a part takes over from the one
before it)."""

import json
from collections.abc import Callable

import pytest

from ledger import split as work_split
from ledger.audit import range_scan
from ledger.audit import verify as verify_module
from ledger.audit.range_scan import RangeJob, split
from ledger.audit.report import Findings, VerifyReport
from ledger.audit.verify import verify
from ledger.demo import load_seed
from ledger.store.postgres import PostgresLedger
from tests.audit.tamper import delete_row, flip_payload_byte, superuser

PARTS = 3


def _junctions(ledger: PostgresLedger) -> list[int]:
    """The first position of every part but the first."""
    head = ledger.head().position
    job = RangeJob(first=1, start=1, last=head, nodes_until=head)
    return [part.start for part in split(ledger, job, PARTS)[1:]]


def _report(ledger: PostgresLedger, monkeypatch: pytest.MonkeyPatch, workers: int) -> VerifyReport:
    monkeypatch.setattr(verify_module, "PARALLEL_MIN_EVENTS", 1)
    monkeypatch.setattr(range_scan, "MIN_PART_EVENTS", 1)
    monkeypatch.setattr(work_split, "worker_count", lambda: workers)
    return verify(ledger, projections=False)


def _found(report: VerifyReport) -> list[tuple[str, int | None]]:
    return sorted(
        ((f.check, f.position) for f in report.findings.kept), key=lambda f: (f[1] or 0, f[0])
    )


def _node_over(database_url: str, junction: int) -> None:
    """Corrupt the lowest stored tree node whose leaves lie on both sides of the junction."""
    with superuser(database_url) as conn:
        row = conn.execute(
            "SELECT position, level FROM ledger.merkle_nodes"
            " WHERE position >= %(j)s AND position - (1::bigint << level) + 1 < %(j)s"
            " ORDER BY level LIMIT 1",
            {"j": junction},
        ).fetchone()
        assert row is not None, "no stored node spans the junction"
        conn.execute(
            "UPDATE ledger.merkle_nodes SET hash = %s WHERE position = %s AND level = %s",
            (bytes(32), row[0], row[1]),
        )


def _registry_entry(database_url: str, junction: int) -> None:
    """Alter the registry entry of a type written on both sides of the junction."""
    with superuser(database_url) as conn:
        row = conn.execute(
            "SELECT substring(payload FROM 3 FOR 8) FROM ledger.events WHERE position < %(j)s"
            " INTERSECT SELECT substring(payload FROM 3 FOR 8) FROM ledger.events"
            " WHERE position >= %(j)s LIMIT 1",
            {"j": junction},
        ).fetchone()
        assert row is not None, "no schema is used on both sides of the junction"
        entry = conn.execute(
            "SELECT schema_json FROM ledger.schemas WHERE fingerprint = %s", (row[0],)
        ).fetchone()
        assert entry is not None
        schema = json.loads(entry[0])
        schema["doc"] = "rewritten"  # still valid, but no longer its canonical form's
        schema["fields"] = schema["fields"][:-1]
        conn.execute(
            "UPDATE ledger.schemas SET schema_json = %s WHERE fingerprint = %s",
            (json.dumps(schema), row[0]),
        )


TAMPERINGS: dict[str, Callable[[str, int], None]] = {
    "nothing": lambda url, j: None,
    "the last event before a junction": lambda url, j: flip_payload_byte(url, j - 1),
    "the first event after a junction": lambda url, j: flip_payload_byte(url, j),
    "a tree node over a junction": _node_over,
    "an event removed at a junction": lambda url, j: delete_row(url, j),
    "a registry entry used on both sides": _registry_entry,
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_split_verify_finds_what_one_pass_finds(
    ledger: PostgresLedger, database_url: str, monkeypatch: pytest.MonkeyPatch, tampering: str
) -> None:
    load_seed(ledger)
    junctions = _junctions(ledger)
    assert len(junctions) == PARTS - 1
    TAMPERINGS[tampering](database_url, junctions[0])
    one_pass = _report(ledger, monkeypatch, workers=1)
    split_up = _report(ledger, monkeypatch, workers=PARTS)
    assert split_up.ok is one_pass.ok is (tampering == "nothing")
    assert _found(split_up) == _found(one_pass)
    assert split_up.findings.first_bad_position == one_pass.findings.first_bad_position
    assert (split_up.events, split_up.anchor) == (one_pass.events, one_pass.anchor)


def test_a_junction_whose_stored_edge_disagrees_with_the_part_before_is_a_finding(
    ledger: PostgresLedger,
) -> None:
    load_seed(ledger)
    head = ledger.head().position
    job = RangeJob(first=1, start=1, last=head, nodes_until=1 << 62)
    parts = [range_scan.scan_range(ledger, part) for part in split(ledger, job, PARTS)]
    parts[1].edge_before = {level: bytes(32) for level in parts[1].edge_before}
    found = Findings()
    range_scan.merge(parts, found)
    assert [(f.check, f.position) for f in found.kept] == [("merkle_tree", parts[1].job.start - 1)]


def test_parts_are_one_per_worker_but_never_shorter_than_the_minimum() -> None:
    def parts(events: int, workers: int) -> int:
        return range_scan.part_count(RangeJob(1, 1, events, events), workers)

    assert parts(1_000_000, 2) == 2
    assert parts(1_000_000, 64) == 1_000_000 // range_scan.MIN_PART_EVENTS
    assert parts(250_000, 64) == 2
