"""SDK -> real broker -> archiver -> ledger."""

import io
import json
import os
import uuid

import pytest
from fastavro import schemaless_writer

from ledger.chain import GENESIS_HASH, chain_hash
from ledger.codec.single_object import MAGIC
from ledger.config import KafkaSettings
from ledger.errors import LedgerError, ValidationFailed
from ledger.kafka.archiver import Archiver
from ledger.kafka.producer import HEADER_EVENT_TYPE, HEADER_FINGERPRINT, KafkaEventProducer
from ledger.kafka.topic import ensure_topic
from ledger.store.archive import ArchiveBatch, OffsetConflict, store_batch
from ledger.store.postgres import PostgresLedger
from tests.factories import ALL_TYPES, json_line, make
from tests.helpers import assert_chain_valid
from tests.kafka.helpers import archive_all, rejected_reasons, send_raw


def test_every_type_end_to_end(ledger: PostgresLedger, kafka_settings: KafkaSettings) -> None:
    events = [make(t) for t in ALL_TYPES]
    with KafkaEventProducer(kafka_settings) as producer:
        sent = producer.send(events)
    assert [s.event_id for s in sent] == [e.envelope.event_id for e in events]
    assert all(s.topic == kafka_settings.topic for s in sent)
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.duplicates, stats.rejected) == (len(events), 0, 0)
    recorded = list(ledger.read())
    assert sorted(str(r.event.envelope.event_id) for r in recorded) == sorted(
        str(e.envelope.event_id) for e in events
    )
    by_id = {r.event_id: r for r in recorded}
    for event, where in zip(events, sent, strict=True):
        stored = by_id[event.envelope.event_id]
        assert stored.event == event
        assert stored.origin is not None
        assert (stored.origin.partition, stored.origin.offset) == (where.partition, where.offset)
    assert assert_chain_valid(ledger) == len(events)


def test_stream_order_is_kept(ledger: PostgresLedger, kafka_settings: KafkaSettings) -> None:
    claim = make("ClaimAsserted", claim_id="claim:ordered")
    hops = [
        make("AttributionMade", claim_id="claim:ordered", attribution_id=f"a:{i}")
        for i in range(20)
    ]
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([claim, *hops])
    archive_all(ledger, kafka_settings)
    stream = [r.event for r in ledger.read(stream="claim:ordered")]
    assert stream == [claim, *hops]


def test_headers_and_key(kafka_settings: KafkaSettings) -> None:
    from kafka import KafkaConsumer, TopicPartition

    event = make("DeploymentReported")
    with KafkaEventProducer(kafka_settings) as producer:
        (sent,) = producer.send([event])
    consumer = KafkaConsumer(
        bootstrap_servers=kafka_settings.bootstrap, group_id=None, enable_auto_commit=False
    )
    tp = TopicPartition(kafka_settings.topic, sent.partition)
    consumer.assign([tp])
    consumer.seek(tp, sent.offset)
    records = consumer.poll(timeout_ms=5000)[tp]
    consumer.close()
    headers = dict(records[0].headers)
    assert records[0].key == b"actor:militia"
    assert headers[HEADER_EVENT_TYPE] == b"DeploymentReported"
    assert headers[HEADER_FINGERPRINT] == records[0].value[2:10].hex().encode()


def test_invalid_record_in_batch_sends_nothing(kafka_settings: KafkaSettings) -> None:
    from kafka import KafkaConsumer, TopicPartition

    bad = json_line("ClaimAsserted", credibility="SURE")
    with KafkaEventProducer(kafka_settings) as producer:
        with pytest.raises(ValidationFailed, match="batch record 2, field credibility"):
            producer.send([json_line("ActorRegistered"), bad, make("PlaceRegistered")])
    consumer = KafkaConsumer(bootstrap_servers=kafka_settings.bootstrap, group_id=None)
    partitions = [TopicPartition(kafka_settings.topic, p) for p in range(3)]
    assert set(consumer.end_offsets(partitions).values()) == {0}
    consumer.close()


def test_duplicates_are_archived_once(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    events = [make("ClaimAsserted"), make("ActorRegistered")]
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send(events)
        producer.send(events)
        producer.send([events[0]])
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.duplicates) == (2, 3)
    assert ledger.head().position == 2
    with ledger.connection() as conn:
        rows = conn.execute("SELECT position FROM ledger.kafka_duplicates").fetchall()
    assert sorted(r[0] for r in rows) == [1, 1, 2] or sorted(r[0] for r in rows) == [1, 2, 2]


def _v1_document_with_bad_hash() -> bytes:
    from ledger.codec.single_object import AvroCodec

    codec = AvroCodec()
    v1 = codec.registry.versions("DocumentIngested")[0]
    record = make("DocumentIngested").model_dump()
    del record["archive_url"]
    record["content_sha256"] = "not-a-hash"
    buffer = io.BytesIO()
    buffer.write(MAGIC + v1.fingerprint)
    schemaless_writer(buffer, v1.parsed, record)
    return buffer.getvalue()


