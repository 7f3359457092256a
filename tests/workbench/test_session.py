"""The session cookie's sealing: only this server's secret opens it, and only in time."""

from ledger.workbench.session import LIFETIME_SECONDS, Sessions


def test_a_sealed_key_opens_with_the_same_secret_only() -> None:
    sessions = Sessions.from_secret("one secret")
    token = sessions.seal("ldg_key", now=1000.0)
    assert "ldg_key" not in token
    assert sessions.open(token, now=1001.0) == "ldg_key"
    assert Sessions.from_secret("another secret").open(token, now=1001.0) is None
    assert Sessions.from_secret(None).open(token, now=1001.0) is None


def test_an_expired_or_altered_token_opens_to_nothing() -> None:
    sessions = Sessions.from_secret("s")
    token = sessions.seal("ldg_key", now=1000.0)
    assert sessions.open(token, now=1000.0 + LIFETIME_SECONDS + 1) is None
    altered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert sessions.open(altered, now=1001.0) is None
    assert sessions.open("not base64 at all!", now=1001.0) is None
    assert sessions.open("", now=1001.0) is None
