"""Reading events from JSON Lines: each bad input gets one clear sentence."""

import json

import pytest

from ledger.errors import ValidationFailed
from ledger.intake.lines import parse_lines
from tests.factories import json_line


def problems_of(lines: list[str]) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_lines(lines, "in.jsonl")
    return caught.value.problems


def line(event_type: str = "ClaimAsserted", **overrides: object) -> str:
    return json.dumps(json_line(event_type, **overrides))


def test_valid_lines_parse_with_their_numbers() -> None:
    parsed = parse_lines([line(), "", line("ActorRegistered")], "in.jsonl")
    assert [p.line for p in parsed] == [1, 3]


def test_unknown_type_suggests_the_closest() -> None:
    data = json_line("ClaimAsserted")
    data["type"] = "ClaimAssertd"
    assert problems_of([json.dumps(data)]) == [
        "in.jsonl line 1: unknown event type 'ClaimAssertd'; did you mean ClaimAsserted?"
    ]


def test_missing_type() -> None:
    data = json_line("ClaimAsserted")
    del data["type"]
    assert problems_of([json.dumps(data)])[0].startswith('in.jsonl line 1: missing "type"')


def test_missing_field() -> None:
    data = json_line("ClaimAsserted")
    del data["statement"]
    assert problems_of([line(), json.dumps(data)]) == [
        "in.jsonl line 2, field statement: is required but missing"
    ]


def test_wrong_enum() -> None:
    (problem,) = problems_of([line(credibility="LIKELY")])
    assert problem.startswith("in.jsonl line 1, field credibility: 'LIKELY' is not allowed;")
    assert "'PROBABLY_TRUE'" in problem


def test_naive_datetime() -> None:
    (problem,) = problems_of(
        [line(valid_time={"start": "2015-10-01T00:00:00", "precision": "DAY"})]
    )
    assert problem.startswith("in.jsonl line 1, field valid_time.start: '2015-10-01T00:00:00'")
    assert "has no timezone" in problem


def test_malformed_json() -> None:
    (problem,) = problems_of(['{"type": "ClaimAsserted",'])
    assert problem.startswith("in.jsonl line 1: not valid JSON:")


def test_not_an_object() -> None:
    assert problems_of(["[1, 2]"]) == ["in.jsonl line 1: expected a JSON object, got list"]


def test_record_time_cannot_be_supplied() -> None:
    data = json_line("ClaimAsserted")
    data["envelope"]["recorded_at"] = "2015-10-01T00:00:00Z"
    (problem,) = problems_of([json.dumps(data)])
    assert "envelope.recorded_at: cannot be given: the ledger sets the record time" in problem


def test_unknown_field() -> None:
    (problem,) = problems_of([line(confidence=0.9)])
    assert problem == "in.jsonl line 1, field confidence: is not a field of ClaimAsserted"


def test_bad_uuid() -> None:
    data = json_line("ClaimAsserted")
    data["envelope"]["event_id"] = "not-a-uuid"
    (problem,) = problems_of([json.dumps(data)])
    assert problem == "in.jsonl line 1, field envelope.event_id: 'not-a-uuid' is not a UUID"


def test_id_reused_in_the_file_with_different_content() -> None:
    first = json_line("ClaimAsserted")
    second = json.loads(json.dumps(first))
    second["statement"] = "changed"
    (problem,) = problems_of([json.dumps(first), json.dumps(second)])
    assert problem.startswith(
        f"in.jsonl line 2: event_id {first['envelope']['event_id']} is already used on line 1"
    )


def test_identical_repeats_are_allowed() -> None:
    same = line()
    assert len(parse_lines([same, same], "in.jsonl")) == 2


def test_all_problems_are_reported_together() -> None:
    problems = problems_of(["{", line(credibility="X"), line(), "[]"])
    assert [p.split(":")[0].split(",")[0] for p in problems] == [
        "in.jsonl line 1",
        "in.jsonl line 2",
        "in.jsonl line 4",
    ]


def test_missing_subject_is_reported_once() -> None:
    data = json_line("ClaimAsserted")
    del data["claim_id"]
    assert problems_of([json.dumps(data)]) == [
        "in.jsonl line 1, field claim_id: is required but missing"
    ]
