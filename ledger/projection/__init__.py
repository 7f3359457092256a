"""Projections: the views analysts query, folded from the ledger into PostgreSQL tables.

Each projection keeps *fact rows* (one per relevant event, with its ledger position and
valid time) and answers questions by applying the domain rules to the facts known at a
position: that is what makes every answer available ``as_of`` any record time and
``valid_at`` any world time without replaying the ledger. ``force_posture`` also keeps
the current rows ready. Folding is incremental behind a cursor written in the same
transaction as the rows; a rebuild folds everything into a shadow schema and swaps it in.
"""

from ledger.projection.fold import PROJECTIONS, FoldResult, fold, rebuild
from ledger.projection.queries import (
    ClaimHistory,
    SourceView,
    claim_history,
    position_at,
    posture,
    posture_timeline,
    sources,
    unresolved_references,
)

__all__ = [
    "PROJECTIONS",
    "ClaimHistory",
    "FoldResult",
    "SourceView",
    "claim_history",
    "fold",
    "position_at",
    "posture",
    "posture_timeline",
    "rebuild",
    "sources",
    "unresolved_references",
]
