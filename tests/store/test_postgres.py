"""The PostgreSQL ledger against a real server: appends, reads, guarantees."""

import io
import itertools
from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import psycopg
import pytest
from fastavro import schemaless_writer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.codec.single_object import MAGIC
from ledger.domain.enums import Classification
from ledger.domain.events import DocumentIngested, Event
from ledger.domain.marking import Clearance
from ledger.errors import ConflictError, SchemaError
from ledger.records import EncodedEvent, KafkaOrigin
from ledger.store.postgres import PIPELINE_CHUNK, PostgresLedger
from tests.factories import ALL_TYPES, make
from tests.helpers import assert_chain_valid
from tests.scenarios import marked
from tests.strategies import any_event


def test_every_type_round_trips_through_the_ledger(ledger: PostgresLedger) -> None:
    events = [make(t) for t in ALL_TYPES]
    results = ledger.append(events)
    assert [r.position for r in results] == list(range(1, len(events) + 1))
    assert all(r.appended for r in results)
    recorded = list(ledger.read())
    assert [r.event for r in recorded] == events
    assert [r.event_type for r in recorded] == ALL_TYPES
    assert [r.stream_id for r in recorded] == [e.envelope.stream_id for e in events]
    assert [r.payload for r in recorded] == [ledger.codec.encode(e) for e in events]
    assert assert_chain_valid(ledger) == len(events)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(any_event, min_size=1, max_size=12, unique_by=lambda e: e.envelope.event_id))
def test_generated_events_round_trip_through_the_ledger(
    ledger: PostgresLedger, events: list[Event]
) -> None:
    # the ledger outlives the examples, so each example's ids must be new to it
    events = [
        e.model_copy(update={"envelope": e.envelope.model_copy(update={"event_id": uuid4()})})
        for e in events
    ]
    head = ledger.head().position
    results = ledger.append(events)
    assert [r.position for r in results] == list(range(head + 1, head + len(events) + 1))
    assert [r.event for r in ledger.read(after=head)] == events


def test_record_time_and_valid_time_columns(ledger: PostgresLedger) -> None:
    event = make("DeploymentReported")
    (result,) = ledger.append([event])
    (recorded,) = ledger.read()
    assert recorded.recorded_at == result.recorded_at
    assert recorded.valid_from == event.valid_span()[0]
    assert recorded.valid_to is None


def test_every_event_has_a_record_time_of_its_own_rising_along_the_chain(
    ledger: PostgresLedger,
) -> None:
    """A microsecond at least between two events, in a batch too: an event's record time
    names it alone (TAXII's date_added is it)."""
    first = ledger.append([make("ClaimAsserted"), make("ClaimAsserted"), make("ClaimAsserted")])
    second = ledger.append([make("ClaimAsserted")])
    times = [r.recorded_at for r in (*first, *second)]
    assert all(b - a >= timedelta(microseconds=1) for a, b in itertools.pairwise(times))
    assert first[1].recorded_at - first[0].recorded_at == timedelta(microseconds=1)
    stored = [e.recorded_at for e in ledger.read()]
    assert stored == times


def test_reappending_identical_events_is_a_no_op(ledger: PostgresLedger) -> None:
    events = [make("ClaimAsserted"), make("AttributionMade")]
    first = ledger.append(events)
    again = ledger.append(events)
    assert [r.position for r in again] == [r.position for r in first]
    assert [r.recorded_at for r in again] == [r.recorded_at for r in first]
    assert not any(r.appended for r in again)
    assert ledger.head().position == 2


def test_repeat_within_a_batch_is_stored_once(ledger: PostgresLedger) -> None:
    event = make("ClaimAsserted")
    other = make("ClaimAsserted")
    results = ledger.append([event, other, event])
    assert [(r.position, r.appended) for r in results] == [(1, True), (2, True), (1, False)]
    assert ledger.head().position == 2


def test_mixed_batch_appends_only_the_new_events(ledger: PostgresLedger) -> None:
    old = make("ClaimAsserted")
    ledger.append([old])
    new = make("ClaimAsserted")
    results = ledger.append([new, old])
    assert [(r.position, r.appended) for r in results] == [(2, True), (1, False)]
    assert assert_chain_valid(ledger) == 2


