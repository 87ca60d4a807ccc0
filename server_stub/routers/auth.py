"""Signing in: passwords (argon2), lockout, rate limiting, short-lived access tokens with refresh."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from protocol.accounts import CompleteResetRequest
from protocol.sync import Account, RefreshRequest, SignInRequest, SignInResponse
from server_stub import account_repository, repository
from server_stub.clock import iso
from server_stub.db import write_transaction
from server_stub.dependencies import ClockDep, ConnectionDep, SettingsDep
from server_stub.models import ErrorResponse
from server_stub.security import (
    hash_password,
    new_session_token,
    spend_verification_time,
    token_digest,
    verify_password,
)

router = APIRouter(prefix="/auth", tags=["auth"])

# One message for an unknown user and a wrong password: no hint which user names exist.
WRONG_CREDENTIALS = "Wrong user name or password"
TOO_MANY_ATTEMPTS = "Too many sign-in attempts from this device: wait a minute and try again"
ERRORS = {
    401: {"model": ErrorResponse, "description": WRONG_CREDENTIALS},
    423: {"model": ErrorResponse, "description": "Locked after too many wrong passwords"},
    429: {"model": ErrorResponse, "description": TOO_MANY_ATTEMPTS},
}


def _locked_message(until: str) -> str:
    return (f"This account is locked after too many wrong passwords until {until[11:16]} UTC; "
            "try again then, or ask your manager to reset your password")


@router.post("/sign-in", response_model=SignInResponse, responses=ERRORS)
def sign_in(body: SignInRequest, request: Request, connection: ConnectionDep, settings: SettingsDep,
            clock: ClockDep):
    now = clock()
    with write_transaction(connection):
        refusal = _rate_limited(connection, request, settings, now)
        if refusal is not None:
            return refusal
        found = repository.find_account(connection, body.username)
        if found is None:
            spend_verification_time(body.password)
            account_repository.audit(connection, iso(now), None, "sign_in_failed", body.username, "unknown user")
            return _refuse(401, WRONG_CREDENTIALS)
        locked_until = account_repository.locked_until(connection, body.username)
        if locked_until is not None and locked_until > iso(now):
            account_repository.audit(connection, iso(now), None, "sign_in_refused_locked", body.username)
            return _refuse(423, _locked_message(locked_until))
        if not verify_password(found.password_hash, body.password):
            until = iso(now + timedelta(seconds=settings.lockout_seconds))
            locked = account_repository.record_failed_sign_in(
                connection, body.username, settings.lockout_after_failures, until)
            account_repository.audit(connection, iso(now), None, "sign_in_failed", body.username, "wrong password")
            if locked:
                account_repository.audit(connection, iso(now), None, "account_locked", body.username,
                                         f"{settings.lockout_after_failures} wrong passwords in a row")
                return _refuse(423, _locked_message(until))
            return _refuse(401, WRONG_CREDENTIALS)
        account_repository.clear_failed_sign_ins(connection, body.username)
        account_repository.audit(connection, iso(now), body.username, "sign_in", body.username)
        return _issue_tokens(connection, settings, now, found.account)


@router.post("/refresh", response_model=SignInResponse, responses={401: ERRORS[401] | {"description": "Sign in again"}})
def refresh(body: RefreshRequest, connection: ConnectionDep, settings: SettingsDep, clock: ClockDep):
    """Exchange a refresh token (single use) for a new access token and a new refresh token."""
    with write_transaction(connection):
        account = repository.spend_refresh_token(connection, token_digest(body.refresh_token), iso(clock()))
        if account is None:
            return _refuse(401, "Your sign-in has expired: please sign in again")
        return _issue_tokens(connection, settings, clock(), account)


@router.post("/reset-password", status_code=204, responses={400: {"model": ErrorResponse}})
def complete_password_reset(body: CompleteResetRequest, connection: ConnectionDep, clock: ClockDep) -> None:
    """Set a new password with the one-time code a manager or an administrator issued."""
    now = iso(clock())
    with write_transaction(connection):
        spent = account_repository.spend_one_time_code(connection, token_digest(body.reset_code), "password_reset", now)
        if spent is None or spent[0] != body.username:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "This reset code is not valid (or was used already)")
        account_repository.set_password(connection, body.username, hash_password(body.new_password))
        account_repository.revoke_tokens(connection, body.username)
        account_repository.audit(connection, now, body.username, "password_reset_completed", body.username)


def _rate_limited(connection, request: Request, settings, now: datetime) -> JSONResponse | None:
    client = request.client.host if request.client else "unknown"
    minute_ago = iso(now - timedelta(minutes=1))
    if account_repository.count_recent_attempts(connection, client, minute_ago) >= settings.sign_in_attempts_per_minute:
        return _refuse(429, TOO_MANY_ATTEMPTS, headers={"Retry-After": "60"})
    account_repository.record_attempt(connection, client, iso(now), older_than=minute_ago)
    return None


def _refuse(code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    # A response, not an exception: the failed attempt and its audit entry must be committed.
    return JSONResponse({"detail": message}, status_code=code, headers=headers)


def _issue_tokens(connection, settings, now: datetime, account: Account) -> SignInResponse:
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    refresh_expires_at = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    token, refresh_token = new_session_token(), new_session_token()
    repository.delete_expired_sessions(connection, iso(now))
    repository.insert_session(connection, token_digest(token), account.username, iso(expires_at))
    repository.insert_refresh_token(connection, token_digest(refresh_token), account.username, iso(refresh_expires_at))
    return SignInResponse(token=token, expires_at=expires_at, refresh_token=refresh_token,
                          refresh_expires_at=refresh_expires_at,
                          account=account_repository.complete(connection, account))
