"""Filters read from parameters: each bad one named in one sentence; ``match[version]``
picks first, last, all or a timestamp's version."""

import pytest

from ledger.taxii.collection import build
from ledger.taxii.filters import FilterProblem, read_filters
from tests.taxii.objects import A, B, C, export_order


def _ids(**given: object) -> list[tuple[str, str]]:
    filters = read_filters(**given)  # type: ignore[arg-type]
    return [(e.id, e.version[:10]) for e in build(export_order()).entries if filters.admits(e)]


def test_the_default_is_the_newest_version_of_each_object() -> None:
    found = _ids()
    assert (A, "2026-04-01") in found and (A, "2026-02-01") not in found
    assert _ids(versions=["first"]).count((A, "2026-02-01")) == 1
    assert (A, "2026-02-01") in _ids(versions=["all"]) and (A, "2026-04-01") in _ids(
        versions=["all"]
    )
    assert _ids(versions=["first,last"], ids=[A]) == [(A, "2026-02-01"), (A, "2026-04-01")]
    assert _ids(versions=["2026-02-01T00:00:00Z"]) == [(A, "2026-02-01")]
    assert _ids(versions=["2026-02-01T00:00:00.000000001Z"]) == [(A, "2026-02-01")]


def test_ids_types_and_spec_versions() -> None:
    assert _ids(ids=[f"{B},{C}"]) == [(B, "2026-03-01"), (C, "2026-03-01")]
    assert _ids(ids=[B], types=["location"]) == []
    assert _ids(types=["note", "location"]) == [(B, "2026-03-01"), (C, "2026-03-01")]
    assert _ids(spec_versions=["2.0"]) == []
    assert len(_ids(spec_versions=["2.0,2.1"])) == len(_ids())


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"added_after": "2026-01-01"}, "added_after"),
        ({"versions": ["newest"]}, "match[version]"),
        ({"types": ["Indicator"]}, "match[type]"),
        ({"spec_versions": ["two"]}, "match[spec_version]"),
        ({"ids": [f"{A},,{B}"]}, "match[id]"),
        ({"ids": [",".join([A] * 11)], "most": 10}, "match[id]"),
    ],
)
def test_a_bad_filter_is_named(given: dict[str, object], named: str) -> None:
    with pytest.raises(FilterProblem, match=f"^{named.replace('[', '.').replace(']', '.')}: "):
        read_filters(**given)  # type: ignore[arg-type]
