"""The producer signature check of ``verify``: the key register is folded again as the
scan passes each position, and every event is held to the rule it was admitted by
(``ledger.log.producer_keys``): an added, altered or removed signature, a key event
that should have been refused, or an unsigned event of a producer that must sign is a
finding at its position."""

from ledger.audit.report import Findings
from ledger.codec.single_object import AvroCodec
from ledger.errors import LedgerError
from ledger.log.producer_keys import KEY_EVENT_TYPES, ProducerKeys

CHECK = "producer_signatures"


class SignatureCheck:
    """Checks each event's signature against the register as it stood before it."""

    def __init__(self, findings: Findings, codec: AvroCodec, keys: ProducerKeys | None = None):
        self._findings = findings
        self._codec = codec
        self.keys = keys if keys is not None else ProducerKeys()

    def see(
        self, position: int, event_type: str, recorded_by: str, payload: bytes, signature: bytes
    ) -> None:
        """One decoded event; ``signature`` is empty when it has none."""
        problem = self.keys.problem(recorded_by, payload, signature or None)
        if problem is not None:
            self._findings.add(CHECK, position, problem)
        if event_type not in KEY_EVENT_TYPES:
            return
        try:
            event = self._codec.decode(payload)
        except LedgerError as exc:
            self._findings.add(CHECK, position, f"the key event does not read as one: {exc}")
            return
        refusal = self.keys.refusal(event)
        if refusal is not None:
            self._findings.add(CHECK, position, f"the register should have refused it: {refusal}")
        else:
            self.keys.apply(position, event)
