"""Producer signatures on the Kafka path: the SDK signs, the archiver checks each message
against the key register and rejects what it refuses (kept with its bytes and reason),
storing the rest of the poll."""

from kafka import KafkaProducer

from ledger.config import KafkaSettings
from ledger.kafka.producer import HEADER_SIGNATURE, KafkaEventProducer, headers_for
from ledger.log.producer_signing import ProducerSigner, encode_signature
from ledger.store.postgres import PostgresLedger
from tests.factories import claim_by, key_registered, key_revoked
from tests.kafka.helpers import archive_all, rejected_reasons, send_raw


def stored_signatures(ledger: PostgresLedger) -> dict[str, bytes | None]:
    return {str(e.event.envelope.event_id): e.signature for e in ledger.read()}


def test_signed_events_are_archived_with_their_signatures(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    signer = ProducerSigner.generate()
    ledger.append([key_registered(signer.public_key_text, "desk", required=True)])
    events = [claim_by("desk") for _ in range(3)]
    with KafkaEventProducer(kafka_settings, ledger.codec, signer=signer) as producer:
        producer.send(events)
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.rejected) == (3, 0)
    kept = stored_signatures(ledger)
    for event in events:
        signature = kept[str(event.envelope.event_id)]
        assert signature is not None and signature[:8].hex() == signer.key_id


def test_what_the_register_refuses_is_rejected_and_the_rest_is_stored(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    signer, revoked = ProducerSigner.generate(), ProducerSigner.generate()
    ledger.append(
        [
            key_registered(signer.public_key_text, "desk", required=True),
            key_registered(revoked.public_key_text, "desk", required=True),
        ]
    )
    ledger.append([key_revoked(revoked.key_id, "desk")])
    codec = ledger.codec
    good, unsigned, bad, by_revoked, garbled = (claim_by("desk") for _ in range(5))
    with KafkaEventProducer(kafka_settings, codec, signer=signer) as producer:
        producer.send([good])
    with KafkaEventProducer(kafka_settings, codec) as producer:
        producer.send([unsigned])
    other_bytes = codec.encode(claim_by("desk"))
    bad_payload = codec.encode(bad)
    raw = KafkaProducer(bootstrap_servers=kafka_settings.bootstrap, acks="all")
    for payload, signature in (
        (bad_payload, signer.sign(other_bytes)),
        (codec.encode(by_revoked), revoked.sign(codec.encode(by_revoked))),
    ):
        raw.send(
            kafka_settings.topic,
            key=b"claim",
            value=payload,
            headers=headers_for("ClaimAsserted", payload, signature),
        )
    raw.flush()
    raw.close()
    send_raw(
        kafka_settings,
        [codec.encode(garbled)],
        headers=[(HEADER_SIGNATURE, b"not base64!")],
    )
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.rejected) == (1, 4)
    reasons = rejected_reasons(ledger)
    assert any("producer 'desk' must sign its events" in r for r in reasons)
    assert any("does not verify with key" in r for r in reasons)
    assert any(f"key {revoked.key_id} of 'desk', revoked at position 3" in r for r in reasons)
    assert any("header ledger-signature: the signature is not base64" in r for r in reasons)
    assert list(stored_signatures(ledger))[-1] == str(good.envelope.event_id)
    with ledger.connection() as conn:
        kept = conn.execute(
            "SELECT headers ->> %s FROM ledger.rejected WHERE reason LIKE '%%does not verify%%'",
            (HEADER_SIGNATURE,),
        ).fetchone()
    assert kept is not None and kept[0] == encode_signature(signer.sign(other_bytes))
