"""Input limits: texts, lists and nesting beyond them are found with their place; echoed
values are cut short."""

from ledger.intake.limits import InputLimits, shown


def test_within_the_limits_nothing_is_found() -> None:
    value = {"a": ["x" * 100] * 32, "b": {"c": 1}}
    assert list(InputLimits().problems(value)) == []


def test_long_text_is_measured_in_utf8_bytes() -> None:
    limits = InputLimits(max_text_bytes=100)
    assert list(limits.problems({"t": "\u062d" * 50})) == []  # 100 bytes: allowed
    ((loc, reason),) = limits.problems({"t": "\u062d" * 51})
    assert loc == ("t",)
    assert reason == "text of 102 bytes is longer than the 100 allowed (LEDGER_MAX_TEXT_BYTES)"


def test_long_list_and_deep_nesting_are_placed() -> None:
    limits = InputLimits(max_list_items=2, max_json_depth=3)
    found = dict(limits.problems({"l": [1, 2, 3], "d": {"e": {"f": {"g": 1}}}}))
    assert found[("l",)].startswith("a list of 3 items is longer than the 2 allowed")
    assert found[("d", "e", "f")].startswith("nested more than 3 levels deep")


def test_a_text_inside_a_list_names_its_index() -> None:
    ((loc, _),) = InputLimits(max_text_bytes=64).problems({"aliases": ["ok", "x" * 65]})
    assert loc == ("aliases", 1)


def test_shown_cuts_long_values() -> None:
    assert shown("short") == "'short'"
    long = shown("z" * 1_000_000)
    assert long.startswith("'zzz") and long.endswith("… (1,000,000 characters)")
    assert len(long) < 120
    assert shown(12) == "12"
