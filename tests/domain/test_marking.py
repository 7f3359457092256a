"""The need-to-know rules of ``ledger.domain.marking``, one test each."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.enums import Classification
from ledger.domain.marking import (
    LEVELS,
    OPERATOR,
    PUBLIC,
    RANK,
    Clearance,
    Marking,
    check_compartment,
    highest,
    rank_of,
)

levels = st.sampled_from(LEVELS)
compartments = st.frozensets(st.sampled_from(["ALPHA", "BRAVO", "NOFORN"]), max_size=3)
markings = st.builds(Marking, levels, compartments)
clearances = st.builds(Clearance.of, st.sampled_from(LEVELS[:-1]), compartments.map(sorted))


def test_levels_are_ordered_with_unknown_above_top_secret() -> None:
    ranks = [Marking(level).rank for level in LEVELS]
    assert ranks == sorted(ranks)
    assert Marking(Classification.UNKNOWN).rank > Marking(Classification.TOP_SECRET).rank


def test_unknown_fails_closed_for_every_reader() -> None:
    unknown = Marking(Classification.UNKNOWN)
    assert not Clearance.of("TOP_SECRET", ["ALPHA"]).sees(unknown)
    assert OPERATOR.sees(unknown)


@given(clearances, markings)
def test_a_clearance_sees_a_marking_at_or_below_it_holding_all_compartments(
    clearance: Clearance, marking: Marking
) -> None:
    expected = marking.rank <= clearance.rank and marking.compartments <= clearance.compartments
    assert clearance.sees(marking) is expected


@given(markings)
def test_the_operator_sees_everything_and_a_default_key_only_open_events(
    marking: Marking,
) -> None:
    assert OPERATOR.sees(marking)
    assert PUBLIC.sees(marking) is (marking == Marking())


@given(st.lists(markings, max_size=5))
def test_an_answer_is_marked_with_the_highest_level_and_every_compartment(
    found: list[Marking],
) -> None:
    mark = highest(found)
    assert mark.rank == max((m.rank for m in found), default=0)
    assert mark.compartments == frozenset().union(*(m.compartments for m in found))
    # whoever may see every event may see the answer, and no one else needs to
    for clearance in (Clearance.of("SECRET", ["ALPHA"]), PUBLIC):
        assert clearance.sees(mark) is all(clearance.sees(m) for m in found)


def test_clearance_text_form_parses() -> None:
    assert Clearance.parse("secret:ALPHA, BRAVO") == Clearance.of("SECRET", ["BRAVO", "ALPHA"])
    assert Clearance.parse("RESTRICTED").compartments == frozenset()
    assert Clearance.parse("SECRET:ALPHA").text() == "SECRET:ALPHA"


@pytest.mark.parametrize("text", ["SECRETISH", "UNKNOWN", "", "SECRET:alpha"])
def test_a_bad_clearance_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"clearance level|compartment name"):
        Clearance.parse(text)


def test_compartment_names() -> None:
    assert check_compartment("NOFORN") == "NOFORN"
    with pytest.raises(ValueError, match="not a compartment name"):
        check_compartment("no forn")


def test_labels_differ_by_clearance() -> None:
    assert Clearance.of("SECRET").label != Clearance.of("SECRET", ["ALPHA"]).label
    assert Clearance.of("SECRET").label == Clearance.parse("secret").label


def test_a_level_ranks_alike_by_member_or_name_and_an_unknown_name_as_unknown() -> None:
    for level, rank in RANK.items():
        assert rank_of(level) == rank_of(level.value) == rank
    assert rank_of("COSMIC") == rank_of("secret") == RANK[Classification.UNKNOWN]
