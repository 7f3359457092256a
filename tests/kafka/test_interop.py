"""An independent client reads the topic: confluent-kafka (librdkafka) plus Apache avro."""

import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition

from ledger.config import KafkaSettings
from ledger.kafka.producer import HEADER_EVENT_TYPE, HEADER_FINGERPRINT, KafkaEventProducer
from tests.apache_avro import decode, load_schemas, spec_fingerprint
from tests.factories import ALL_TYPES, make


def test_confluent_kafka_and_apache_avro_read_our_topic(kafka_settings: KafkaSettings) -> None:
    events = [make(t) for t in ALL_TYPES]
    with KafkaEventProducer(kafka_settings) as producer:
        producer.send(events)
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_settings.bootstrap,
            "group.id": "interop-reader",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    consumer.assign([TopicPartition(kafka_settings.topic, p, OFFSET_BEGINNING) for p in range(3)])
    messages: list[Message] = []
    deadline = time.monotonic() + 30
    while len(messages) < len(events) and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            messages.append(message)
    consumer.close()
    assert len(messages) == len(events)

    by_fingerprint = {spec_fingerprint(s): s for s in load_schemas().values()}
    expected = {str(e.envelope.event_id): e for e in events}
    for message in messages:
        payload = message.value()
        assert isinstance(payload, bytes)
        decoded = decode(payload, by_fingerprint)
        event = expected.pop(decoded["envelope"]["event_id"])
        headers = dict(message.headers() or [])
        assert headers[HEADER_EVENT_TYPE] == event.event_type().encode()
        assert headers[HEADER_FINGERPRINT] == payload[2:10].hex().encode()
        assert message.key() == event.envelope.stream_id.encode()
        assert {k: v for k, v in decoded.items() if k != "envelope"} == event.model_dump(
            exclude={"envelope"}
        )
    assert expected == {}
