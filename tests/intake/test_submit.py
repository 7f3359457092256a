"""``submit``, the one way in, against the real PostgreSQL: its checks in order, each
refusal whole (nothing appended), and the transport deciding whether references can be
refused."""

from collections.abc import Iterable, Sequence

import pytest

from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.errors import CannotRun, ValidationFailed
from ledger.intake import (
    OPERATOR_CALLER,
    Caller,
    Encoded,
    Forbidden,
    Options,
    Streamed,
    check,
    submit,
)
from ledger.intake.sinks import DirectSink
from ledger.log.producer_signing import ProducerSigner
from ledger.ports import EventSink, LedgerStore, Publishable, Receipt
from ledger.records import EncodedEvent
from ledger.store.postgres import PostgresLedger
from ledger.store.producer_keys import SignatureRefused
from tests.factories import claim_by, key_registered, make, template_world
from tests.scenarios import marked

OPTIONS = Options(label=lambda n: f"test record {n + 1}")
SECRET_CALLER = Caller(Clearance.of("SECRET"), "producer", registers_keys=False)


def encoded(ledger: PostgresLedger, *events: Event) -> Encoded:
    return Encoded.of(events, ledger.encode)


def test_an_operator_batch_is_appended_whole_in_order(ledger: PostgresLedger) -> None:
    world = template_world()
    receipts = submit(encoded(ledger, *world), OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    assert [r.event_id for r in receipts] == [e.envelope.event_id for e in world]
    assert all(r.appended for r in receipts)
    again = submit(encoded(ledger, *world), OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    assert [r.position for r in again] == [r.position for r in receipts]
    assert not any(r.appended for r in again)


def test_an_event_above_the_callers_clearance_is_forbidden(ledger: PostgresLedger) -> None:
    world = template_world()
    ledger.append(world)
    head = ledger.head().position
    top = marked(claim_by("desk"), Classification.TOP_SECRET, [])
    with pytest.raises(Forbidden) as refused:
        submit(encoded(ledger, claim_by("desk"), top), SECRET_CALLER, OPTIONS, DirectSink(ledger))
    assert refused.value.index == 1 and refused.value.field == "envelope"
    assert str(refused.value).startswith("test record 2: the event is marked TOP_SECRET")
    assert ledger.head().position == head


def test_only_an_admin_changes_the_key_registers(ledger: PostgresLedger) -> None:
    signer = ProducerSigner.generate()
    key = key_registered(signer.public_key_text, "desk")
    with pytest.raises(Forbidden, match="a producer key cannot append ProducerKeyRegistered"):
        submit(encoded(ledger, key), SECRET_CALLER, OPTIONS, DirectSink(ledger))
    admin = Caller(Clearance.of("SECRET"), "admin", registers_keys=True)
    (receipt,) = submit(encoded(ledger, key), admin, OPTIONS, DirectSink(ledger))
    assert receipt.appended


def test_references_to_nothing_are_refused_unless_the_operator_allows_them(
    ledger: PostgresLedger,
) -> None:
    claim = claim_by("desk")  # names actors, places and a document never registered
    with pytest.raises(ValidationFailed) as refused:
        submit(encoded(ledger, claim), OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    assert refused.value.problems[0].startswith("test record 1, field ")
    assert refused.value.problems[-1].endswith("pass --allow-unresolved")
    assert ledger.head().position == 0
    allowing = Options(label=OPTIONS.label, allow_unresolved=True)
    (receipt,) = submit(encoded(ledger, claim), OPERATOR_CALLER, allowing, DirectSink(ledger))
    assert receipt.appended
    # a key that does not see the whole ledger never gets the override
    with pytest.raises(ValidationFailed, match="does not apply to a key"):
        submit(encoded(ledger, claim_by("desk")), SECRET_CALLER, allowing, DirectSink(ledger))


def test_a_name_hidden_from_the_caller_is_unknown_to_it(ledger: PostgresLedger) -> None:
    world = template_world()
    hidden = [marked(e, Classification.TOP_SECRET, []) for e in world]
    ledger.append(hidden)
    (receipt,) = submit(
        encoded(ledger, claim_by("desk")), OPERATOR_CALLER, OPTIONS, DirectSink(ledger)
    )
    assert receipt.appended
    with pytest.raises(ValidationFailed, match="is not in the ledger nor registered"):
        submit(encoded(ledger, claim_by("desk")), SECRET_CALLER, OPTIONS, DirectSink(ledger))


class _Broker:
    """A transport that cannot tell a name registered nowhere (as Kafka): it records
    what it is handed instead of appending it."""

    name = "kafka"
    checks_references = False

    def __init__(self, ledger: LedgerStore | None) -> None:
        self.ledger = ledger
        self.handed: list[EncodedEvent] = []

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]:
        raise AssertionError("the intake hands over encoded or streamed events")

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        return [Receipt(e.envelope.event_id, topic="t") for e in events]

    def publish_encoded(self, items: Sequence[EncodedEvent]) -> list[Receipt]:
        self.handed += items
        return [Receipt(i.event_id, topic="t") for i in items]

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        if self.ledger is not None:
            self.ledger.admit(items)


def test_a_transport_that_cannot_tell_takes_the_operators_unresolved_names(
    ledger: PostgresLedger,
) -> None:
    sink: EventSink = _Broker(ledger)
    (receipt,) = submit(encoded(ledger, claim_by("desk")), OPERATOR_CALLER, OPTIONS, sink)
    assert receipt.topic == "t"
    with pytest.raises(ValidationFailed, match="is not in the ledger nor registered"):
        submit(encoded(ledger, claim_by("desk")), SECRET_CALLER, OPTIONS, sink)
    streamed = Streamed(lambda: iter([(7, claim_by("desk"))]))
    assert len(submit(streamed, OPERATOR_CALLER, OPTIONS, _Broker(None))) == 1
    with pytest.raises(CannotRun):
        submit(encoded(ledger, claim_by("desk")), SECRET_CALLER, OPTIONS, _Broker(None))


def test_a_cleared_callers_events_are_sent_as_it_sees_the_ledger(ledger: PostgresLedger) -> None:
    ledger.append(template_world())
    sink = _Broker(ledger)
    submit(encoded(ledger, claim_by("desk")), SECRET_CALLER, OPTIONS, sink)
    assert [i.seen_by for i in sink.handed] == [SECRET_CALLER.clearance]


def test_signatures_are_checked_before_anything_moves(ledger: PostgresLedger) -> None:
    signer = ProducerSigner.generate()
    ledger.append(
        [*template_world(), key_registered(signer.public_key_text, "desk", required=True)]
    )
    head = ledger.head().position
    unsigned = encoded(ledger, claim_by("other"), claim_by("desk"))
    with pytest.raises(SignatureRefused) as refused:
        submit(unsigned, OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    assert refused.value.refused[0][0] == 1
    assert ledger.head().position == head
    signed = Encoded.of([claim_by("desk")], lambda e: ledger.encode(e, signer))
    assert submit(signed, OPERATOR_CALLER, OPTIONS, DirectSink(ledger))[0].appended


def test_a_dry_run_checks_everything_and_appends_nothing(ledger: PostgresLedger) -> None:
    with pytest.raises(ValidationFailed):
        check(encoded(ledger, claim_by("desk")), OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    check(encoded(ledger, *template_world()), OPERATOR_CALLER, OPTIONS, DirectSink(ledger))
    assert ledger.head().position == 0


def test_the_witness_register_refuses_a_revocation_of_an_unknown_key(
    ledger: PostgresLedger,
) -> None:
    revoke = make(
        "WitnessKeyRevoked",
        envelope={"event_id": "0b8a3c3e-62a6-4bb4-9b7e-1a5f6b0c2d11", "recorded_by": "admin"},
        witness="nobody",
        key_id="00000000",
    )
    with pytest.raises(
        ValidationFailed, match=r"^1 invalid input\(s\), nothing appended: test record 2: "
    ):
        submit(
            encoded(ledger, make("SourceRegistered"), revoke),
            OPERATOR_CALLER,
            OPTIONS,
            DirectSink(ledger),
        )
    assert ledger.head().position == 0
