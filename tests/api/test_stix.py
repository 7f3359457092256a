"""``GET /stix/bundle`` end to end: keys of three clearances each get what the export
gives that clearance, streamed as STIX; proofs need a checkpoint; no key, no bundle."""

import json
from typing import Any

import pytest

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.intake.limits import DEFAULT_LIMITS
from ledger.log.note import Signer
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.proofs import check_stix
from ledger.stix.proving import checkpoint_for
from ledger.store.postgres import PostgresLedger
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make, template_world
from tests.helpers import Api, serving
from tests.malformed_stix import CASES, base
from tests.scenarios import marked
from tests.stix.checkers import assert_valid
from tests.stix.exporting import export_bytes, ours

MEDIA_TYPE = "application/stix+json;version=2.1"

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


def _producer_keys(ledger: PostgresLedger) -> list[str]:
    with ledger.connection() as conn:
        return [keys.create(conn, Role.PRODUCER, c.text(), c)[1] for c in CLEARANCES]


def _post(api: Api, data: bytes, key: str, **params: str) -> Any:
    return api.client.post(
        "/stix/bundles",
        content=data,
        params=params,
        headers={"Authorization": f"Bearer {key}", "Content-Type": MEDIA_TYPE},
    )


def test_a_bundle_posted_goes_in_once_through_the_common_intake(
    database_url: str, empty_target: str
) -> None:
    with open_ledger(Settings(database_url=database_url)) as source:
        source.append([*template_world(), make("ClaimAsserted"), make("DeploymentReported")])
        data = export_bytes(source)
    with serving(empty_target) as api:
        analyst = api.client.post("/stix/bundles", content=data, headers=api.headers(Role.ANALYST))
        assert analyst.status_code == 403
        dry = _post(api, data, api.keys[Role.PRODUCER], dry_run="true")
        assert dry.status_code == 200 and dry.json()["appended"] == 0, dry.text
        assert api.ledger.head().position == 0
        first = _post(api, data, api.keys[Role.PRODUCER])
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["appended"] == body["events"] == 10 == len(body["receipts"])
        assert body["types"]["location"] == {"mapped": 2, "known": 0, "not_mapped": {}}
        assert {r.event.envelope.recorded_by for r in list(api.ledger.read())} == {"test producer"}
        again = _post(api, data, api.keys[Role.PRODUCER], recorded_by="test producer")
        assert again.status_code == 200, again.text
        assert again.json()["events"] == 0 and again.json()["types"]["location"]["known"] == 2


def test_a_key_imports_at_or_below_its_clearance_and_sees_only_what_it_may(
    database_url: str, empty_target: str
) -> None:
    actor = make("ActorRegistered")
    actor_id = actor.model_dump()["actor_id"]
    with open_ledger(Settings(database_url=database_url)) as source:
        source.append(
            [
                *(e for e in template_world() if e.event_type() != "ActorRegistered"),
                make("ActorRegistered", actor_id="actor:coalition", name="Coalition", member_of=[]),
                marked(actor, Classification.SECRET, []),
                make("ClaimAsserted"),
                marked(make("DeploymentReported"), Classification.SECRET, []),
            ]
        )
        data = export_bytes(source)
    without_actor = json.loads(data)
    without_actor["objects"] = [
        o for o in without_actor["objects"] if ours(o).get("ledger_id") != actor_id
    ]
    partial = json.dumps(without_actor).encode()
    with serving(empty_target) as api:
        public, secret, top = _producer_keys(api.ledger)
        refused = _post(api, data, public)
        assert refused.status_code == 403, refused.text
        assert "above this key's clearance UNCLASSIFIED" in refused.json()["detail"]
        assert api.ledger.head().position == 0
        # the actor is held, TOP_SECRET: to a SECRET key it does not exist
        api.ledger.append([marked(actor, Classification.TOP_SECRET, [])])
        blind = _post(api, partial, secret)
        assert blind.status_code == 422, blind.text
        assert f"the actor '{actor_id}'" in blind.text and "nor in the ledger" in blind.text
        assert api.ledger.head().position == 1
        seen = _post(api, partial, top)
        assert seen.status_code == 201, seen.text
        assert _post(api, data, secret).status_code == 201


def test_a_bad_bundle_is_a_clear_422_and_nothing_appended(database_url: str) -> None:
    with serving(database_url) as api:
        for body, expected in (
            (b"{", "not valid JSON"),
            (b'{"type": "bundle", "id": "bundle--x", "spec_version": "2.0", "objects": []}', "2.0"),
            (b'{"type": "report"}', "bundle"),
        ):
            response = _post(api, body, api.keys[Role.PRODUCER])
            assert response.status_code == 422, response.text
            problem = response.json()
            assert expected in problem["detail"] and problem["errors"][0]["field"] == "body"
        assert api.ledger.head().position == 0


@pytest.fixture
def empty_target(server_url: str, template_db: str) -> Any:
    from tests.helpers import create_database, database_url_for, drop_database

    name = create_database(server_url, template_db)
    yield database_url_for(server_url, name)
    drop_database(server_url, name)


def test_every_hostile_bundle_is_refused_over_http_in_one_sentence(database_url: str) -> None:
    """The STIX section of the hostile-input corpus, posted: each a 422 (413 beyond the
    body limit) naming what the import found, never a 5xx, nothing appended."""
    with serving(database_url) as api:
        for kind, case in CASES.items():
            if case.limits != DEFAULT_LIMITS:
                continue  # made for limits lower than the server's
            response = _post(api, case.raw, api.keys[Role.PRODUCER])
            assert response.status_code in (413, 422), (kind, response.text)
            problem = response.json()
            assert "Traceback" not in response.text and len(problem["detail"]) < 2000, kind
            if response.status_code == 422:
                said = [problem["detail"], *(e["message"] for e in problem["errors"])]
                assert any(case.expected in s for s in said), (kind, said)
        assert api.ledger.head().position == 0
        base_bundle = json.dumps(base()).encode()
        accepted = _post(api, base_bundle, api.keys[Role.PRODUCER], allow_unresolved="true")
        assert accepted.status_code == 422 and "allow_unresolved" in accepted.text
        public = _post(api, base_bundle, api.keys[Role.PRODUCER])
        assert public.status_code == 403, public.text  # its TLP:AMBER is above UNCLASSIFIED
        # a marking the import does not know fails closed: UNKNOWN, which only the
        # operator reads, so no key may write it
        top = _producer_keys(api.ledger)[2]
        unknown = _post(api, base_bundle, top)
        assert unknown.status_code == 403 and "marked UNKNOWN" in unknown.text
        assert api.ledger.head().position == 0
