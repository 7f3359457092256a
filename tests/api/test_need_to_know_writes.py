"""Need-to-know on the write path: what a producer of clearance C is told equals what it
would be told on a ledger holding only the events C may see.

The second ledger holds the visible events appended afresh, in order (the same bytes, so
the same ids), at positions of its own; the comparison maps its positions back to the
first ledger's and leaves out only the position of a newly appended event (the head
differs, as positions are global). Each probe is posted to both ledgers, so they keep
holding the same events that C sees. Probes re-send events, reuse the ids of visible and
hidden events with other content, and name claims, actors, places, sources and documents
that are visible, hidden or never registered, with and without ``allow_unresolved``.
"""

import json
import re
import uuid
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.domain.references import references, registered_id
from ledger.runtime import open_ledger
from ledger.taxii import resources
from ledger.web.keys import Role
from tests.api.test_need_to_know import ORDER, may_see
from tests.factories import make
from tests.helpers import Api, create_database, database_url_for, drop_database, serving
from tests.scenarios import COMPARTMENTS, SOURCES, events, marked, marked_events, markings
from tests.stix.exporting import rendered


def body(event: Event) -> dict[str, Any]:
    return {"type": event.event_type(), **event.model_dump(mode="json")}


def with_id(event: Event, event_id: uuid.UUID) -> Event:
    envelope = event.envelope.model_copy(update={"event_id": event_id})
    return event.model_copy(update={"envelope": envelope})


@st.composite
def probes(draw: st.DrawFn, ledger: list[Event]) -> list[Event]:
    """A request's events: new ones of the small world (naming what may be hidden), exact
    re-sends, and new content under the id of an event already in the ledger."""
    found: list[Event] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["new", "new", "resend", "reuse"]))
        if kind == "new":
            found.append(draw(marked_events()))
        elif kind == "resend":
            found.append(draw(st.sampled_from(ledger)))
        else:  # often a registration, open to all: it reaches the id check
            taken = draw(st.sampled_from(ledger)).envelope.event_id
            level, compartments = draw(st.just((Classification.UNCLASSIFIED, [])) | markings)
            event = draw(st.sampled_from([registrations(), events()]).flatmap(lambda s: s))
            found.append(with_id(marked(event, level, compartments), taken))
    return found


def registrations() -> st.SearchStrategy[Event]:
    """A registration naming nothing else: it passes the reference checks."""
    names = st.sampled_from(["source:s9", "source:s8", *SOURCES])
    return names.map(lambda s: make("SourceRegistered", source_id=s, name=s, aliases=[]))


_POSITION = re.compile(r"\bposition (\d+)")


def _post(api: Api, events_: list[Event], unresolved: bool) -> tuple[int, Any]:
    path = "/events" if len(events_) == 1 else "/events/batch"
    payload: Any = body(events_[0]) if len(events_) == 1 else {"events": [body(e) for e in events_]}
    response = api.post(path, payload, Role.PRODUCER, allow_unresolved=unresolved)
    return response.status_code, response.json()


def _renumbered(answer: tuple[int, Any], back: dict[int, int]) -> tuple[int, Any]:
    """The answer with its positions told in the first ledger's numbering."""
    status, found = answer

    def renumber(text: str) -> str:
        return _POSITION.sub(lambda m: f"position {back.get(int(m[1]), int(m[1]))}", text)

    for receipt in found.get("receipts") or []:
        receipt["position"] = back.get(receipt["position"], receipt["position"])
    for problem in found.get("errors") or []:
        problem["message"] = renumber(problem["message"])
    if isinstance(found.get("detail"), str):
        found["detail"] = renumber(found["detail"])
    return status, found


