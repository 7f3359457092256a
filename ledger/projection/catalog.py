"""Every projection the ledger keeps, in the order a full fold must run them."""

from ledger.projection import claim_history, force_posture, sources
from ledger.projection.definition import Projection

PROJECTIONS: dict[str, Projection] = {
    p.name: p for p in (sources.PROJECTION, claim_history.PROJECTION, force_posture.PROJECTION)
}
