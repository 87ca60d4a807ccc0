from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status

from protocol.sync import Account, RefreshRequest, SignInRequest, SignInResponse
from server_stub import repository
from server_stub.clock import iso
from server_stub.db import write_transaction
from server_stub.dependencies import ClockDep, ConnectionDep, SettingsDep
from server_stub.security import new_session_token, spend_verification_time, token_digest, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])

# One message for an unknown user and a wrong password: no hint which user names exist.
WRONG_CREDENTIALS = "Wrong user name or password"


@router.post("/sign-in", response_model=SignInResponse, responses={401: {"description": WRONG_CREDENTIALS}})
def sign_in(body: SignInRequest, connection: ConnectionDep, settings: SettingsDep, clock: ClockDep) -> SignInResponse:
    found = repository.find_account(connection, body.username)
    if found is None:
        spend_verification_time(body.password)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_CREDENTIALS)
    if not verify_password(found.password_hash, body.password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_CREDENTIALS)
    with write_transaction(connection):
        return _issue_tokens(connection, settings, clock, found.account)


@router.post("/refresh", response_model=SignInResponse, responses={401: {"description": "Sign in again"}})
def refresh(body: RefreshRequest, connection: ConnectionDep, settings: SettingsDep, clock: ClockDep) -> SignInResponse:
    """Exchange a refresh token (single use) for a new access token and a new refresh token."""
    with write_transaction(connection):
        account = repository.spend_refresh_token(connection, token_digest(body.refresh_token), iso(clock()))
        if account is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Your sign-in has expired: please sign in again")
        return _issue_tokens(connection, settings, clock, account)


def _issue_tokens(connection, settings, clock, account: Account) -> SignInResponse:
    now = clock()
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    refresh_expires_at = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    token, refresh_token = new_session_token(), new_session_token()
    repository.delete_expired_sessions(connection, iso(now))
    repository.insert_session(connection, token_digest(token), account.username, iso(expires_at))
    repository.insert_refresh_token(connection, token_digest(refresh_token), account.username, iso(refresh_expires_at))
    return SignInResponse(token=token, expires_at=expires_at, refresh_token=refresh_token,
                          refresh_expires_at=refresh_expires_at, account=account)
