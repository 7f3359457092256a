"""Verify against real PostgreSQL: a clean ledger passes; each kind of tampering, done as a
superuser bypassing the triggers, is found at the right position."""

import json
import uuid

import pytest

from ledger.audit.report import VerifyReport
from ledger.audit.verify import Anchor, verify
from ledger.config import KafkaSettings
from ledger.demo import load_seed
from ledger.errors import LedgerError
from ledger.kafka.producer import KafkaEventProducer
from ledger.log.note import Signer
from ledger.projection import fold
from ledger.projection.catalog import PROJECTIONS
from ledger.records import KafkaOrigin
from ledger.store.checkpoints import Checkpoints
from ledger.store.postgres import PostgresLedger
from tests.audit.tamper import (
    delete_row,
    flip_payload_byte,
    insert_forged,
    superuser,
    swap_rows,
)
from tests.factories import make
from tests.kafka.helpers import archive_all, numbered_events, send_raw


def failed_checks(report: VerifyReport) -> set[str]:
    return {c.name for c in report.checks if c.status == "failed"}


@pytest.fixture
def seeded(ledger: PostgresLedger) -> PostgresLedger:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)
    return ledger


def test_a_clean_ledger_passes_every_check(seeded: PostgresLedger) -> None:
    report = verify(seeded)
    assert report.ok, report.findings.kept
    assert report.events == 138 and (report.first, report.last) == (1, 138)
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["hash_chain"] == statuses["decoding"] == statuses["projections"] == "passed"
    assert statuses["kafka_offsets"] == "skipped"
    assert report.anchor == f"138:{seeded.head().hash.hex()}"
    json.dumps(report.as_json())


def test_an_empty_ledger_is_clean(ledger: PostgresLedger) -> None:
    report = verify(ledger)
    assert report.ok and report.events == 0 and report.anchor is None


def test_a_changed_payload_byte_is_found_at_its_position(
    seeded: PostgresLedger, database_url: str
) -> None:
    flip_payload_byte(database_url, 57)
    report = verify(seeded, projections=False)
    assert not report.ok and report.first_bad_position == 57
    first = report.first_finding()
    assert first is not None and first.check == "hash_chain" and first.position == 57
    assert "hash does not match" in first.problem
    assert failed_checks(report) == {"hash_chain", "merkle_tree"}


def test_a_changed_byte_that_breaks_decoding_is_found_twice(
    seeded: PostgresLedger, database_url: str
) -> None:
    flip_payload_byte(database_url, 20, index=10)  # the first byte of the body
    report = verify(seeded, projections=False)
    assert report.first_bad_position == 20
    assert {f.check for f in report.findings.kept} >= {"hash_chain"}
    assert all(f.position == 20 for f in report.findings.kept)


def test_a_deleted_row_is_found_at_its_position(seeded: PostgresLedger, database_url: str) -> None:
    delete_row(database_url, 40)
    report = verify(seeded, projections=False)
    assert report.first_bad_position == 40
    assert failed_checks(report) == {"contiguity", "hash_chain", "merkle_tree"}
    first = report.first_finding()
    assert first is not None and "position 40 is missing" in first.problem


def test_a_deleted_last_row_is_found_by_an_anchor(
    seeded: PostgresLedger, database_url: str
) -> None:
    anchor = Anchor.parse(str(verify(seeded, projections=False).anchor))
    delete_row(database_url, 138)
    assert verify(seeded, projections=False).ok  # a shorter chain is still a chain
    report = verify(seeded, projections=False, anchors=[anchor])
    assert report.first_bad_position == 138 and failed_checks(report) == {"anchor"}


def test_two_swapped_rows_are_found_at_the_first(seeded: PostgresLedger, database_url: str) -> None:
    swap_rows(database_url, 70, 71)
    report = verify(seeded, projections=False)
    assert report.first_bad_position == 70
    assert "hash_chain" in failed_checks(report)


def test_a_forged_row_with_a_recomputed_chain_is_found_by_the_anchor(
    seeded: PostgresLedger, database_url: str
) -> None:
    before = verify(seeded, projections=False)
    with seeded.connection() as conn:
        row = conn.execute("SELECT hash FROM ledger.events WHERE position = 2").fetchone()
    assert row is not None
    early = Anchor(2, bytes(row[0]))
    head = Anchor.parse(str(before.anchor))
    forged = make("ClaimAsserted", claim_id="claim:forged")
    insert_forged(
        database_url,
        3,
        seeded.codec.encode(forged),
        str(forged.envelope.event_id),
        forged.envelope.stream_id,
    )
    rewritten = verify(seeded, projections=False)
    assert rewritten.last == 139 and failed_checks(rewritten) == {"merkle_tree"}  # not the chain
    assert rewritten.first_bad_position == 4  # the first stored subtree over position 3
    report = verify(seeded, projections=False, anchors=[early, head])
    assert failed_checks(report) == {"anchor", "merkle_tree"}
    anchored = [f for f in report.findings.kept if f.check == "anchor"]
    assert [f.position for f in anchored] == [head.position]
    assert "history up to this position was rewritten" in anchored[0].problem


