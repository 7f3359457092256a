"""Errors of the ledger's interface. Each message is one sentence: where, what, why."""

from uuid import UUID


class LedgerError(Exception):
    """Base of every error the ledger reports to its users."""


class ValidationFailed(LedgerError):
    """Input did not validate; ``problems`` lists one sentence per problem.

    ``locations`` (when given) holds, for each problem, where it is: the index of the
    record in its batch (from 0, or None for the input as a whole) and the field path
    within it, for answers that name fields apart from the sentence (HTTP ``errors[]``).
    """

    def __init__(
        self,
        problems: list[str],
        locations: list[tuple[int | None, tuple[int | str, ...]]] | None = None,
    ) -> None:
        self.problems = problems
        self.locations = locations
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{self.headline}: {shown}{more}")

    @property
    def headline(self) -> str:
        """What happened, without the problems: ``3 invalid input(s), nothing appended``."""
        return f"{len(self.problems)} invalid input(s), nothing appended"


class DecodeError(LedgerError):
    """Bytes that are not a decodable single-object Avro event."""


class SchemaError(LedgerError):
    """A schema file is missing, malformed or incompatible with earlier versions."""


class ConflictError(LedgerError):
    """An event id was appended before (or earlier in the batch) with different bytes."""

    def __init__(self, message: str, event_id: UUID | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id


class BrokenChain(LedgerError):
    """What a stream delivered does not verify: an altered event, a broken link, a
    repeat, or a checkpoint whose root is not that of the events streamed."""


class CannotRun(LedgerError):
    """Something a command needs is missing or out of reach (a key file, a database): it
    could not run, which is not the input's fault (the command line's exit code 2)."""


class StreamCut(CannotRun):
    """A stream could not be (re)connected: the server refused it or stayed out of reach."""


class StoreUnavailable(CannotRun):
    """The PostgreSQL ledger could not be reached or started."""


class ProjectionsNotReady(LedgerError):
    """A read asked for projections that have not been built (``ledger project``)."""


class PageAhead(LedgerError):
    """A page token pins a position the projections have not reached (a rebuild?)."""


class StoreRefused(LedgerError):
    """PostgreSQL refused a statement for a reason of its own (not one of the ledger's
    ``LG`` refusals, which are worded for users). Its text is for the operators: ``str``
    names only the SQLSTATE, so no database text reaches a client by accident; ``detail``
    holds the database's message (``explained`` shows it, e.g. on the command line)."""

    def __init__(self, sqlstate: str, detail: str) -> None:
        self.sqlstate = sqlstate
        self.detail = detail
        super().__init__(
            f"the database refused the operation (SQLSTATE {sqlstate or 'unknown'}); "
            "the reason is in the server's log"
        )

    @property
    def bad_value(self) -> bool:
        """A data exception (class 22): a value the database cannot take."""
        return self.sqlstate.startswith("22")

    @property
    def transient(self) -> bool:
        """A serialization failure, deadlock, lock timeout or cancelled statement."""
        return self.sqlstate in ("40001", "40P01", "55P03", "57014")


def explained(exc: BaseException) -> str:
    """The error as its operator should read it: a database refusal with the database's
    own reason, any other error as it is."""
    if isinstance(exc, StoreRefused):
        return f"the database refused the operation: {exc.detail} (SQLSTATE {exc.sqlstate})"
    return str(exc)
