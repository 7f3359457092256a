"""``ledger template``'s examples are valid events, and every enum field is listed."""

import pytest

from ledger.authoring.template import EXAMPLES, enums_of, example
from ledger.domain.enums import Credibility
from ledger.domain.events import EVENT_TYPES
from ledger.intake.lines import validate_event


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_every_type_has_a_valid_example(event_type: str) -> None:
    event, problems = validate_event(example(event_type), event_type)
    assert problems == [] and event is not None


def test_enum_fields_with_their_values() -> None:
    enums = enums_of("DeploymentReported")
    assert enums["credibility"] == [c.value for c in Credibility]
    assert set(enums) == {
        "envelope.classification",
        "place.precision",
        "strength.qualifier",
        "activity",
        "valid_time.precision",
        "credibility",
    }
    assert set(EXAMPLES) == set(EVENT_TYPES)
