"""End to end: `ledger witness` against a real `ledger serve`, as an operator runs it."""

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ledger.log.note import SignatureLine, parse_note
from tests.cli.test_cli_api import create_key, running
from tests.helpers import ledger_cli


def test_a_witness_process_cosigns_over_http(database_url: str, tmp_path: Path) -> None:
    log_env = {"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "log.key")}
    assert ledger_cli("init", database_url=database_url, env_extra=log_env).returncode == 0
    assert ledger_cli("demo", database_url=database_url, env_extra=log_env).returncode == 0
    home = tmp_path / "witness"
    witness_key = ledger_cli("witness", "--public-key", home=home).stdout.strip()
    assert witness_key.startswith("witness.local/w1+")
    registered = ledger_cli("witnesses", "register", witness_key, database_url=database_url)
    assert registered.returncode == 0, registered.stderr
    listed = ledger_cli("witnesses", "list", "--json", database_url=database_url)
    assert witness_key in listed.stdout
    assert ledger_cli("checkpoint", database_url=database_url, env_extra=log_env).returncode == 0
    log_key = ledger_cli("checkpoint", "--public-key", env_extra=log_env).stdout.strip()
    auditor = create_key(database_url, "auditor")
    with running("serve", database_url=database_url) as (_, base):
        args = ("witness", "--url", base, "--log-key", log_key, "--api-key", auditor)
        # a forged line under the real witness's name and key id is refused, kept nowhere
        name, key_id_hex, _ = witness_key.split("+", 2)
        forged = SignatureLine(name, bytes.fromhex(key_id_hex), os.urandom(72))
        refused = urllib.request.Request(
            f"{base}/checkpoint/cosignatures?size=139",
            data=str(forged).encode(),
            headers={"Authorization": f"Bearer {auditor}", "Content-Type": "text/plain"},
        )
        with pytest.raises(urllib.error.HTTPError) as answered:
            urllib.request.urlopen(refused, timeout=10)
        assert answered.value.code == 422
        assert "not that witness's signature" in answered.value.read().decode()
        stranger = ledger_cli(*args, home=tmp_path / "stranger")  # a key the ledger lacks
        assert stranger.returncode == 1, stranger.stdout + stranger.stderr
        assert "no witness key witness.local/w1+" in stranger.stderr
        assert "cosigned" not in stranger.stdout
        first = ledger_cli(*args, home=home)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "cosigned ledger.local/log at size 139" in first.stdout
        second = ledger_cli(*args, home=home)
        assert second.returncode == 0 and "consistent with size 139" in second.stdout
        request = urllib.request.Request(
            f"{base}/checkpoint", headers={"Authorization": f"Bearer {auditor}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            note = parse_note(response.read().decode())
        assert [s.name for s in note.signatures] == ["ledger.local/log", "witness.local/w1"]
        (tmp_path / "proof.json").unlink(missing_ok=True)
        proved = ledger_cli(
            "audit",
            "prove",
            "3",
            "--out",
            str(tmp_path / "proof.json"),
            database_url=database_url,
            env_extra=log_env,
        )
        assert proved.returncode == 0, proved.stderr
        checked = ledger_cli(
            "audit",
            "check-proof",
            str(tmp_path / "proof.json"),
            "--key",
            log_key,
            "--witness-key",
            witness_key,
            "--min-witnesses",
            "1",
        )
        assert checked.returncode == 0, checked.stdout
        assert "cosigned by witness.local/w1" in checked.stdout
        wrong = ledger_cli(*args[:-1], "ldg_wrong_key", home=home)
        assert wrong.returncode == 2 and "401" in wrong.stderr