@settings(
    max_examples=10,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # a shrink costs minutes here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(marked_events(), min_size=1, max_size=25),
    level=st.sampled_from(ORDER),
    compartments=st.lists(st.sampled_from(COMPARTMENTS), unique=True),
    data=st.data(),
)
def test_what_a_producer_is_told_equals_what_it_is_told_on_the_visible_events_alone(
    server_url: str,
    template_db: str,
    batch: list[Event],
    level: str,
    compartments: list[str],
    data: st.DataObject,
) -> None:
    clearance = Clearance.of(level, compartments)
    # first, the two probes the issue found: a hidden event's id reused, and an open
    # event acting on what may be hidden (overriding the reference check or not)
    reuse = with_id(data.draw(registrations()), data.draw(st.sampled_from(batch)).envelope.event_id)
    acting = data.draw(events())
    requests = [
        ([reuse], False),
        ([acting], data.draw(st.booleans())),
        *data.draw(st.lists(st.tuples(probes(batch), st.booleans()), max_size=5)),
    ]
    whole = create_database(server_url, template_db)
    alone = create_database(server_url, template_db)
    whole_url, alone_url = database_url_for(server_url, whole), database_url_for(server_url, alone)
    try:
        with open_ledger(Settings(database_url=whole_url)) as ledger:
            appended = ledger.append(batch)
        visible = [
            (a.position, e)
            for a, e in zip(appended, batch, strict=True)
            if may_see(level, compartments, e)
        ]
        with open_ledger(Settings(database_url=alone_url)) as ledger:
            copies = ledger.append([e for _, e in visible])
        back = {c.position: p for c, (p, _) in zip(copies, visible, strict=True)}
        known = {registered_id(e) for _, e in visible} - {None}
        with (
            serving(whole_url, clearance=clearance) as mine,
            serving(alone_url, clearance=clearance) as theirs,
        ):
            for events_, unresolved in requests:
                told = _post(mine, events_, unresolved)
                reference = _post(theirs, events_, unresolved)
                # an event both appended now: its position here is that one there
                for got, wanted in zip(
                    told[1].get("receipts") or [], reference[1].get("receipts") or [], strict=False
                ):
                    if got["appended"] and wanted["appended"]:
                        back.setdefault(wanted["position"], got["position"])
                assert told == _renumbered(reference, back), events_
                if told[0] in (200, 201):  # it acts only on what its producer sees
                    for event in events_:
                        named = {(r.kind, r.id) for r in references(event)}
                        assert named <= known, (event, named - known)
                        known.add(registered_id(event))
    finally:
        drop_database(server_url, whole)
        drop_database(server_url, alone)


def test_an_id_held_by_a_hidden_event_is_free_to_the_producer(fresh_api: Api) -> None:
    """The issue's probe: reusing the id of a SECRET event is not a 409 naming its position
    (the key's clearance is UNCLASSIFIED); the event is appended beside it."""
    secret = marked(
        make("SourceRegistered", source_id="source:hidden", aliases=[]), Classification.SECRET, []
    )
    (held,) = fresh_api.ledger.append([secret])
    probe = with_id(
        make("SourceRegistered", source_id="source:open", aliases=[]), secret.envelope.event_id
    )
    response = fresh_api.post("/events", body(probe))
    assert response.status_code == 201, response.text
    (receipt,) = response.json()["receipts"]
    assert receipt["appended"] and receipt["position"] > held.position
    again = fresh_api.post("/events", body(probe))
    assert (
        again.status_code == 200 and again.json()["receipts"][0]["position"] == receipt["position"]
    )
    seen = fresh_api.client.get(f"/events/{secret.envelope.event_id}", headers=fresh_api.headers())
    assert seen.status_code == 200 and seen.json()["position"] == receipt["position"]
    other = with_id(
        make("SourceRegistered", source_id="source:third", aliases=[]), secret.envelope.event_id
    )
    conflict = fresh_api.post("/events", body(other))
    assert conflict.status_code == 409
    assert f"position {receipt['position']}" in conflict.text
    assert f"position {held.position}" not in conflict.text


