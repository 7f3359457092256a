"""A collection: versions in the order of their events, definitions before first use,
``date_added`` the record time made unique; and on a real ledger, exactly the export's
objects of every version."""

import json
from typing import Any

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import OPERATOR, Clearance
from ledger.runtime import open_ledger
from ledger.taxii.collection import build, read
from ledger.taxii.dates import parsed, shown
from ledger.taxii.filters import read_filters
from ledger.taxii.paging import page
from tests.factories import make
from tests.scenarios import marked
from tests.stix.exporting import CONTEXT, export_bytes
from tests.taxii.objects import MARK, TLP, A, B, C, S, export_order


def test_versions_come_in_the_order_of_their_events() -> None:
    collection = build(export_order())
    assert [(e.id, e.version) for e in collection.entries] == [
        (S, "2026-12-01T00:00:00.000000Z"),
        (MARK, "2026-12-01T00:00:00.000000Z"),
        (TLP, "2026-12-01T00:00:00.000000Z"),
        (A, "2026-02-01T00:00:00.000000Z"),
        (B, "2026-03-01T00:00:00.000000Z"),
        (A, "2026-04-01T00:00:00.000000Z"),
        (C, "2026-03-01T00:00:00.000000Z"),
    ]
    assert [(e.first, e.last) for e in collection.entries if e.id == A] == [
        (True, False),
        (False, True),
    ]


def test_date_added_is_the_record_time_made_unique() -> None:
    added = [shown(e.added) for e in build(export_order()).entries]
    assert added == [
        # the static and the definitions take the first version's time, and push it on
        "2026-02-01T00:00:00.000000Z",
        "2026-02-01T00:00:00.000001Z",
        "2026-02-01T00:00:00.000002Z",
        "2026-02-01T00:00:00.000003Z",
        "2026-03-01T00:00:00.000000Z",
        "2026-04-01T00:00:00.000000Z",
        # C's record time is B's (one batch), and its event comes after A's second
        "2026-04-01T00:00:00.000001Z",
    ]


def test_an_empty_ledger_is_an_empty_collection() -> None:
    assert len(build([(0, {"type": "identity", "id": S, "modified": "x"})])) == 0


def test_the_collection_holds_every_version_the_export_gives(database_url: str) -> None:
    secret = Clearance.of("SECRET")
    with open_ledger(Settings(database_url=database_url)) as ledger:
        for event in (
            make("SourceRegistered", source_id="source:x"),
            make("SourceReliabilityAssessed", source_id="source:x", reliability="B"),
            marked(
                make("SourceReliabilityAssessed", source_id="source:x", reliability="E"),
                Classification.SECRET,
                [],
            ),
            make("ActorRegistered"),
        ):
            ledger.append([event])
        ledger.append([make("PlaceRegistered"), make("PlaceRegistered")])
        head = ledger.head().position
        for clearance in (Clearance.of("UNCLASSIFIED"), secret, OPERATOR):
            collection = read(ledger, clearance, head, CONTEXT)
            exported = json.loads(export_bytes(ledger, clearance, all_versions=True))["objects"]

            def key(obj: dict[str, Any]) -> tuple[str, str]:
                return obj["id"], obj.get("modified", obj["created"])

            held = [json.loads(e.data) for e in collection.entries]
            assert sorted(held, key=key) == sorted(exported, key=key)
            added = [e.added for e in collection.entries]
            assert added == sorted(set(added))
            for entry in collection.entries:  # never before the record time of its event
                if entry.type != "marking-definition":
                    assert entry.added >= (parsed(entry.version) or 0)
        assert len(read(ledger, secret, head, CONTEXT)) > len(
            read(ledger, Clearance.of("UNCLASSIFIED"), head, CONTEXT)
        )
        earlier = read(ledger, OPERATOR, head - 2, CONTEXT)
        later = read(ledger, OPERATOR, head, CONTEXT)
        assert later.entries[: len(earlier)] == earlier.entries, "a collection only grows"


def test_polling_by_the_last_date_added_misses_and_repeats_nothing(database_url: str) -> None:
    reader = Clearance.of("UNCLASSIFIED")
    with open_ledger(Settings(database_url=database_url)) as ledger:
        ledger.append([make("SourceRegistered", source_id="source:y"), make("ActorRegistered")])
        before = read(ledger, reader, ledger.head().position, CONTEXT)
        last = page(before, read_filters(versions=["all"]), None, 1000).last_added
        ledger.append([make("SourceReliabilityAssessed", source_id="source:y")])
        ledger.append([marked(make("PlaceRegistered"), Classification.SECRET, [])])
        ledger.append([make("PlaceRegistered"), make("SourceRegistered")])
        after = read(ledger, reader, ledger.head().position, CONTEXT)
        new = page(after, read_filters(added_after=shown(last), versions=["all"]), None, 1000)
        assert new.entries == after.entries[len(before) :]
        # a new grade of y, the UNCLASSIFIED place and source (not the SECRET place)
        assert [e.type for e in new.entries] == ["identity", "location", "identity"]
        newest = page(after, read_filters(added_after=shown(last)), None, 1000)
        assert [e.id for e in newest.entries] == [e.id for e in new.entries if e.last]
