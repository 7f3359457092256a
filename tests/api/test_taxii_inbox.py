"""The TAXII inbox end to end on a real uvicorn server: ``taxii2-client`` posts envelopes
with ``add_objects`` and reads their statuses; counts add up, an exact duplicate is a
success that appends nothing, a refusal fails every object and appends nothing, what
the ledger does not map fails with the reason, and a status is its poster's alone."""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, Status

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from ledger.taxii.media import TAXII
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make, template_world
from tests.helpers import create_database, database_url_for, drop_database, uvicorn_server
from tests.scenarios import marked
from tests.stix.exporting import export_bytes

UNCLASSIFIED = Clearance.of("UNCLASSIFIED")
OASIS = Path(__file__).parents[1] / "stix" / "bundles" / "oasis"


class Bearer(requests.auth.AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.key}"
        return r


@dataclass
class Inbox:
    base: str
    keys: dict[str, str]
    ledger: PostgresLedger
    world: list[dict[str, Any]]
    """The objects of a small ledger's export (UNCLASSIFIED), for an empty one."""
    secret: list[dict[str, Any]]
    """The objects of a ledger's export holding one SECRET actor."""

    def root(self, who: str = "producer") -> ApiRoot:
        server = Server(f"{self.base}/taxii2/", auth=Bearer(self.keys[who]))
        assert server.default is not None
        return server.default

    def collection(self, who: str = "producer") -> Collection:
        everything, inbox = self.root(who).collections
        assert inbox.title == "inbox" and inbox.can_write and not inbox.can_read
        assert not everything.can_write
        return inbox

    def head(self) -> int:
        return self.ledger.head().position

    def headers(self, who: str = "producer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}", "Accept": TAXII}

    def objects_url(self) -> str:
        return str(self.collection().objects_url)


def _exported(url: str, events: list[Any]) -> list[dict[str, Any]]:
    with open_ledger(Settings(database_url=url)) as source:
        source.append(events)
        found: list[dict[str, Any]] = json.loads(export_bytes(source))["objects"]
    return found


@pytest.fixture(scope="module")
def inbox(server_url: str, template_db: str) -> Iterator[Inbox]:
    names = [create_database(server_url, template_db) for _ in range(3)]
    source, secret_source, target = (database_url_for(server_url, n) for n in names)
    try:
        world = _exported(
            source, [*template_world(), make("ClaimAsserted"), make("DeploymentReported")]
        )
        secret = _exported(
            secret_source,
            [marked(make("ActorRegistered", actor_id="actor:hidden"), Classification.SECRET, [])],
        )
        settings = Settings(database_url=target)
        with open_ledger(settings) as ledger:
            assert isinstance(ledger, PostgresLedger)
            with ledger.connection() as conn:
                made = {
                    "producer": keys.create(conn, Role.PRODUCER, "p", UNCLASSIFIED)[1],
                    "other": keys.create(conn, Role.PRODUCER, "p2", UNCLASSIFIED)[1],
                    "analyst": keys.create(conn, Role.ANALYST, "a", UNCLASSIFIED)[1],
                }
            with uvicorn_server(settings) as base:
                yield Inbox(base, made, ledger, world, secret)
    finally:
        for name in names:
            drop_database(server_url, name)


def _adds_up(status: Status, total: int) -> None:
    assert status.status == "complete" and status.pending_count == 0
    assert status.total_count == total
    assert status.success_count + status.failure_count + status.pending_count == total
    assert len(status.successes) == status.success_count
    assert len(status.failures) == status.failure_count


def _ids(details: list[dict[str, Any]]) -> set[str]:
    return {d["id"] for d in details}


def test_an_envelope_goes_in_once_and_again_is_already_held(inbox: Inbox) -> None:
    collection = inbox.collection()
    world = inbox.world
    before = inbox.head()
    status = collection.add_objects({"objects": world}, poll_interval=0.1, timeout=5)
    _adds_up(status, len(world))
    # the exporting ledger's own identities are its, not events: the import says so
    kinds = {o["id"]: o["type"] for o in world}
    assert {kinds[f["id"]] for f in status.failures} == {"identity", "extension-definition"}
    assert all(f["message"].startswith("not mapped: ") for f in status.failures)
    assert _ids(status.successes) | _ids(status.failures) == {o["id"] for o in world}
    assert {s["message"] for s in status.successes} == {"added"}
    versions = {o["id"]: o.get("modified") for o in world}
    assert all(s.get("version") == versions[s["id"]] for s in status.successes)
    appended = inbox.head() - before
    assert appended > 0
    recorded = {r.event.envelope.recorded_by for r in inbox.ledger.read(after=before)}
    assert recorded == {"p"}, "the events are the posting key's"
    # the status is read back, by the client's own URL and through the API root
    status.refresh()
    _adds_up(status, len(world))
    status.wait_until_final(poll_interval=0.1, timeout=5)
    again = inbox.root().get_status(status.id)
    assert again.successes == status.successes and again.request_timestamp

    repeat = collection.add_objects({"objects": world}, poll_interval=0.1, timeout=5)
    _adds_up(repeat, len(world))
    assert repeat.id != status.id and repeat.failures == status.failures
    assert _ids(repeat.successes) == _ids(status.successes)
    assert {s["message"] for s in repeat.successes} == {"already held"}
    assert inbox.head() - before == appended, "an exact duplicate appends nothing"


