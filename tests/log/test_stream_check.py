"""A subscriber's checks: the tree it rebuilds agrees with the published vectors, and
every kind of tampering with a stream of events is caught and named."""

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.chain import GENESIS_HASH, chain_hash, epoch_micros
from ledger.errors import BrokenChain
from ledger.log.checkpoint import Checkpoint
from ledger.log.leaf import event_leaf_hash
from ledger.log.merkle import leaf_hash
from ledger.log.note import Signer, sign_note
from ledger.log.stream_check import StreamCheck, TreeOfEvents

VECTORS = json.loads((Path(__file__).parent / "transparency_dev_vectors.json").read_text())
KEY = Signer.generate("test.example/log")
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_rebuilt_tree_has_the_published_roots() -> None:
    tree = TreeOfEvents()
    assert tree.root().hex() == VECTORS["root_hashes_hex"][0]
    for size, data in enumerate(VECTORS["leaf_inputs_hex"], start=1):
        tree.add(leaf_hash(bytes.fromhex(data)))
        assert tree.root().hex() == VECTORS["root_hashes_hex"][size]


@dataclass(frozen=True)
class Streamed:
    position: int
    recorded_at: datetime
    payload: bytes
    prev_hash: bytes
    hash: bytes


def chain(payloads: list[bytes]) -> list[Streamed]:
    """A valid chain of events over ``payloads``, from position 1."""
    events, previous = [], GENESIS_HASH
    for position, payload in enumerate(payloads, start=1):
        moment = START + timedelta(microseconds=position)
        digest = chain_hash(previous, position, moment, payload)
        events.append(Streamed(position, moment, payload, previous, digest))
        previous = digest
    return events


def feed(check: StreamCheck, events: list[Streamed]) -> None:
    for e in events:
        check.event(e.position, e.recorded_at, e.payload, e.prev_hash, e.hash)


def checkpoint_of(events: list[Streamed], signer: Signer = KEY) -> str:
    tree = TreeOfEvents()
    for e in events:
        tree.add(event_leaf_hash(e.position, epoch_micros(e.recorded_at), e.payload))
    return sign_note(Checkpoint(signer.name, len(events), tree.root()).body(), signer)


EVENTS = chain([f"event {i}".encode() for i in range(1, 21)])


def test_a_whole_stream_checks_and_proves_its_checkpoints() -> None:
    check = StreamCheck(verifier=KEY.verifier, sees_all=True)
    check.checkpoint(checkpoint_of(EVENTS[:12]))  # ahead of the reader: kept for later
    feed(check, EVENTS[:15])
    assert check.verified_through == 12
    check.checkpoint(checkpoint_of(EVENTS[:14]))  # behind it: recent roots are kept
    assert check.verified_through == 14
    feed(check, EVENTS[15:])
    assert (check.position, check.unchecked_links) == (20, 0)


def test_an_altered_event_is_caught() -> None:
    altered = [*EVENTS[:4], replace(EVENTS[4], payload=b"event 5, edited")]
    with pytest.raises(BrokenChain, match="position 5: its hash is not SHA-256"):
        feed(StreamCheck(), altered)


def test_an_altered_event_with_its_hash_recomputed_breaks_the_next_link() -> None:
    fifth = EVENTS[4]
    forged_hash = chain_hash(fifth.prev_hash, 5, fifth.recorded_at, b"forged")
    forged = replace(fifth, payload=b"forged", hash=forged_hash)
    with pytest.raises(BrokenChain, match=r"position 6: its prev_hash .* is not the hash of"):
        feed(StreamCheck(), [*EVENTS[:4], forged, *EVENTS[5:]])


def test_a_repeat_and_a_reordering_are_caught() -> None:
    with pytest.raises(BrokenChain, match="position 3: it came after position 3"):
        feed(StreamCheck(), [*EVENTS[:3], EVENTS[2]])
    with pytest.raises(BrokenChain, match="position 2: it came after position 4"):
        feed(StreamCheck(), [*EVENTS[:2], EVENTS[3], EVENTS[1]])


def test_a_gap_is_unchecked_for_a_cleared_reader_and_an_error_for_one_that_sees_all() -> None:
    cleared = StreamCheck()
    cleared.checkpoint(checkpoint_of(EVENTS[:10]))
    feed(cleared, [*EVENTS[:3], *EVENTS[5:]])  # 4 and 5 hidden from it
    assert (cleared.position, cleared.unchecked_links, cleared.verified_through) == (20, 1, 0)
    with pytest.raises(BrokenChain, match="position 6: it came right after position 3"):
        feed(StreamCheck(sees_all=True), [*EVENTS[:3], *EVENTS[5:]])


def test_a_reader_from_the_middle_checks_from_its_anchor() -> None:
    anchored = StreamCheck(after=10, anchor=EVENTS[9].hash)
    feed(anchored, EVENTS[10:])
    assert anchored.unchecked_links == 0
    with pytest.raises(BrokenChain, match="position 11: its prev_hash"):
        feed(StreamCheck(after=10, anchor=EVENTS[8].hash), EVENTS[10:])
    unanchored = StreamCheck(after=10)
    feed(unanchored, EVENTS[10:])
    assert unanchored.unchecked_links == 1


def test_a_checkpoint_that_does_not_match_or_is_not_signed_is_caught() -> None:
    other = chain([b"another history", *(e.payload for e in EVENTS[1:])])
    check = StreamCheck()
    feed(check, EVENTS)
    with pytest.raises(BrokenChain, match="the checkpoint of size 8: its signed root is not"):
        check.checkpoint(checkpoint_of(other[:8]))
    with pytest.raises(BrokenChain, match="the checkpoint: the note carries no valid signature"):
        StreamCheck(verifier=KEY.verifier).checkpoint(
            checkpoint_of(EVENTS, Signer.generate("test.example/log"))
        )


@settings(max_examples=40, deadline=None)
@given(
    payloads=st.lists(st.binary(max_size=16), min_size=1, max_size=40),
    data=st.data(),
)
def test_any_single_change_to_a_stream_is_caught(
    payloads: list[bytes], data: st.DataObject
) -> None:
    events = chain(payloads)
    index = data.draw(st.integers(0, len(events) - 1), label="index")
    field = data.draw(st.sampled_from(["payload", "prev_hash", "hash", "recorded_at"]))
    changed = getattr(events[index], field)
    if isinstance(changed, datetime):
        changed += timedelta(microseconds=1)
    else:
        changed = bytes(32) if changed != bytes(32) else b"\x01" * 32
        if field == "payload":
            changed = events[index].payload + b"!"
    tampered = [*events[:index], replace(events[index], **{field: changed}), *events[index + 1 :]]
    with pytest.raises(BrokenChain):
        feed(StreamCheck(), tampered)
