"""The store's ports as one contract (eventsourcing's way: a test case every adapter
subclasses): ``StorePorts`` states what ``Appending``, ``Reading``, ``Positions``,
``Proving`` and ``Connections`` promise, and ``TestPostgresLedger`` holds the one
adapter to it, on the real PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.errors import ConflictError
from ledger.log.merkle import verify_consistency, verify_inclusion
from ledger.log.note import Signer
from ledger.ports import Appending, Connections, LedgerStore, Positions, Proving, Reading
from ledger.store.postgres import PostgresLedger
from tests.factories import make, template_world
from tests.scenarios import marked

SECRET = Clearance.of("SECRET")


class StorePorts:
    """What every store adapter must do; a subclass gives ``store``."""

    @pytest.fixture
    def store(self) -> LedgerStore:
        raise NotImplementedError

    def test_it_is_every_port(self, store: LedgerStore) -> None:
        # the assignments are checked by mypy; the loop, at run time, for any adapter
        ports: tuple[Appending, Reading, Positions, Proving, Connections] = (store,) * 5
        for port in (Appending, Reading, Positions, Proving, Connections):
            members = [n for n in vars(port) if not n.startswith("_")]
            members += list(getattr(port, "__annotations__", {}))
            assert members and all(hasattr(store, n) for n in members), port
        assert len(ports) == 5

    def test_appending_is_contiguous_all_or_nothing_and_idempotent(
        self, store: LedgerStore
    ) -> None:
        world = template_world()
        first = store.append(world)
        assert [a.position for a in first] == list(range(1, len(world) + 1))
        assert all(a.appended for a in first)
        again = store.append(world)
        assert [a.position for a in again] == [a.position for a in first]
        assert not any(a.appended for a in again)
        changed = make("SourceRegistered", envelope=world[0].envelope.model_dump(mode="json"))
        with pytest.raises(ConflictError):
            store.append([make("SourceRegistered"), changed])
        assert store.head().position == len(world)  # the batch's first went nowhere

    def test_encoded_events_append_as_given(self, store: LedgerStore) -> None:
        event = make("SourceRegistered")
        item = store.encode(event)
        store.admit([item])
        (appended,) = store.append_encoded([item])
        assert store.payload_of(event.envelope.event_id) == item.payload
        assert store.find_row(event.envelope.event_id)["position"] == appended.position  # type: ignore[index]

    def test_reading_gives_back_the_events_in_order_as_a_clearance_sees_them(
        self, store: LedgerStore
    ) -> None:
        events = [
            make("SourceRegistered"),
            marked(make("SourceRegistered"), Classification.SECRET, []),
        ]
        events.append(make("SourceRegistered"))
        store.append(events)
        assert [r.event for r in store.read()] == events
        assert [r.position for r in store.read(after=1, until=2)] == [2]
        public = Clearance.of("UNCLASSIFIED")
        assert [r.position for r in store.read(clearance=public)] == [1, 3]
        assert [r["position"] for r in store.read_rows(clearance=SECRET)] == [1, 2, 3]
        assert [r["position"] for r in store.read_rows_at([3, 2], public)] == [3]
        assert store.find_row(events[1].envelope.event_id, public) is None
        assert [p for p, _, _ in store.read_records(types=["SourceRegistered"])] == [1, 2, 3]
        assert sum(n for _, n in store.event_counts(public)) == 2

    def test_positions_follow_the_record_time(self, store: LedgerStore) -> None:
        before = datetime.now(UTC) - timedelta(seconds=1)
        store.append([make("SourceRegistered")])
        head = store.head()
        assert head.position == 1
        assert store.position_at(before) == 0
        assert store.position_at(datetime.now(UTC) + timedelta(seconds=1)) == 1
        assert store.marking_of([1]).text() == "UNCLASSIFIED"

    def test_proving_is_built_once_and_proves_what_it_holds(self, store: LedgerStore) -> None:
        assert store.checkpoints is store.checkpoints and store.tree is store.tree
        store.append(template_world())
        assert store.checkpoints.latest() is None
        stored, new = store.checkpoints.issue(Signer.generate("test.example/log"))
        assert new and stored.size == store.head().position == store.tree.size()
        leaf, path, root = store.tree.inclusion(3, stored.size)
        assert root == stored.root == store.tree.root(stored.size)
        verify_inclusion(2, stored.size, leaf, path, root)
        store.append([make("SourceRegistered")])
        proof, old, new_root = store.tree.consistency(stored.size, stored.size + 1)
        verify_consistency(stored.size, stored.size + 1, old, new_root, proof)

    def test_a_cleared_connection_hides_what_the_clearance_may_not_see(
        self, store: LedgerStore
    ) -> None:
        store.append([marked(make("SourceRegistered"), Classification.TOP_SECRET, [])])
        with store.cleared(SECRET) as conn:
            assert conn.execute("SELECT count(*) FROM ledger.events").fetchone() == (0,)
        with store.connection() as conn:
            assert conn.execute("SELECT count(*) FROM ledger.events").fetchone() == (1,)

    def test_what_cannot_be_appended_is_kept_aside(self, store: LedgerStore) -> None:
        assert store.count_rejected() == 0
        store.reject(origin="test", reason="not an event", payload=b"\x00")
        assert store.count_rejected() == 1


class TestPostgresLedger(StorePorts):
    @pytest.fixture
    def store(self, ledger: PostgresLedger) -> LedgerStore:
        return ledger
