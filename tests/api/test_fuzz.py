"""Schemathesis fuzzes the whole OpenAPI of a real uvicorn server over real PostgreSQL:
no answer is a 5xx, and every answer (status, content type, body, headers) matches what
the OpenAPI document says."""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NOT_SET

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.web.keys import Role
from tests.helpers import serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(seeded_url: str) -> Iterator[tuple[str, str]]:
    """(base URL, admin key) of uvicorn serving the seeded ledger in a thread."""
    with serving(seeded_url) as api:  # makes the keys; the server opens its own pool
        key = api.keys[Role.ADMIN]
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(database_url=seeded_url)), port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key
    running.should_exit = True
    thread.join(10)


# The OpenAPI document needs no database: the app connects only when it starts serving.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="postgresql://")).openapi()
)


@schemathesis.check
def invalid_requests_rejected(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """``negative_data_rejection`` for the request as sent: schemathesis may take a case
    it generated without the key for an invalid one, though the test adds the key, so a
    request whose query holds only declared parameters is not held to it."""
    sent = set(parse_qs(urlsplit(response.request.url).query, keep_blank_values=True))
    declared = {p.name for p in case.operation.query}
    is_get = case.method.upper() == "GET"
    no_body = case.body is NOT_SET or not case.body  # NOT_SET itself is truthy
    if is_get and sent <= declared and no_body and not case.path_parameters:
        return None
    verdict: bool | None = negative_data_rejection(ctx, response, case)
    return verdict


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    invalid_requests_rejected,
]


@schema.exclude(path_regex="^/events(/batch)?$", method="POST").parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_every_answer_matches_the_schema(
    case: Case[Any], server: tuple[str, str]
) -> None:
    case.call_and_validate(
        base_url=server[0],
        headers={"Authorization": f"Bearer {server[1]}"},
        checks=CHECKS,
        excluded_checks=[negative_data_rejection],
    )


@schema.include(path_regex="^/events(/batch)?$", method="POST").parametrize()
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_appends_take_many_more_examples(case: Case[Any], server: tuple[str, str]) -> None:
    """The append routes parse hostile bodies themselves: they get five times the examples."""
    case.call_and_validate(
        base_url=server[0], headers={"Authorization": f"Bearer {server[1]}"}, checks=CHECKS
    )
