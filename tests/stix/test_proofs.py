"""Exports with proofs, checked offline with the log's public key alone: every object is
rebuilt from the proven events it names; any object altered, added or unproven fails."""

import json
from typing import Any

import pytest

from ledger.demo import load_seed
from ledger.domain.enums import Classification
from ledger.domain.marking import OPERATOR, Clearance
from ledger.log.bundle import BundleError
from ledger.log.note import Signer
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.proofs import check_stix
from ledger.stix.proving import NoCheckpoint, checkpoint_for, prover
from ledger.store.postgres import PostgresLedger
from tests.factories import make
from tests.scenarios import marked
from tests.stix.checkers import assert_valid
from tests.stix.exporting import CONTEXT, LOG, appended, export_bytes, objects, ours

KEY = Signer.generate(LOG)


def proven_export(ledger: PostgresLedger, **options: Any) -> bytes:
    checkpoint = checkpoint_for(ledger, ledger.head().position, KEY)
    return export_bytes(ledger, prover=prover(ledger, checkpoint), **options)


def rewritten(data: bytes, change: Any) -> bytes:
    bundle = json.loads(data)
    change(bundle["objects"])
    return json.dumps(bundle).encode()


def test_every_object_of_a_proven_export_checks_offline(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    appended(
        ledger,
        marked(
            make("SourceReliabilityAssessed", source_id="source:magnier-blog"),
            Classification.SECRET,
            ["ALPHA"],
        ),
    )
    data = proven_export(ledger, all_versions=True)
    checked = check_stix(data, KEY.verifier)
    assert checked.events == 139 and checked.checkpoint.size == 139
    notes = [o for o in objects(data) if ours(o).get("ledger_object") == "proof"]
    assert len(notes) == 1 and checked.objects == len(objects(data)) - 1
    assert notes[0]["object_marking_refs"] == objects(data)[-2]["object_marking_refs"]
    assert_valid(data)
    with pytest.raises(BundleError, match="no valid signature"):
        check_stix(data, Signer.generate(LOG).verifier)


def test_an_altered_object_is_not_proven(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    data = proven_export(ledger)

    def rename(found: list[dict[str, Any]]) -> None:
        note = next(o for o in found if ours(o).get("ledger_id") == "claim:seed-05")
        note["content"] = "Something the source never said."

    with pytest.raises(BundleError, match="is not what the events at positions"):
        check_stix(rewritten(data, rename), KEY.verifier)

    def lower(found: list[dict[str, Any]]) -> None:
        ours(next(o for o in found if o["type"] == "marking-definition"))["level"] = "SECRET"

    with pytest.raises(BundleError, match="is not one of the ledger's"):
        check_stix(rewritten(data, lower), KEY.verifier)

    def smuggle(found: list[dict[str, Any]]) -> None:
        found.append({**found[-2], "id": "note--6a1d5ca0-0b8b-4c66-8d38-2f7c2f9e6a01"})

    with pytest.raises(BundleError):
        check_stix(rewritten(data, smuggle), KEY.verifier)

    def reattach(found: list[dict[str, Any]]) -> None:
        note = next(o for o in found if ours(o).get("ledger_id") == "claim:seed-05")
        ours(note)["rests_on"][0]["position"] = 1

    with pytest.raises(BundleError, match="about another object"):
        check_stix(rewritten(data, reattach), KEY.verifier)

    def unprove(found: list[dict[str, Any]]) -> None:
        found[:] = [o for o in found if ours(o).get("ledger_object") != "proof"]

    with pytest.raises(BundleError, match="carries no proofs"):
        check_stix(rewritten(data, unprove), KEY.verifier)


def test_a_proof_note_cannot_be_altered(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    data = proven_export(ledger)

    def shorten(found: list[dict[str, Any]]) -> None:
        note = next(o for o in found if ours(o).get("ledger_object") == "proof")
        note["object_refs"] = note["object_refs"][:1]

    with pytest.raises(BundleError, match="not proven by a proof note naming the object"):
        check_stix(rewritten(data, shorten), KEY.verifier)

    def content(found: list[dict[str, Any]]) -> None:
        note = next(o for o in found if ours(o).get("ledger_object") == "proof")
        note["content"] = "Trust me."

    with pytest.raises(BundleError, match="is not what its proof bundle says"):
        check_stix(rewritten(data, content), KEY.verifier)


def test_a_large_export_proves_in_several_notes(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    appended(
        ledger,
        *(
            make(
                "ClaimAsserted",
                claim_id=f"claim:many-{n}",
                document_id="doc:magnier-2015-russia-ops-rooms",
                actor_ids=[],
                place_ids=[],
            )
            for n in range(30)
        ),
    )
    checkpoint = checkpoint_for(ledger, ledger.head().position, KEY)
    request = ExportRequest(ledger.head().position, OPERATOR)
    run = StixExport(ledger, request, CONTEXT, prover=prover(ledger, checkpoint), proof_events=50)
    data = b"".join(run)
    notes = [o for o in objects(data) if ours(o).get("ledger_object") == "proof"]
    assert len(notes) == 4
    assert check_stix(data, KEY.verifier).events == 168


def test_no_checkpoint_no_proofs_unless_one_can_be_signed(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    with pytest.raises(NoCheckpoint, match="no signed checkpoint covers position 138"):
        checkpoint_for(ledger, 138)
    assert checkpoint_for(ledger, 138, KEY).size == 138
    assert checkpoint_for(ledger, 100).size == 138


def test_a_reader_proves_what_it_sees(ledger: PostgresLedger) -> None:
    appended(
        ledger, make("SourceRegistered"), marked(make("ActorRegistered"), Classification.SECRET, [])
    )
    checkpoint = checkpoint_for(ledger, 2, KEY)
    data = export_bytes(ledger, Clearance.of("UNCLASSIFIED"), prover=prover(ledger, checkpoint))
    checked = check_stix(data, KEY.verifier)
    assert checked.events == 1 and checked.checkpoint.size == 2
