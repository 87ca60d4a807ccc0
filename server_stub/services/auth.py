"""Signing in: lockout after wrong passwords, a per-client rate limit, single-use refresh, password reset.

A refused sign-in still writes (the attempt, the failure count, the audit
entry): those are committed before the refusal is raised.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from protocol.accounts import CompleteResetRequest
from protocol.sync import Account, RefreshRequest, SignInRequest, SignInResponse
from server_stub import account_repository, repository
from server_stub.clock import iso
from server_stub.db import Connection, write_transaction
from server_stub.security import (
    hash_password,
    new_session_token,
    spend_verification_time,
    token_digest,
    verify_password,
)
from server_stub.services.errors import CodeNotValid, Locked, Refused, SignInRefused, TooManyAttempts
from server_stub.settings import Settings

# One message for an unknown user and a wrong password: no hint which user names exist.
WRONG_CREDENTIALS = "Wrong user name or password"
TOO_MANY_ATTEMPTS = "Too many sign-in attempts from this device: wait a minute and try again"
SIGN_IN_EXPIRED = "Your sign-in has expired: please sign in again"
RESET_CODE_NOT_VALID = "This reset code is not valid (or was used already)"
RATE_WINDOW = timedelta(minutes=1)


def locked_message(until: str) -> str:
    return (f"This account is locked after too many wrong passwords until {until[11:16]} UTC; "
            "try again then, or ask your manager to reset your password")


def sign_in(connection: Connection, settings: Settings, now: datetime, request: SignInRequest, client: str) -> SignInResponse:
    """Tokens for a right password; ``client`` (the caller's address) is rate limited whatever the user name."""
    with write_transaction(connection):
        outcome = _sign_in(connection, settings, now, request, client)
    if isinstance(outcome, Refused):
        raise outcome
    return outcome


def _sign_in(connection: Connection, settings: Settings, now: datetime, request: SignInRequest,
             client: str) -> SignInResponse | Refused:
    if _too_many_attempts(connection, settings, now, client):
        return TooManyAttempts(TOO_MANY_ATTEMPTS, retry_after_seconds=int(RATE_WINDOW.total_seconds()))
    found = repository.find_account(connection, request.username)
    if found is None:
        spend_verification_time(request.password)
        account_repository.audit(connection, iso(now), None, "sign_in_failed", request.username, "unknown user")
        return SignInRefused(WRONG_CREDENTIALS)
    locked_until = account_repository.locked_until(connection, request.username)
    if locked_until is not None and locked_until > iso(now):
        account_repository.audit(connection, iso(now), None, "sign_in_refused_locked", request.username)
        return Locked(locked_message(locked_until))
    if not verify_password(found.password_hash, request.password):
        return _wrong_password(connection, settings, now, request.username)
    account_repository.clear_failed_sign_ins(connection, request.username)
    account_repository.audit(connection, iso(now), request.username, "sign_in", request.username)
    return issue_tokens(connection, settings, now, found.account)


def _too_many_attempts(connection: Connection, settings: Settings, now: datetime, client: str) -> bool:
    window_start = iso(now - RATE_WINDOW)
    if account_repository.count_recent_attempts(connection, client, window_start) >= settings.sign_in_attempts_per_minute:
        return True
    account_repository.record_attempt(connection, client, iso(now), older_than=window_start)
    return False


def _wrong_password(connection: Connection, settings: Settings, now: datetime, username: str) -> Refused:
    until = iso(now + timedelta(seconds=settings.lockout_seconds))
    locked = account_repository.record_failed_sign_in(connection, username, settings.lockout_after_failures, until)
    account_repository.audit(connection, iso(now), None, "sign_in_failed", username, "wrong password")
    if not locked:
        return SignInRefused(WRONG_CREDENTIALS)
    account_repository.audit(connection, iso(now), None, "account_locked", username,
                             f"{settings.lockout_after_failures} wrong passwords in a row")
    return Locked(locked_message(until))


def refresh(connection: Connection, settings: Settings, now: datetime, request: RefreshRequest) -> SignInResponse:
    """New tokens for a refresh token, which is used up (it works once)."""
    with write_transaction(connection):
        account = repository.spend_refresh_token(connection, token_digest(request.refresh_token), iso(now))
        tokens = issue_tokens(connection, settings, now, account) if account is not None else None
    if tokens is None:  # refused after the commit: expired tokens stay cleared away
        raise SignInRefused(SIGN_IN_EXPIRED)
    return tokens


def complete_password_reset(connection: Connection, now: datetime, request: CompleteResetRequest) -> None:
    """Set a new password with a one-time code; the account is signed out everywhere."""
    with write_transaction(connection):
        spent = account_repository.spend_one_time_code(
            connection, token_digest(request.reset_code), "password_reset", iso(now))
        if spent is None or spent[0] != request.username:
            raise CodeNotValid(RESET_CODE_NOT_VALID)
        account_repository.set_password(connection, request.username, hash_password(request.new_password))
        account_repository.revoke_tokens(connection, request.username)
        account_repository.audit(connection, iso(now), request.username, "password_reset_completed", request.username)


def issue_tokens(connection: Connection, settings: Settings, now: datetime, account: Account) -> SignInResponse:
    """A short-lived access token and a single-use refresh token (only their digests are stored)."""
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    refresh_expires_at = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    token, refresh_token = new_session_token(), new_session_token()
    repository.delete_expired_sessions(connection, iso(now))
    repository.insert_session(connection, token_digest(token), account.username, iso(expires_at))
    repository.insert_refresh_token(connection, token_digest(refresh_token), account.username, iso(refresh_expires_at))
    return SignInResponse(token=token, expires_at=expires_at, refresh_token=refresh_token,
                          refresh_expires_at=refresh_expires_at,
                          account=account_repository.complete(connection, account))
