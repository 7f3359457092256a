"""Trace: the provenance tree of a seed claim and of a posture row."""

from ledger.audit.trace import TraceNode, trace_claim, trace_posture
from ledger.demo import load_seed
from ledger.projection import fold
from ledger.projection.catalog import PROJECTIONS
from ledger.store.postgres import PostgresLedger
from tests.factories import make


def seeded(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)


def only(node: TraceNode, kind: str) -> TraceNode:
    (found,) = [c for c in node.children if c.kind == kind]
    return found


def test_an_attributed_seed_claim_shows_the_whole_chain_of_reported_speech(
    ledger: PostgresLedger,
) -> None:
    seeded(ledger)
    with ledger.connection() as conn:
        root = trace_claim(conn, "claim:seed-05", 138)
    assert root is not None and root.kind == "claim" and root.position == 54
    assert root.details["status"] == "ASSERTED"
    assert root.details["origin"] == "source:anon-damascus-senior"
    document = only(root, "document")
    assert document.id == "doc:magnier-2015-russia-ops-rooms"
    outlet = only(document, "source")
    assert (outlet.id, outlet.details["reliability"]) == ("source:magnier-blog", "C")
    author_hop = only(document, "attribution")
    assert author_hop.id == "source:elijah-magnier" and author_hop.details["via"] == (
        "source:magnier-blog"
    )
    author = only(author_hop, "source")
    assert (author.id, author.details["reliability"]) == ("source:elijah-magnier", "B")
    quoted_hop = only(author_hop, "attribution")
    assert quoted_hop.details["mode"] == "DIRECT_QUOTE"
    speaker = only(quoted_hop, "source")
    assert (speaker.id, speaker.details["reliability"]) == ("source:anon-damascus-senior", "F")
    assert only(speaker, "reliability").position is not None
    reports = [c for c in root.children if c.kind == "report"]
    assert len(reports) == 5
    postures = [only(r, "posture") for r in reports]
    assert all(p.details["grade"] == "F3" for p in postures)
    assert any(c.kind == "assessment" for c in root.children)
    for node in root.walk():
        assert node.position is not None and node.recorded_at is not None, node


def test_reliability_is_as_it_was_at_the_traced_position(ledger: PostgresLedger) -> None:
    seeded(ledger)
    ledger.append(
        [
            make(
                "SourceReliabilityAssessed",
                source_id="source:anon-damascus-senior",
                reliability="C",
            )
        ]
    )
    for name in PROJECTIONS:
        fold(ledger, name)
    with ledger.connection() as conn:
        then = trace_claim(conn, "claim:seed-05", 138)
        now = trace_claim(conn, "claim:seed-05", 139)
    assert then is not None and now is not None

    def speaker_grade(root: TraceNode) -> object:
        return [
            n.details["reliability"]
            for n in root.walk()
            if n.kind == "source" and n.id == "source:anon-damascus-senior"
        ]

    assert speaker_grade(then) == ["F"] and speaker_grade(now) == ["C"]


def test_retractions_and_unknown_claims(ledger: PostgresLedger) -> None:
    ledger.append([make("ClaimAsserted"), make("ClaimRetracted")])
    for name in PROJECTIONS:
        fold(ledger, name)
    with ledger.connection() as conn:
        root = trace_claim(conn, "claim:test-1", 2)
        assert trace_claim(conn, "claim:nobody", 2) is None
        before = trace_claim(conn, "claim:test-1", 1)
    assert root is not None and root.details["status"] == "RETRACTED"
    assert only(root, "retraction").position == 2
    assert before is not None and not [c for c in before.children if c.kind == "retraction"]


def test_a_posture_row_traces_to_its_reports_and_their_claims(ledger: PostgresLedger) -> None:
    seeded(ledger)
    with ledger.connection() as conn:
        root = trace_posture(conn, "actor:iraqi-militia", "place:sahel-al-ghab", 138)
        assert trace_posture(conn, "actor:nobody", "place:nowhere", 138) is None
    assert root is not None and root.kind == "posture"
    assert root.details["status"] == "ACTIVE"
    reports = [c for c in root.children if c.kind == "report"]
    assert reports and reports[0].details["role"] == "winner"
    claim = only(reports[0], "claim")
    assert claim.id == "claim:seed-21"
    assert not [n for n in claim.walk() if n.kind == "posture"]  # no cycle back to the row
