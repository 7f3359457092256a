"""The witness talks to the API: its fixtures are the API tests' own."""

from tests.api.conftest import fresh_api  # noqa: F401
