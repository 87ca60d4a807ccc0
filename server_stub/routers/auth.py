from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status

from protocol.sync import SignInRequest, SignInResponse
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
    now = clock()
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    token = new_session_token()
    with write_transaction(connection):
        repository.delete_expired_sessions(connection, iso(now))
        repository.insert_session(connection, token_digest(token), found.account.username, iso(expires_at))
    return SignInResponse(token=token, expires_at=expires_at, account=found.account)
