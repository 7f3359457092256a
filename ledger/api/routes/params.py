"""Query parameters shared by the read routes."""

import re
from typing import Annotated, Any

from fastapi import Query
from pydantic import AwareDatetime, BeforeValidator

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _iso_only(value: Any) -> Any:
    """Refuse what pydantic would otherwise read as a time, such as Unix seconds."""
    if isinstance(value, str) and not _ISO.match(value):
        raise ValueError("give an ISO 8601 time with a timezone, e.g. 2015-10-01T00:00:00Z")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_iso_only)]

AsOf = Annotated[
    Moment | None,
    Query(
        description="Answer as the ledger knew it at this record time (ISO 8601 with a "
        "timezone, e.g. 2015-10-02T00:00:00Z). Default: now.",
    ),
]
ValidAt = Annotated[
    Moment | None,
    Query(description="Only reports whose world (valid) time contains this instant."),
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
