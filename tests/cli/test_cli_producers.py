"""`ledger producers` and `ledger append --sign-with`, driven as a user would: make a key,
register it requiring signatures, append signed and unsigned, revoke, list."""

import json
from pathlib import Path

from tests.factories import json_line
from tests.helpers import ledger_cli, write_lines


def _claims(path: Path, producer: str, count: int = 2) -> Path:
    return write_lines(
        path,
        *[
            json_line(
                "ClaimAsserted",
                envelope={"event_id": f"00000000-0000-4000-8000-{n:012d}", "recorded_by": producer},
            )
            for n in range(count)
        ],
    )


def test_a_producer_that_must_sign_appends_only_with_its_key(
    database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "desk.key"
    made = ledger_cli("producers", "keygen", str(key))
    assert made.returncode == 0, made.stderr
    public = made.stdout.strip()
    registered = ledger_cli(
        "producers", "register", "--producer", "desk", "--key-file", str(key),
        "--require-signatures", database_url=database_url,
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert "at position 1; its unsigned events are refused" in registered.stdout

    events = _claims(tmp_path / "claims.jsonl", "desk")
    unsigned = ledger_cli("append", str(events), "--allow-unresolved", database_url=database_url)
    assert unsigned.returncode == 1
    assert "claims.jsonl line 1, signature: producer 'desk' must sign" in unsigned.stderr
    assert "Traceback" not in unsigned.stderr

    signed = ledger_cli(
        "append", str(events), "--allow-unresolved", "--sign-with", str(key),
        "--json", database_url=database_url,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert [json.loads(line)["position"] for line in signed.stdout.splitlines()] == [2, 3]

    listed = ledger_cli("producers", "list", "--json", database_url=database_url)
    [entry] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert entry["producer"] == "desk" and entry["signatures_required_since"] == 1
    key_id = entry["key_id"]
    assert ledger_cli("producers", "register", "--producer", "x", "--public-key", public,
                      database_url=database_url).returncode == 1  # fmt: skip

    revoked = ledger_cli(
        "producers", "revoke", "--producer", "desk", "--key-id", key_id,
        "--reason", "laptop lost", database_url=database_url,
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    later = _claims(tmp_path / "later.jsonl", "desk", 3)
    refused = ledger_cli(
        "append", str(later), "--allow-unresolved", "--sign-with", str(key),
        database_url=database_url,
    )  # fmt: skip
    assert refused.returncode == 1
    assert f"key {key_id} of 'desk', revoked at position 4" in refused.stderr

    verified = ledger_cli("audit", "verify", "--no-projections", database_url=database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_bad_key_file_is_one_clear_error(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("nonsense\n")
    events = _claims(tmp_path / "claims.jsonl", "desk", 1)
    result = ledger_cli("append", str(events), "--sign-with", str(bad), database_url=database_url)
    assert result.returncode == 1
    assert "not a producer key file" in result.stderr and "Traceback" not in result.stderr
