"""End to end: `ledger audit` as an auditor runs it, against real PostgreSQL."""

import json
from pathlib import Path

import fastavro

from ledger.log.checkpoint import Checkpoint
from ledger.log.note import Verifier, open_note
from tests.audit.tamper import flip_payload_byte
from tests.helpers import ledger_cli


def demo(database_url: str) -> None:
    loaded = ledger_cli("demo", database_url=database_url)
    assert loaded.returncode == 0, loaded.stderr


def test_help_explains_every_audit_command() -> None:
    result = ledger_cli("audit", "--help")
    assert result.returncode == 0
    for command in ("verify", "replay", "trace", "export", "import-check"):
        assert command in result.stdout
        assert ledger_cli("audit", command, "--help").returncode == 0


def test_verify_anchor_then_tamper(database_url: str) -> None:
    demo(database_url)
    clean = ledger_cli("audit", "verify", "--anchor", database_url=database_url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No integrity problem found." in clean.stdout
    anchor = next(line for line in clean.stdout.splitlines() if line.startswith("anchor "))
    position_hash = anchor.split()[1]
    assert position_hash.startswith("138:")

    as_json = json.loads(ledger_cli("audit", "verify", "--json", database_url=database_url).stdout)
    assert as_json["ok"] and as_json["anchor"] == position_hash and as_json["events"] == 138

    flip_payload_byte(database_url, 57)
    broken = ledger_cli(
        "audit", "verify", "--expect-anchor", position_hash, database_url=database_url
    )
    assert broken.returncode == 1
    assert "INTEGRITY FAILURE at position 57: hash_chain" in broken.stdout
    report = json.loads(ledger_cli("audit", "verify", "--json", database_url=database_url).stdout)
    assert report["first_bad_position"] == 57 and not report["ok"]
    ranged = ledger_cli("audit", "verify", "--from", "60", "--to", "138", database_url=database_url)
    assert ranged.returncode == 0, ranged.stdout


def test_verify_cannot_run_exits_2(database_url: str) -> None:
    unreachable = ledger_cli(
        "audit",
        "verify",
        database_url="postgresql://postgres@127.0.0.1:1/nowhere",
        env_extra={"LEDGER_POOL_TIMEOUT": "1"},  # it would try for 10 s
    )
    assert unreachable.returncode == 2 and "error:" in unreachable.stderr
    bad_anchor = ledger_cli(
        "audit", "verify", "--expect-anchor", "7:abc", database_url=database_url
    )
    assert bad_anchor.returncode == 2 and "POSITION:HASH" in bad_anchor.stderr
    for workers in ("0", "65", "many"):
        refused = ledger_cli("audit", "verify", "--workers", workers, database_url=database_url)
        assert refused.returncode == 2 and "Invalid value for '--workers'" in refused.stderr
    one_pass = ledger_cli("audit", "verify", "--workers", "1", database_url=database_url)
    assert one_pass.returncode == 0, one_pass.stderr


def test_replay_to_files_twice_gives_the_same_bytes(database_url: str, tmp_path: Path) -> None:
    demo(database_url)
    for name in ("a", "b"):
        result = ledger_cli(
            "audit",
            "replay",
            "--as-of",
            "2099-01-01T00:00:00Z",
            "--out",
            str(tmp_path / name),
            "--compare",
            database_url=database_url,
        )
        assert result.returncode == 0, result.stderr
        assert "answer exactly the same" in result.stdout
    for file in (tmp_path / "a").iterdir():
        assert file.read_bytes() == (tmp_path / "b" / file.name).read_bytes()
    early = json.loads(
        ledger_cli(
            "audit",
            "replay",
            "--as-of",
            "2000-01-01T00:00:00Z",
            "--json",
            database_url=database_url,
        ).stdout
    )
    assert early["position"] == 0 and early["rows"]["reports"] == 0
    bad = ledger_cli("audit", "replay", "--as-of", "yesterday", database_url=database_url)
    assert bad.returncode == 2 and "ISO 8601 time" in bad.stderr


def test_trace_a_claim_and_a_posture_row(database_url: str) -> None:
    demo(database_url)
    text = ledger_cli("audit", "trace", "claim:seed-05", database_url=database_url)
    assert text.returncode == 0, text.stderr
    for expected in (
        "document doc:magnier-2015-russia-ops-rooms",
        "attribution source:elijah-magnier",
        "attribution source:anon-damascus-senior",
        "[reliability F, speaker]",
        "posture actor:damascus-joint-ops-room@place:damascus",
    ):
        assert expected in text.stdout, expected
    tree = json.loads(
        ledger_cli("audit", "trace", "claim:seed-05", "--json", database_url=database_url).stdout
    )["tree"]
    assert tree["id"] == "claim:seed-05" and tree["position"] == 54
    row = ledger_cli(
        "audit",
        "trace",
        "--actor",
        "actor:iraqi-militia",
        "--place",
        "place:sahel-al-ghab",
        database_url=database_url,
    )
    assert row.returncode == 0 and "claim claim:seed-21" in row.stdout
    missing = ledger_cli("audit", "trace", "claim:nobody", database_url=database_url)
    assert missing.returncode == 1 and "no events name claim:nobody" in missing.stderr
    usage = ledger_cli("audit", "trace", "--actor", "actor:x", database_url=database_url)
    assert usage.returncode == 2


def test_export_then_import_check(database_url: str, tmp_path: Path) -> None:
    demo(database_url)
    file = tmp_path / "ledger.avro"
    exported = ledger_cli("audit", "export", str(file), database_url=database_url)
    assert exported.returncode == 0, exported.stderr
    head = exported.stdout.split("head ")[1].split()[0]
    with file.open("rb") as handle:
        assert sum(1 for _ in fastavro.reader(handle)) == 138
    checked = ledger_cli("audit", "import-check", str(file), "--expect-anchor", head)
    assert checked.returncode == 0, checked.stdout
    wrong = head[:-1] + ("0" if head[-1] != "0" else "1")
    mismatch = ledger_cli("audit", "import-check", str(file), "--expect-anchor", wrong, "--json")
    assert mismatch.returncode == 1 and json.loads(mismatch.stdout)["first_bad_position"] == 138
    assert ledger_cli("audit", "import-check", str(tmp_path / "none.avro")).returncode == 2


def test_checkpoint_signs_the_head_with_the_key_init_made(
    database_url: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "log.key"
    env = {"LEDGER_SIGNING_KEY_FILE": str(key_file), "LEDGER_LOG_NAME": "test.example/log"}
    init = ledger_cli("init", database_url=database_url, env_extra=env)
    assert init.returncode == 0, init.stderr
    assert f"signing key created: {key_file}" in init.stdout
    public = ledger_cli("checkpoint", "--public-key", env_extra=env)
    assert public.returncode == 0 and public.stdout.startswith("test.example/log+")
    verifier = Verifier.parse(public.stdout)
    assert f"log public key: {public.stdout.strip()}" in init.stdout
    ledger_cli("demo", database_url=database_url, env_extra=env)
    signed = ledger_cli("checkpoint", database_url=database_url, env_extra=env)
    assert signed.returncode == 0, signed.stderr
    body = Checkpoint.parse(open_note(signed.stdout, verifier).text)
    assert (body.origin, body.size) == ("test.example/log", 138)
    again = ledger_cli("checkpoint", database_url=database_url, env_extra=env)
    assert again.stdout == signed.stdout
    verified = ledger_cli("audit", "verify", "--json", database_url=database_url, env_extra=env)
    checks = {c["name"]: c for c in json.loads(verified.stdout)["checks"]}
    assert checks["checkpoint"]["status"] == "passed"
    assert "signatures checked" in checks["checkpoint"]["detail"]
    missing = ledger_cli(
        "checkpoint", env_extra={"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "none.key")}
    )
    assert missing.returncode == 2 and "run `ledger init`" in missing.stderr  # could not run


def test_prove_then_check_offline(database_url: str, tmp_path: Path) -> None:
    env = {"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "log.key")}
    assert ledger_cli("init", database_url=database_url, env_extra=env).returncode == 0
    assert ledger_cli("demo", database_url=database_url, env_extra=env).returncode == 0
    key = ledger_cli("checkpoint", "--public-key", env_extra=env).stdout.strip()
    bundle = tmp_path / "proof.json"
    proved = ledger_cli(
        "audit", "prove", "3", "57", "--out", str(bundle), database_url=database_url, env_extra=env
    )
    assert proved.returncode == 0, proved.stderr
    assert "2 event(s) proven in the tree of 138 events" in proved.stdout
    checked = ledger_cli("audit", "check-proof", str(bundle), "--key", key, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["positions"] == [3, 57]

    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 1
    bundle.write_bytes(bytes(data))
    broken = ledger_cli("audit", "check-proof", str(bundle), "--key", key)
    assert broken.returncode == 1 and "NOT PROVEN" in broken.stdout
    unreadable = ledger_cli("audit", "check-proof", str(tmp_path / "none"), "--key", key)
    assert unreadable.returncode == 2

    posture = ledger_cli("posture", "--format", "json", database_url=database_url)
    assert posture.returncode == 0, posture.stderr
    answer = ledger_cli(
        "audit",
        "prove",
        "--answer",
        "-",
        "--out",
        str(bundle),
        database_url=database_url,
        env_extra=env,
        stdin=posture.stdout,
    )
    assert answer.returncode == 0, answer.stderr
    again = ledger_cli("audit", "check-proof", str(bundle), "--key", key)
    assert again.returncode == 0 and "PROVEN" in again.stdout


def test_prove_to_standard_output(database_url: str, tmp_path: Path) -> None:
    env = {"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "log.key")}
    assert ledger_cli("init", database_url=database_url, env_extra=env).returncode == 0
    assert ledger_cli("demo", database_url=database_url, env_extra=env).returncode == 0
    key = ledger_cli("checkpoint", "--public-key", env_extra=env).stdout.strip()
    proved = ledger_cli(
        "audit", "prove", "3", "57", "--out", "-", database_url=database_url, env_extra=env
    )
    assert proved.returncode == 0, proved.stderr
    assert not (tmp_path / "-").exists() and not Path("-").exists()
    assert "2 event(s) proven in the tree of 138 events" in proved.stderr  # not in the bundle
    bundle = tmp_path / "piped.json"
    bundle.write_text(proved.stdout)  # standard output holds the bundle and nothing else
    checked = ledger_cli("audit", "check-proof", str(bundle), "--key", key, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["positions"] == [3, 57]
