"""Signing in: passwords (argon2), lockout, rate limiting, short-lived access tokens with refresh, sign-out."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from protocol.accounts import CompleteResetRequest
from protocol.errors import ErrorResponse
from protocol.sync import RefreshRequest, SignInRequest, SignInResponse
from server_stub.clock import Clock
from server_stub.dependencies import BearerToken, ClientAddress, ClockDep, ConnectionDep, SettingsDep
from server_stub.security import HASHING_SLOTS
from server_stub.services import auth
from server_stub.services.auth import SIGN_IN_EXPIRED, WRONG_CREDENTIALS
from server_stub.services.rate_limits import TOO_MANY_REQUESTS, TOO_MANY_SIGN_INS
from server_stub.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])

ERRORS = {
    401: {"model": ErrorResponse, "description": WRONG_CREDENTIALS},
    423: {"model": ErrorResponse, "description": "Locked after too many wrong passwords"},
    429: {"model": ErrorResponse, "description": TOO_MANY_SIGN_INS},
}
RATE_LIMITED = {429: {"model": ErrorResponse, "description": TOO_MANY_REQUESTS}}


# Sign-ins in progress at once (each may hash for 0.1 s): one more than the hashing slots, so one's database
# work overlaps another's hash. The rest of a burst waits in the event loop, holding neither one of the
# worker threads nor a database connection, so the pushes arriving meanwhile still find both.
SIGN_INS_AT_ONCE = HASHING_SLOTS + 1


@router.post("/sign-in", response_model=SignInResponse, responses=ERRORS)
async def sign_in(body: SignInRequest, client: ClientAddress, request: Request, settings: SettingsDep,
                  clock: ClockDep) -> SignInResponse:
    async with _sign_in_slots(request.app):
        return await run_in_threadpool(_sign_in, request.app.state.engine, settings, clock, body, client)


def _sign_in(engine, settings: Settings, clock: Clock, body: SignInRequest, client: str) -> SignInResponse:
    with engine.connect() as connection:
        return auth.sign_in(connection, settings, clock(), body, client)


def _sign_in_slots(app) -> asyncio.Semaphore:
    """The app's sign-in gate for the event loop serving it (tests serve one app from several loops)."""
    loop = asyncio.get_running_loop()
    gate = getattr(app.state, "sign_in_gate", None)
    if gate is None or gate[0] is not loop:
        gate = app.state.sign_in_gate = (loop, asyncio.Semaphore(SIGN_INS_AT_ONCE))
    return gate[1]


@router.post("/refresh", response_model=SignInResponse,
             responses={401: {"model": ErrorResponse, "description": SIGN_IN_EXPIRED}} | RATE_LIMITED)
def refresh(body: RefreshRequest, client: ClientAddress, connection: ConnectionDep, settings: SettingsDep,
            clock: ClockDep) -> SignInResponse:
    """Exchange a refresh token (single use) for a new access token and a new refresh token.

    A refresh token used twice ends its whole sign-in: every token issued from it is refused from then on.
    """
    return auth.refresh(connection, settings, clock(), body, client)


@router.post("/sign-out", status_code=204)
def sign_out(token: BearerToken, connection: ConnectionDep, clock: ClockDep, body: RefreshRequest | None = None) -> None:
    """End this sign-in: its access token (Authorization: Bearer) and refresh token (the body) stop working.

    Either one is enough, and the account's other sign-ins (other devices) go on.
    """
    auth.sign_out(connection, clock(), token, body.refresh_token if body is not None else None)


@router.post("/reset-password", status_code=204, responses={400: {"model": ErrorResponse}} | RATE_LIMITED)
def complete_password_reset(body: CompleteResetRequest, client: ClientAddress, connection: ConnectionDep,
                            settings: SettingsDep, clock: ClockDep) -> None:
    """Set a new password with the one-time code a manager or an administrator issued."""
    auth.complete_password_reset(connection, settings, clock(), body, client)
