"""The FastAPI application: routes, problem answers, and the adapters it opens at start.

``create_app`` builds it for given settings (tests, ``ledger serve``); ``from_environment``
is the factory uvicorn workers call, configured by ``LEDGER_*`` variables.
"""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline
from pydantic.json_schema import models_json_schema

from ledger import workbench
from ledger.api import problems
from ledger.api.event_schema import REF, event_components
from ledger.api.guard import InputGuard
from ledger.api.headers import SecurityHeaders
from ledger.api.models import Problem
from ledger.api.routes import (
    claims,
    events,
    gazetteer,
    health,
    posture,
    proofs,
    rejected,
    sources,
    stix,
)
from ledger.config import KafkaSettings, Settings
from ledger.runtime import bootstrap
from ledger.store.server_secrets import server_secret
from ledger.web.page_tokens import PageTokens
from ledger.web.services import Services

LOOKUP_CONNECTIONS = 4
"""Connections per process for the key and cursor lookups every request makes."""

DESCRIPTION = """\
The HTTP interface of the intelligence ledger: force posture, claims with their chains of
reported speech, sources, documents and the raw event stream, each answer readable as of
any past record time (`as_of`) and carrying the ledger positions it rests on; and appends
for producers, validated by the same models as the command line.

Authenticate with `Authorization: Bearer <key>`; keys are made with
`ledger keys create --role ROLE --name NAME`. Roles: **analyst** and **auditor** read,
**producer** appends, **admin** does both. Errors are `application/problem+json`.
"""


def create_app(
    settings: Settings | None = None, kafka: KafkaSettings | None = None, *, auth: bool = True
) -> FastAPI:
    """The API over the configured ledger; with ``auth=False`` every call is admitted."""
    settings = settings if settings is not None else Settings()
    kafka = kafka if kafka is not None else KafkaSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # every connection opened up front, and no more threads than connections:
        # a burst then neither waits for connects nor crowds threads at the pool
        warm = settings.model_copy(update={"pool_min_size": settings.pool_size})
        with bootstrap(warm, kafka, as_service=True) as runtime:
            to_thread.current_default_thread_limiter().total_tokens = settings.pool_size
            lookups = runtime.lookup_pool(LOOKUP_CONNECTIONS)
            await lookups.open(wait=True, timeout=settings.pool_timeout)
            with runtime.store.connection() as conn:
                tokens = PageTokens(server_secret(conn, "page_tokens"))
            app.state.services = Services(
                ledger=runtime.store,
                sink=runtime.sink(),
                lookups=lookups,
                reads=runtime.reads,
                tokens=tokens,
                auth=auth,
                read_wait=settings.read_wait,
            )
            # what start-up built lives as long as the server: keep it out of the
            # collector's scans, and collect young objects less often (shorter pauses)
            gc.collect()
            gc.freeze()
            gc.set_threshold(20_000, 20, 20)
            try:
                yield
            finally:
                await lookups.close()

    app = FastAPIOffline(  # /docs and /redoc with their assets from the package, no CDN
        title="ledger",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,  # Starlette's redirect trusts Host; problems.py redirects
    )
    problems.install(app)
    app.state.limits = settings.limits
    app.state.log_name = settings.log_name
    app.add_middleware(InputGuard, limits=settings.limits)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included
    modules = (health, posture, gazetteer, claims, sources, events, proofs, rejected, stix)
    for module in modules:
        app.include_router(module.router)

    workbench.install(app, settings)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            found = schema.setdefault("components", {}).setdefault("schemas", {})
            _, problem = models_json_schema([(Problem, "serialization")], ref_template=REF)
            for name, component in {**event_components(), **problem["$defs"]}.items():
                found.setdefault(name, component)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def from_environment() -> FastAPI:
    """The app as configured by ``LEDGER_*`` variables, keys required (the factory for
    ``uvicorn --factory ledger.api.app:from_environment``)."""
    return create_app()
