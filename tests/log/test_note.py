"""Signed notes, checkpoints and cosignatures, against the Go reference's published
vectors (golang.org/x/mod/sumdb/note, note_test.go at github.com/golang/mod commit
fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db: keys, text and signatures copied as data)."""

import pytest

from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosign, cosigned_at
from ledger.log.note import (
    COSIGNATURE_V1,
    NoteError,
    Signer,
    Verifier,
    open_note,
    parse_note,
    sign_note,
)

PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL"
    "ox33WWd1RvMc+QQ=\n"
)


def test_signing_gives_the_go_reference_bytes() -> None:
    signer = Signer.parse(PETER_SIGNER)
    assert signer.verifier.encode() == PETER
    assert sign_note(TEXT, signer) == f"{TEXT}\n{PETER_SIG}"
    assert Signer.parse(signer.encode()).verifier == signer.verifier


def test_opening_the_go_reference_notes() -> None:
    both = f"{TEXT}\n{PETER_SIG}{ENOCH_SIG}"
    peter, enoch = Verifier.parse(PETER), Verifier.parse(ENOCH)
    note = open_note(both, peter)
    assert note.text == TEXT and len(note.signatures) == 2
    assert note.signed_by(enoch)
    with pytest.raises(NoteError, match="no valid signature by PeterNeumann"):
        open_note(f"{TEXT}\n{ENOCH_SIG}", peter)
    with pytest.raises(NoteError):
        open_note(both.replace("problem,", "problem;"), peter)


def test_every_altered_byte_of_a_key_is_refused() -> None:
    for i in range(len(PETER)):
        changed = PETER[:i] + chr(ord(PETER[i]) + 1) + PETER[i + 1 :]
        with pytest.raises(NoteError):
            Verifier.parse(changed)
    with pytest.raises(NoteError):
        Verifier.parse(PETER[:-4])


def test_every_altered_byte_of_a_note_fails() -> None:
    note = f"{TEXT}\n{PETER_SIG}"
    peter = Verifier.parse(PETER)
    for i in range(len(note)):
        changed = note[:i] + chr(ord(note[i]) ^ 1) + note[i + 1 :]
        with pytest.raises(NoteError):
            open_note(changed, peter)


def test_malformed_texts_are_not_signed() -> None:
    signer = Signer.parse(PETER_SIGNER)
    for bad in ("no newline", "a\n\nb\n", ""):
        with pytest.raises(NoteError):
            sign_note(bad, signer)
    with pytest.raises(NoteError, match="no signature"):
        parse_note(f"{TEXT}\n")


def test_checkpoints_round_trip_and_are_parsed_strictly() -> None:
    checkpoint = Checkpoint("example.com/behind-the-sofa", 20852163, bytes(range(32)))
    assert checkpoint.body().splitlines()[:2] == ["example.com/behind-the-sofa", "20852163"]
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    assert Checkpoint.parse(checkpoint.body() + "extension\n") == checkpoint
    for bad in ("a\n1\n", "a\n01\nAAAA\n", "\n1\n" + "A" * 44 + "\n", "a\n-1\nAA==\n"):
        with pytest.raises(NoteError):
            Checkpoint.parse(bad)


def test_cosignatures_verify_and_bind_the_time_and_body() -> None:
    witness = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    body = Checkpoint("log.example", 5, bytes(32)).body()
    line = cosign(body, witness, 1679315147)
    assert cosigned_at(body, line, witness.verifier) == 1679315147
    assert cosigned_at(body.replace("5", "6"), line, witness.verifier) is None
    other = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    assert cosigned_at(body, line, other.verifier) is None
    parsed = parse_note(sign_note(body, Signer.generate("log.example")) + f"{line}\n")
    assert cosigned_at(body, parsed.signatures[1], witness.verifier) == 1679315147
    with pytest.raises(NoteError, match="witness key"):
        cosign(body, Signer.generate("log.example"), 1)
