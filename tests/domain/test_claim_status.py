"""Each claim status rule, and how independence is counted."""

from ledger.domain.claim_status import (
    ClaimStatus,
    Relation,
    claim_status,
    independent_origins,
    origin_of,
)
from ledger.domain.enums import ClaimRelation, Independence

C, X, R, D = (
    ClaimRelation.CORROBORATES,
    ClaimRelation.CONTRADICTS,
    ClaimRelation.REFINES,
    ClaimRelation.DUPLICATES,
)
IND, SAME, UNK = Independence.INDEPENDENT, Independence.SAME_ORIGIN, Independence.UNKNOWN


def rel(
    other: str,
    relation: ClaimRelation,
    independence: Independence,
    origin: str | None,
    position: int = 1,
) -> Relation:
    return Relation(position, other, relation, independence, origin)


def test_asserted_until_related() -> None:
    assert claim_status(False, "source:a", []) is ClaimStatus.ASSERTED
    assert claim_status(False, "source:a", [rel("c2", R, IND, "source:b")]) is ClaimStatus.ASSERTED


def test_independent_corroboration_corroborates() -> None:
    status = claim_status(False, "source:a", [rel("c2", C, IND, "source:b")])
    assert status is ClaimStatus.CORROBORATED


def test_same_origin_repeats_count_once() -> None:
    relations = [rel("c2", C, IND, "source:b"), rel("c3", C, UNK, "source:b", 2)]
    assert independent_origins("source:a", relations) == {"source:b"}


def test_same_origin_flag_or_own_origin_does_not_corroborate() -> None:
    relations = [rel("c2", C, SAME, "source:b"), rel("c3", C, IND, "source:a")]
    assert independent_origins("source:a", relations) == set()
    assert claim_status(False, "source:a", relations) is ClaimStatus.ASSERTED


def test_duplicates_do_not_corroborate() -> None:
    assert independent_origins("source:a", [rel("c2", D, IND, "source:b")]) == set()


def test_contradiction_disputes_even_when_corroborated() -> None:
    relations = [rel("c2", C, IND, "source:b"), rel("c3", X, IND, "source:c")]
    assert claim_status(False, "source:a", relations) is ClaimStatus.DISPUTED


def test_retraction_wins() -> None:
    assert claim_status(True, "source:a", [rel("c3", X, IND, "source:c")]) is ClaimStatus.RETRACTED


def test_unattributed_corroborations_count_by_claim() -> None:
    relations = [rel("c2", C, IND, None), rel("c3", C, IND, None)]
    assert len(independent_origins("source:a", relations)) == 2


def test_origin_is_the_source_nobody_relays_from() -> None:
    hops = [("source:author", "source:outlet"), ("source:anon", "source:author")]
    assert origin_of(hops) == "source:anon"
    assert origin_of([("source:author", None)]) == "source:author"
    assert origin_of([]) is None


def test_each_corroboration_says_whether_it_counts_and_why_not() -> None:
    from ledger.domain.claim_status import Relation, corroborations
    from ledger.domain.enums import ClaimRelation, Independence

    def rel(p: int, origin: str | None, ind: Independence = Independence.INDEPENDENT) -> Relation:
        return Relation(p, f"claim:{p}", ClaimRelation.CORROBORATES, ind, origin, "why")

    found = corroborations(
        "source:own",
        [
            rel(1, "source:a"),
            rel(2, "source:a"),
            rel(3, "source:own"),
            rel(4, "source:b", Independence.SAME_ORIGIN),
            Relation(5, "claim:5", ClaimRelation.CONTRADICTS, Independence.UNKNOWN, None),
        ],
    )
    assert [(v.relation.position, v.counts) for v in found] == [
        (1, True),
        (2, False),
        (3, False),
        (4, False),
    ]
    assert "already counted (position 1)" in found[1].reason
    assert "same original speaker" in found[2].reason
    assert found[3].reason == "assessed SAME_ORIGIN"
