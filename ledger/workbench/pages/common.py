"""What every page starts with: its canonical URL, the signed-in reader, the controls."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ledger.workbench.access import Visitor, visitor
from ledger.workbench.controls import TimeControls, canonical


@dataclass(frozen=True)
class Asked:
    """Who asks and at which moments."""

    visitor: Visitor
    controls: TimeControls


async def asked(request: Request) -> Asked:
    canonical(request)
    found = await visitor(request)
    return Asked(found, TimeControls.of(request))


Page = Annotated[Asked, Depends(asked)]
