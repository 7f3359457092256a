"""What every rendering of a ledger object needs: the log it comes from."""

from dataclasses import dataclass, field

from ledger.stix.ids import ledger_identity, object_id


@dataclass(frozen=True)
class Context:
    """The log's name (``LEDGER_LOG_NAME``, the origin of its checkpoints): it names the
    ledger's identity and is hashed into every id, so two ledgers never share an id."""

    log: str
    creator: str = field(init=False)
    """The ledger's identity: ``created_by_ref`` of every object it exports."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "creator", ledger_identity(self.log))

    def ref(self, stix_type: str, kind: str, ledger_id: str) -> str:
        """The STIX id of the ledger object ``kind``/``ledger_id`` (rendered as ``stix_type``)."""
        return object_id(stix_type, self.log, kind, ledger_id)
