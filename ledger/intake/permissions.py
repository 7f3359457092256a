"""What a caller may write: events at or below its clearance, and the key registers'
own events only when it is an admin. Pure rules over the batch; the caller's identity
comes from the entry point (an API key, or the operator at the command line)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import LedgerError
from ledger.log.producer_keys import KEY_EVENT_TYPES
from ledger.log.witness_keys import WITNESS_KEY_EVENT_TYPES


@dataclass(frozen=True)
class Caller:
    """Who submits a batch: the clearance it reads and writes at, its role's name (for
    messages), and whether it may change the producer and witness key registers."""

    clearance: Clearance = OPERATOR
    role: str = "admin"
    registers_keys: bool = True


OPERATOR_CALLER = Caller()
"""The ledger's operator: the command line, and in-process producers."""


class Forbidden(LedgerError):
    """The caller may not write one event of the batch (nothing of it is appended).

    ``index`` is the event's number in the batch, ``field`` the part of the event at
    fault (``envelope`` for its marking, empty for the event as a whole), and
    ``reason`` the sentence without its location, for answers that place it apart."""

    def __init__(self, where: str, index: int, field: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.index = index
        self.field = field
        self.reason = reason


_REGISTERS = {
    **dict.fromkeys(KEY_EVENT_TYPES, "producer"),
    **dict.fromkeys(WITNESS_KEY_EVENT_TYPES, "witness"),
}


def with_article(word: str) -> str:
    """``an analyst``, ``a producer``: the article English puts before ``word``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def refuse_forbidden(
    numbered: Iterable[tuple[int, Event]], caller: Caller, where: Callable[[int], str]
) -> None:
    """Raise ``Forbidden`` for the first event the caller may not write: one marked
    above its clearance (a producer may write only what it may read), or one of a key
    register's own events from a caller other than an admin (whoever registers keys
    decides whose signatures the ledger trusts)."""
    for number, event in numbered:
        marking = event.envelope.marking
        if not caller.clearance.sees(marking):
            raise Forbidden(
                where(number),
                number,
                "envelope",
                f"the event is marked {marking.text()}, above this key's clearance "
                f"{caller.clearance.text()}: a producer may write only events at or below it",
            )
        register = _REGISTERS.get(event.event_type())
        if register is not None and not caller.registers_keys:
            raise Forbidden(
                where(number),
                number,
                "",
                f"{with_article(caller.role)} key cannot append {event.event_type()}: only an "
                f"admin key changes the {register} key register",
            )
