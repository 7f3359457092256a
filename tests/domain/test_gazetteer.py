"""Names in filters: ids, names, aliases, case and accent variants resolve; ambiguous
and unknown names are errors naming the parameter; the roll-up of sub-units."""

import pytest

from ledger.domain.gazetteer import (
    Entry,
    NameAmbiguous,
    NameNotFound,
    Register,
    normalise,
    subordinates,
)

ACTORS = [
    Entry("actor:hezbollah", "Hezbollah", "NON_STATE_GROUP", ("Hizballah", "Hizbullah")),
    Entry("actor:radwan", "Radwan Force", "UNIT", parent_id="actor:hezbollah"),
    Entry("actor:radwan-1", "First company", "UNIT", parent_id="actor:radwan"),
    Entry("actor:axis", "Axis", "COALITION"),
    Entry("actor:iran", "Iran", "STATE", member_of=("actor:axis",)),
    Entry("actor:qods", "Qods Force", "UNIT", ("Quds Force", "Shared")),
    Entry("actor:other", "Other", "UNIT", ("shared",)),
    Entry("actor:sao-paulo", "São Paulo militia", "UNIT"),
]
REGISTER = Register.of("actor", ACTORS)


def test_normalise_folds_case_width_accents_and_spaces() -> None:
    assert normalise("  São   PAULO ") == "sao paulo"
    assert normalise("ＨＥＺＢＯＬＬＡＨ") == "hezbollah"
    assert normalise("Straße") == normalise("STRASSE")


@pytest.mark.parametrize(
    "given",
    ["actor:hezbollah", "Hezbollah", "hezbollah", "Hizballah", "HIZBULLAH", "ｈｅｚｂｏｌｌａｈ"],
)
def test_ids_names_aliases_and_their_variants_resolve(given: str) -> None:
    assert REGISTER.resolve(given, "--actor") == "actor:hezbollah"


def test_accents_are_folded() -> None:
    assert REGISTER.resolve("sao paulo militia", "--actor") == "actor:sao-paulo"


def test_an_ambiguous_name_lists_its_candidates() -> None:
    with pytest.raises(NameAmbiguous) as caught:
        REGISTER.resolve("SHARED", "--actor")
    assert caught.value.candidates == ["actor:other", "actor:qods"]
    assert "--actor 'SHARED'" in str(caught.value) and "actor:qods (Qods Force)" in str(
        caught.value
    )


def test_an_unknown_name_gets_suggestions() -> None:
    with pytest.raises(NameNotFound) as caught:
        REGISTER.resolve("Hezbolah", "query.actor")
    assert caught.value.parameter == "query.actor"
    assert caught.value.suggestions[0] == "Hezbollah"
    assert "did you mean 'Hezbollah'" in str(caught.value)
    with pytest.raises(NameNotFound) as nothing_close:
        REGISTER.resolve("zzzz", "--actor")
    assert nothing_close.value.suggestions == []


def test_roll_up_takes_sub_units_and_coalition_members_transitively() -> None:
    assert subordinates("actor:hezbollah", ACTORS) == [
        "actor:hezbollah",
        "actor:radwan",
        "actor:radwan-1",
    ]
    assert subordinates("actor:axis", ACTORS) == ["actor:axis", "actor:iran"]
    assert subordinates("actor:iran", ACTORS) == ["actor:iran"]


def test_names_resolve_in_a_large_register() -> None:
    """Correctness at size; the speed (µs per filter) is ``bench/names.py``'s."""
    many = Register.of(
        "actor",
        [Entry(f"actor:a{n}", f"Unit number {n}", "UNIT", (f"alias {n}",)) for n in range(20000)],
    )
    for n in range(0, 20000, 97):
        assert many.resolve(f"UNIT NUMBER {n}", "--actor") == f"actor:a{n}"
        assert many.resolve(f"Alias {n}", "--actor") == f"actor:a{n}"


POSITIONED = [
    Entry("actor:a", "Alpha", "UNIT", ("Shared",), position=3),
    Entry("actor:b", "Bravo", "UNIT", ("shared",), position=7),
    Entry("actor:c", "Charlie", "UNIT", parent_id="actor:a", position=9),
]


def test_an_index_built_later_answers_as_one_built_at_the_earlier_position() -> None:
    late = Register.of("actor", POSITIONED)
    for upto in range(11):
        early = Register.of("actor", [e for e in POSITIONED if e.position <= upto])
        assert late.visible(upto) == early.visible()
        for given in ("actor:a", "actor:b", "Bravo", "shared", "Charlie", "Charly", "nobody"):
            assert _outcome(late, given, upto) == _outcome(early, given, None), (given, upto)


def test_extending_keeps_first_registrations_and_leaves_the_old_index_alone() -> None:
    first = Register.of("actor", POSITIONED[:1])
    renamed = Entry("actor:a", "Renamed", "UNIT", position=8)
    grown = first.extended([renamed, POSITIONED[1]])
    assert grown.name_of("actor:a") == "Alpha" and grown.resolve("Bravo", "--actor") == "actor:b"
    with pytest.raises(NameNotFound):
        first.resolve("Bravo", "--actor")


def _outcome(register: Register, given: str, upto: int | None) -> object:
    try:
        return register.resolve(given, "--actor", upto)
    except NameAmbiguous as exc:
        return ("ambiguous", exc.candidates)
    except NameNotFound as exc:
        return ("unknown", exc.suggestions)


def test_suggestions_in_a_large_register_find_the_near_miss() -> None:
    """The trigram index finds the near misses difflib then ranks, among 50,000 entries
    (the speed against difflib over every name is ``bench/names.py``'s)."""
    entries = [
        Entry(f"actor:u{i}", f"Unit {i:05d} of the {i % 97} brigade", "UNIT", position=i)
        for i in range(50_000)
    ]
    large = Register.of("actor", entries)
    assert large.suggest("Unit 01234 of the 70 brigad")[0] == "Unit 01234 of the 70 brigade"
    assert large.suggest("Unit 01234 of the 70 brigad", upto=1000) != [
        "Unit 01234 of the 70 brigade"
    ]  # registered after position 1000: not suggested there
