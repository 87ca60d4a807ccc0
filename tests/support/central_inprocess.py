"""The central API in-process (FastAPI TestClient on a temp SQLite file), with a clock tests control."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import httpx
from fastapi.testclient import TestClient

from protocol.sync import SCHEMA_VERSION
from server_stub.app import create_app
from server_stub.demo_data import DEMO_HOME_ID
from server_stub.settings import Settings
from tests.support.demo_database import copy_database


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def make_app(path: Path, *, template: Path | None = None, **settings):
    """The app on the SQLite file at path: empty, or a copy of ``template`` (the ``demo_database`` fixture)."""
    if template is not None:
        copy_database(template, path)
    clock = FakeClock()
    app = create_app(Settings(database_url=f"sqlite:///{path}", **settings), clock=clock)
    return app, clock


@contextmanager
def serving(path: Path, *, template: Path | None = None, **settings) -> Iterator[TestClient]:
    """A TestClient on the app (start-up and shut-down run), its ``clock``, ``app_ref`` and ``database_path`` at hand; errors answered, not raised."""
    app, clock = make_app(path, template=template, **settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.clock = clock
        client.app_ref = app
        client.database_path = path
        yield client


class Switchable(httpx.AsyncBaseTransport):
    """A device's network to the central API in-process (``serving(...).app_ref``), or no network at all."""

    def __init__(self, app) -> None:
        self.online = httpx.ASGITransport(app=app)
        self.connected = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.connected:
            raise httpx.ConnectError("no network")
        return await self.online.handle_async_request(request)


def bed_mutation(home_id: str = DEMO_HOME_ID, category: str = "nursing", record_id: str | None = None, base_version=None, **counts) -> dict:
    values = {"max_capacity": 30, "occupied": 20, "vacant_reserved": 2, "vacant_accepting": 5, **counts}
    return {
        "mutation_id": str(uuid.uuid4()), "kind": "bed_count", "record_id": record_id or f"{home_id}/{category}",
        "base_version": base_version, "client_time": "2026-11-25T09:00:00+00:00",
        "data": {"home_id": home_id, "category": category, **values},
    }


def nursing_version(client: TestClient, headers) -> int:
    return client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=headers).json()["versions"]["nursing"]


def push(client: TestClient, headers, mutations, device_id: str | None = None):
    body = {"device_id": device_id or str(uuid.uuid4()), "schema_version": SCHEMA_VERSION, "mutations": mutations}
    return client.post("/sync/push", json=body, headers=headers)
