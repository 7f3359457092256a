"""Small STIX-like objects for the pure TAXII tests: what the collection reads of an
export's object (type, id, versions, markings), nothing more."""

from typing import Any

MARK = "marking-definition--11111111-1111-4111-8111-111111111111"
TLP = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


def version(
    id: str, modified: str, marks: tuple[str, ...] = (MARK, TLP), type: str | None = None
) -> dict[str, Any]:
    return {
        "type": type or id.partition("--")[0],
        "spec_version": "2.1",
        "id": id,
        "created": "2026-01-01T00:00:00.000000Z",
        "modified": modified,
        "object_marking_refs": list(marks),
    }


def definition(id: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": "2026-12-01T00:00:00.000000Z",
    }


def static(id: str) -> dict[str, Any]:
    return {
        "type": id.partition("--")[0],
        "spec_version": "2.1",
        "id": id,
        "created": "2026-12-01T00:00:00.000000Z",
        "modified": "2026-12-01T00:00:00.000000Z",
    }


A = "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
B = "note--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
C = "location--cccccccc-cccc-4ccc-8ccc-cccccccccccc"
S = "identity--00000000-0000-4000-8000-000000000000"


def export_order() -> list[tuple[int, dict[str, Any]]]:
    """(position, object) as an export of every version gives them: the static first,
    then the definitions before the first object naming them, then versions in the
    order they were settled, not the order of their events (A's first version, made at
    position 1, comes out when its second, at position 3, is made). B and C share a
    record time (one batch)."""
    return [
        (0, static(S)),
        (2, definition(MARK)),
        (2, definition(TLP)),
        (2, version(B, "2026-03-01T00:00:00.000000Z")),
        (1, version(A, "2026-02-01T00:00:00.000000Z")),
        (3, version(A, "2026-04-01T00:00:00.000000Z")),
        (4, version(C, "2026-03-01T00:00:00.000000Z", type="location")),
    ]
