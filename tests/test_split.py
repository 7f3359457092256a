"""A span of positions splits into ranges that cover it once."""

from ledger import split


def test_ranges_cover_the_span_once() -> None:
    assert split.ranges(0, 10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert split.ranges(5, 6, 4) == [(5, 6)]
    assert split.ranges(7, 7, 2) == []


def test_at_least_one_worker() -> None:
    assert split.worker_count() >= 1
