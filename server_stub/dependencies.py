"""Request dependencies: settings, clock, a database connection, the signed-in account.

Everything comes from ``app.state`` (set by ``create_app``), so several apps
with different settings can live in one process (tests do).
"""

from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from protocol.sync import Account
from server_stub import account_repository, repository
from server_stub.clock import Clock, iso
from server_stub.db import Connection
from server_stub.security import token_digest
from server_stub.settings import Settings

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


def get_connection(request: Request) -> Iterator[Connection]:
    # A connection from the app's pool for this request, handed back after it.
    with request.app.state.engine.connect() as connection:
        yield connection


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
