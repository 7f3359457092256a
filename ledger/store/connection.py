"""The one name for a PostgreSQL connection as the adapters use it."""

from typing import Any

import psycopg

Conn = psycopg.Connection[Any]
"""A psycopg connection (rows as tuples unless a cursor says otherwise)."""
