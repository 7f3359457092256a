"""``GET /rejected``: what the ledger kept aside, for auditors, with origin, offset and
reason; ``ledger rejected`` lists the same."""

import json

from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.records import KafkaOrigin
from ledger.web.keys import Role
from tests.helpers import Api, ledger_cli


def _keep_two(api: Api) -> None:
    api.ledger.reject(
        origin="kafka",
        reason="offset 7: not single-object Avro (no C3 01 marker)",
        payload=b"\x00garbage",
        kafka=KafkaOrigin("ledger.events", 2, 7),
        key=b"claim:x",
        headers={"ledger-event-type": "ClaimAsserted"},
    )
    api.ledger.reject(
        origin="kafka",
        reason="offset 9: a tombstone (no value) is not an event",
        payload=None,
        kafka=KafkaOrigin("ledger.events", 0, 9),
    )


def test_auditors_list_rejections_with_origin_offset_and_reason(fresh_api: Api) -> None:
    _keep_two(fresh_api)
    page = fresh_api.get("/rejected", Role.AUDITOR, limit=1)
    (first,) = page["items"]
    assert (first["origin"], first["topic"], first["partition"], first["offset"]) == (
        "kafka",
        "ledger.events",
        2,
        7,
    )
    assert first["reason"].startswith("offset 7: not single-object Avro")
    assert first["payload_bytes"] == 8 and len(first["payload_sha256"]) == 64
    assert first["payload"] is None and first["key"] == "Y2xhaW06eA=="
    rest = fresh_api.get("/rejected", Role.AUDITOR, after=page["next_after"], payload="true")
    (second,) = rest["items"]
    assert second["offset"] == 9 and second["payload_bytes"] is None
    assert rest["next_after"] is None
    with_bytes = fresh_api.get("/rejected", Role.ADMIN, payload="true")["items"][0]
    assert with_bytes["payload"] == "AGdhcmJhZ2U="


def test_only_auditor_and_admin_keys_see_rejections(fresh_api: Api) -> None:
    for role in (Role.ANALYST, Role.PRODUCER):
        response = fresh_api.client.get("/rejected", headers=fresh_api.headers(role))
        assert response.status_code == 403, role
        assert (
            "cannot list rejected inputs; that needs an admin or auditor key"
            in (response.json()["detail"])
        )


def test_the_command_lists_the_same(fresh_api: Api, database_url: str) -> None:
    _keep_two(fresh_api)
    table = ledger_cli("rejected", database_url=database_url)
    assert table.returncode == 0, table.stderr
    assert "ledger.events / 2 / 7" in table.stdout and "a tombstone" in table.stdout
    env = {"LEDGER_DATABASE_URL": database_url}
    lines = CliRunner().invoke(app, ["rejected", "--json", "--after", "1"], env=env)
    (record,) = [json.loads(x) for x in lines.stdout.splitlines()]
    assert (record["id"], record["offset"], record["origin"]) == (2, 9, "kafka")
