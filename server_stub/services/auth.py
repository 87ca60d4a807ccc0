"""Signing in: lockout after wrong passwords, a per-client rate limit, single-use refresh in token
families, sign-out, password reset.

Argon2 is slow on purpose, so a password is never hashed or checked inside a
write transaction: every write here (the rate limit, a failure count, the
tokens) is a short transaction of its own, and a refused sign-in's writes are
committed before the refusal is raised.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.one_time_codes import normalised
from domain.uk_time import from_iso, uk_clock
from protocol.accounts import CompleteResetRequest
from protocol.sync import Account, RefreshRequest, SignInRequest, SignInResponse
from server_stub import account_repository, repository
from server_stub.clock import iso
from server_stub.db import Connection, accounts_write_transaction
from server_stub.security import (
    hash_password,
    new_session_token,
    spend_verification_time,
    token_digest,
    verify_password,
)
from server_stub.services import rate_limits
from server_stub.services.errors import CodeNotValid, Locked, Refused, SignInRefused
from server_stub.settings import Settings

# One message for an unknown user and a wrong password: no hint which user names exist.
WRONG_CREDENTIALS = "Wrong user name or password"
SIGN_IN_EXPIRED = "Your sign-in has expired: please sign in again"
RESET_CODE_NOT_VALID = "This reset code is not valid (or was used already)"


def locked_message(until: str) -> str:
    """``until`` is the stored UTC stamp; a person reads it on a UK clock."""
    return (f"This account is locked after too many wrong passwords until {uk_clock(from_iso(until))}. "
            "Try again then, or ask your manager to reset your password.")


def sign_in(connection: Connection, settings: Settings, now: datetime, request: SignInRequest, client: str) -> SignInResponse:
    """Tokens for a right password; ``client`` (the caller's address) is rate limited whatever the user name."""
    rate_limits.admit(connection, now, client, rate_limits.sign_in_limit(settings))
    found = repository.find_account(connection, request.username)
    if found is None:
        spend_verification_time(request.password)
        _audit(connection, now, None, "sign_in_failed", request.username, "unknown user")
        raise SignInRefused(WRONG_CREDENTIALS)
    locked_until = account_repository.locked_until(connection, request.username)
    if locked_until is not None and locked_until > iso(now):
        _audit(connection, now, None, "sign_in_refused_locked", request.username)
        raise Locked(locked_message(locked_until))
    if not verify_password(found.password_hash, request.password):  # outside any transaction: no lock held
        with accounts_write_transaction(connection):
            refusal = _wrong_password(connection, settings, now, request.username)
        raise refusal
    with accounts_write_transaction(connection):
        account_repository.clear_failed_sign_ins(connection, request.username)
        account_repository.audit(connection, iso(now), request.username, "sign_in", request.username)
        return issue_tokens(connection, settings, now, found.account)


def _audit(connection: Connection, now: datetime, actor: str | None, action: str, subject: str | None,
           detail: str | None = None) -> None:
    with accounts_write_transaction(connection):
        account_repository.audit(connection, iso(now), actor, action, subject, detail)


def _wrong_password(connection: Connection, settings: Settings, now: datetime, username: str) -> Refused:
    until = iso(now + timedelta(seconds=settings.lockout_seconds))
    locked = account_repository.record_failed_sign_in(connection, username, settings.lockout_after_failures, until)
    account_repository.audit(connection, iso(now), None, "sign_in_failed", username, "wrong password")
    if not locked:
        return SignInRefused(WRONG_CREDENTIALS)
    account_repository.audit(connection, iso(now), None, "account_locked", username,
                             f"{settings.lockout_after_failures} wrong passwords in a row")
    return Locked(locked_message(until))


def refresh(connection: Connection, settings: Settings, now: datetime, request: RefreshRequest,
            client: str) -> SignInResponse:
    """New tokens for a refresh token, which is used up (it works once).

    A refresh token used a second time was copied: the whole sign-in it came
    from (every token issued from it) ends, and its user signs in again.
    """
    rate_limits.admit(connection, now, client, rate_limits.refresh_limit(settings))
    with accounts_write_transaction(connection):
        spent = repository.spend_refresh_token(connection, token_digest(request.refresh_token), iso(now))
        if spent is not None and spent.reused:
            repository.revoke_family(connection, spent.family)
            account_repository.audit(connection, iso(now), None, "refresh_token_reused", spent.account.username,
                                     "every token of that sign-in revoked")
        fresh = spent is not None and not spent.reused
        tokens = issue_tokens(connection, settings, now, spent.account, spent.family) if fresh else None
    if tokens is None:  # refused after the commit: a reused token's family stays revoked
        raise SignInRefused(SIGN_IN_EXPIRED)
    return tokens


def sign_out(connection: Connection, now: datetime, token: str | None, refresh_token: str | None) -> None:
    """End the sign-in these tokens belong to: its access and refresh tokens, not the account's other devices.

    Either token is enough (the access token may have expired); unknown tokens change nothing.
    """
    found = {repository.session_family(connection, token_digest(token)) if token else None,
             repository.refresh_family(connection, token_digest(refresh_token)) if refresh_token else None} - {None}
    if not found:
        return
    with accounts_write_transaction(connection):
        for family, username in found:
            repository.revoke_family(connection, family)
            account_repository.audit(connection, iso(now), username, "signed_out", username)


def complete_password_reset(connection: Connection, settings: Settings, now: datetime, request: CompleteResetRequest,
                            client: str) -> None:
    """Set a new password with a one-time code; the account is signed out everywhere."""
    rate_limits.admit(connection, now, client, rate_limits.code_limit(settings))
    password_hash = hash_password(request.new_password)  # before the transaction: argon2 holds no lock
    with accounts_write_transaction(connection):
        spent = account_repository.spend_one_time_code(
            connection, token_digest(normalised(request.reset_code)), "password_reset", iso(now))
        if spent is None or spent.username != request.username:
            raise CodeNotValid(RESET_CODE_NOT_VALID)
        account_repository.set_password(connection, request.username, password_hash)
        account_repository.revoke_tokens(connection, request.username)
        # Under the account's name, with who issued the code: the owner's record of who let her password change.
        account_repository.audit(connection, iso(now), request.username, "password_reset_completed", request.username,
                                 f"code issued by {spent.created_by}")


def issue_tokens(connection: Connection, settings: Settings, now: datetime, account: Account,
                 family: str | None = None) -> SignInResponse:
    """A short-lived access token and a single-use refresh token (only their digests are stored).

    ``family``: the sign-in they continue (a refresh); a new sign-in starts a family of its own.
    """
    family = family or new_session_token()
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    refresh_expires_at = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    token, refresh_token = new_session_token(), new_session_token()
    repository.delete_expired_sessions(connection, iso(now))
    repository.insert_session(connection, token_digest(token), account.username, iso(expires_at), family)
    repository.insert_refresh_token(connection, token_digest(refresh_token), account.username, iso(refresh_expires_at),
                                    family)
    return SignInResponse(token=token, expires_at=expires_at, refresh_token=refresh_token,
                          refresh_expires_at=refresh_expires_at,
                          account=account_repository.complete(connection, account))
