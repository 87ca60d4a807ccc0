"""Account management: invites for self-registration, password resets, roles, finding and unlocking, the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from protocol.account_admin import FoundAccount
from protocol.accounts import (
    AuditEntry,
    InviteRequest,
    InviteResponse,
    PasswordResetResponse,
    RegisterRequest,
    RoleChangeRequest,
)
from protocol.errors import ErrorResponse
from protocol.sync import Account
from server_stub.dependencies import ClientAddress, ClockDep, ConnectionDep, CurrentAccount, SettingsDep
from server_stub.services import accounts

router = APIRouter(prefix="/accounts", tags=["accounts"])
DENIED = {403: {"model": ErrorResponse, "description": "Your role does not allow this"}}


@router.post("/invites", response_model=InviteResponse, status_code=201, responses=DENIED)
def create_invite(body: InviteRequest, account: CurrentAccount, connection: ConnectionDep, settings: SettingsDep,
                  clock: ClockDep) -> InviteResponse:
    """An invite code with which a new member of a home's staff registers themselves."""
    return accounts.create_invite(connection, settings, clock(), account, body.home_id)


@router.post("/register", response_model=Account, status_code=201,
             responses={400: {"model": ErrorResponse}, 409: {"model": ErrorResponse}, 429: {"model": ErrorResponse}})
def register(body: RegisterRequest, client: ClientAddress, connection: ConnectionDep, settings: SettingsDep,
             clock: ClockDep) -> Account:
    """Self-registration of a home's staff member with an invite code (it works once)."""
    return accounts.register(connection, settings, clock(), body, client)


@router.post("/{username}/password-reset", response_model=PasswordResetResponse, status_code=201,
             responses=DENIED | {404: {"model": ErrorResponse}, 429: {"model": ErrorResponse}})
def issue_password_reset(username: str, account: CurrentAccount, client: ClientAddress, connection: ConnectionDep,
                         settings: SettingsDep, clock: ClockDep) -> PasswordResetResponse:
    """A one-time code with which the user sets a new password (POST /auth/reset-password)."""
    return accounts.issue_password_reset(connection, settings, clock(), account, username, client)


@router.put("/{username}/role", response_model=Account, responses=DENIED | {404: {"model": ErrorResponse}})
def change_role(username: str, body: RoleChangeRequest, account: CurrentAccount, connection: ConnectionDep,
                clock: ClockDep) -> Account:
    """Administrators only. The account is signed out everywhere so the new role applies at once."""
    return accounts.change_role(connection, clock(), account, username, body)


@router.get("/audit", response_model=list[AuditEntry], responses=DENIED)
def audit_log(account: CurrentAccount, connection: ConnectionDep,
              subject: Annotated[str | None, Query(max_length=100)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditEntry]:
    """Sign-ins, lockouts, role changes, and every read of personal data: administrators only."""
    return accounts.audit_log(connection, account, subject, limit)


@router.get("", response_model=list[FoundAccount], responses=DENIED)
def find_accounts(account: CurrentAccount, connection: ConnectionDep, clock: ClockDep,
                  q: Annotated[str, Query(min_length=1, max_length=100,
                                          description="Part of a user name, a name, a home id or a home's name")]
                  ) -> list[FoundAccount]:
    """Administrators only: at most 50 accounts, by user name; whether each is locked, never its password."""
    return accounts.find_accounts(connection, clock(), account, q)


@router.post("/{username}/unlock", response_model=FoundAccount, responses=DENIED | {404: {"model": ErrorResponse}})
def unlock(username: str, account: CurrentAccount, connection: ConnectionDep, clock: ClockDep) -> FoundAccount:
    """Administrators only: a locked account signs in again at once (its wrong passwords forgotten); audited."""
    return accounts.unlock(connection, clock(), account, username)
