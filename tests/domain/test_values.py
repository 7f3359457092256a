"""Rules of the shared value objects: estimates, time spans, places, envelopes."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ledger.domain.enums import EstimateQualifier, TimePrecision
from ledger.domain.values import Envelope, Estimate, PlaceRef, TimeSpan
from ledger.intake.lines import validate_event
from tests.factories import json_line


def estimate(**fields: object) -> Estimate:
    return Estimate.model_validate({"unit": "fighters", "text": "as written", **fields})


class TestEstimate:
    def test_over_4000_is_a_lower_bound(self) -> None:
        e = estimate(low=4000, qualifier="AT_LEAST", text="over 4000")
        assert e.bounds == (4000, None)
        assert e.qualifier is EstimateQualifier.AT_LEAST

    def test_range_bounds(self) -> None:
        assert estimate(low=200, high=300, qualifier="RANGE").bounds == (200, 300)

    def test_exact_and_approx_use_best(self) -> None:
        assert estimate(best=50, qualifier="EXACT").bounds == (50, 50)
        assert estimate(best=50, qualifier="APPROX").bounds == (50, 50)

    def test_at_most_is_an_upper_bound(self) -> None:
        assert estimate(high=100, qualifier="AT_MOST").bounds == (None, 100)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"qualifier": "APPROX"}, "at least one of low, best or high"),
            ({"low": 10, "best": 5, "qualifier": "UNKNOWN"}, "increasing order"),
            ({"best": 10, "qualifier": "AT_LEAST"}, "AT_LEAST needs low"),
            ({"low": 10, "qualifier": "RANGE"}, "RANGE needs high"),
            ({"low": 1, "high": 5, "best": 3, "qualifier": "EXACT"}, "EXACT estimate cannot"),
            ({"low": 1, "high": 5, "qualifier": "AT_LEAST"}, "no upper bound"),
            ({"low": 1, "high": 5, "qualifier": "AT_MOST"}, "no lower bound"),
            ({"best": -1, "qualifier": "EXACT"}, "greater than or equal to 0"),
        ],
    )
    def test_inconsistent_estimates_are_refused(
        self, fields: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            estimate(**fields)

    def test_text_as_written_is_required(self) -> None:
        with pytest.raises(ValidationError, match="text"):
            Estimate.model_validate({"best": 1, "qualifier": "EXACT", "unit": "x", "text": ""})


class TestTimeSpan:
    def test_times_are_normalised_to_utc(self) -> None:
        span = TimeSpan.model_validate({"start": "2015-10-01T03:00:00+03:00", "precision": "DAY"})
        assert span.start == datetime(2015, 10, 1, tzinfo=UTC)
        assert span.start.tzinfo is UTC
        assert span.precision is TimePrecision.DAY

    def test_naive_time_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="timezone"):
            TimeSpan.model_validate({"start": "2015-10-01T00:00:00", "precision": "DAY"})

    def test_naive_datetime_object_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="timezone"):
            TimeSpan(start=datetime(2015, 10, 1), precision=TimePrecision.DAY)

    def test_end_before_start_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="end must not be before start"):
            TimeSpan.model_validate(
                {"start": "2015-10-02T00:00:00Z", "end": "2015-10-01T00:00:00Z", "precision": "DAY"}
            )


class TestPlaceRef:
    def test_coordinates_go_together(self) -> None:
        with pytest.raises(ValidationError, match="latitude and longitude go together"):
            PlaceRef.model_validate({"name": "Idlib", "latitude": 35.9, "precision": "CITY"})

    def test_coordinates_in_range(self) -> None:
        with pytest.raises(ValidationError, match="less than or equal to 90"):
            PlaceRef.model_validate(
                {"name": "x", "latitude": 95, "longitude": 0, "precision": "POINT"}
            )


class TestEnvelope:
    def test_new_gives_fresh_ids_and_default_marking(self) -> None:
        a = Envelope.new("tester", "claim:x")
        b = Envelope.new("tester", "claim:x")
        assert a.event_id != b.event_id
        assert a.classification == "UNCLASSIFIED"

    def test_unknown_fields_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="Extra inputs"):
            Envelope.model_validate(
                {
                    "event_id": "6f1c9d3e-0000-4000-8000-000000000001",
                    "stream_id": "s",
                    "recorded_by": "x",
                    "recorded_at": "2015-01-01T00:00:00Z",
                }
            )

    def test_events_are_immutable(self) -> None:
        envelope = Envelope.new("tester", "claim:x")
        with pytest.raises(ValidationError, match="frozen"):
            envelope.stream_id = "claim:y"  # type: ignore[misc]


@pytest.mark.parametrize("given", [True, "12", 12.5, 2**63])
def test_counts_are_whole_numbers_not_converted(given: object) -> None:
    valid = {"best": 12, "qualifier": "APPROX", "unit": "fighters", "text": "about 12"}
    assert Estimate.model_validate(valid).best == 12
    with pytest.raises(ValidationError, match="best"):
        Estimate.model_validate({**valid, "best": given})


@pytest.mark.parametrize("given", [False, "35.5"])
def test_coordinates_are_numbers_not_converted(given: object) -> None:
    with pytest.raises(ValidationError):
        PlaceRef.model_validate(
            {"name": "x", "latitude": given, "longitude": 36.0, "precision": "AREA"}
        )
    assert PlaceRef(name="x", latitude=35, longitude=36.0, precision="AREA").latitude == 35.0


@pytest.mark.parametrize("given", [0, 1443657600, 1.5])
def test_times_are_iso_text_not_unix_numbers(given: object) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        TimeSpan.model_validate({"start": given, "precision": "DAY"})


def test_no_text_may_hold_a_nul_character() -> None:
    with pytest.raises(ValidationError, match="pattern"):
        PlaceRef(name="a\x00b", precision="AREA")
    with pytest.raises(ValidationError, match="pattern"):
        Envelope.model_validate(
            {"event_id": str(uuid4()), "stream_id": "s\x00", "recorded_by": "x"}
        )
    event, problems = validate_event(json_line("ClaimAsserted", statement="x\x00"), "line 1")
    assert event is None
    assert problems == [
        "line 1, field statement: contains a NUL character (U+0000), which text may not hold"
    ]


def test_a_strength_in_words_alone_is_kept_without_numbers() -> None:
    estimate = Estimate(qualifier=EstimateQualifier.UNKNOWN, unit="fighters", text="a battalion")
    assert estimate.bounds == (None, None)
    with pytest.raises(ValidationError, match="at least one of low, best or high"):
        Estimate(qualifier=EstimateQualifier.AT_LEAST, unit="fighters", text="over some")
