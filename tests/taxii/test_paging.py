"""Pages: by date_added, never skipping nor repeating; ``more`` exactly when another
entry passes; ``next`` opens only for its own scope; headers on empty pages too."""

import os

import pytest

from ledger.taxii.answers import answer
from ledger.taxii.collection import Entry, build
from ledger.taxii.dates import EPOCH, parsed
from ledger.taxii.filters import Filters, read_filters
from ledger.taxii.paging import BadToken, Cursor, page, scope
from ledger.taxii.resources import envelope
from ledger.web.page_tokens import PageTokens
from tests.taxii.objects import A, export_order

ALL = read_filters(versions=["all"])


@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7, 100])
def test_a_walk_gives_each_entry_once(limit: int) -> None:
    collection = build(export_order())
    seen: list[Entry] = []
    after: int | None = None
    more = True
    while more:
        made = page(collection, ALL, after, limit)
        assert len(made.entries) <= limit
        assert made.more == (len(seen) + len(made.entries) < len(collection))
        seen.extend(made.entries)
        after = made.last_added
        more = made.more
    assert seen == collection.entries


def test_added_after_and_the_headers_of_an_empty_page() -> None:
    collection = build(export_order())
    third = collection.entries[2].added
    made = page(collection, Filters(added_after=third, keywords=frozenset({"all"})), None, 100)
    assert made.entries == collection.entries[3:]
    assert (made.first_added, made.last_added) == (collection.entries[3].added, made.last_added)
    late = parsed("2030-01-01T00:00:00Z")
    empty = page(collection, Filters(added_after=late), None, 100)
    assert empty.entries == [] and not empty.more
    assert empty.first_added == empty.last_added == late
    nothing = page(collection, read_filters(types=["indicator"]), None, 100)
    assert nothing.first_added == nothing.last_added == collection.entries[-1].added
    assert page(build([]), Filters(), None, 10).last_added == EPOCH


def test_ids_are_paged_like_the_rest() -> None:
    collection = build(export_order())
    filters = read_filters(ids=[A], versions=["all"])
    first = page(collection, filters, None, 1)
    assert first.more and [e.id for e in first.entries] == [A]
    second = page(collection, filters, first.last_added, 1)
    assert not second.more and second.entries[0].version > first.entries[0].version


def test_a_token_opens_for_its_scope_only() -> None:
    tokens = PageTokens(os.urandom(32))
    mine = scope("SECRET", "/taxii2/ledger/collections/x/objects/", [("limit", "2")])
    token = Cursor(12, 34).seal(tokens, mine)
    assert Cursor.opened(tokens, token, mine) == Cursor(12, 34)
    same = scope("SECRET", "/taxii2/ledger/collections/x/objects/", [("limit", "5"), ("next", "t")])
    assert Cursor.opened(tokens, token, same) == Cursor(12, 34)
    for other in (
        scope("UNCLASSIFIED", "/taxii2/ledger/collections/x/objects/", []),
        scope("SECRET", "/taxii2/ledger/collections/x/manifest/", []),
        scope("SECRET", "/taxii2/ledger/collections/x/objects/", [("match[type]", "note")]),
    ):
        with pytest.raises(BadToken):
            Cursor.opened(tokens, token, other)
    for bad in ("", "x", token[:-1], token[:10] + ("A" if token[10] != "A" else "B") + token[11:]):
        with pytest.raises(BadToken):
            Cursor.opened(tokens, bad, mine)
    with pytest.raises(BadToken):
        Cursor.opened(PageTokens(os.urandom(32)), token, mine)
    with pytest.raises(BadToken):  # sealed by this key, but not a cursor
        Cursor.opened(tokens, tokens.seal({"p": "12", "a": 1}, mine), mine)


def test_more_always_comes_with_next() -> None:
    collection = build(export_order())
    made = answer(collection, ALL, Cursor(9), 2, envelope, lambda c: f"T{c.after}")
    assert made.body.startswith(b'{"more":true,"next":"T')
    end = answer(collection, ALL, Cursor(9), 100, envelope, lambda c: "never")
    assert end.body.startswith(b'{"more":false,"objects":[') and b"never" not in end.body
    assert end.headers["X-TAXII-Date-Added-Last"].endswith("Z")