def test_an_altered_schema_registry_entry_is_found_at_its_first_use(
    ledger: PostgresLedger, database_url: str
) -> None:
    ledger.append([make("SourceRegistered"), make("ActorRegistered")])
    ledger.append([make("ClaimAsserted"), make("ClaimAsserted", claim_id="claim:2")])
    version = ledger.codec.registry.latest("ClaimAsserted")
    schema = dict(version.schema)
    schema["fields"] = [
        {**f, "type": "bytes"} if f["name"] == "statement" else f for f in schema["fields"]
    ]
    with superuser(database_url) as conn:
        conn.execute(
            "UPDATE ledger.schemas SET schema_json = %s WHERE fingerprint = %s",
            (json.dumps(schema), version.fingerprint),
        )
    report = verify(ledger, projections=False)
    assert report.first_bad_position == 3
    assert failed_checks(report) == {"schema_registry"}
    first = report.first_finding()
    assert first is not None and "ClaimAsserted v" in first.problem and "altered" in first.problem


def test_a_consistently_rewritten_registry_entry_is_still_found(
    ledger: PostgresLedger, database_url: str
) -> None:
    from ledger.codec.schema_registry import crc64_fingerprint

    ledger.append([make("ClaimAsserted")])
    version = ledger.codec.registry.latest("ClaimAsserted")
    schema = dict(version.schema)
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "statement"]
    canonical, _ = crc64_fingerprint(schema)
    with superuser(database_url) as conn:
        conn.execute(
            "UPDATE ledger.schemas SET schema_json = %s, canonical_form = %s"
            " WHERE fingerprint = %s",
            (json.dumps(schema), canonical, version.fingerprint),
        )
    report = verify(ledger, projections=False)
    assert report.first_bad_position == 1 and failed_checks(report) == {"schema_registry"}


def test_columns_outside_the_hash_are_checked_against_the_payload(
    seeded: PostgresLedger, database_url: str
) -> None:
    with superuser(database_url) as conn:
        conn.execute("UPDATE ledger.events SET stream_id = 'claim:other' WHERE position = 50")
        conn.execute(
            "UPDATE ledger.events SET event_id = %s WHERE position = 60", (str(uuid.uuid4()),)
        )
    report = verify(seeded, projections=False)
    assert report.first_bad_position == 50
    assert failed_checks(report) == {"columns"}
    assert [f.position for f in report.findings.kept] == [50, 60]


def test_a_range_is_verified_from_the_event_before_it(
    seeded: PostgresLedger, database_url: str
) -> None:
    flip_payload_byte(database_url, 100)
    assert verify(seeded, start=10, end=99).ok
    report = verify(seeded, start=90, end=110)
    assert report.first_bad_position == 100 and report.events == 21
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["projections"] == statuses["kafka_offsets"] == "skipped"
    with pytest.raises(LedgerError, match="before --from"):
        verify(seeded, start=20, end=10)


def test_a_tampered_projection_is_found_with_the_position_of_its_row(
    seeded: PostgresLedger,
) -> None:
    with seeded.connection() as conn:
        conn.execute("UPDATE projection.reports SET low = 1 WHERE position = 108")
    report = verify(seeded)
    assert failed_checks(report) == {"projections"}
    assert report.first_bad_position == 108
    assert "force_posture" in report.findings.kept[0].problem


def test_anchors_are_parsed_strictly() -> None:
    good = Anchor.parse("5:" + "ab" * 32)
    assert good.position == 5 and str(good) == "5:" + "ab" * 32
    for bad in ("5", "x:" + "ab" * 32, "5:abcd", "0:" + "ab" * 32):
        with pytest.raises(LedgerError, match="POSITION:HASH"):
            Anchor.parse(bad)