def test_poison_messages_are_rejected_and_neighbours_archived(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    before, after = make("ClaimAsserted"), make("ClaimAsserted")
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([before])
    from ledger.codec.single_object import AvroCodec

    good = AvroCodec().encode(make("ActorRegistered"))
    send_raw(kafka_settings, [os.urandom(64)], key=b"claim:test-1")
    send_raw(kafka_settings, [MAGIC + b"\x01" * 8 + b"body"], key=b"claim:test-1")
    send_raw(kafka_settings, [_v1_document_with_bad_hash()], key=b"claim:test-1")
    send_raw(kafka_settings, [None], key=b"claim:test-1")
    send_raw(
        kafka_settings,
        [good],
        key=b"claim:test-1",
        headers=[(HEADER_EVENT_TYPE, b"PlaceRegistered")],
    )
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([after])
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.rejected) == (2, 5)
    assert [r.event for r in ledger.read()] == [before, after]
    reasons = rejected_reasons(ledger)
    assert len(reasons) == 5
    joined = "\n".join(reasons)
    assert "not Avro single-object encoded" in joined
    assert "fingerprint 0101010101010101, which is not in the schema registry" in joined
    assert "fails validation: Value error, content_sha256 must be 64" in joined
    assert "no value (a tombstone)" in joined
    assert "header says PlaceRegistered but the payload is ActorRegistered" in joined
    with ledger.connection() as conn:
        kept = conn.execute(
            "SELECT payload, kafka_topic FROM ledger.rejected ORDER BY id"
        ).fetchall()
    assert all(topic == kafka_settings.topic for _, topic in kept)
    assert kept[4][0] == good


def test_reused_id_with_other_bytes_is_rejected_not_fatal(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    original = make("ClaimAsserted")
    forged = original.model_copy(update={"statement": "rewritten history"})
    follower = make("ClaimAsserted")
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([original])
        producer.send([forged, follower])
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.rejected) == (2, 1)
    assert [r.event for r in ledger.read()] == [original, follower]
    (reason,) = rejected_reasons(ledger)
    assert "was already recorded with different content" in reason


def test_reused_id_against_the_ledger_is_rejected(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    original = make("ClaimAsserted")
    ledger.append([original])
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([original.model_copy(update={"statement": "rewritten"}), original])
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.duplicates, stats.rejected) == (0, 1, 1)
    assert [r.event for r in ledger.read()] == [original]


def test_resume_from_stored_offsets(ledger: PostgresLedger, kafka_settings: KafkaSettings) -> None:
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([make("ClaimAsserted") for _ in range(30)])
        first = archive_all(ledger, kafka_settings)
        producer.send([make("ClaimAsserted") for _ in range(10)])
    second = archive_all(ledger, kafka_settings)
    assert (first.appended, second.appended, second.messages) == (30, 10, 10)
    status = Archiver(ledger, kafka_settings).status()
    assert [s.lag for s in status] == [0, 0, 0]


def test_archivers_share_partitions(ledger: PostgresLedger, kafka_settings: KafkaSettings) -> None:
    events = [make("ClaimAsserted", claim_id=f"claim:{i}") for i in range(60)]
    with KafkaEventProducer(kafka_settings) as producer:
        sent = producer.send(events)
    a = archive_all(ledger, kafka_settings, partitions=[0, 2])
    b = archive_all(ledger, kafka_settings, partitions=[1])
    assert a.appended == sum(1 for s in sent if s.partition in (0, 2))
    assert b.appended == sum(1 for s in sent if s.partition == 1)
    assert assert_chain_valid(ledger) == 60


def test_overlapping_archivers_cannot_both_commit(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([make("ClaimAsserted")])
    archive_all(ledger, kafka_settings)
    stale = {0: 0, 1: 0, 2: 0}  # what a second archiver started from
    batch = ArchiveBatch(kafka_settings.topic, next_offsets={0: 5, 1: 5, 2: 5})
    with pytest.raises(OffsetConflict, match="archived by another process"):
        store_batch(ledger, batch, stale)


def test_unknown_partition_and_topic_are_clear_errors(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    with pytest.raises(LedgerError, match="there is no partition 7"):
        archive_all(ledger, kafka_settings, partitions=[7])
    missing = kafka_settings.model_copy(update={"topic": f"absent.{uuid.uuid4().hex}"})
    with pytest.raises(LedgerError, match="does not exist; create it with `ledger kafka init`"):
        archive_all(ledger, missing)


def test_topic_init_is_idempotent(kafka_settings: KafkaSettings) -> None:
    again = ensure_topic(kafka_settings, partitions=9)
    assert (again.created, again.partitions) == (False, 3)


def test_chain_spans_direct_and_kafka_appends(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    ledger.append([make("SourceRegistered")])
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send([make("ClaimAsserted")])
    archive_all(ledger, kafka_settings)
    ledger.append([make("PlaceRegistered")])
    previous = GENESIS_HASH
    kinds = []
    for r in ledger.read():
        assert r.hash == chain_hash(previous, r.position, r.recorded_at, r.payload)
        previous = r.hash
        kinds.append("kafka" if r.origin else "direct")
    assert kinds == ["direct", "kafka", "direct"]
    assert json.dumps(kinds)


def test_send_failing_midway_says_what_was_confirmed(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    from ledger.kafka.producer import SendFailed

    small = [make("ClaimAsserted"), make("ClaimAsserted")]
    huge = make("ClaimAsserted", statement="x" * (9 * 1024 * 1024))  # over max_request_size
    with KafkaEventProducer(kafka_settings) as producer:
        with pytest.raises(SendFailed, match="re-send the whole batch") as caught:
            producer.send([*small, huge])
        assert huge.envelope.event_id in caught.value.unconfirmed
        confirmed = {s.event_id for s in caught.value.confirmed}
        assert confirmed | set(caught.value.unconfirmed) == {
            e.envelope.event_id for e in [*small, huge]
        }
        producer.send(small)  # the retry, without the event that cannot be sent
    stats = archive_all(ledger, kafka_settings)
    assert stats.appended == 2
    assert {r.event_id for r in ledger.read()} == {e.envelope.event_id for e in small}


def test_streamed_send_is_one_transaction(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    events = [make("ClaimAsserted") for _ in range(3000)]
    with KafkaEventProducer(kafka_settings) as producer:
        sent = producer.send_stream(iter(events))
    assert [s.event_id for s in sent] == [e.envelope.event_id for e in events]
    assert archive_all(ledger, kafka_settings).appended == 3000
