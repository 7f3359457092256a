"""Documents (``DocumentIngested``) as STIX ``report``.

A report needs ``published`` and a non-empty ``object_refs`` (STIX 4.16): ``published``
is the document's publication time, or, when the ledger does not know it, the record
time of the ingestion, with ``published_unknown`` in our extension; ``object_refs``
names the outlet and the authors (identities), which every document has (its claims
name the report, not the other way: a report listing its claims would change with
every claim). ``created_by_ref`` stays the ledger, the report's STIX creator. The url
and archive url are external references; ``hashes`` is left out, as ``content_sha256``
is the producer's hash of the content it read, not necessarily of the bytes at the url
(it lives in our extension). ``lang`` is the language when it looks like an RFC 5646
tag. Import: ours back; a third party's report becomes a document whose outlet is its
creator (``created_by_ref``), which must be in the bundle or the ledger.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from ledger.domain.references import Kind
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.reading import (
    OURS,
    Draft,
    NotMapped,
    Reading,
    foreign_draft,
    foreign_id,
    ours_draft,
)
from ledger.stix.sources import KIND as SOURCE
from ledger.stix.times import stamp
from ledger.stix.versions import ObjectKind, Rendered

INGESTED = "DocumentIngested"
RANK = 3

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A language tag in the RFC 5646 shape (``en``, ``ar-SY``)."""

URLS = (("url", "url"), ("archive_url", "archive_url"))
"""The document's urls and the ``source_name`` of the external reference of each."""


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    fact = [f for f in facts if f.event_type == INGESTED][-1]
    record = fact.record
    published = record.get("published_at")
    authors = [a for a in record.get("author_source_ids") or [] if a != record["outlet_source_id"]]
    properties: dict[str, Any] = {
        "name": record["title"],
        "published": stamp(published if published is not None else fact.recorded_at),
        "object_refs": list(
            dict.fromkeys(SOURCE.ref(context, s) for s in [record["outlet_source_id"], *authors])
        ),
    }
    if LANGUAGE_TAG.match(record["language"]):
        properties["lang"] = record["language"]
    references = [
        {"source_name": name, "url": record[field]} for field, name in URLS if record.get(field)
    ]
    if references:
        properties["external_references"] = references
    extension: dict[str, Any] = {
        "outlet_source_id": record["outlet_source_id"],
        "content_sha256": record["content_sha256"],
        "language": record["language"],
    }
    if record.get("author_source_ids"):
        extension["author_source_ids"] = list(record["author_source_ids"])
    if published is None:
        extension["published_unknown"] = True
    return properties, extension


KIND = ObjectKind(
    name="document",
    stix_type="report",
    key="document_id",
    creates=frozenset({INGESTED}),
    updates=frozenset(),
    render=render,
)

_PROPERTIES = {
    "document_id": f"{OURS}.ledger_id",
    "outlet_source_id": f"{OURS}.outlet_source_id",
    "author_source_ids": f"{OURS}.author_source_ids",
    "title": "name",
    "published_at": "published",
    "content_sha256": f"{OURS}.content_sha256",
    "language": f"{OURS}.language",
    "url": "external_references",
    "archive_url": "external_references",
}


def _urls(obj: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    references = obj.get("external_references")
    for reference in references if isinstance(references, list) else []:
        if isinstance(reference, dict) and reference.get("url") is not None:
            for field, name in URLS:
                if reference.get("source_name") == name and field not in found:
                    found[field] = reference["url"]
            found.setdefault("any", reference["url"])
    return found


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    urls = _urls(obj)
    if mine is not None:
        fields = {
            "document_id": mine.get("ledger_id"),
            "outlet_source_id": mine.get("outlet_source_id"),
            "author_source_ids": mine.get("author_source_ids", []),
            "title": obj.get("name"),
            "published_at": None if mine.get("published_unknown") else obj.get("published"),
            "content_sha256": mine.get("content_sha256"),
            "language": mine.get("language"),
            "url": urls.get("url"),
            "archive_url": urls.get("archive_url"),
        }
        return ours_draft(reading, obj, INGESTED, fields, _PROPERTIES, RANK, whole)
    creator = obj.get("created_by_ref")
    outlet = (
        reading.ref(obj, "created_by_ref", creator, {"identity": Kind.SOURCE})
        if creator is not None
        else None
    )
    if outlet is None or not reading.holds(outlet):
        return NotMapped(
            "a document needs its outlet, and the report's creator (created_by_ref) is "
            "neither an identity in the bundle nor a source in the ledger"
        )
    document_id = foreign_id("doc", obj["id"])
    digest = _digest(obj, urls)
    fields = {
        "document_id": document_id,
        "outlet_source_id": outlet[1],
        "title": obj.get("name"),
        "published_at": obj.get("published"),
        "content_sha256": digest,
        "language": obj.get("lang") or "en",
        "url": urls.get("any"),
    }
    names = {
        "title": "name",
        "published_at": "published",
        "language": "lang",
        "url": "external_references",
    }
    return foreign_draft(obj, INGESTED, fields, names, RANK, whole, reading)


def _digest(obj: dict[str, Any], urls: dict[str, Any]) -> str:
    """The SHA-256 a reference gives for the document's url, else one of its id, name
    and url (as ``ledger record`` derives one when none is given)."""
    for reference in obj.get("external_references") or []:
        if isinstance(reference, dict) and reference.get("url") == urls.get("any"):
            hashes = reference.get("hashes")
            value = hashes.get("SHA-256") if isinstance(hashes, dict) else None
            if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{64}", value):
                return value.lower()
    content = json.dumps([obj.get("id"), obj.get("name"), urls.get("any")])
    return hashlib.sha256(content.encode()).hexdigest()
