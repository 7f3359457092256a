"""Query parameters shared by the read routes."""

from typing import Annotated, Any

from fastapi import Query
from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema

from ledger.domain.moments import read_moment


def _moment(value: Any) -> Any:
    """The ledger's one rule for moments (``ledger.domain.moments``): never Unix
    seconds, never a naive time, never an offset PostgreSQL would refuse."""
    return read_moment(value) if isinstance(value, str) else value


MOMENT_RULE = (
    "ISO 8601 with a timezone (2015-10-02T00:00:00Z, 2015-10-02T03:00:00+03:00; offsets "
    "up to ±15:59), or a date alone (2015-10-02), which is the start of that day in UTC."
)

Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_moment),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "format": "date"},
            ]
        }
    ),
]

AsOf = Annotated[
    Moment | None,
    Query(
        description="Answer as the ledger knew it at this record time. Default: now. "
        + MOMENT_RULE,
    ),
]
ValidAt = Annotated[
    Moment | None,
    Query(
        description="Only reports whose world (valid) time contains this instant. " + MOMENT_RULE
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Most items in one page.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=4096,
        description="`next_cursor` of the previous page, unchanged, with the same key and "
        "parameters (a token is sealed for the key's clearance, the route and the query).",
    ),
]
Identifier = Annotated[str | None, Query(min_length=1, max_length=200)]
