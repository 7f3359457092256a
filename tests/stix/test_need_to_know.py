"""Need-to-know for the STIX export and the TAXII collection, as a property over random
marked ledgers: the export for a clearance is byte for byte the export of a ledger holding
only the events that clearance sees (made as tests/api/test_need_to_know.py makes it), and
so is every TAXII answer (pages, manifests, versions, one object, headers, 404s); and a
version two clearances both receive is the same object for both (STIX 3.6)."""

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.runtime import open_ledger
from tests.api.test_need_to_know import ORDER, _copy_visible, may_see
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database
from tests.scenarios import COMPARTMENTS, marked, marked_events, markings
from tests.stix.checkers import assert_valid
from tests.stix.exporting import export_bytes, objects
from tests.taxii.answering import taxii_answers

READERS = [
    Clearance.of("UNCLASSIFIED"),
    Clearance.of("RESTRICTED", ["ALPHA"]),
    Clearance.of("SECRET"),
    Clearance.of("TOP_SECRET", COMPARTMENTS),
]


def versions(data: bytes) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["id"], o.get("modified", o.get("created", ""))): o for o in objects(data)}


@settings(
    max_examples=6,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(marked_events(), min_size=1, max_size=30),
    level=st.sampled_from(ORDER),
    compartments=st.lists(st.sampled_from(COMPARTMENTS), unique=True),
    every=st.booleans(),
)
def test_the_export_for_a_clearance_is_the_export_of_the_events_it_sees(
    server_url: str,
    template_db: str,
    batch: list[Event],
    level: str,
    compartments: list[str],
    every: bool,
) -> None:
    clearance = Clearance.of(level, compartments)
    whole = create_database(server_url, template_db)
    alone = create_database(server_url, template_db)
    whole_url, alone_url = database_url_for(server_url, whole), database_url_for(server_url, alone)
    try:
        with open_ledger(Settings(database_url=whole_url)) as ledger:
            appended = ledger.append(batch)
            head = ledger.head().position
            mine = export_bytes(ledger, clearance, all_versions=every)
            ids = sorted({o["id"] for o in objects(export_bytes(ledger, OPERATOR))})
            my_taxii = taxii_answers(ledger, clearance, head, ids)
            everything = versions(export_bytes(ledger, OPERATOR, all_versions=True))
            for other in READERS:  # one content per version, whoever receives it
                seen = versions(export_bytes(ledger, other, all_versions=True))
                for key in seen.keys() & everything.keys():
                    assert seen[key] == everything[key], (other, key)
        visible = [
            a.position
            for a, e in zip(appended, batch, strict=True)
            if may_see(level, compartments, e)
        ]
        _copy_visible(whole_url, alone_url, visible)
        with open_ledger(Settings(database_url=alone_url)) as ledger:
            theirs = export_bytes(ledger, OPERATOR, all_versions=every, position=head)
            their_taxii = taxii_answers(ledger, OPERATOR, head, ids)
        assert mine == theirs
        assert my_taxii == their_taxii
        assert_valid(mine)
    finally:
        drop_database(server_url, whole)
        drop_database(server_url, alone)


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """The events of one source and one claim, each with a random marking: the case where
    a version could take in what a reader of it may not see."""
    kinds = st.sampled_from(["register", "grade", "grade", "assert", "retract"])
    made = []
    for kind in draw(st.lists(kinds, min_size=2, max_size=10)):
        if kind == "register":
            event = make("SourceRegistered", source_id="source:s0", aliases=[draw(ALIASES)])
        elif kind == "grade":
            event = make(
                "SourceReliabilityAssessed",
                source_id="source:s0",
                reliability=draw(st.sampled_from("ABCDEF")),
            )
        elif kind == "assert":
            event = make("ClaimAsserted", claim_id="claim:c0", statement=draw(ALIASES))
        else:
            event = make("ClaimRetracted", claim_id="claim:c0")
        level, compartments = draw(markings)
        made.append(marked(event, level, compartments))
    return made


ALIASES = st.sampled_from(["Quds", "Hizballah", "Idlib"])


@settings(
    max_examples=10,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_a_version_is_the_same_object_for_every_clearance_that_receives_it(
    server_url: str, template_db: str, history: list[Event]
) -> None:
    name = create_database(server_url, template_db)
    try:
        with open_ledger(Settings(database_url=database_url_for(server_url, name))) as ledger:
            for event in history:  # one batch each: a record time each
                ledger.append([event])
            everything = versions(export_bytes(ledger, OPERATOR, all_versions=True))
            for reader in READERS:
                seen = versions(export_bytes(ledger, reader, all_versions=True))
                for key in seen.keys() & everything.keys():
                    assert seen[key] == everything[key], (reader, key)
    finally:
        drop_database(server_url, name)
