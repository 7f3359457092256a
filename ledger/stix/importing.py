"""A STIX 2.1 bundle into the ledger, through the one way in.

The mapping (``importer.map_bundle``) is pure: it asks what the ledger holds as the
importing caller sees it (so a producer learns nothing of what it may not read), and
gives the events the ledger lacks; ``intake.submit`` then checks and appends them as it
does every producer's batch. Every event is named in refusals by the STIX object it
comes from."""

from dataclasses import dataclass, field

from ledger.errors import CannotRun
from ledger.intake import Caller, Encoded, Options, check, submit
from ledger.intake.limits import DEFAULT_LIMITS, InputLimits
from ledger.log.producer_signing import ProducerSigner
from ledger.ports import EventSink, Receipt
from ledger.stix.importer import Known, map_bundle
from ledger.stix.report import ImportReport
from ledger.store.gazetteer import registered
from ledger.store.recorded import recorded

DEFAULT_PRODUCER = "stix-import"
"""Who the events are recorded by when the importer names no one."""


@dataclass
class Outcome:
    """What an import did: the report per STIX type, and a receipt per new event."""

    report: ImportReport
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def appended(self) -> int:
        return sum(1 for r in self.receipts if r.appended)


def import_bundle(
    raw: bytes,
    *,
    recorded_by: str,
    caller: Caller,
    sink: EventSink,
    source: str,
    limits: InputLimits = DEFAULT_LIMITS,
    signer: ProducerSigner | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Map ``raw`` and submit the events the ledger lacks, all or nothing (the mapping's
    and the intake's refusals as they are: ``ValidationFailed``, ``Forbidden``,
    ``SignatureRefused``)."""
    ledger = sink.ledger
    if ledger is None:
        raise CannotRun("a STIX import needs the ledger at hand to map names it already holds")
    clearance = caller.clearance
    known = Known(
        objects=lambda wanted: registered(ledger, wanted, clearance),
        events=lambda ids: recorded(ledger, ids, clearance),
    )
    imported = map_bundle(raw, recorded_by=recorded_by, known=known, limits=limits)
    outcome = Outcome(imported.report)
    if not imported.events:
        return outcome
    origins = imported.origins
    batch = Encoded.of(imported.events, lambda event: ledger.encode(event, signer))
    options = Options(label=lambda index: f"{source}, object {origins[index]}")
    if dry_run:
        check(batch, caller, options, sink)
    else:
        outcome.receipts = submit(batch, caller, options, sink)
    return outcome
