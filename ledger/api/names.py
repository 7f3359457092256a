"""Names in query and path parameters: the gazetteer's errors as problem answers naming
the parameter, with the candidates of an ambiguous name or the suggestions for an
unknown one (never a silent empty answer)."""

from collections.abc import Iterator
from contextlib import contextmanager

from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError
from ledger.domain.gazetteer import NameAmbiguous, NameNotFound


@contextmanager
def resolving(status_unknown: int = 422) -> Iterator[None]:
    """Turn a name that resolves to no entry (``status_unknown``: 422 for a query
    filter, 404 for a path id) or to several (422) into a problem answer."""
    try:
        yield
    except NameNotFound as exc:
        raise ProblemError(
            status_unknown,
            str(exc),
            [FieldProblem(field=exc.parameter, message=str(exc), suggestions=exc.suggestions)],
        ) from None
    except NameAmbiguous as exc:
        raise ProblemError(
            422,
            str(exc),
            [FieldProblem(field=exc.parameter, message=str(exc), candidates=exc.candidates)],
        ) from None
