"""Stored events turned into JSON without the models equal what the models write."""

from hypothesis import given, settings

from ledger.codec.json_form import json_form
from ledger.codec.single_object import AvroCodec
from ledger.domain.events import Event
from tests.strategies import any_event

CODEC = AvroCodec()


@given(any_event)
@settings(max_examples=400, deadline=None)
def test_json_form_of_the_stored_record_equals_the_models_json(event: Event) -> None:
    _, record = CODEC.decode_record(CODEC.encode(event))
    assert json_form(record) == event.model_dump(mode="json")
