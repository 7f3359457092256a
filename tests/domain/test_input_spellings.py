"""Input may spell enum symbols in any case and give a date for a moment; what is kept,
encoded and shown is canonical, so the Avro bytes are the same as for the canonical
spelling."""

import copy
import uuid
from datetime import UTC, datetime

from ledger.codec.single_object import AvroCodec
from ledger.domain.enums import Credibility, DeploymentActivity, EstimateQualifier
from ledger.domain.events import DeploymentReported
from ledger.domain.posture import PostureStatus
from ledger.intake.lines import check_event
from tests.factories import json_line


def _relaxed(line: dict[str, object]) -> dict[str, object]:
    """The same event as a hurried analyst types it."""
    sloppy = copy.deepcopy(line)
    sloppy["type"] = "deploymentreported"
    sloppy["activity"] = "present"
    sloppy["credibility"] = "possibly true"
    sloppy["strength"]["qualifier"] = "at-least"  # type: ignore[index]
    sloppy["place"]["precision"] = "Area"  # type: ignore[index]
    sloppy["valid_time"] = {"start": "2015-10-01", "precision": "week"}
    return sloppy


def test_any_case_and_a_date_give_the_canonical_event_and_the_same_bytes() -> None:
    line = json_line(
        "DeploymentReported", envelope={"event_id": str(uuid.uuid4()), "recorded_by": "t"}
    )
    strict, problems = check_event(dict(line), "line 1")
    relaxed, relaxed_problems = check_event(_relaxed(line), "line 1")
    assert problems == [] and relaxed_problems == []
    assert isinstance(relaxed, DeploymentReported)
    assert relaxed.activity is DeploymentActivity.PRESENT
    assert relaxed.credibility is Credibility.POSSIBLY_TRUE
    assert relaxed.strength is not None and relaxed.strength.qualifier is EstimateQualifier.AT_LEAST
    assert relaxed.valid_time.start == datetime(2015, 10, 1, tzinfo=UTC)
    assert relaxed.model_dump(mode="json")["activity"] == "PRESENT"  # canonical out
    codec = AvroCodec()
    assert strict is not None
    assert codec.encode(relaxed) == codec.encode(strict)


def test_an_unknown_symbol_is_still_refused_with_the_canonical_choices() -> None:
    line = json_line("DeploymentReported", activity="loitering")
    event, problems = check_event(line, "line 1")
    assert event is None
    ((_, said),) = problems
    assert "'loitering' is not allowed" in said and "'PRESENT'" in said


def test_query_enums_read_any_case() -> None:
    assert PostureStatus("active") is PostureStatus.ACTIVE
    assert PostureStatus(" Contested ") is PostureStatus.CONTESTED
