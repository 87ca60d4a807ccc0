"""Signing in: passwords (argon2), lockout, rate limiting, short-lived access tokens with refresh."""

from __future__ import annotations

from fastapi import APIRouter, Request

from protocol.accounts import CompleteResetRequest
from protocol.errors import ErrorResponse
from protocol.sync import RefreshRequest, SignInRequest, SignInResponse
from server_stub.dependencies import ClockDep, ConnectionDep, SettingsDep
from server_stub.services import auth
from server_stub.services.auth import TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS

router = APIRouter(prefix="/auth", tags=["auth"])

ERRORS = {
    401: {"model": ErrorResponse, "description": WRONG_CREDENTIALS},
    423: {"model": ErrorResponse, "description": "Locked after too many wrong passwords"},
    429: {"model": ErrorResponse, "description": TOO_MANY_ATTEMPTS},
}


@router.post("/sign-in", response_model=SignInResponse, responses=ERRORS)
def sign_in(body: SignInRequest, request: Request, connection: ConnectionDep, settings: SettingsDep,
            clock: ClockDep) -> SignInResponse:
    client = request.client.host if request.client else "unknown"
    return auth.sign_in(connection, settings, clock(), body, client)


@router.post("/refresh", response_model=SignInResponse, responses={401: ERRORS[401] | {"description": "Sign in again"}})
def refresh(body: RefreshRequest, connection: ConnectionDep, settings: SettingsDep, clock: ClockDep) -> SignInResponse:
    """Exchange a refresh token (single use) for a new access token and a new refresh token."""
    return auth.refresh(connection, settings, clock(), body)


@router.post("/reset-password", status_code=204, responses={400: {"model": ErrorResponse}})
def complete_password_reset(body: CompleteResetRequest, connection: ConnectionDep, clock: ClockDep) -> None:
    """Set a new password with the one-time code a manager or an administrator issued."""
    auth.complete_password_reset(connection, clock(), body)
