"""The collections a server keeps: one read per clearance and position, a later one
grown from the latest kept before it, the oldest let go."""

from ledger.taxii.cache import Collections
from ledger.taxii.collection import Collection


def test_read_once_grown_from_the_latest_before_and_bounded() -> None:
    cache = Collections(kept=2)
    calls: list[str] = []

    def get(clearance: str, position: int) -> Collection:
        def read() -> Collection:
            calls.append(f"read {clearance}{position}")
            return Collection([], position)

        def grow(old: Collection) -> Collection:
            calls.append(f"grow {clearance}{old.position} to {position}")
            return Collection([], position)

        return cache.get(clearance, position, read, grow)

    assert get("S", 5).position == 5
    assert get("S", 5).position == 5  # kept
    assert get("S", 9).position == 9  # grown from 5
    assert (
        get("S", 7).position == 7
    )  # grown from 5, the latest before 7 (5 is let go: two are kept)
    assert get("U", 9).position == 9  # another clearance reads its own
    assert get("S", 6).position == 6  # nothing of S before 6 is kept: read
    assert calls == ["read S5", "grow S5 to 9", "grow S5 to 7", "read U9", "read S6"]


def test_a_collection_that_cannot_grow_is_read() -> None:
    cache = Collections()
    cache.get("S", 1, lambda: Collection([], 1), lambda old: None)
    found = cache.get("S", 2, lambda: Collection([], 2), lambda old: None)
    assert found.position == 2
