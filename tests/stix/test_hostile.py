"""Hostile bundles (the corpus in tests/malformed_stix.py, and random damage to valid
ones): the import refuses each whole, in sentences naming the object and property,
and never fails otherwise."""

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import ValidationFailed
from ledger.stix.importer import map_bundle
from tests.factories import make, template_world
from tests.malformed_stix import CASES, base
from tests.stix.exporting import rendered


@pytest.mark.parametrize("kind", list(CASES))
def test_a_hostile_bundle_is_refused_in_sentences(kind: str) -> None:
    case = CASES[kind]
    with pytest.raises(ValidationFailed) as refused:
        map_bundle(case.raw, recorded_by="importer:test", limits=case.limits)
    problems = refused.value.problems
    assert problems and all("\n" not in p and len(p) < 500 for p in problems), problems
    assert any(case.expected in p for p in problems), problems


def test_the_base_of_the_corpus_is_accepted() -> None:
    assert map_bundle(json.dumps(base()).encode(), recorded_by="importer:test").events


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _ours() -> dict[str, Any]:
    named = ("ClaimAsserted", "SourceReliabilityAssessed", "AttributionMade")
    events = [*template_world(), *map(make, named), make("DeploymentReported")]
    events.append(make("ClaimRetracted"))
    loaded: dict[str, Any] = json.loads(rendered(*events))
    return loaded


OURS = _ours()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.sampled_from(["third party", "ours"]))
def test_random_damage_is_refused_or_mapped_never_a_crash(data: st.DataObject, which: str) -> None:
    bundle = json.loads(json.dumps(base() if which == "third party" else OURS))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(bundle["objects"])))
        target = bundle["objects"]
        for part in path[:-1]:
            target = target[part]
        if data.draw(st.booleans()) and isinstance(target, dict):
            target.pop(path[-1], None)
        else:
            target[path[-1]] = data.draw(JSON)
    raw = json.dumps(bundle).encode()
    try:
        map_bundle(raw, recorded_by="importer:test")
    except ValidationFailed as exc:
        assert all("\n" not in p for p in exc.problems)
