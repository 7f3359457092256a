"""Hypothesis strategies that generate valid events of every type."""

import base64
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from ledger.domain import enums
from ledger.domain.events import EVENT_TYPES, Event
from ledger.domain.note_key import COSIGNATURE_V1, key_id
from ledger.log.producer_keys import KEY_EVENT_TYPES
from ledger.log.witness_keys import WITNESS_KEY_EVENT_TYPES

ids = st.from_regex(r"[a-z]{1,8}:[a-z0-9_.-]{1,20}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=60)
"""Any text the ledger stores: every Unicode character but NUL, which the models refuse."""
optional_texts = st.none() | texts


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Aware instants in any offset, to microsecond precision (what Avro keeps)."""
    base = draw(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)))
    offset = draw(st.integers(min_value=-14 * 60, max_value=14 * 60))
    return base.replace(tzinfo=timezone(timedelta(minutes=offset)))


def _enum(cls: type[StrEnum]) -> st.SearchStrategy[str]:
    return st.sampled_from([m.value for m in cls])


@st.composite
def time_spans(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(instants())
    end = draw(st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
    return {
        "start": start,
        "end": None if end is None else start + end,
        "precision": draw(_enum(enums.TimePrecision)),
    }


@st.composite
def estimates(draw: st.DrawFn) -> dict[str, Any]:
    qualifier = draw(_enum(enums.EstimateQualifier))
    a, b, c = sorted(draw(st.lists(st.integers(0, 10**9), min_size=3, max_size=3)))
    shapes: dict[str, dict[str, Any]] = {
        "EXACT": {"best": b},
        "AT_LEAST": {"low": a, "best": draw(st.none() | st.just(b))},
        "AT_MOST": {"high": c, "best": draw(st.none() | st.just(b))},
        "APPROX": {"best": b, "low": draw(st.none() | st.just(a))},
        "RANGE": {"low": a, "high": c},
        "UNKNOWN": {"best": b},
    }
    return {**shapes[qualifier], "qualifier": qualifier, "unit": draw(texts), "text": draw(texts)}


@st.composite
def places(draw: st.DrawFn) -> dict[str, Any]:
    located = draw(st.booleans())
    return {
        "name": draw(texts),
        "place_id": draw(st.none() | ids),
        "latitude": draw(st.floats(-90, 90)) if located else None,
        "longitude": draw(st.floats(-180, 180)) if located else None,
        "precision": draw(_enum(enums.PlacePrecision)),
    }


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "event_id": draw(st.uuids()),
        "recorded_by": draw(texts),
        "correlation_id": draw(st.none() | st.uuids()),
        "causation_id": draw(st.none() | st.uuids()),
        "classification": draw(_enum(enums.Classification)),
    }


def _fields(event_type: str) -> dict[str, st.SearchStrategy[Any]]:
    id_list = st.lists(ids, max_size=4)
    text_list = st.lists(texts, max_size=4)
    coordinate = st.none() | st.floats(-90, 90)
    fields: dict[str, dict[str, st.SearchStrategy[Any]]] = {
        "SourceRegistered": {
            "source_id": ids,
            "kind": _enum(enums.SourceKind),
            "name": texts,
            "aliases": text_list,
            "description": optional_texts,
            "affiliated_source_id": st.none() | ids,
        },
        "SourceReliabilityAssessed": {
            "source_id": ids,
            "reliability": _enum(enums.Reliability),
            "rationale": texts,
            "effective_at": instants(),
        },
        "DocumentIngested": {
            "document_id": ids,
            "outlet_source_id": ids,
            "author_source_ids": id_list,
            "title": texts,
            "published_at": st.none() | instants(),
            "content_sha256": st.binary(min_size=32, max_size=32).map(bytes.hex),
            "language": st.sampled_from(["en", "ar", "ru", "fa"]),
            "url": optional_texts,
            "archive_url": optional_texts,
        },
        "ClaimAsserted": {
            "claim_id": ids,
            "document_id": ids,
            "kind": _enum(enums.ClaimKind),
            "statement": texts,
            "actor_ids": id_list,
            "place_ids": id_list,
            "valid_time": time_spans(),
            "credibility": _enum(enums.Credibility),
        },
        "AttributionMade": {
            "attribution_id": ids,
            "claim_id": ids,
            "source_id": st.just("source:speaker"),
            "via_source_id": st.none() | st.just("source:relay"),
            "document_id": st.none() | ids,
            "mode": _enum(enums.AttributionMode),
            "access": _enum(enums.SourceAccess),
            "access_note": optional_texts,
        },
        "DeploymentReported": {
            "report_id": ids,
            "claim_id": st.none() | ids,
            "actor_id": ids,
            "place": places(),
            "strength": st.none() | estimates(),
            "activity": _enum(enums.DeploymentActivity),
            "valid_time": time_spans(),
            "credibility": _enum(enums.Credibility),
        },
        "ClaimAssessed": {
            "assessment_id": ids,
            "claim_id": st.just("claim:a"),
            "related_claim_id": st.just("claim:b"),
            "relation": _enum(enums.ClaimRelation),
            "independence": _enum(enums.Independence),
            "rationale": texts,
        },
        "ClaimRetracted": {
            "claim_id": ids,
            "retracted_by": _enum(enums.RetractionKind),
            "reason": texts,
            "superseded_by_claim_id": st.none() | ids,
        },
        "ActorRegistered": {
            "actor_id": ids,
            "name": texts,
            "kind": _enum(enums.ActorKind),
            "aliases": text_list,
            "parent_actor_id": st.none() | ids,
            "member_of": id_list,
            "country": st.none() | st.sampled_from(["RU", "IR", "SY", "IQ", "LB", "US"]),
        },
        "PlaceRegistered": {
            "place_id": ids,
            "name": texts,
            "kind": _enum(enums.PlaceKind),
            "aliases": text_list,
            "parent_place_id": st.none() | ids,
            "latitude": coordinate,
            "longitude": coordinate,
        },
        "ProducerKeyRegistered": {
            "producer": texts,
            "public_key": st.binary(min_size=32, max_size=32).map(
                lambda raw: base64.b64encode(raw).decode()
            ),
            "require_signatures": st.booleans(),
        },
        "ProducerKeyRevoked": {
            "producer": texts,
            "key_id": st.binary(min_size=8, max_size=8).map(bytes.hex),
            "reason": texts,
        },
        "WitnessKeyRevoked": {
            "witness": key_names,
            "key_id": st.binary(min_size=4, max_size=4).map(bytes.hex),
            "reason": texts,
        },
    }
    return fields[event_type]


key_names = st.text(
    st.characters(codec="ascii", exclude_characters="+", min_codepoint=33), min_size=1, max_size=30
)
"""Names a signed-note key may have: no '+', no spaces."""


@st.composite
def _witness_keys(draw: st.DrawFn) -> dict[str, Any]:
    name, public = draw(key_names), draw(st.binary(min_size=32, max_size=32))
    body = base64.b64encode(bytes([COSIGNATURE_V1]) + public).decode()
    return {
        "witness": name,
        "verifier_key": f"{name}+{key_id(name, COSIGNATURE_V1, public).hex()}+{body}",
    }


def events_of(event_type: str) -> st.SearchStrategy[Event]:
    model = EVENT_TYPES[event_type]
    envelope = envelopes()
    if event_type in WITNESS_KEY_EVENT_TYPES:  # always open to every reader
        envelope = envelope.map(lambda e: {**e, "classification": "UNCLASSIFIED"})
    if event_type == "WitnessKeyRegistered":
        return st.tuples(envelope, _witness_keys()).map(
            lambda pair: model.model_validate({"envelope": pair[0], **pair[1]})
        )
    return st.fixed_dictionaries({"envelope": envelope, **_fields(event_type)}).map(
        model.model_validate
    )


any_event: st.SearchStrategy[Event] = st.one_of(
    [events_of(t) for t in EVENT_TYPES if t not in KEY_EVENT_TYPES]
)
"""Any event but the key register's, whose own rules refuse random keys and revocations
(``tests/log/test_producer_keys.py`` and ``tests/store/test_producer_signatures.py``)."""

__all__ = ["UTC", "any_event", "estimates", "events_of", "instants"]
