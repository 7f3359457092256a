"""``GET /stix/bundle`` end to end: keys of three clearances each get what the export
gives that clearance, streamed as STIX; proofs need a checkpoint; no key, no bundle."""

import json

from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.log.note import Signer
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.proofs import check_stix
from ledger.stix.proving import checkpoint_for
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make
from tests.helpers import serving
from tests.scenarios import marked
from tests.stix.checkers import assert_valid

CLEARANCES = [
    Clearance.of("UNCLASSIFIED"),
    Clearance.of("SECRET"),
    Clearance.of("TOP_SECRET", ["ALPHA", "BRAVO"]),
]


def test_each_key_gets_the_export_of_its_clearance(database_url: str) -> None:
    with serving(database_url) as api:
        ledger = api.ledger
        for event in (
            make("SourceRegistered"),
            marked(make("SourceReliabilityAssessed"), Classification.SECRET, []),
            marked(make("ActorRegistered"), Classification.TOP_SECRET, ["ALPHA"]),
            make("PlaceRegistered"),
            marked(make("DocumentIngested"), Classification.RESTRICTED, ["BRAVO"]),
        ):
            ledger.append([event])
        head = ledger.head().position
        with ledger.connection() as conn:
            made = [keys.create(conn, Role.ANALYST, c.text(), c)[1] for c in CLEARANCES]
        bodies = []
        for clearance, key in zip(CLEARANCES, made, strict=True):
            response = api.client.get("/stix/bundle", headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/stix+json;version=2.1"
            assert response.headers["x-ledger-position"] == str(head)
            expected = b"".join(
                StixExport(ledger, ExportRequest(head, clearance), Context("ledger.local/log"))
            )
            assert response.content == expected
            assert_valid(response.content)
            bodies.append(json.loads(response.content))
        counts = [len(b["objects"]) for b in bodies]
        assert counts[0] < counts[1] < counts[2]
        again = api.client.get(
            "/stix/bundle",
            params={"all_versions": "true", "as_of": "2000-01-01T00:00:00Z"},
            headers={"Authorization": f"Bearer {made[2]}"},
        )
        assert again.status_code == 200 and len(again.json()["objects"]) == 3


def test_no_key_no_bundle_and_bad_parameters(database_url: str) -> None:
    with serving(database_url) as api:
        assert api.client.get("/stix/bundle").status_code == 401
        producer = api.client.get("/stix/bundle", headers=api.headers(Role.PRODUCER))
        assert producer.status_code == 403
        bad = api.client.get("/stix/bundle", params={"as_of": "1443657600"}, headers=api.headers())
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.as_of"
        typo = api.client.get("/stix/bundle", params={"proof": "true"}, headers=api.headers())
        assert typo.status_code == 422


def test_proofs_need_a_signed_checkpoint(database_url: str) -> None:
    key = Signer.generate("ledger.local/log")
    with serving(database_url) as api:
        api.ledger.append([make("SourceRegistered")])
        api.ledger.append([marked(make("ActorRegistered"), Classification.SECRET, [])])
        refused = api.client.get("/stix/bundle", params={"proofs": "true"}, headers=api.headers())
        assert refused.status_code == 409
        assert "no signed checkpoint covers position 2" in refused.json()["detail"]
        checkpoint_for(api.ledger, 2, key)
        proven = api.client.get("/stix/bundle", params={"proofs": "true"}, headers=api.headers())
        assert proven.status_code == 200
        checked = check_stix(proven.content, key.verifier)
        assert checked.events == 1 and checked.checkpoint.size == 2  # the SECRET event unseen
