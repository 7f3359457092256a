"""The ``at_least`` parameter of the read routes (``ledger.web.freshness`` waits for it)."""

from typing import Annotated

from fastapi import Depends, Query, Request


def wants_position(
    request: Request,
    at_least: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**63 - 1,
            description="Read your own writes: the position of an append's receipt. The "
            "answer waits until the projections have folded it (at most LEDGER_READ_WAIT "
            "seconds, 10 by default), so it includes that event; if the wait runs out it "
            "answers anyway, `read_at.behind_by` saying how far behind it is.",
        ),
    ] = None,
) -> None:
    request.state.at_least = at_least


Fresh = Depends(wants_position)
"""The ``at_least`` parameter of every read answer that rests on the projections."""


def asked_position(request: Request) -> int | None:
    found = getattr(request.state, "at_least", None)
    return found if isinstance(found, int) else None
