"""Content negotiation: what Accept admits a TAXII 2.1 answer, what Content-Type a body."""

import pytest

from ledger.taxii.media import accepts_taxii, is_taxii


@pytest.mark.parametrize(
    "accept",
    [
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1",
        'application/taxii+json;version="2.1"',
        "application/taxii+json",
        "text/html, application/taxii+json;version=2.1;q=0.5",
        "*/*",
        "application/*",
        None,
        "",
    ],
)
def test_accepted(accept: str | None) -> None:
    assert accepts_taxii(accept)


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/taxii+json;version=2.0",
        "application/vnd.oasis.taxii+json; version=2.0",
        "application/stix+json;version=2.1",
        "application/taxii+json;version=2.1;q=0",
        "text/*",
    ],
)
def test_refused(accept: str) -> None:
    assert not accepts_taxii(accept)


def test_a_body_must_be_taxii_21() -> None:
    assert is_taxii("application/taxii+json;version=2.1")
    assert is_taxii("application/taxii+json; charset=utf-8; version=2.1")
    assert not is_taxii("application/json")
    assert not is_taxii("application/taxii+json;version=2.0")
    assert not is_taxii(None)
