"""How much one input may hold: body, batch, text field, list and nesting depth.

The same limits guard the command line, the HTTP API and the Kafka archiver, so an
input is refused or accepted alike on every path. ``ledger.config.Settings`` fills them
from ``LEDGER_MAX_*`` variables.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Loc = tuple[int | str, ...]

SHOWN = 80
"""Most characters of a bad value an error message repeats."""


def shown(value: object) -> str:
    """A value as an error message repeats it: its repr, cut to about ``SHOWN`` characters.

    A 1 MB bad id then costs a line in the answer, not a megabyte."""
    text = repr(value[: SHOWN + 1] if isinstance(value, str | bytes) else value)
    if len(text) <= SHOWN:
        return text
    size = len(value) if isinstance(value, str | bytes) else len(text)
    return f"{text[:SHOWN]}… ({size:,} characters)"


def shown_name(name: object) -> str:
    """A field or parameter name as a message names it: as given, cut to ``SHOWN``
    characters (a 100,000-character unknown field costs a line, not 100 KB per echo)."""
    text = str(name)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class InputLimits:
    """Bounds on one input; the defaults are far above any real report."""

    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_events: int = 10_000
    max_text_bytes: int = 64 * 1024
    max_list_items: int = 32
    max_json_depth: int = 32

    def problems(self, value: Any) -> Iterator[tuple[Loc, str]]:
        """(where, reason) for each text, list or nesting in ``value`` beyond the limits."""
        yield from self._walk(value, (), 1)

    def _walk(self, value: Any, field: Loc, depth: int) -> Iterator[tuple[Loc, str]]:
        if isinstance(value, str):
            # a character is at most 4 bytes in UTF-8: encode only when it may matter
            if len(value) * 4 > self.max_text_bytes:
                size = len(value.encode("utf-8", "surrogatepass"))
                if size > self.max_text_bytes:
                    yield (
                        field,
                        (
                            f"text of {size:,} bytes is longer than the {self.max_text_bytes:,} "
                            "allowed (LEDGER_MAX_TEXT_BYTES)"
                        ),
                    )
            return
        if not isinstance(value, dict | list):
            return
        if depth > self.max_json_depth:
            yield (
                field,
                (f"nested more than {self.max_json_depth} levels deep (LEDGER_MAX_JSON_DEPTH)"),
            )
            return
        if isinstance(value, dict):
            for key, item in value.items():
                yield from self._walk(item, (*field, str(key)), depth + 1)
            return
        if len(value) > self.max_list_items:
            yield (
                field,
                (
                    f"a list of {len(value):,} items is longer than the {self.max_list_items:,} "
                    "allowed (LEDGER_MAX_LIST_ITEMS)"
                ),
            )
            return
        for index, item in enumerate(value):
            yield from self._walk(item, (*field, index), depth + 1)


DEFAULT_LIMITS = InputLimits()
"""The limits when no settings are given (Python callers, tests)."""