def test_reused_id_with_different_content_fails_and_appends_nothing(
    ledger: PostgresLedger,
) -> None:
    original = make("ClaimAsserted")
    ledger.append([original])
    changed = original.model_copy(update={"statement": "something else entirely"})
    with pytest.raises(ConflictError, match="appended before at position 1") as caught:
        ledger.append([make("ClaimAsserted"), changed])
    assert caught.value.event_id == original.envelope.event_id
    assert ledger.head().position == 1


def test_reused_id_within_a_batch_fails_whole(ledger: PostgresLedger) -> None:
    event = make("ClaimAsserted")
    changed = event.model_copy(update={"statement": "different"})
    with pytest.raises(ConflictError, match="twice in the batch"):
        ledger.append([event, changed])
    assert ledger.head().position == 0


def test_large_batch_is_all_or_nothing(ledger: PostgresLedger) -> None:
    """A batch bigger than one database call still fails whole if its last event conflicts."""
    ledger.append([original := make("ClaimAsserted")])
    batch = [make("ClaimAsserted") for _ in range(PIPELINE_CHUNK * 2 + 10)]
    batch.append(original.model_copy(update={"statement": "changed"}))
    with pytest.raises(ConflictError):
        ledger.append(batch)
    assert ledger.head().position == 1
    results = ledger.append(batch[:-1])
    assert [r.position for r in results] == list(range(2, len(batch) + 1))
    assert assert_chain_valid(ledger) == len(batch)


def test_unregistered_schema_is_refused(ledger: PostgresLedger) -> None:
    event = make("ClaimAsserted")
    encoded = ledger.encode(event)
    forged = MAGIC + bytes(8) + encoded.payload[10:]
    item = EncodedEvent(event.envelope.event_id, "ClaimAsserted", "claim:x", None, None, forged)
    with pytest.raises(SchemaError, match="not registered"):
        ledger.append_encoded([item])
    assert ledger.head().position == 0


def test_type_label_must_match_the_payload_schema(ledger: PostgresLedger) -> None:
    encoded = ledger.encode(make("ClaimAsserted"))
    mislabelled = EncodedEvent(
        encoded.event_id, "ClaimRetracted", encoded.stream_id, None, None, encoded.payload
    )
    with pytest.raises(SchemaError, match="written with a ClaimAsserted schema"):
        ledger.append_encoded([mislabelled])


def test_old_schema_version_is_stored_and_read_as_newest(ledger: PostgresLedger) -> None:
    v1 = ledger.codec.registry.versions("DocumentIngested")[0]
    event = make("DocumentIngested")
    record = event.model_dump()
    del record["archive_url"]
    buffer = io.BytesIO()
    buffer.write(MAGIC + v1.fingerprint)
    schemaless_writer(buffer, v1.parsed, record)
    item = EncodedEvent(
        event.envelope.event_id,
        "DocumentIngested",
        event.envelope.stream_id,
        None,
        None,
        buffer.getvalue(),
    )
    ledger.append_encoded([item])
    (recorded,) = ledger.read()
    assert isinstance(recorded.event, DocumentIngested)
    assert recorded.event == event
    assert recorded.payload[2:10] == v1.fingerprint


def test_kafka_origin_is_kept(ledger: PostgresLedger) -> None:
    encoded = ledger.encode(make("ClaimAsserted"))
    origin = KafkaOrigin("ledger.events", 3, 41)
    ledger.append_encoded([EncodedEvent(**{**encoded.__dict__, "origin": origin})])
    (recorded,) = ledger.read()
    assert recorded.origin == origin


def test_read_filters(ledger: PostgresLedger) -> None:
    events = [make(t) for t in ALL_TYPES] * 1
    ledger.append(events)
    assert [r.position for r in ledger.read(after=2, until=4)] == [3, 4]
    claims = list(ledger.read(types=["ClaimAsserted", "ClaimRetracted"]))
    assert {r.event_type for r in claims} == {"ClaimAsserted", "ClaimRetracted"}
    stream = list(ledger.read(stream="claim:test-1"))
    assert {r.event_type for r in stream} == {"ClaimAsserted", "AttributionMade", "ClaimRetracted"}
    assert len(list(ledger.read(limit=3))) == 3
    head = ledger.head()
    assert head.recorded_at is not None
    assert list(ledger.read(recorded_before=head.recorded_at - timedelta(days=1))) == []


