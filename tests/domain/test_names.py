"""Names compared without case or Unicode form, and the closest offered."""

from ledger.domain.names import Entry, closest, did_you_mean, normalise

HEZBOLLAH = Entry("actor", "actor:hezbollah", "Hezbollah", ("Hizballah", "Hizbullah"))
IRGC = Entry("actor", "actor:irgc-qf", "IRGC Quds Force", ("Quds Force",))


def test_normalise() -> None:
    assert normalise("  Quds   FORCE ") == "quds force"
    assert normalise("ＨＥＺＢＯＬＬＡＨ") == "hezbollah"  # full-width letters
    assert normalise("Stra\u00dfe") == normalise("STRASSE")


def test_an_alias_or_bare_id_matches_exactly() -> None:
    assert closest("hizballah", [IRGC, HEZBOLLAH])[0] == (HEZBOLLAH, "Hizballah")
    assert closest("actor:Hizballah", [IRGC, HEZBOLLAH])[0][0] == HEZBOLLAH
    assert closest("irgc-qf", [IRGC, HEZBOLLAH])[0][0] == IRGC


def test_a_misspelling_is_offered_the_closest() -> None:
    assert did_you_mean("actor:hezbolah", [IRGC, HEZBOLLAH]) == "; did you mean actor:hezbollah?"
    assert "actor:hezbollah ('Hizballah')" in did_you_mean("Hizballa", [IRGC, HEZBOLLAH])
    assert did_you_mean("zzzz", [IRGC, HEZBOLLAH]) == ""
