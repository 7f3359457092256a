"""Page tokens are sealed and bound to the caller's clearance, route and query: a SECRET
key's token shows nothing of what it holds and is worthless (a plain 422, the same as
any garbage) to an UNCLASSIFIED key; a forged or altered token is a 422, never a 5xx;
any server of the same database opens the tokens another gave."""

import base64
import os
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.web.page_tokens import PageTokens
from tests.factories import make
from tests.helpers import Api, serving
from tests.scenarios import marked

SECRET_IDS = ("actor:wagner-tartus", "place:tartus-annex")


def test_a_token_opens_only_with_its_key_and_scope() -> None:
    tokens = PageTokens(os.urandom(32))
    token = tokens.seal({"p": 160, "k": list(SECRET_IDS)}, "SECRET /posture")
    assert tokens.open(token, "SECRET /posture") == {"p": 160, "k": list(SECRET_IDS)}
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"wagner" not in raw and b"160" not in raw and b"tartus" not in raw
    assert tokens.open(token, "UNCLASSIFIED /posture") is None
    assert tokens.open(token, "SECRET /claims") is None
    assert PageTokens(os.urandom(32)).open(token, "SECRET /posture") is None
    assert tokens.seal({"p": 1}, "s") != tokens.seal({"p": 1}, "s")  # a fresh nonce each
    for bad in ("", "x", "%%%", "é", token[:-1], token[:10], token + "A", "AQ" * 40):
        assert tokens.open(bad, "SECRET /posture") is None, bad
    for index in range(len(token)):
        changed = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        assert tokens.open(changed, "SECRET /posture") is None, index


def _secret_posture() -> list:  # type: ignore[type-arg]
    """Two SECRET reports at a SECRET place: rows only a SECRET key's pages hold."""
    place = {"name": "Tartus annex", "place_id": "place:tartus-annex", "precision": "SITE"}
    return [
        marked(
            make("ActorRegistered", actor_id="actor:wagner-tartus", name="Wagner (Tartus)"),
            Classification.SECRET,
            [],
        ),
        marked(
            make("DeploymentReported", actor_id="actor:wagner-tartus", place=place),
            Classification.SECRET,
            [],
        ),
        marked(
            make("DeploymentReported", actor_id="actor:hezbollah", place=place),
            Classification.SECRET,
            [],
        ),
    ]


@pytest.fixture(scope="module")
def secret_url(seeded_url: str) -> Iterator[str]:
    with open_ledger(Settings(database_url=seeded_url)) as ledger:
        ledger.append(_secret_posture())
    with serving(seeded_url) as api:
        api.project()
    yield seeded_url


def _walk(api: Api, path: str, **params: Any) -> tuple[list[dict[str, Any]], list[str]]:
    items: list[dict[str, Any]] = []
    tokens: list[str] = []
    page = api.get(path, **params)
    while True:
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items, tokens
        tokens.append(page["next_cursor"])
        page = api.get(path, **params, cursor=page["next_cursor"])


def test_a_secret_keys_token_is_worthless_and_tells_nothing_to_an_open_key(
    secret_url: str,
) -> None:
    with serving(secret_url, clearance=Clearance.of("SECRET")) as secret:
        items, tokens = _walk(secret, "/posture", include_retracted="true", limit=1)
        assert any(row["place_key"] == "place:tartus-annex" for row in items)
        after_secret = [t for t, row in zip(tokens, items, strict=False) if "tartus" in str(row)]
        assert after_secret
        other_query = secret.client.get(
            "/posture",
            params={"include_retracted": "true", "actor": "Hezbollah", "cursor": tokens[0]},
            headers=secret.headers(),
        )
        assert other_query.status_code == 422
        other_route = secret.client.get(
            "/claims", params={"cursor": tokens[0]}, headers=secret.headers()
        )
        assert other_route.status_code == 422
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert not any(word.encode() in raw for word in ("tartus", "wagner", "actor", '"p"'))
    with serving(secret_url) as open_key:
        garbage = open_key.client.get(
            "/posture",
            params={"include_retracted": "true", "limit": 1, "cursor": "AQ" + "x" * 60},
            headers=open_key.headers(),
        )
        assert garbage.status_code == 422
        for token in tokens:
            response = open_key.client.get(
                "/posture",
                params={"include_retracted": "true", "limit": 1, "cursor": token},
                headers=open_key.headers(),
            )
            assert response.status_code == 422
            assert response.content == garbage.content  # the same refusal, byte for byte
            assert "tartus" not in response.text


def test_an_altered_token_is_a_clear_422_never_a_5xx(api: Api) -> None:
    token = api.get("/claims", limit=1)["next_cursor"]
    for index in range(0, len(token), 3):
        changed = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        response = api.client.get("/claims", params={"cursor": changed}, headers=api.headers())
        assert response.status_code == 422, (index, response.text)
        assert response.json()["errors"][0]["field"] == "query.cursor"
    for forged in ("=", "\u00e9\u00e9", "A" * 4000, "eyJwIjoxLCJrIjoiY2xhaW06c2VlZC0wMSJ9"):
        response = api.client.get("/claims", params={"cursor": forged}, headers=api.headers())
        assert response.status_code == 422, (forged, response.text)


def test_any_server_of_the_database_opens_the_tokens_another_gave(seeded_url: str) -> None:
    with serving(seeded_url) as first, serving(seeded_url) as second:
        page = first.get("/sources", limit=2)
        following = second.client.get(
            "/sources",
            params={"limit": 2, "cursor": page["next_cursor"]},
            headers=first.headers(),
        )
        assert following.status_code == 200, following.text
        ids = [s["source_id"] for s in page["items"] + following.json()["items"]]
        assert ids == [s["source_id"] for s in first.get("/sources")["items"]]