def test_rejected_inputs_are_kept(ledger: PostgresLedger) -> None:
    rejected_id = ledger.reject(
        origin="kafka",
        reason="payload is not Avro single-object encoded",
        payload=b"\x00garbage",
        kafka=KafkaOrigin("ledger.events", 0, 7),
        key=b"claim:x",
        headers={"event_type": "ClaimAsserted"},
    )
    assert rejected_id > 0
    assert ledger.count_rejected() == 1
    with ledger.connection() as conn:
        row = conn.execute("SELECT payload, reason, kafka_offset FROM ledger.rejected").fetchone()
    assert row is not None
    assert bytes(row[0]) == b"\x00garbage" and row[2] == 7


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger.events SET stream_id = 'tampered'",
        "DELETE FROM ledger.events",
        "TRUNCATE ledger.events CASCADE",
        "UPDATE ledger.schemas SET version = 9",
        "DELETE FROM ledger.schemas",
        "TRUNCATE ledger.schemas CASCADE",
        "DELETE FROM ledger.rejected",
    ],
)
def test_history_cannot_be_changed(ledger: PostgresLedger, statement: str) -> None:
    ledger.append([make("ClaimAsserted")])
    ledger.reject(origin="test", reason="r", payload=b"x")
    with ledger.connection() as conn, pytest.raises(psycopg.Error, match="append-only") as caught:
        conn.execute(statement)
    assert caught.value.sqlstate == "LG000"
    assert ledger.head().position == 1


def test_writer_role_may_append_but_not_change(database_url: str, ledger: PostgresLedger) -> None:
    ledger.append([make("ClaimAsserted")])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET ROLE ledger_writer")
        assert conn.execute("SELECT count(*) FROM ledger.events").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE ledger.events SET stream_id = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE ledger.events")


def test_reader_role_cannot_append(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET ROLE ledger_reader")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO ledger.rejected (origin, reason) VALUES ('x', 'y')")


def test_generator_batch_is_consumed_lazily_and_all_or_nothing(ledger: PostgresLedger) -> None:
    original = make("ClaimAsserted")
    ledger.append([original])
    drawn = 0

    def events(conflict: bool) -> Iterator[Event]:
        nonlocal drawn
        for _ in range(PIPELINE_CHUNK * 3):
            drawn += 1
            yield make("ClaimAsserted")
        if conflict:
            yield original.model_copy(update={"statement": "changed"})

    with pytest.raises(ConflictError):
        ledger.append(events(conflict=True))
    assert drawn == PIPELINE_CHUNK * 3
    assert ledger.head().position == 1
    results = ledger.append(events(conflict=False))
    assert len(results) == PIPELINE_CHUNK * 3
    assert assert_chain_valid(ledger) == PIPELINE_CHUNK * 3 + 1


def test_position_at_finds_what_was_known_then(ledger: PostgresLedger) -> None:
    first = ledger.append([make("ClaimAsserted"), make("ClaimAsserted")])
    second = ledger.append([make("ClaimAsserted")])
    third = ledger.append([make("ClaimAsserted"), make("ClaimAsserted")])
    assert ledger.position_at(first[0].recorded_at - timedelta(seconds=1)) == 0
    assert ledger.position_at(first[0].recorded_at) == 1
    assert ledger.position_at(first[1].recorded_at) == 2
    assert ledger.position_at(second[0].recorded_at) == 3
    assert ledger.position_at(third[0].recorded_at + timedelta(days=1)) == 5


def test_read_rows_at_gives_the_visible_events_at_those_positions(
    ledger: PostgresLedger,
) -> None:
    ledger.append(
        [
            make("SourceRegistered"),
            marked(make("ActorRegistered"), Classification.SECRET, []),
            make("PlaceRegistered"),
        ]
    )
    assert [r["position"] for r in ledger.read_rows_at([3, 1, 2, 99])] == [1, 2, 3]
    public = ledger.read_rows_at([1, 2, 3], Clearance.of("UNCLASSIFIED"))
    assert [r["position"] for r in public] == [1, 3]
    assert list(ledger.read_rows_at([])) == []
