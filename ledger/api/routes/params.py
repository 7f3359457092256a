"""Query parameters shared by the read routes."""

from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

AsOf = Annotated[
    AwareDatetime | None,
    Query(
        description="Answer as the ledger knew it at this record time (ISO 8601 with a "
        "timezone, e.g. 2015-10-02T00:00:00Z). Default: now.",
    ),
]
ValidAt = Annotated[
    AwareDatetime | None,
    Query(description="Only reports whose world (valid) time contains this instant."),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Most items in one page.")]
Cursor = Annotated[
    str | None,
    Query(max_length=4096, description="`next_cursor` of the previous page, unchanged."),
]
Identifier = Annotated[str | None, Query(min_length=1, max_length=200)]
