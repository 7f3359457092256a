"""What an envelope posted to the inbox must be before its objects are imported: each
other shape is one sentence, and too many objects is a 413."""

import orjson
import pytest

from ledger.taxii.envelope import BadEnvelope, as_bundle, read_envelope

ONE = {"type": "identity", "id": "identity--11111111-1111-4111-8111-111111111111"}


def test_an_envelope_gives_its_objects_and_they_make_a_bundle() -> None:
    raw = orjson.dumps({"more": False, "objects": [ONE]})
    objects = read_envelope(raw, 10)
    assert objects == [ONE]
    bundle = orjson.loads(as_bundle(objects))
    assert bundle["type"] == "bundle" and bundle["objects"] == [ONE]
    assert bundle["id"].startswith("bundle--")
    assert orjson.loads(as_bundle(objects))["id"] != bundle["id"]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"{", "not JSON"),
        (b"[]", "not a TAXII envelope"),
        (b'{"type": "bundle"}', "not a TAXII envelope"),
        (b'{"objects": {}}', "not a list"),
        (b'{"objects": []}', "at least one"),
        (b'{"objects": [1]}', "objects[0] is not a STIX object"),
        (orjson.dumps({"objects": [ONE, {"type": "note"}]}), "objects[1] is not a STIX object"),
        (orjson.dumps({"objects": [ONE, {"id": 7}]}), "objects[1]"),
    ],
)
def test_other_shapes_are_a_400_in_one_sentence(raw: bytes, said: str) -> None:
    with pytest.raises(BadEnvelope) as caught:
        read_envelope(raw, 10)
    assert caught.value.status == 400 and said in str(caught.value)


def test_more_objects_than_one_import_takes_is_a_413() -> None:
    with pytest.raises(BadEnvelope) as caught:
        read_envelope(orjson.dumps({"objects": [ONE] * 3}), 2)
    assert caught.value.status == 413 and "LEDGER_MAX_BATCH_EVENTS" in str(caught.value)
