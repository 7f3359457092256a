"""The adapters one server process opens at start-up: the ledger, the append transport,
an asynchronous pool for the cheap lookups every request makes, and the answer cache."""

import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from fastapi import Request
from psycopg_pool import AsyncConnectionPool

from ledger.errors import StoreUnavailable
from ledger.ports import EventSink, LedgerStore
from ledger.projection.service import ReadService
from ledger.web.answers import AnswerCache
from ledger.web.page_tokens import PageTokens


@dataclass
class Services:
    """What routes use, opened at start-up and closed at shutdown."""

    ledger: LedgerStore
    sink: EventSink
    lookups: AsyncConnectionPool
    """Key checks and cursor reads, on the event loop: no thread per request for them."""
    reads: ReadService
    """The one way answers are read (the CLI and the audit tools use it too)."""
    tokens: PageTokens
    """Seals and opens the page tokens of every list (``next_cursor``)."""
    auth: bool = True
    read_wait: float = 10.0
    """Most seconds a read naming ``at_least`` waits for the fold (LEDGER_READ_WAIT)."""
    answers: AnswerCache = field(default_factory=AnswerCache)
    publishing: threading.Lock = field(default_factory=threading.Lock)


def services(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


@asynccontextmanager
async def lookup(request: Request) -> Any:
    """A connection of the asynchronous pool, with an unreachable database made clear."""
    try:
        async with services(request).lookups.connection() as conn:
            yield conn
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"the ledger's database cannot be reached: {exc}") from exc