def test_kafka_offsets_are_each_accounted_for_exactly_once(
    ledger: PostgresLedger, database_url: str, kafka_settings: KafkaSettings
) -> None:
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send(numbered_events(30, "audit"))
        producer.send(numbered_events(5, "audit"))  # re-sent: archived as duplicates
    send_raw(kafka_settings, [b"not avro", b"\xc3\x01garbage"], partition=1)
    archive_all(ledger, kafka_settings)
    report = verify(ledger, kafka=kafka_settings, projections=False)
    assert report.ok, report.findings.kept
    outcome = next(c for c in report.checks if c.name == "kafka_offsets")
    assert outcome.status == "passed" and "read from Kafka" in outcome.detail
    assert verify(ledger, kafka=None, projections=False).ok  # database side alone

    with superuser(database_url) as conn:
        row = conn.execute(
            'SELECT "partition", "offset" FROM ledger.kafka_duplicates ORDER BY 1, 2 LIMIT 1'
        ).fetchone()
        assert row is not None
        conn.execute(
            'DELETE FROM ledger.kafka_duplicates WHERE "partition" = %s AND "offset" = %s', row
        )
    report = verify(ledger, kafka=kafka_settings, projections=False)
    assert failed_checks(report) == {"kafka_offsets"}
    assert f"[{row[0]}]@{row[1]} was never archived nor rejected" in str(report.findings.kept)
    assert verify(ledger, kafka=None, projections=False).ok  # only the topic shows it


def test_an_offset_accounted_twice_is_found(
    ledger: PostgresLedger, database_url: str, kafka_settings: KafkaSettings
) -> None:
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send(numbered_events(10, "twice"))
    archive_all(ledger, kafka_settings)
    with ledger.connection() as conn:
        row = conn.execute(
            "SELECT position, kafka_partition, kafka_offset FROM ledger.events"
            " ORDER BY position LIMIT 1"
        ).fetchone()
    assert row is not None
    ledger.reject(
        origin="kafka",
        reason="forged",
        payload=b"x",
        kafka=KafkaOrigin(kafka_settings.topic, row[1], row[2]),
    )
    report = verify(ledger, kafka=None, projections=False)
    assert failed_checks(report) == {"kafka_offsets"}
    assert report.first_bad_position == row[0]
    assert "accounted for twice" in report.findings.kept[0].problem


def test_the_projection_check_skips_positions_found_broken(
    seeded: PostgresLedger, database_url: str
) -> None:
    with seeded.connection() as conn:
        row = conn.execute(
            "SELECT position, payload FROM ledger.events"
            " WHERE event_type = 'SourceReliabilityAssessed' ORDER BY position LIMIT 1"
        ).fetchone()
    assert row is not None
    position, payload = row[0], bytes(row[1])
    # inside the envelope's event id (a uuid written as a string): decodes only as text
    flip_payload_byte(database_url, position, index=payload.index(b"-") + 1)
    report = verify(seeded)
    assert report.first_bad_position == position
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["projections"] in ("passed", "failed")  # it ran, it did not stop
    assert all(f.position == position for f in report.findings.kept)


def test_a_signed_checkpoint_shows_a_removed_last_event_and_a_forged_signature(
    seeded: PostgresLedger, database_url: str
) -> None:
    key = Signer.generate("test.example/log")
    Checkpoints(seeded).issue(key)
    assert verify(seeded, projections=False, log_key=key.verifier).ok
    other = Signer.generate("test.example/log")
    report = verify(seeded, projections=False, log_key=other.verifier)
    assert failed_checks(report) == {"checkpoint"} and report.first_bad_position == 138
    delete_row(database_url, 138)
    report = verify(seeded, projections=False, log_key=key.verifier)
    assert failed_checks(report) == {"checkpoint"} and report.first_bad_position == 138
    assert "events were removed" in report.findings.kept[0].problem


def test_a_lowered_or_missing_marking_is_a_finding_at_its_position(
    seeded: PostgresLedger, database_url: str
) -> None:
    from ledger.domain.enums import Classification
    from tests.audit.tamper import superuser
    from tests.scenarios import marked

    secret = marked(make("ClaimAsserted", claim_id="claim:s"), Classification.SECRET, ["ALPHA"])
    (appended,) = seeded.append([secret])
    assert verify(seeded, projections=False).ok
    with superuser(database_url) as conn:  # to show it to every reader
        conn.execute(
            "UPDATE ledger.markings SET rank = 0, compartments = '{}' WHERE position = %s",
            (appended.position,),
        )
        conn.execute("DELETE FROM ledger.markings WHERE position = 5")
    report = verify(seeded, projections=False)
    assert failed_checks(report) == {"markings"}
    found = {f.position: f.problem for f in report.findings.kept if f.check == "markings"}
    assert "differs from the payload's 3:ALPHA" in found[appended.position]
    assert "no marking is kept" in found[5]
