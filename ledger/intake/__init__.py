"""The way in: everything that turns a producer's input into appended events.

``submit`` (``submit.py``) is the one use case every entry point calls; the modules
beside it hold its pieces: ``decoding`` (bytes to JSON within the limits), ``lines``
(JSON Lines files), ``signed`` (HTTP items, signed or not, to exact bytes), ``limits``,
``permissions`` (who may write what), ``references`` (names that must be registered),
``batches`` (what ``submit`` takes) and ``sinks`` (the two transports).
"""

from ledger.intake.batches import Batch, Encoded, Streamed
from ledger.intake.permissions import OPERATOR_CALLER, Caller, Forbidden
from ledger.intake.submit import Options, check, submit

__all__ = [
    "OPERATOR_CALLER",
    "Batch",
    "Caller",
    "Encoded",
    "Forbidden",
    "Options",
    "Streamed",
    "check",
    "submit",
]
