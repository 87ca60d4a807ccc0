"""Request dependencies: settings, clock, a database connection, the signed-in account.

Everything comes from ``app.state`` (set by ``create_app``), so several apps
with different settings can live in one process (tests do).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, AsyncIterator

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from protocol.sync import Account
from server_stub import account_repository, repository, supplier_repository
from server_stub.clock import Clock, iso
from server_stub.db import POOL_SIZE, Connection
from server_stub.security import token_digest
from server_stub.settings import Settings
from server_stub.supplier_repository import SupplierRow

# Connections requests may hold at once: the pool but for a few left for sign-ins (routers/auth.py, each in a
# thread of its own) and the periodic clean-up.
REQUEST_CONNECTIONS = POOL_SIZE - 5
NOT_SIGNED_IN = "Sign in first: this request needs an 'Authorization: Bearer <token>' header"
SESSION_INVALID = "Your session has expired or is not valid: please sign in again"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def client_address(request: Request) -> str:
    """The caller's address, for rate limits: the connection's own, unless a trusted proxy named it
    (uvicorn's proxy headers, only with --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


async def get_connection(request: Request) -> AsyncIterator[Connection]:
    """A connection from the app's pool for this request, handed back after it.

    A request first waits for a free connection in the event loop (the gate), and only then takes a worker
    thread to check it out, which no longer waits. Checked out in a thread that then waited, a burst of
    more requests than threads deadlocked: every thread waiting for a connection, every connection held
    by a request waiting for a thread to run its handler (issue 14: 200 pushes at once, none answered)."""
    async with connection_gate(request.app):
        connection = await run_in_threadpool(request.app.state.engine.connect)
        try:
            yield connection
        finally:
            await run_in_threadpool(connection.close)


def connection_gate(app) -> asyncio.Semaphore:
    """The app's gate for the event loop serving it (tests serve one app from several loops): every request
    that takes a connection passes it first (get_connection, GET /health). Some of the pool is left outside
    it: sign-ins and the periodic clean-up take their connections in threads of their own."""
    loop = asyncio.get_running_loop()
    gate = getattr(app.state, "connection_gate", None)
    if gate is None or gate[0] is not loop:
        gate = app.state.connection_gate = (loop, asyncio.Semaphore(REQUEST_CONNECTIONS))
    return gate[1]


ConnectionDep = Annotated[Connection, Depends(get_connection)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClientAddress = Annotated[str, Depends(client_address)]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/sign-in")


def get_current_account(
    connection: ConnectionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Account:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_SIGNED_IN, headers=challenge)
    account = repository.account_for_session(connection, token_digest(credentials.credentials), iso(clock()))
    if account is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, SESSION_INVALID, headers=challenge)
    return account_repository.complete(connection, account)


CurrentAccount = Annotated[Account, Depends(get_current_account)]


def get_bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str | None:
    """The bearer token if one was sent, checked by nobody yet (sign-out takes an expired one too)."""
    return credentials.credentials if credentials is not None else None


BearerToken = Annotated[str | None, Depends(get_bearer_token)]


# --- the supplier API: another care record system, by its API key -----------------------------------------

SUPPLIER_KEY_HEADER = "X-Api-Key"
NO_SUPPLIER_KEY = f"This request needs the supplier's API key in the '{SUPPLIER_KEY_HEADER}' header"
SUPPLIER_KEY_INVALID = ("This API key is not valid (unknown, revoked or replaced by a newer one): "
                        "ask the Care Home Connect administrator for a new one")
_supplier_key = APIKeyHeader(name=SUPPLIER_KEY_HEADER, auto_error=False,
                             description="The supplier's API key, issued by an administrator (POST /admin/suppliers)")


def get_current_supplier(connection: ConnectionDep,
                         api_key: Annotated[str | None, Depends(_supplier_key)]) -> SupplierRow:
    challenge = {"WWW-Authenticate": SUPPLIER_KEY_HEADER}
    if not api_key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NO_SUPPLIER_KEY, headers=challenge)
    supplier = supplier_repository.supplier_for_key(connection, token_digest(api_key))
    if supplier is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, SUPPLIER_KEY_INVALID, headers=challenge)
    return supplier


CurrentSupplier = Annotated[SupplierRow, Depends(get_current_supplier)]
