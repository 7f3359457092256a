"""The read side's gazetteer index on the seed ledger: one index built at the head, or
grown from an earlier one, answers every earlier position as an index built there."""

from ledger.config import Settings
from ledger.projection import gazetteer
from ledger.projection.gazetteer import KINDS
from ledger.runtime import bootstrap
from tests.helpers import seed


def test_one_index_answers_every_position_as_one_built_there(database_url: str) -> None:
    with bootstrap(Settings(database_url=database_url)) as runtime:
        seed(runtime.store)
        with runtime.store.connection() as conn:
            head = gazetteer.load(conn, 138)
            grown = gazetteer.load(conn, 40)
            for position in range(0, 139, 7):
                there = gazetteer.load(conn, position)
                grown = gazetteer.extend(grown, conn, max(position, grown.position))
                for kind in KINDS:
                    expected = there.register(kind).visible()
                    assert head.register(kind).visible(position) == expected, (kind, position)
                    assert grown.register(kind).visible(position) == expected, (kind, position)
            assert gazetteer.extend(grown, conn, 138).register("actor").visible() == (
                head.register("actor").visible()
            )
