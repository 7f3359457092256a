"""JSON text as every path reads it: UTF-8 only (a BOM dropped), finite numbers."""

import json

import pytest

from ledger.intake.decoding import NotJson, decode_json
from ledger.intake.limits import InputLimits

LIMITS = InputLimits()


def refusal(raw: bytes, limits: InputLimits = LIMITS) -> str:
    with pytest.raises(NotJson) as caught:
        decode_json(raw, limits)
    return str(caught.value)


def test_plain_utf8_and_a_leading_bom() -> None:
    assert decode_json(b'{"a": "caf\xc3\xa9"}', LIMITS) == {"a": "café"}
    assert decode_json(b'\xef\xbb\xbf{"a": 1}', LIMITS) == {"a": 1}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(encoding: str) -> None:
    assert refusal(json.dumps({"a": 1}).encode(encoding)).startswith("not UTF-8 text")


def test_a_bad_byte_is_located() -> None:
    assert refusal(b'{"a": "\xff"}') == (
        "not UTF-8 text: byte 0xff at byte offset 7 (invalid start byte)"
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity is not a JSON number"),
        (b'{"a": 1e999}', "the number 1e999 is too large for a float"),
        (b'{"a": ' + b"1" * 5000 + b"}", "Exceeds the limit (4300 digits)"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
        (b'{"a": 1', "not valid JSON: Expecting ',' delimiter at column 8"),
        (b'{\n"a" 1}', "not valid JSON: Expecting ':' delimiter at line 2 column 5"),
    ],
)
def test_what_json_would_crash_on_or_accept_is_refused(raw: bytes, says: str) -> None:
    assert says in refusal(raw)


def test_the_body_limit() -> None:
    said = refusal(b" " * 2048 + b"{}", InputLimits(max_body_bytes=2048))
    assert said == "2,050 bytes is more than the 2,048 allowed (LEDGER_MAX_BODY_BYTES)"
