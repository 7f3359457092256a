"""``ledger template``: a filled-in example of an event type (or of a report)."""

import json
import sys
from typing import Annotated

import typer

from ledger.authoring.template import EXAMPLES, enums_of, example
from ledger.cli.context import err, reporting_errors
from ledger.domain.events import EVENT_TYPES
from ledger.domain.type_names import canonical_type, type_hint
from ledger.errors import ValidationFailed


def template(
    event_type: Annotated[
        str,
        typer.Argument(metavar="TYPE", help=f"One of: {', '.join(EVENT_TYPES)}."),
    ],
) -> None:
    """Print an example event of TYPE as one JSON line (stdout), then every enum field
    with the values it takes (stderr, so `ledger template T > x.jsonl` is appendable once
    the placeholder event_id is replaced by a fresh UUID)."""
    with reporting_errors():
        given, found = event_type, canonical_type(event_type)
        if found is None or found not in EXAMPLES:
            raise ValidationFailed([f"unknown event type {given!r}{type_hint(given)}"])
        event_type = found
        sys.stdout.write(json.dumps(example(event_type)) + "\n")
        sys.stdout.flush()  # the example first, then the enum values on stderr
        for field, values in enums_of(event_type).items():
            err.print(f"# {field}: {' | '.join(values)}")
