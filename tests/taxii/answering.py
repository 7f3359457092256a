"""Every TAXII answer a clearance can get of a ledger, as data to compare: the need-to-know
property test (tests/stix/test_need_to_know.py) asks these of a ledger for a clearance
and of a ledger holding only what it sees, and wants the same."""

import json
import os
from typing import Any

from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.taxii import resources
from ledger.taxii.answers import Body, answer
from ledger.taxii.collection import Collection, read
from ledger.taxii.errors import TaxiiError
from ledger.taxii.filters import read_filters
from ledger.taxii.paging import BadToken, Cursor, scope
from ledger.web.page_tokens import PageTokens
from tests.stix.exporting import CONTEXT

_TOKENS = PageTokens(os.urandom(32))

QUERIES: list[dict[str, Any]] = [
    {},
    {"versions": ["all"]},
    {"versions": ["first"]},
    {"versions": ["first,last"]},
    {"types": ["identity"], "versions": ["all"]},
    {"types": ["note,relationship"]},
    {"spec_versions": ["2.0"]},
]


def _walk(
    collection: Collection,
    position: int,
    query: dict[str, Any],
    limit: int,
    body: Body,
    bound: str,
    object_id: str | None = None,
) -> list[Any]:
    """Every page of one request walked with ``next``: each page's JSON (``next`` as
    whether there is one) and date-added headers; or the error it ends in."""
    filters = read_filters(**query)
    pages: list[Any] = []
    cursor = Cursor(position)
    while True:
        try:
            made = answer(
                collection,
                filters,
                cursor,
                limit,
                body,
                lambda c: c.seal(_TOKENS, bound),
                object_id,
            )
        except TaxiiError as exc:
            return [*pages, (exc.status, exc.description)]
        page = json.loads(made.body)
        token = page.get("next")
        page["next"] = token is not None
        pages.append((page, made.headers))
        if token is None:
            return pages
        try:
            cursor = Cursor.opened(_TOKENS, token, bound)
        except BadToken:
            raise AssertionError("a next of this walk does not open for it") from None


def taxii_answers(
    ledger: LedgerStore, clearance: Clearance, position: int, ids: list[str]
) -> list[Any]:
    """The objects and manifest of every query of ``QUERIES`` in pages of 1, 3 and 1000,
    the objects added after the first three, and each of ``ids`` (visible or not) as one
    object and as versions."""
    collection = read(ledger, clearance, position, CONTEXT)
    bound = scope(clearance.text(), "r", [])
    found: list[Any] = []
    for query in QUERIES:
        for limit in (1, 3, 1000):
            found.append(_walk(collection, position, query, limit, resources.envelope, bound))
        found.append(_walk(collection, position, query, 2, resources.manifest, bound))
    first = _walk(collection, position, {"versions": ["all"]}, 3, resources.manifest, bound)
    since = first[0][1]["X-TAXII-Date-Added-Last"]
    found.append(_walk(collection, position, {"added_after": since}, 2, resources.envelope, bound))
    for id in ids:
        found.append(_walk(collection, position, {"ids": [id]}, 5, resources.envelope, bound, id))
        every = {"ids": [id], "versions": ["all"]}
        found.append(_walk(collection, position, every, 1, resources.versions, bound, id))
    return found
