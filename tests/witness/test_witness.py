"""A witness against the real API (in process) and PostgreSQL: it cosigns a log that only
grows, the ledger serves its cosignature, and it refuses a log that forked or shrank."""

import base64
from pathlib import Path

import pytest

from ledger.api.keys import Role
from ledger.audit.proofs import prove
from ledger.errors import LedgerError
from ledger.log.bundle import check_bundle
from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosigned_at
from ledger.log.note import COSIGNATURE_V1, Signer, parse_note, sign_note
from ledger.store.checkpoints import Checkpoints
from ledger.witness.witness import Refused, WitnessState, witness_once
from tests.factories import make
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


def test_a_witness_cosigns_a_growing_log(fresh_api: Api, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    log = ApiLog(fresh_api)
    Checkpoints(fresh_api.ledger).issue(LOG)
    first = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_000)
    assert first.checkpoint.size == 138 and first.previous is None
    served = parse_note(log.checkpoint())
    assert cosigned_at(served.text, served.signatures[1], WITNESS.verifier) == 1_700_000_000

    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:w")])
    Checkpoints(fresh_api.ledger).issue(LOG)
    second = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_100)
    assert (second.checkpoint.size, second.previous) == (139, 138)
    assert WitnessState.load(state) == WitnessState("test.example/log", 139, second.checkpoint.root)
    bundle = prove(fresh_api.ledger, [5, 139])
    checked = check_bundle(bundle.encode(), LOG.verifier, [WITNESS.verifier], min_witnesses=1)
    assert checked.witnesses == ["witness.example/w1"]

    again = witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_200)  # same size
    assert again.checkpoint.size == 139
    bad = fresh_api.client.post(
        "/checkpoint/cosignatures?size=7", content=b"x", headers=fresh_api.headers(Role.AUDITOR)
    )
    assert bad.status_code == 404
    garbage = fresh_api.client.post(
        "/checkpoint/cosignatures?size=139",
        content="\u2014 w AAAA".encode(),
        headers=fresh_api.headers(Role.AUDITOR),
    )
    assert garbage.status_code == 422
    producer = fresh_api.client.post(
        "/checkpoint/cosignatures?size=139", content=b"x", headers=fresh_api.headers(Role.PRODUCER)
    )
    assert producer.status_code == 403


def test_a_witness_refuses_a_forked_or_shrunk_log(fresh_api: Api, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    log = ApiLog(fresh_api)
    Checkpoints(fresh_api.ledger).issue(LOG)
    witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_000)
    seen = WitnessState.load(state)
    assert seen is not None

    def signed(size: int, root: bytes) -> str:  # what a compromised log could show
        return sign_note(Checkpoint("test.example/log", size, root).body(), LOG)

    log.served = signed(138, bytes(32))
    with pytest.raises(Refused, match="it forked"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_001)
    log.served = signed(100, seen.root)
    with pytest.raises(Refused, match="it shrank"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_002)
    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:f")])
    log.served = signed(139, bytes(32))
    with pytest.raises(Refused, match="does not extend"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_003)
    log.served = sign_note(Checkpoint("test.example/log", 139, bytes(32)).body(), WITNESS)
    with pytest.raises(Refused, match="does not verify"):
        witness_once(log, LOG.verifier, WITNESS, state, 1_700_000_004)
    assert WitnessState.load(state) == seen  # nothing refused was remembered
