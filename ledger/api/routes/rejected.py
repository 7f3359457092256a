"""What the ledger kept aside: the inputs a transport could not accept (``ledger.rejected``),
for auditors, with their origin, Kafka offset and reason."""

import base64
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from ledger.api.auth import require
from ledger.api.models import Model
from ledger.api.problems import responses
from ledger.store.rejected import Rejection, rejections
from ledger.web.keys import Role
from ledger.web.services import services

router = APIRouter(tags=["audit"])

Auditor = Depends(require(frozenset({Role.AUDITOR, Role.ADMIN}), "list rejected inputs"))


class RejectedItem(Model):
    id: int = Field(description="The rejection's id: pass the last one as `after` to page on.")
    received_at: datetime
    origin: str = Field(description="The transport it came by, e.g. kafka.")
    topic: str | None
    partition: int | None
    offset: int | None = Field(description="Its Kafka offset, where it came from Kafka.")
    reason: str = Field(description="Why it was not accepted.")
    payload_bytes: int | None
    payload_sha256: str | None = Field(description="SHA-256 of the bytes as received (hex).")
    key: str | None = Field(description="The Kafka message key, base64.")
    headers: dict[str, Any] | None
    payload: str | None = Field(
        default=None, description="The bytes as received, base64 (with `payload=true`)."
    )

    @classmethod
    def of(cls, found: Rejection) -> "RejectedItem":
        def b64(data: bytes | None) -> str | None:
            return base64.b64encode(data).decode() if data is not None else None

        return cls.model_validate(
            {**vars(found), "key": b64(found.key), "payload": b64(found.payload)}
        )


class RejectedPage(Model):
    items: list[RejectedItem]
    next_after: int | None = Field(description="Pass as `after` for the next page; null at end.")


@router.get(
    "/rejected",
    response_model=RejectedPage,
    responses=responses(401, 403, 422, 503),
    dependencies=[Auditor],
    summary="Inputs the ledger could not accept (auditor keys)",
)
def rejected(
    request: Request,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Only rejections after this id.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most rejections in one page.")] = 100,
    origin: Annotated[
        str | None, Query(min_length=1, max_length=40, description="Only this origin (kafka).")
    ] = None,
    payload: Annotated[bool, Query(description="Also return each input's bytes.")] = False,
) -> RejectedPage:
    """Every input kept in `ledger.rejected`, oldest first: a Kafka message that did not
    decode or validate, with its topic, partition and offset, the reason, and the SHA-256
    of its bytes. Nothing is ever dropped silently: what the archiver could not take is
    here. Read by the service itself, not as a reader: a rejected input was never
    decoded into a marking, so reader roles are not given the table; auditor keys are."""
    with services(request).ledger.connection() as conn:  # as the service, not a reader
        found = rejections(conn, after=after, limit=limit + 1, origin=origin, with_payload=payload)
    items = [RejectedItem.of(r) for r in found[:limit]]
    more = len(found) > limit
    return RejectedPage(items=items, next_after=items[-1].id if more else None)
