"""What a request reads at: the key's row and the read context (each projection's
cursor, the position known at ``as_of``, the head), fetched in one round trip by the
key check of the API and of the workbench alike."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, TypeAdapter, ValidationError
from starlette.requests import Request

from ledger.domain.moments import read_moment
from ledger.store.api_keys import READ_CONTEXT
from ledger.web.services import lookup


@dataclass(frozen=True)
class ReadContext:
    """Fetched with the key: each projection's cursor (None before any projection is
    built) and the last position recorded by ``as_of``."""

    cursors: dict[str, int] | None
    as_of: datetime | None
    known: int | None
    head: int | None = None
    """The ledger's last position, to say how far the projections lag behind it."""


_MOMENT: TypeAdapter[datetime] = TypeAdapter(
    Annotated[AwareDatetime, BeforeValidator(lambda v: read_moment(v) if isinstance(v, str) else v)]
)
"""The ledger's one rule for moments (``ledger.domain.moments``), as the routes' ``as_of``."""


def _as_of(request: Request) -> datetime | None:
    """The request's as_of if it is a valid time (the route itself reports it if not)."""
    given = request.query_params.get("as_of")
    if given is None:
        return None
    try:
        return _MOMENT.validate_python(given)
    except ValidationError:
        return None


async def load_context(
    request: Request, key_id: str | None, *, session: bytes | None = None
) -> tuple[Any, ...]:
    """The key's row (all None if unknown), found by its id or by the token hash of a
    live workbench ``session``, and the read context, in one round trip; the context is
    left in ``request.state.read_context``."""
    as_of = _as_of(request)
    async with lookup(request) as conn:
        cursor = await conn.execute(
            READ_CONTEXT, {"key_id": key_id, "session": session, "as_of": as_of}
        )
        row = await cursor.fetchone()
    assert row is not None
    request.state.read_context = ReadContext(
        cursors=row[8],
        as_of=as_of,
        known=None if row[9] is None else int(row[9]),
        head=None if row[10] is None else int(row[10]),
    )
    return tuple(row[:8])