def test_a_secret_object_from_an_unclassified_key_fails_the_whole_envelope(inbox: Inbox) -> None:
    before = inbox.head()
    status = inbox.collection().add_objects({"objects": inbox.secret}, wait_for_completion=False)
    _adds_up(status, len(inbox.secret))
    assert status.success_count == 0 and status.failure_count == len(inbox.secret)
    whole = "not added: the envelope was refused whole (envelope, object "
    named = [f for f in status.failures if not f["message"].startswith(whole)]
    assert named and len(named) < len(status.failures), status.failures
    for failure in named:  # the refusal names the object, its marking and the clearance
        assert failure["message"].startswith(f"envelope, object {failure['id']}")
        assert "marked SECRET, above this key's clearance UNCLASSIFIED" in failure["message"]
    assert inbox.head() == before, "nothing is appended"


def test_a_third_partys_bundle_adds_what_maps_and_says_why_the_rest_does_not(
    inbox: Inbox,
) -> None:
    bundle = json.loads(
        (OASIS / "threat-actor-leveraging-attack-patterns-and-malware.json").read_text()
    )
    objects = bundle["objects"]
    before = inbox.head()
    status = inbox.collection().add_objects({"objects": objects}, poll_interval=0.1, timeout=5)
    _adds_up(status, len(objects))
    kinds = {o["id"]: o["type"] for o in objects}
    assert {kinds[s["id"]] for s in status.successes} == {"threat-actor", "identity"}
    failed = {kinds[f["id"]]: f["message"] for f in status.failures}
    assert "has no event for a malware" in failed["malware"]
    assert "has no event for an attack-pattern" in failed["attack-pattern"]
    assert all(f["message"].startswith("not mapped: ") for f in status.failures)
    assert inbox.head() > before


def test_a_status_is_its_posters_alone(inbox: Inbox) -> None:
    status = inbox.collection().add_objects({"objects": inbox.world[:1]}, poll_interval=0.1)
    path = f"{inbox.base}/taxii2/ledger/status/{status.id}/"
    mine = httpx.get(path, headers=inbox.headers())
    assert mine.status_code == 200 and mine.json()["id"] == status.id
    assert mine.headers["content-type"] == TAXII
    for who in ("other", "analyst"):
        theirs = httpx.get(path, headers=inbox.headers(who))
        assert theirs.status_code == 404 and theirs.json()["http_status"] == "404"
    unknown = httpx.get(f"{inbox.base}/taxii2/ledger/status/not-a-uuid/", headers=inbox.headers())
    assert unknown.status_code == 404
    assert httpx.get(path, headers={"Accept": TAXII}).status_code == 401


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status) and body["title"]
    description: str = body["description"]
    return description


def test_what_the_inbox_refuses_in_taxii_form(inbox: Inbox) -> None:
    url = inbox.objects_url()
    before = inbox.head()
    envelope = json.dumps({"objects": inbox.world[:1]})
    posting = {**inbox.headers(), "Content-Type": TAXII}
    _error(
        httpx.post(
            url, content=envelope, headers={**inbox.headers(), "Content-Type": "application/json"}
        ),
        415,
    )
    assert "not a TAXII envelope" in _error(
        httpx.post(url, content=b'{"type": "bundle", "objects": []}'[:17] + b"}", headers=posting),
        400,
    )
    assert "not JSON" in _error(httpx.post(url, content=b"{", headers=posting), 400)
    assert "at least one" in _error(
        httpx.post(url, content=b'{"objects": []}', headers=posting), 400
    )
    assert "objects[0]" in _error(
        httpx.post(url, content=b'{"objects": [{"type": "note"}]}', headers=posting), 400
    )
    analyst = {**inbox.headers("analyst"), "Content-Type": TAXII}
    assert "an analyst key cannot" in _error(
        httpx.post(url, content=envelope, headers=analyst), 403
    )
    # the inbox serves no reads; the read collection takes no objects
    reading = httpx.get(url, headers={**inbox.headers("analyst")})
    assert "can_read is false" in _error(reading, 403)
    manifest = url.replace("/objects/", "/manifest/")
    _error(httpx.get(manifest, headers=inbox.headers("analyst")), 403)
    everything = url.replace(inbox.collection().id, "everything")
    assert "read only" in _error(httpx.post(everything, content=envelope, headers=posting), 403)
    assert inbox.head() == before


def test_the_input_limits_apply(inbox: Inbox) -> None:
    limits = Settings().limits
    posting = {**inbox.headers(), "Content-Type": TAXII}
    notes = [
        {"type": "note", "id": f"note--{uuid.UUID(int=n, version=4)}"}
        for n in range(limits.max_batch_events + 1)
    ]
    many = httpx.post(inbox.objects_url(), content=json.dumps({"objects": notes}), headers=posting)
    assert "LEDGER_MAX_BATCH_EVENTS" in _error(many, 413)
    big = b'{"objects": [' + b" " * limits.max_body_bytes + b"]}"
    _error(httpx.post(inbox.objects_url(), content=big, headers=posting), 413)


def test_an_object_the_import_refuses_is_named_and_the_rest_refused_whole(inbox: Inbox) -> None:
    bad = {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "yesterday",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "Nobody",
        "identity_class": "organization",
    }
    good = next(o for o in inbox.world if o["type"] == "location")
    before = inbox.head()
    status = inbox.collection().add_objects({"objects": [good, bad]}, poll_interval=0.1)
    _adds_up(status, 2)
    by_id = {f["id"]: f["message"] for f in status.failures}
    assert by_id[bad["id"]].startswith(f"object {bad['id']}, property created: 'yesterday'")
    assert by_id[good["id"]] == f"not added: the envelope was refused whole ({by_id[bad['id']]})"
    assert inbox.head() == before


def test_an_answer_the_client_cannot_take_is_a_406(inbox: Inbox) -> None:
    headers = {**inbox.headers(), "Accept": "application/json", "Content-Type": TAXII}
    answer = httpx.post(inbox.objects_url(), content=b'{"objects": [{"id": "x"}]}', headers=headers)
    _error(answer, 406)
