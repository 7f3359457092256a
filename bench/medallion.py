"""medallion 3.0.0 (OASIS's TAXII 2.1 reference server), its memory backend loaded from
a JSON file with given STIX objects, served on a free loopback port in a thread: the
reference ``bench.taxii`` walks with the same ``taxii2-client`` code as ours."""

import json
import logging
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from taxii2client.v21 import Collection, Server
from werkzeug.serving import make_server

USER, PASSWORD = "bench", "bench"
ROOT = "bench"
STIX = "application/stix+json;version=2.1"
TAXII = "application/taxii+json;version=2.1"


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def loadable(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects medallion can hold: not those with a ``version`` property of their
    own (an extension-definition's), which it reads as the object's version timestamp
    and answers 500 for the whole collection."""
    return [obj for obj in objects if "version" not in obj]


def data_file(objects: list[dict[str, Any]], base: str) -> dict[str, Any]:
    """medallion's memory-backend document: one API root, one read collection holding
    ``objects``, each with a manifest entry (date_added one microsecond apart, in the
    order given, so medallion pages them in our order)."""
    first = datetime(2026, 1, 1, tzinfo=UTC)
    held, manifest = [], []
    for i, obj in enumerate(objects):
        added = _stamp(first + timedelta(microseconds=i))
        version = obj.get("modified", obj.get("created"))
        if version is None:  # an object with no version: medallion versions it by this
            obj, version = {**obj, "_date_added": added}, added
        held.append(obj)
        manifest.append(
            {"id": obj["id"], "date_added": added, "version": version, "media_type": STIX}
        )
    collection = {
        "id": str(uuid.uuid4()),
        "title": "bench",
        "can_read": True,
        "can_write": False,
        "media_types": [STIX],
        "objects": held,
        "manifest": manifest,
    }
    return {
        "/discovery": {
            "title": "bench medallion",
            "default": f"{base}/{ROOT}/",
            "api_roots": [f"{base}/{ROOT}/"],
        },
        ROOT: {
            "information": {
                "title": "bench",
                "versions": [TAXII],
                "max_content_length": 1 << 30,
            },
            "status": [],
            "collections": [collection],
        },
    }


@contextmanager
def served(objects: list[dict[str, Any]], page: int) -> Iterator[Collection]:
    """medallion over ``objects`` (pages of up to ``page``), on werkzeug in a thread;
    its collection as ``taxii2-client`` sees it. medallion's app is one Flask object
    per process, so this runs once a process."""
    import medallion

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    config: dict[str, dict[str, Any]] = {
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": page},
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "session_timeout": 24 * 3600,  # its ``next`` is a server-side session
        },
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "medallion.json"
        config["backend"]["filename"] = str(path)
        path.write_text(json.dumps(data_file(objects, base)))
        config_path = Path(folder) / "config.json"
        config_path.write_text(json.dumps(config))
        app = medallion.load_app(str(config_path))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = Server(f"{base}/taxii2/", user=USER, password=PASSWORD).default
        assert root is not None
        (collection,) = root.collections
        yield collection
    finally:
        server.shutdown()
        thread.join(timeout=30)
