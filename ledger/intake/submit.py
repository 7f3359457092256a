"""The one way in: ``submit`` checks a batch whole, then hands it to a transport.

Every producer goes through it: ``POST /events`` and ``/events/batch``, ``ledger
append``, ``ledger record``, the STIX import (``ledger import stix``, ``POST
/stix/bundles``). They only turn their input into a batch and the outcome into their
output. The checks run in one order, and nothing moves unless all pass:

1. the caller may write every event (``permissions``: marking at or below its
   clearance, key register events from admins only);
2. the witness key register accepts the batch's own key events;
3. every actor, place, source, document and claim the events name is registered, as
   the caller sees the ledger (``references``), where the transport can tell;
4. the transport admits the batch (the producer key register's signatures);
5. the transport takes it, all or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ledger.domain.events import Event
from ledger.errors import CannotRun, ValidationFailed
from ledger.intake.batches import Batch
from ledger.intake.permissions import Caller, refuse_forbidden
from ledger.intake.references import refuse_dangling
from ledger.log.witness_keys import WITNESS_KEY_EVENT_TYPES
from ledger.ports import EventSink, LedgerStore, Receipt
from ledger.store.witness_keys import witness_key_refusals

__all__ = ["Options", "check", "submit"]


@dataclass(frozen=True)
class Options:
    """How the entry point names things and what its caller asked for.

    ``label`` names an event by its number (``batch record 3``, ``events.jsonl line
    7``); ``allow_unresolved`` appends references to nothing as unresolved (the
    operator's, on a transport that can tell); ``unresolved_hint`` says how this
    entry point asks for that (``pass --allow-unresolved``)."""

    label: Callable[[int], str]
    allow_unresolved: bool = False
    unresolved_hint: str = "to append them anyway as unresolved, pass --allow-unresolved"


def submit(batch: Batch, caller: Caller, options: Options, sink: EventSink) -> list[Receipt]:
    """Check ``batch`` whole, then publish it through ``sink``: the receipts, in batch
    order, or one refusal (``Forbidden``, ``ValidationFailed``, ``SignatureRefused``)
    and nothing appended."""
    check(batch, caller, options, sink)
    return batch.publish(sink, caller.clearance)


def check(batch: Batch, caller: Caller, options: Options, sink: EventSink) -> None:
    """Every check ``submit`` makes, appending nothing (a dry run).

    The checks that read the ledger use the sink's (``sink.ledger``); a sink without
    one (the command line's Kafka producer) leaves them to the archiver, and takes
    only the operator's batches."""
    refuse_forbidden(batch.numbered(), caller, options.label)
    ledger = sink.ledger
    if ledger is None:
        if not caller.clearance.is_operator:
            raise CannotRun(
                "a producer that does not see the whole ledger needs a transport with the "
                "ledger at hand, to check its batch against what it sees"
            )
        return
    _refuse_witness_keys(batch, ledger, options)
    # a key that does not see every event is checked against what it sees, whatever
    # the transport: to it, a hidden claim, actor or place does not exist
    if not caller.clearance.is_operator:
        refuse_dangling(
            ledger,
            batch.numbered(),
            options.label,
            _hidden_hint(options.allow_unresolved),
            caller.clearance,
        )
    elif sink.checks_references and not options.allow_unresolved:
        refuse_dangling(ledger, batch.numbered(), options.label, options.unresolved_hint)
    batch.admit(sink, caller.clearance)


def _refuse_witness_keys(batch: Batch, ledger: LedgerStore, options: Options) -> None:
    """``ValidationFailed`` when the witness key register refuses one of the batch's key
    events (a revoked key registered again, a revocation of a key the witness lacks)."""
    keyed: list[tuple[int, Event]] = [
        (n, e) for n, e in batch.numbered() if e.event_type() in WITNESS_KEY_EVENT_TYPES
    ]
    if not keyed:
        return
    refused = witness_key_refusals(ledger, [e for _, e in keyed])
    if refused:
        raise ValidationFailed(
            [f"{options.label(keyed[i][0])}: {reason}" for i, reason in refused],
            [(keyed[i][0], ()) for i, _ in refused],
        )


def _hidden_hint(asked: bool) -> str:
    """How a producer that does not see the whole ledger may still append references
    the ledger cannot resolve for it: by registering them in the same request."""
    # to such a key, a hidden name and one never registered look alike: letting either
    # through would let it act on what it may not see, or tell it which is which
    return (
        "register it earlier in this request"
        + (" (allow_unresolved=true does not apply to" if asked else " (nor may")
        + " a key that does not see the whole ledger: to it, a name it may not see and a name"
        " never registered look alike)"
    )
