"""TAXII's error message (spec section 3.6.1): a title, a description saying what and
why, and the HTTP status (a string, as the spec has it)."""

from http import HTTPStatus

import orjson


class TaxiiError(Exception):
    """Raised to answer with a TAXII error."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def error_body(status: int, description: str) -> bytes:
    return orjson.dumps(
        {
            "title": HTTPStatus(status).phrase,
            "description": description,
            "http_status": str(status),
        }
    )
