"""A witness against the real API (in process) and PostgreSQL: it cosigns a log that only
grows, the ledger serves its cosignature, and it refuses a log that forked or shrank. The
ledger keeps only cosignatures that verify with a registered witness key over the exact
checkpoint: forged lines, lines under the log's own name, and lines of unknown, revoked or
other witnesses are refused, and none of them can block the witness's real one."""

import base64
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from ledger.audit.proofs import prove
from ledger.audit.verify import verify
from ledger.errors import LedgerError
from ledger.log.bundle import check_bundle
from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosign, cosigned_at
from ledger.log.note import COSIGNATURE_V1, SignatureLine, Signer, parse_note, sign_note
from ledger.store.checkpoints import Checkpoints
from ledger.web.keys import Role
from ledger.witness.witness import Refused, WitnessState, witness_once
from tests.factories import make, witness_registered
from tests.helpers import Api

LOG = Signer.generate("test.example/log")
WITNESS = Signer.generate("witness.example/w1", COSIGNATURE_V1)


class ApiLog:
    """The witness's LogClient over the in-process app, as an auditor."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.served: str | None = None

    def checkpoint(self) -> str:
        if self.served is not None:
            return self.served
        response = self.api.client.get("/checkpoint", headers=self.api.headers(Role.AUDITOR))
        assert response.status_code == 200, response.text
        return response.text

    def consistency(self, old: int, new: int) -> list[bytes]:
        response = self.api.client.get(
            "/proofs/consistency",
            params={"from": old, "to": new},
            headers=self.api.headers(Role.AUDITOR),
        )
        assert response.status_code == 200, response.text
        return [base64.b64decode(p) for p in response.json()["proof"]]

    def post_cosignature(self, size: int, line: str) -> None:
        response = self.api.client.post(
            f"/checkpoint/cosignatures?size={size}",
            content=line.encode(),
            headers=self.api.headers(Role.AUDITOR),
        )
        if response.status_code != 200:
            raise LedgerError(response.json()["detail"])


@pytest.fixture
def witnessed(fresh_api: Api) -> Api:
    """The seeded API whose ledger knows the witness's key."""
    fresh_api.ledger.append([witness_registered(WITNESS.verifier.encode())])
    return fresh_api


def test_a_witness_cosigns_a_growing_log(witnessed: Api, tmp_path: Path) -> None:
    fresh_api = witnessed
    state = tmp_path / "state.json"
    log = ApiLog(fresh_api)
    Checkpoints(fresh_api.ledger).issue(LOG)
    first = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_000)
    assert first.checkpoint.size == 139 and first.previous is None
    served = parse_note(log.checkpoint())
    assert cosigned_at(served.text, served.signatures[1], WITNESS.verifier) == 1_700_000_000

    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:w")])
    Checkpoints(fresh_api.ledger).issue(LOG)
    second = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_100)
    assert (second.checkpoint.size, second.previous) == (140, 139)
    assert WitnessState.load(state) == WitnessState("test.example/log", 140, second.checkpoint.root)
    bundle = prove(fresh_api.ledger, [5, 140])
    checked = check_bundle(bundle.encode(), LOG.verifier, [WITNESS.verifier], min_witnesses=1)
    assert checked.witnesses == ["witness.example/w1"]

    again = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_200)  # same size
    assert again.checkpoint.size == 140
    bad = fresh_api.client.post(
        "/checkpoint/cosignatures?size=7", content=b"x", headers=fresh_api.headers(Role.AUDITOR)
    )
    assert bad.status_code == 404
    garbage = fresh_api.client.post(
        "/checkpoint/cosignatures?size=140",
        content="\u2014 w AAAA".encode(),
        headers=fresh_api.headers(Role.AUDITOR),
    )
    assert garbage.status_code == 422
    producer = fresh_api.client.post(
        "/checkpoint/cosignatures?size=140", content=b"x", headers=fresh_api.headers(Role.PRODUCER)
    )
    assert producer.status_code == 403


def test_a_witness_refuses_a_forked_or_shrunk_log(witnessed: Api, tmp_path: Path) -> None:
    fresh_api = witnessed
    state = tmp_path / "state.json"
    log = ApiLog(fresh_api)
    Checkpoints(fresh_api.ledger).issue(LOG)
    witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_000)
    seen = WitnessState.load(state)
    assert seen is not None

    def signed(size: int, root: bytes) -> str:  # what a compromised log could show
        return sign_note(Checkpoint("test.example/log", size, root).body(), LOG)

    log.served = signed(139, bytes(32))
    with pytest.raises(Refused, match="it forked"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_001)
    log.served = signed(100, seen.root)
    with pytest.raises(Refused, match="it shrank"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_002)
    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:f")])
    log.served = signed(140, bytes(32))
    with pytest.raises(Refused, match="does not extend"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_003)
    log.served = sign_note(Checkpoint("test.example/log", 140, bytes(32)).body(), WITNESS)
    with pytest.raises(Refused, match="does not verify"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_004)
    assert WitnessState.load(state) == seen  # nothing refused was remembered


