"""Bytes read back from the ledger decode with the Apache avro package alone."""

from ledger.store.postgres import PostgresLedger
from tests.apache_avro import decode, load_schemas, spec_fingerprint
from tests.factories import ALL_TYPES, make


def test_ledger_payloads_decode_with_apache_avro(ledger: PostgresLedger) -> None:
    events = [make(t) for t in ALL_TYPES]
    ledger.append(events)
    by_fingerprint = {spec_fingerprint(s): s for s in load_schemas().values()}
    for recorded, event in zip(ledger.read(), events, strict=True):
        assert recorded.payload[2:10] in by_fingerprint
        decoded = decode(recorded.payload, by_fingerprint)
        assert decoded["envelope"]["event_id"] == str(event.envelope.event_id)
        assert decoded["envelope"]["stream_id"] == event.envelope.stream_id
        expected = event.model_dump(exclude={"envelope"})
        assert {k: v for k, v in decoded.items() if k != "envelope"} == expected
