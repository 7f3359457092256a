"""One paged TAXII answer (objects, one object, versions, manifest) of a collection: its
body and its date-added headers, the ``next`` sealed by the caller. Everything a page
says comes from here, so the need-to-know property test checks what the routes serve."""

from collections.abc import Callable
from dataclasses import dataclass

from ledger.intake.limits import shown as quoted
from ledger.taxii.collection import Collection, Entry
from ledger.taxii.dates import shown
from ledger.taxii.errors import TaxiiError
from ledger.taxii.filters import Filters
from ledger.taxii.paging import Cursor, page

Body = Callable[[list[Entry], bool, str | None], bytes]
"""The JSON of a page: its entries, ``more``, ``next`` (``ledger.taxii.resources``)."""
Seal = Callable[[Cursor], str]
"""The ``next`` token of a cursor, sealed for the request's scope."""


@dataclass(frozen=True)
class Answer:
    body: bytes
    headers: dict[str, str]


def answer(
    collection: Collection,
    filters: Filters,
    cursor: Cursor,
    limit: int,
    body: Body,
    seal: Seal,
    object_id: str | None = None,
) -> Answer:
    """The page of ``collection`` at ``cursor``; 404 when ``object_id`` is named and the
    collection holds no version of it (one the key may not see is one that is not)."""
    if object_id is not None and object_id not in collection.by_id:
        raise TaxiiError(404, f"the collection holds no object {quoted(object_id)}")
    made = page(collection, filters, cursor.after, limit)
    token = seal(Cursor(cursor.position, made.entries[-1].added)) if made.more else None
    headers = {
        "X-TAXII-Date-Added-First": shown(made.first_added),
        "X-TAXII-Date-Added-Last": shown(made.last_added),
    }
    return Answer(body(made.entries, made.more, token), headers)