def _post(api: Api, size: int, line: str, role: Role = Role.AUDITOR) -> Any:
    return api.client.post(
        f"/checkpoint/cosignatures?size={size}", content=line.encode(), headers=api.headers(role)
    )


def test_forged_lines_are_refused_and_never_block_the_witness(
    witnessed: Api, tmp_path: Path
) -> None:
    api = witnessed
    stored, _ = Checkpoints(api.ledger).issue(LOG)
    text = parse_note(stored.note).text
    real = cosign(text, WITNESS, 1_700_000_000)
    key_id = WITNESS.verifier.key_id
    forged = [
        # the real witness's name and key id over random bytes (the probe's 200 lines)
        *(SignatureLine(WITNESS.name, key_id, os.urandom(72)) for _ in range(200)),
        cosign(text, Signer.generate(WITNESS.name, COSIGNATURE_V1), 1_700_000_000),  # other key
        cosign(text, Signer.generate("witness.example/w2", COSIGNATURE_V1), 1),  # unregistered
        cosign("another checkpoint\n1\nAAAA\n", WITNESS, 1_700_000_000),  # not this one
        cosign(text, Signer(LOG.name, os.urandom(32), COSIGNATURE_V1), 5),  # the log's own name
    ]
    before = Checkpoints(api.ledger).served_note(stored)
    for line in forged:
        response = _post(api, stored.size, str(line))
        assert response.status_code == 422, response.text
    assert "no witness key witness.example/w2" in _post(api, stored.size, str(forged[201])).text
    assert "not that witness's signature" in _post(api, stored.size, str(forged[0])).text
    assert Checkpoints(api.ledger).served_note(stored) == before  # nothing of them kept
    assert _post(api, stored.size, str(real), Role.PRODUCER).status_code == 403
    kept = _post(api, stored.size, str(real))
    assert kept.status_code == 200 and kept.json()["new"] is True
    again = _post(api, stored.size, str(cosign(text, WITNESS, 1_700_000_001)))
    assert again.status_code == 200 and again.json()["new"] is False
    served = parse_note(Checkpoints(api.ledger).served_note(stored))
    assert [str(s) for s in served.signatures[1:]] == [str(real)]
    assert verify(api.ledger).ok


def test_a_line_kept_before_lines_were_checked_is_not_served_nor_blocks(
    witnessed: Api,
) -> None:
    """A ledger upgraded from a version that kept any line: the forged one stays (append
    only), is not served, is a finding of verify, and the real one goes in beside it."""
    api = witnessed
    stored, _ = Checkpoints(api.ledger).issue(LOG)
    text = parse_note(stored.note).text
    forged = SignatureLine(WITNESS.name, WITNESS.verifier.key_id, os.urandom(72))
    with api.ledger.connection() as conn:
        conn.execute(
            "INSERT INTO ledger.cosignatures (size, witness, key_id, line) VALUES (%s, %s, %s, %s)",
            (stored.size, forged.name, forged.key_id, str(forged)),
        )
    assert parse_note(Checkpoints(api.ledger).served_note(stored)).signatures[1:] == ()
    report = verify(api.ledger)
    assert not report.ok
    assert any("kept for the checkpoint of size" in str(f) for f in report.findings.kept)
    real = cosign(text, WITNESS, 1_700_000_000)
    assert _post(api, stored.size, str(real)).json()["new"] is True
    served = parse_note(Checkpoints(api.ledger).served_note(stored))
    assert [str(s) for s in served.signatures[1:]] == [str(real)]


def test_a_revoked_witness_key_is_refused_and_no_longer_served(witnessed: Api) -> None:
    api = witnessed
    stored, _ = Checkpoints(api.ledger).issue(LOG)
    text = parse_note(stored.note).text
    assert _post(api, stored.size, str(cosign(text, WITNESS, 1))).status_code == 200
    revoke = make("WitnessKeyRevoked", witness=WITNESS.name, key_id=WITNESS.verifier.key_id.hex())
    body = {"type": "WitnessKeyRevoked", **revoke.model_dump(mode="json")}
    assert api.post("/events", body, Role.PRODUCER).status_code == 403
    assert api.post("/events", body, Role.ADMIN).status_code == 201
    again = api.post(
        "/events",
        {**body, "envelope": {**body["envelope"], "event_id": str(uuid.uuid4())}},
        Role.ADMIN,
    )
    assert again.status_code == 422 and "revoked already" in again.text
    later, _ = Checkpoints(api.ledger).issue(LOG)
    refused = _post(api, later.size, str(cosign(parse_note(later.note).text, WITNESS, 2)))
    assert refused.status_code == 422 and "was revoked at position" in refused.text
    assert parse_note(Checkpoints(api.ledger).served_note(stored)).signatures[1:] == ()
    assert verify(api.ledger).ok  # the line was good when it was kept
