"""Service functions driven directly: the central API's database (a real SQLite file) without HTTP."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from fastapi.testclient import TestClient

from protocol.sync import Account, SignInRequest, SignInResponse
from server_stub.demo_data import DEMO_PASSWORD
from server_stub.services import auth
from server_stub.settings import Settings
from tests.support.central_inprocess import FakeClock, make_app


@dataclass
class Central:
    connection: Any
    settings: Settings
    clock: FakeClock

    def sign_in(self, username: str) -> SignInResponse:
        """A demo account's sign-in (each from its own client address, so no rate limit is shared)."""
        request = SignInRequest(username=username, password=DEMO_PASSWORD)
        return auth.sign_in(self.connection, self.settings, self.clock(), request, client=f"test-{username}")

    def account(self, username: str) -> Account:
        """A demo account, signed in (the way a request gets its account)."""
        return self.sign_in(username).account


@contextmanager
def central(path: Path, *, template: Path | None = None, **settings: Any) -> Iterator[Central]:
    """The demo central API's database (a copy of ``template``, the ``demo_database`` fixture, when given),
    through a connection of its pool (as a request gets)."""
    app, clock = make_app(path, template=template, **settings)
    # The app's start-up and shut-down run as for a real server; the connection is from its pool, as a request's.
    with TestClient(app), app.state.engine.connect() as connection:
        yield Central(connection, app.state.settings, clock)
