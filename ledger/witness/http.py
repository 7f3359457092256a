"""The witness's view of the log over HTTP: the API's /checkpoint and /proofs routes."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ledger.errors import LedgerError, StoreUnavailable

TIMEOUT = 15.0


class HttpLog:
    """The log's HTTP API at ``url``, with an auditor (or admin) API key. A refusal of what
    the witness sent (422: a cosignature the log did not keep) fails the round (exit 1);
    any other failure to talk to it means the witness could not run (exit 2)."""

    def __init__(self, url: str, api_key: str | None) -> None:
        self._url = url.rstrip("/")
        self._key = api_key

    def _call(self, path: str, data: bytes | None = None) -> bytes:
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        request = urllib.request.Request(f"{self._url}{path}", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            detail = _detail(error.read())
            if error.code == 422:  # the log refused what was sent: the witness's round failed
                raise LedgerError(f"{self._url}{path} refused it (422): {detail}") from None
            raise StoreUnavailable(f"{self._url}{path} answered {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailable(f"the log at {self._url} cannot be reached: {exc}") from None

    def checkpoint(self) -> str:
        return self._call("/checkpoint").decode("utf-8")

    def consistency(self, old: int, new: int) -> list[bytes]:
        query = urllib.parse.urlencode({"from": old, "to": new})
        document = json.loads(self._call(f"/proofs/consistency?{query}"))
        return [base64.b64decode(p) for p in document["proof"]]

    def post_cosignature(self, size: int, line: str) -> None:
        self._call(f"/checkpoint/cosignatures?size={size}", line.encode("utf-8"))


def _detail(body: bytes) -> str:
    try:
        found: Any = json.loads(body)
        return str(found.get("detail", ""))
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace")
