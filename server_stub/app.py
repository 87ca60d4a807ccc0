"""Builds the central API: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from protocol.sync import SCHEMA_VERSION
from server_stub.api_docs import add_api_docs
from server_stub.clock import Clock, utc_now
from server_stub.db import create_database_engine, parse_database_url
from server_stub.demo_data import seed_demo_data
from server_stub.errors import install_error_handlers
from server_stub.middleware import BodySizeLimit, RefuseUnfitValues, SecurityHeaders
from server_stub.migrations import upgrade_database
from server_stub.routers import (
    accounts,
    admin,
    alerts,
    area,
    auth,
    health,
    homes,
    hospital,
    public,
    speedtest,
    supplier,
    sync,
)
from server_stub.services.area import keep_index_up_to_date
from server_stub.services.suppliers import forget_old_requests
from server_stub.services.sync import purge_tombstones
from server_stub.settings import Settings

TITLE = "Care Home Connect central API"
PURGE_EVERY_SECONDS = 60 * 60
log = logging.getLogger("server_stub")


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """Migrate the database (and seed demo data if asked), then build the app.

    ``clock`` is the server's only source of time; tests may pass their own.
    The app's one engine (its connection pool) is ``app.state.engine``, disposed on shutdown.
    """
    settings = settings or Settings()
    database = parse_database_url(settings.database_url)
    engine = create_database_engine(database)
    try:
        upgrade_database(engine)
        with engine.connect() as connection:  # a database from before the area view gets its index
            keep_index_up_to_date(connection, clock())
        demo_seeded = False
        if settings.seed_demo:
            with engine.connect() as connection:
                demo_seeded = seed_demo_data(connection, clock())
    finally:
        # An app that is built but never served (tests build many) keeps no connection open.
        engine.dispose()

    def purge() -> None:
        with engine.connect() as connection:
            purge_tombstones(connection, clock(), timedelta(seconds=settings.tombstone_retention_seconds))
            keep_index_up_to_date(connection, clock())  # DSPT publications expire with the date
            forget_old_requests(connection, clock())  # the supplier API's answers kept for retries

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Every process purges now and then; the work is idempotent, so several processes may.
        async def purge_periodically() -> None:
            while True:
                try:
                    await asyncio.to_thread(purge)
                except Exception:  # noqa: BLE001 - a failed clean-up must not stop the server
                    log.exception("tombstone clean-up failed")
                await asyncio.sleep(PURGE_EVERY_SECONDS)

        task = asyncio.create_task(purge_periodically())
        yield
        task.cancel()
        engine.dispose()

    # A production server (no demo) serves the interactive docs only when asked; their scripts come from
    # an installed package, never a CDN. The OpenAPI document itself is plain JSON and always served.
    docs = settings.api_docs if settings.api_docs is not None else settings.seed_demo
    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        title=TITLE,
        version=f"schema {SCHEMA_VERSION}",
        description="Sync, sign-in and bed state for Care Home Connect (see docs/sync.md).",
        openapi_tags=[{"name": supplier.TAG, "description": supplier.TAG_DESCRIPTION}],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    app.state.demo_seeded = demo_seeded  # seeded by this start (False if already there)

    install_error_handlers(app)
    # The first added runs innermost: the size limit bounds what RefuseUnfitValues reads, and every
    # answer (a 413 or 422 from them too) gets the security headers.
    app.add_middleware(RefuseUnfitValues)
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    if docs:
        add_api_docs(app)
    for router in (health.router, auth.router, accounts.router, sync.router, homes.router, hospital.router, speedtest.router):
        app.include_router(router)
    app.include_router(admin.router)
    app.include_router(area.router)
    app.include_router(alerts.router)
    app.include_router(supplier.router)
    app.include_router(public.router)
    return app
