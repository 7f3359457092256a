"""Projections: the views analysts query, folded from the ledger into PostgreSQL tables.

One module per projection (``sources``, ``claim_history``, ``force_posture``) declares
its tables, one handler per event type, its step after each fold, and its reads. Each
keeps *fact rows* (one per relevant event, with its ledger position and valid time) and
answers by applying the domain rules to the facts known at a position: that is what makes
every answer available ``as_of`` any record time and ``valid_at`` any world time without
replaying the ledger. ``fold`` folds incrementally behind a cursor written in the same
transaction as the rows; ``service.ReadService`` is the one way answers are read.
"""

from ledger.projection.catalog import PROJECTIONS
from ledger.projection.definition import Handler, Projection, Table
from ledger.projection.fold import FoldResult, fold, rebuild
from ledger.projection.service import Page, ReadPosition, ReadService, choose_position

__all__ = [
    "PROJECTIONS",
    "FoldResult",
    "Handler",
    "Page",
    "Projection",
    "ReadPosition",
    "ReadService",
    "Table",
    "choose_position",
    "fold",
    "rebuild",
]
