"""The TAXII resources' JSON: discovery, the API root, collections, and the envelope,
manifest and versions of a page (spec sections 4 and 5).

One API root, ``ledger``; its collections are laid out as data: the read collection
(``everything``) and the write one (``inbox``), each saying what it serves.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from ledger.taxii.collection import Entry
from ledger.taxii.dates import shown
from ledger.taxii.media import STIX, TAXII

ROOT = "ledger"
"""The one API root's name: it is served at ``/taxii2/ledger/``."""

_NAMESPACE = uuid.UUID("6f1e2b6c-3c52-4d0e-9b8e-7a1d6c0f4e21")


@dataclass(frozen=True)
class CollectionInfo:
    """A collection as the collections resource describes it."""

    id: str
    title: str
    description: str
    alias: str
    readable: bool
    """Whether the collection serves reads (``can_read`` for keys that may read)."""
    writable: bool
    """Whether it takes objects (``can_write`` for keys that may append)."""


def read_collection(log: str) -> CollectionInfo:
    """The collection of every object the key sees; its id is fixed by the log's name,
    so it is the same on every server of one ledger, and across restarts."""
    return CollectionInfo(
        id=str(uuid.uuid5(_NAMESPACE, f"{log}/taxii/everything")),
        title="Everything the key may see",
        description="Every STIX 2.1 object the key's clearance sees, each version once, "
        "exactly as `ledger export stix --all-versions` writes them for that clearance; "
        "date_added is the record time of each version's event.",
        alias="everything",
        readable=True,
        writable=False,
    )


def inbox(log: str) -> CollectionInfo:
    """The collection producers post envelopes to; its id is fixed as the read one's."""
    return CollectionInfo(
        id=str(uuid.uuid5(_NAMESPACE, f"{log}/taxii/inbox")),
        title="inbox",
        description="Post envelopes of STIX 2.1 objects here: they are imported as "
        "`ledger import stix` does, through the common intake, all or nothing, and the "
        "status tells what became of each object. Read them back from `everything`.",
        alias="inbox",
        readable=False,
        writable=True,
    )


def collections(log: str) -> list[CollectionInfo]:
    return [read_collection(log), inbox(log)]


def discovery() -> bytes:
    return orjson.dumps(
        {
            "title": "ledger",
            "description": "An event-sourced intelligence ledger, served as TAXII 2.1: "
            "objects trace to events, honour need-to-know, and can be proven.",
            "default": f"/taxii2/{ROOT}/",
            "api_roots": [f"/taxii2/{ROOT}/"],
        }
    )


def api_root(max_content_length: int) -> bytes:
    return orjson.dumps(
        {
            "title": "ledger",
            "description": "The ledger's collections.",
            "versions": [TAXII],
            "max_content_length": max_content_length,
        }
    )


def collection(info: CollectionInfo, reader: bool, writer: bool) -> dict[str, object]:
    """A collection as the key of a reader (or a writer) role sees it."""
    return {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "alias": info.alias,
        "can_read": info.readable and reader,
        "can_write": info.writable and writer,
        "media_types": [STIX],
    }


def collection_list(infos: Iterable[CollectionInfo], reader: bool, writer: bool) -> bytes:
    found = [collection(info, reader, writer) for info in infos]
    return orjson.dumps({"collections": found} if found else {})


def _head(more: bool, next: str | None) -> bytes:
    head = b'{"more":' + (b"true" if more else b"false")
    if next is not None:
        head += b',"next":' + orjson.dumps(next)
    return head


def envelope(entries: list[Entry], more: bool, next: str | None) -> bytes:
    """The objects of a page; an empty page has no ``objects`` (TAXII forbids empty lists)."""
    body = _head(more, next)
    if entries:
        body += b',"objects":[' + b",".join(e.data for e in entries) + b"]"
    return body + b"}"


def manifest(entries: list[Entry], more: bool, next: str | None) -> bytes:
    body = _head(more, next)
    if entries:
        records = [
            {"id": e.id, "date_added": shown(e.added), "version": e.version, "media_type": STIX}
            for e in entries
        ]
        body += b',"objects":' + orjson.dumps(records)
    return body + b"}"


def versions(entries: list[Entry], more: bool, next: str | None) -> bytes:
    body = _head(more, next)
    if entries:
        body += b',"versions":' + orjson.dumps([e.version for e in entries])
    return body + b"}"
