"""/health: status alone without a key; with a key, the head and the projections'
progress as its clearance sees the ledger, unmoved by events it may not see."""

from collections.abc import Iterator

import pytest

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.web.keys import Role
from tests.factories import make
from tests.helpers import seed, serving
from tests.scenarios import marked


@pytest.fixture
def seeded(database_url: str) -> Iterator[str]:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    yield database_url


def _secret() -> list:  # type: ignore[type-arg]
    return [
        marked(make("SourceRegistered", source_id="source:cobra"), Classification.SECRET, []),
        marked(make("ClaimAsserted", claim_id="claim:cobra-1"), Classification.SECRET, ["ALPHA"]),
    ]


def test_without_a_key_only_the_status_shows(seeded: str) -> None:
    with serving(seeded) as api:
        assert api.client.get("/health").json() == {"status": "ok"}


def test_hidden_events_move_nothing_a_key_is_told(seeded: str) -> None:
    with serving(seeded) as api:
        before = api.client.get("/health", headers=api.headers(Role.PRODUCER)).json()
        assert before["head_recorded_at"] is not None
        api.ledger.append(_secret())  # the newest events, not yet folded
        unfolded = api.client.get("/health", headers=api.headers(Role.PRODUCER)).json()
        api.project()
        folded = api.client.get("/health", headers=api.headers(Role.ANALYST)).json()
        head = api.ledger.head()
    assert unfolded == before
    assert folded == before
    assert before["head"] == head.position - 2 and before["head_hash"] != head.hash.hex()


def test_a_key_that_sees_them_sees_them_come_and_be_folded(seeded: str) -> None:
    with serving(seeded, clearance=Clearance.of("SECRET", ["ALPHA"])) as api:
        api.ledger.append(_secret())
        unfolded = api.client.get("/health", headers=api.headers()).json()
        api.project()
        folded = api.client.get("/health", headers=api.headers()).json()
        head = api.ledger.head()
    assert unfolded["head"] == folded["head"] == head.position
    assert folded["head_hash"] == head.hash.hex()
    assert unfolded["head_recorded_at"] == folded["head_recorded_at"] is not None
    assert {p["lag"] for p in unfolded["projections"]} == {2}
    assert {p["cursor"] for p in unfolded["projections"]} == {head.position - 2}
    assert {(p["cursor"], p["lag"]) for p in folded["projections"]} == {(head.position, 0)}
