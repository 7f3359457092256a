"""JSON text as the ledger reads it on every path: UTF-8 only, finite numbers, bounded.

The command line and the HTTP API both decode through ``decode_json``, so a file and a
request body with the same bytes are accepted or refused alike: a UTF-8 byte order mark
is dropped, UTF-16 and other non-UTF-8 bytes are refused, and NaN, Infinity, numbers
too large for a float and nesting too deep for the parser are refused, not crashed on.
"""

import json
from typing import Any

from ledger.intake.limits import InputLimits

UTF8_BOM = b"\xef\xbb\xbf"


class NotJson(ValueError):
    """Bytes that are not JSON the ledger accepts; the message says why, in a phrase."""


def _no_constants(name: str) -> Any:
    raise NotJson(f"{name} is not a JSON number; the ledger takes finite numbers only")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotJson(f"the number {text[:40]} is too large for a float")
    return value


def utf8_text(raw: bytes) -> str:
    """The text of ``raw``; a leading byte order mark is dropped, anything else not UTF-8
    is refused with the offset of the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        raise NotJson(
            "not UTF-8 text (it holds NUL bytes or a UTF-16 byte order mark, as UTF-16 "
            "does); convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8"
        )
    try:
        return raw.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJson(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} ({exc.reason})"
        ) from None


def decode_json(raw: bytes, limits: InputLimits) -> Any:
    """The JSON value in ``raw``, or ``NotJson`` saying in a phrase why it is refused."""
    if len(raw) > limits.max_body_bytes:
        raise NotJson(
            f"{len(raw):,} bytes is more than the {limits.max_body_bytes:,} allowed "
            "(LEDGER_MAX_BODY_BYTES)"
        )
    text = utf8_text(raw)
    try:
        return json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        raise NotJson(f"not valid JSON: {exc.msg.removesuffix(' at')} at {where}") from None
    except RecursionError:
        raise NotJson(
            f"nested too deeply to read (the ledger allows {limits.max_json_depth} levels)"
        ) from None
    except NotJson:
        raise
    except ValueError as exc:  # an integer of more digits than Python converts
        reason = str(exc).split(";")[0]
        raise NotJson(f"not valid JSON: {reason[:120]}") from None
