"""One projection schema per clearance: what a reader's answers are computed from.

The operator's projections live in ``projection`` and fold every event. A reader with a
clearance gets projections of their own, ``projection_c_<label>``, folded from the
events that clearance sees and no others, so every figure, status, count and page is
derived from visible events alone, by the same code as the operator's (not filtered
after the fact). Positions stay the ledger's own: the cursor of a cleared schema is the
last ledger position it has looked at, visible or not.
"""

from ledger.domain.marking import Clearance
from ledger.projection.schema import SCHEMA


def schema_for(clearance: Clearance) -> str:
    """The projection schema answers for ``clearance`` are read from."""
    if clearance.is_operator:
        return SCHEMA
    return f"{SCHEMA}_c_{clearance.label}"
