"""A collection grown from the one before (even from an empty one) is the collection
read whole, for every clearance, over random marked ledgers appended in several batches."""

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.runtime import open_ledger
from ledger.taxii.collection import Collection, read
from ledger.taxii.growth import grow
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database
from tests.scenarios import COMPARTMENTS, marked, marked_events
from tests.stix.exporting import CONTEXT

READERS = [
    Clearance.of("UNCLASSIFIED"),
    Clearance.of("RESTRICTED", ["ALPHA"]),
    Clearance.of("SECRET"),
    Clearance.of("TOP_SECRET", COMPARTMENTS),
    OPERATOR,
]


def _same(grown: Collection, whole: Collection) -> None:
    assert grown.entries == whole.entries
    assert grown.added == whole.added
    assert grown.by_id == whole.by_id
    assert grown.position == whole.position


@settings(
    max_examples=8,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(marked_events(), min_size=1, max_size=8), min_size=2, max_size=5))
def test_a_grown_collection_is_the_collection_read_whole(
    server_url: str, template_db: str, batches: list[list[Event]]
) -> None:
    name = create_database(server_url, template_db)
    try:
        with open_ledger(Settings(database_url=database_url_for(server_url, name))) as ledger:
            kept = {c: read(ledger, c, ledger.head().position, CONTEXT) for c in READERS}
            for batch in batches:
                ledger.append(batch)
                head = ledger.head().position
                for clearance in READERS:
                    grown = grow(kept[clearance], ledger, clearance, head, CONTEXT)
                    assert grown is not None
                    _same(grown, read(ledger, clearance, head, CONTEXT))
                    kept[clearance] = grown
    finally:
        drop_database(server_url, name)


def test_a_collection_grows_once_even_from_nothing(database_url: str) -> None:
    unclassified = Clearance.of("UNCLASSIFIED")
    with open_ledger(Settings(database_url=database_url)) as ledger:
        empty = read(ledger, unclassified, 0, CONTEXT)
        ledger.append([marked(make("SourceRegistered"), Classification.SECRET, [])])
        head = ledger.head().position
        unseen = grow(empty, ledger, unclassified, head, CONTEXT)
        assert unseen is not None and not unseen.entries  # nothing yet, no static objects
        ledger.append([make("SourceRegistered")])
        head = ledger.head().position
        grown = grow(unseen, ledger, unclassified, head, CONTEXT)
        assert grown is not None and len(grown.entries) > 1  # the static objects lead it
        _same(grown, read(ledger, unclassified, head, CONTEXT))
        first = read(ledger, OPERATOR, ledger.head().position, CONTEXT)
        ledger.append([make("ActorRegistered")])
        head = ledger.head().position
        assert grow(first, ledger, OPERATOR, head, CONTEXT) is not None
        assert grow(first, ledger, OPERATOR, head, CONTEXT) is None  # its index is gone
