"""BACKWARD_TRANSITIVE compatibility of every schema's versions."""

import copy

from ledger.codec.compatibility import check_backward_transitive
from ledger.codec.schema_registry import SchemaRegistry, build_version

registry = SchemaRegistry.from_directory()


def test_shipped_schemas_are_backward_transitive() -> None:
    assert check_backward_transitive(registry) == []


def test_an_added_required_field_is_caught() -> None:
    latest = registry.latest("ClaimAsserted")
    broken = copy.deepcopy(latest.schema)
    broken["fields"].append({"name": "confidence", "type": "double"})
    bad = build_version("ClaimAsserted", latest.version + 1, broken, {})
    problems = check_backward_transitive(SchemaRegistry([*registry.all_versions(), bad]))
    # the new version cannot read what any earlier version wrote: one problem for each
    assert [p.writer_version for p in problems] == list(range(1, latest.version + 1))
    assert {p.event_type for p in problems} == {"ClaimAsserted"}
    assert "cannot read data written with v1" in str(problems[0])


def test_transitive_means_every_earlier_version() -> None:
    v1, v2 = registry.versions("DocumentIngested")[:2]
    v3_schema = copy.deepcopy(v2.schema)
    # v3 drops archive_url's default: v3 still reads v2 data? No: v2 always writes it, but
    # v1 never did, so only the v1 pair breaks, which a non-transitive check would miss.
    for f in v3_schema["fields"]:
        if f["name"] == "archive_url":
            del f["default"]
    v3 = build_version("DocumentIngested", 3, v3_schema, {})
    problems = check_backward_transitive(SchemaRegistry([v1, v2, v3]))
    assert [(p.reader_version, p.writer_version) for p in problems] == [(3, 1)]
