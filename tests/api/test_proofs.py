"""The verifiable log over HTTP: checkpoint note, inclusion and consistency proofs that
check with the pure verifier, problems for impossible requests."""

import base64
import json

from ledger.chain import epoch_micros
from ledger.log import merkle
from ledger.log.checkpoint import Checkpoint
from ledger.log.leaf import event_leaf_hash
from ledger.log.note import Signer, open_note
from ledger.store.checkpoints import Checkpoints
from ledger.web.keys import Role
from tests.factories import make
from tests.helpers import Api

KEY = Signer.generate("test.example/log")


def b64(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def test_checkpoint_and_proofs_verify(fresh_api: Api) -> None:
    missing = fresh_api.client.get("/checkpoint", headers=fresh_api.headers())
    assert missing.status_code == 404 and "run `ledger checkpoint`" in missing.json()["detail"]
    Checkpoints(fresh_api.ledger).issue(KEY)
    answer = fresh_api.client.get("/checkpoint", headers=fresh_api.headers(Role.AUDITOR))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    signed = Checkpoint.parse(open_note(answer.text, KEY.verifier).text)
    assert signed.size == 138

    proof = fresh_api.get("/proofs/inclusion", position=57)
    assert proof["size"] == 138
    event = next(fresh_api.ledger.read(after=56, limit=1))
    leaf = event_leaf_hash(57, epoch_micros(event.recorded_at), event.payload)
    assert base64.b64decode(proof["leaf_hash"]) == leaf
    merkle.verify_inclusion(56, 138, leaf, b64(proof["path"]), signed.root)

    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:later")])
    response = fresh_api.client.get(
        "/proofs/consistency", params={"from": 138, "to": 139}, headers=fresh_api.headers()
    )
    assert response.status_code == 200, response.text
    later = response.json()
    assert (later["from"], later["to"]) == (138, 139)
    assert base64.b64decode(later["from_root"]) == signed.root
    merkle.verify_consistency(
        138, 139, signed.root, base64.b64decode(later["to_root"]), b64(later["proof"])
    )
    at_size = fresh_api.get("/proofs/inclusion", position=139, size=139)
    assert at_size["root"] == later["to_root"]


def test_impossible_proofs_are_problems(fresh_api: Api) -> None:
    def get(path: str, **params: int | str) -> tuple[int, str]:
        r = fresh_api.client.get(path, params=params, headers=fresh_api.headers())
        assert r.headers["content-type"] == "application/problem+json", r.text
        return r.status_code, r.json()["detail"]

    assert get("/proofs/inclusion", position=10, size=5)[0] == 422
    code, detail = get("/proofs/inclusion", position=10, size=500)
    assert code == 422 and "beyond the ledger's head at position 138" in detail
    assert get("/proofs/consistency", **{"from": 9, "to": 3})[0] == 422
    assert get("/proofs/consistency", **{"from": 0, "to": 3})[0] == 422
    assert get("/proofs/inclusion", position="x")[0] == 422
    anonymous = fresh_api.client.get("/proofs/inclusion", params={"position": 1, "size": 2})
    assert anonymous.status_code == 401


def test_a_read_answer_with_proof_true_carries_a_bundle_that_verifies(fresh_api: Api) -> None:
    from ledger.log.bundle import Bundle, check_bundle

    refused = fresh_api.client.get(
        "/posture", params={"proof": "true"}, headers=fresh_api.headers()
    )
    assert refused.status_code == 409 and "ledger checkpoint" in refused.json()["detail"]
    Checkpoints(fresh_api.ledger).issue(KEY)
    answer = fresh_api.get("/posture", proof="true")
    rested = {p for row in answer["items"] for p in row["positions"]}
    data = answer["proof"].encode()
    bundle = Bundle.decode(data)
    assert rested <= {e.position for e in bundle.events}
    check_bundle(data, KEY.verifier)
    plain = fresh_api.get("/posture")
    assert "proof" not in plain and plain["items"] == answer["items"]
    claim = fresh_api.get("/claims/claim:seed-05", proof="true")
    assert json.loads(claim["proof"])["events"]
