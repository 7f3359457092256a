"""Which ids the ledger has registered, found through the stream index (and by a scan for
registrations a producer streamed elsewhere)."""

from ledger.domain.references import Kind
from ledger.store.gazetteer import entries, registered
from ledger.store.postgres import PostgresLedger
from tests.factories import make


def test_registered_ids_are_found_and_others_not(ledger: PostgresLedger) -> None:
    ledger.append(
        [
            make("ActorRegistered", actor_id="actor:a"),
            make("PlaceRegistered", place_id="town"),  # streamed as place:town
            make("ClaimAsserted", claim_id="claim:c"),
        ]
    )
    wanted = {
        (Kind.ACTOR, "actor:a"),
        (Kind.PLACE, "town"),
        (Kind.PLACE, "place:town"),  # the same stream, another id: not registered
        (Kind.CLAIM, "claim:c"),
        (Kind.CLAIM, "claim:none"),
        (Kind.DOCUMENT, "doc:test"),  # named by the claim, never ingested
    }
    assert registered(ledger, wanted) == {
        (Kind.ACTOR, "actor:a"),
        (Kind.PLACE, "town"),
        (Kind.CLAIM, "claim:c"),
    }


def test_a_registration_on_a_stream_of_its_own_is_found(ledger: PostgresLedger) -> None:
    actor = make("ActorRegistered", actor_id="actor:b")
    moved = actor.envelope.model_copy(update={"stream_id": "gazetteer:batch-7"})
    ledger.append([actor.model_copy(update={"envelope": moved})])
    assert registered(ledger, {(Kind.ACTOR, "actor:b")}) == {(Kind.ACTOR, "actor:b")}


def test_entries_carry_names_and_aliases(ledger: PostgresLedger) -> None:
    ledger.append([make("ActorRegistered", actor_id="actor:a", name="A", aliases=["Alpha"])])
    (entry,) = entries(ledger, [Kind.ACTOR])
    assert (entry.id, entry.name, entry.aliases) == ("actor:a", "A", ("Alpha",))
