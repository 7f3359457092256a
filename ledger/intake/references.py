"""Refusing references to nothing on the direct and HTTP paths: a batch whose events name
an actor, place, source, document or claim that is neither in the ledger nor registered
earlier in the batch is refused whole, each such name with its record, field and the
closest registered names. (On the Kafka path the archiver cannot tell, since partitions
interleave; there such references are kept and shown as unresolved.)"""

from collections.abc import Callable, Iterable

from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.domain.names import Entry, did_you_mean
from ledger.domain.references import REGISTERED_BY, ReferenceScan, Unregistered, dangling
from ledger.errors import ValidationFailed
from ledger.intake.limits import shown
from ledger.ports import LedgerStore
from ledger.store.gazetteer import entries, registered

MAX_NAMED = 50
"""Most dangling references one refusal lists."""


def refuse_dangling(
    ledger: LedgerStore,
    numbered: Iterable[tuple[int, Event]],
    where: Callable[[int], str],
    override: str,
    clearance: Clearance = OPERATOR,
) -> None:
    """Raise ``ValidationFailed`` if the events name anything unregistered in the events
    ``clearance`` (the producer's) sees: names it may not read are unknown to it, and are
    never suggested.

    Each event comes with its number (a line, a record index: the locations of the
    error carry it); ``where(n)`` says where number ``n`` is in words, and ``override``
    what the producer may do about it (a clause ending the last sentence).
    """
    scan = ReferenceScan()
    for number, event in numbered:
        scan.add(number, event)
    candidates = scan.unregistered
    found = registered(ledger, ((u.kind, u.id) for u in candidates), clearance)
    missing = dangling(candidates, found)
    if not missing:
        return
    known = list(entries(ledger, {u.kind for u in missing}, clearance))
    problems = [_sentence(u, where, known) for u in missing[:MAX_NAMED]]
    problems[-1] += f"; {override}"
    raise ValidationFailed(problems, [(u.record, _loc(u.field)) for u in missing[:MAX_NAMED]])


def _loc(field: str) -> tuple[int | str, ...]:
    return tuple(int(part) if part.isdigit() else part for part in field.split("."))


def _sentence(u: Unregistered, where: Callable[[int], str], known: list[Entry]) -> str:
    register = REGISTERED_BY[u.kind].event_type()
    hint = did_you_mean(u.id, (e for e in known if e.kind == u.kind.value))
    more = f" (and {u.more} more time(s) after it)" if u.more else ""
    return (
        f"{where(u.record)}, field {u.field}: {u.kind.value} {shown(u.id)} is not in the ledger "
        f"nor registered ({register}) earlier in this input{more}{hint}"
    )