def _post_bundle(api: Api, events_: list[Event]) -> tuple[int, Any]:
    response = api.client.post(
        "/stix/bundles",
        content=rendered(*events_),
        params={"recorded_by": "probe"},
        headers={**api.headers(Role.PRODUCER), "Content-Type": "application/stix+json"},
    )
    return response.status_code, response.json()


TAXII = "application/taxii+json;version=2.1"


def _post_envelope(api: Api, events_: list[Event]) -> tuple[int, Any]:
    """The events' objects posted to the TAXII inbox, and the status read back."""
    inbox = resources.inbox(api.client.app.state.log_name).id  # type: ignore[attr-defined]
    objects = json.loads(rendered(*events_))["objects"]
    headers = {**api.headers(Role.PRODUCER), "Content-Type": TAXII, "Accept": TAXII}
    response = api.client.post(
        f"/taxii2/ledger/collections/{inbox}/objects/",
        content=json.dumps({"objects": objects}),
        headers=headers,
    )
    status = response.json()
    if response.status_code == 202:
        again = api.client.get(f"/taxii2/ledger/status/{status['id']}/", headers=headers)
        assert again.status_code == 200 and again.json() == status
        status = {k: v for k, v in status.items() if k not in ("id", "request_timestamp")}
    return response.status_code, status


@settings(
    max_examples=8,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(marked_events(), min_size=1, max_size=20),
    level=st.sampled_from(ORDER),
    compartments=st.lists(st.sampled_from(COMPARTMENTS), unique=True),
    data=st.data(),
)
def test_what_a_stix_import_is_told_equals_what_it_is_told_on_the_visible_events_alone(
    server_url: str,
    template_db: str,
    batch: list[Event],
    level: str,
    compartments: list[str],
    data: st.DataObject,
) -> None:
    """A bundle posted to ``POST /stix/bundles`` is mapped with what the key sees of the
    ledger: its answer (the report per type, receipts, refusals) is the answer of a
    ledger holding only the visible events, whatever the bundle names."""
    clearance = Clearance.of(level, compartments)
    requests = data.draw(st.lists(probes(batch), min_size=1, max_size=4))
    whole = create_database(server_url, template_db)
    alone = create_database(server_url, template_db)
    whole_url, alone_url = database_url_for(server_url, whole), database_url_for(server_url, alone)
    try:
        with open_ledger(Settings(database_url=whole_url)) as ledger:
            appended = ledger.append(batch)
        visible = [
            (a.position, e)
            for a, e in zip(appended, batch, strict=True)
            if may_see(level, compartments, e)
        ]
        with open_ledger(Settings(database_url=alone_url)) as ledger:
            copies = ledger.append([e for _, e in visible])
        back = {c.position: p for c, (p, _) in zip(copies, visible, strict=True)}
        with (
            serving(whole_url, clearance=clearance) as mine,
            serving(alone_url, clearance=clearance) as theirs,
        ):
            for events_ in requests:
                told = _post_bundle(mine, events_)
                reference = _post_bundle(theirs, events_)
                assert told[0] < 500 and reference[0] < 500, (told, reference)
                for got, wanted in zip(
                    told[1].get("receipts") or [], reference[1].get("receipts") or [], strict=False
                ):
                    if got["appended"] and wanted["appended"]:
                        back.setdefault(wanted["position"], got["position"])
                assert told == _renumbered(reference, back), events_
                # the TAXII inbox: the same import, its status for the key
                status, reference_status = (
                    _post_envelope(mine, events_),
                    _post_envelope(theirs, events_),
                )
                assert status[0] == reference_status[0] and status[0] < 500, status
                assert json.dumps(status[1], sort_keys=True) == _POSITION.sub(
                    lambda m: f"position {back.get(int(m[1]), int(m[1]))}",
                    json.dumps(reference_status[1], sort_keys=True),
                ), events_
    finally:
        drop_database(server_url, whole)
        drop_database(server_url, alone)
