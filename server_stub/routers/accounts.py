"""Account management: invites for self-registration, password resets, roles, the audit log."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from protocol.accounts import (
    AuditEntry,
    InviteRequest,
    InviteResponse,
    PasswordResetResponse,
    RegisterRequest,
    Role,
    RoleChangeRequest,
)
from protocol.sync import Account
from server_stub import access, account_repository, repository
from server_stub.clock import iso
from server_stub.db import write_transaction
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount, SettingsDep
from server_stub.models import ErrorResponse
from server_stub.security import hash_password, token_digest

router = APIRouter(prefix="/accounts", tags=["accounts"])
DENIED = {403: {"model": ErrorResponse, "description": "Your role does not allow this"}}


def _new_code() -> str:
    # Short enough to read out over the phone, long enough not to guess (about 60 bits).
    return secrets.token_urlsafe(8)


@router.post("/invites", response_model=InviteResponse, status_code=201, responses=DENIED)
def create_invite(body: InviteRequest, account: CurrentAccount, connection: ConnectionDep, settings: SettingsDep,
                  clock: ClockDep) -> InviteResponse:
    """An invite code with which a new member of a home's staff registers themselves."""
    if not access.may_invite_to(account, body.home_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "You may not invite staff to this home")
    if repository.get_record(connection, "care_home", body.home_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Unknown care home {body.home_id!r}")
    now = clock()
    expires_at = now + timedelta(seconds=settings.one_time_code_ttl_seconds)
    code = _new_code()
    with write_transaction(connection):
        account_repository.insert_one_time_code(connection, token_digest(code), "invite", None, body.home_id,
                                                account.username, iso(expires_at))
        account_repository.audit(connection, iso(now), account.username, "invite_created", body.home_id)
    return InviteResponse(invite_code=code, home_id=body.home_id, expires_at=expires_at)


@router.post("/register", response_model=Account, status_code=201,
             responses={400: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
def register(body: RegisterRequest, connection: ConnectionDep, clock: ClockDep) -> Account:
    """Self-registration of a home's staff member with an invite code (it works once)."""
    now = iso(clock())
    with write_transaction(connection):
        spent = account_repository.spend_one_time_code(connection, token_digest(body.invite_code), "invite", now)
        if spent is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "This invite code is not valid (or was used already)")
        home_id = spent[1]
        created = account_repository.insert_account(connection, body.username, body.display_name,
                                                    Role.HOME_STAFF.value, home_id, hash_password(body.password))
        if not created:
            raise HTTPException(status.HTTP_409_CONFLICT, "That user name is taken: choose another")
        account_repository.audit(connection, now, body.username, "account_registered", body.username, home_id)
    return Account(username=body.username, display_name=body.display_name, role=Role.HOME_STAFF.value,
                   home_id=home_id)


@router.post("/{username}/password-reset", response_model=PasswordResetResponse, status_code=201,
             responses=DENIED | {404: {"model": ErrorResponse}})
def issue_password_reset(username: str, account: CurrentAccount, connection: ConnectionDep, settings: SettingsDep,
                         clock: ClockDep) -> PasswordResetResponse:
    """A one-time code with which the user sets a new password (POST /auth/reset-password)."""
    found = repository.find_account(connection, username)
    if found is None or not access.may_reset_password_of(account, found.account):
        # The same answer whether or not the account exists, for anyone not allowed.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "You may not reset this user's password")
    now = clock()
    expires_at = now + timedelta(seconds=settings.one_time_code_ttl_seconds)
    code = _new_code()
    with write_transaction(connection):
        account_repository.insert_one_time_code(connection, token_digest(code), "password_reset", username, None,
                                                account.username, iso(expires_at))
        account_repository.audit(connection, iso(now), account.username, "password_reset_issued", username)
    return PasswordResetResponse(reset_code=code, expires_at=expires_at)


@router.put("/{username}/role", response_model=Account, responses=DENIED | {404: {"model": ErrorResponse}})
def change_role(username: str, body: RoleChangeRequest, account: CurrentAccount, connection: ConnectionDep,
                clock: ClockDep) -> Account:
    """Administrators only. The account is signed out everywhere so the new role applies at once."""
    if not access.may_manage_roles(account):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an administrator may change roles")
    found = repository.find_account(connection, username)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    home_id = body.home_id if body.role in (Role.HOME_STAFF, Role.HOME_MANAGER) else None
    area = body.area if body.role == Role.COMMISSIONER else None
    if body.role in (Role.HOME_STAFF, Role.HOME_MANAGER) and not home_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "home_id: a home role needs a home")
    if body.role == Role.COMMISSIONER and not area:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "area: a commissioner needs an area")
    with write_transaction(connection):
        hospital = body.hospital_ods if body.role == Role.HOSPITAL_USER else None
        account_repository.set_role(connection, username, body.role.value, home_id, area, hospital)
        account_repository.set_champion_homes(
            connection, username, body.champion_homes if body.role == Role.DIGITAL_CHAMPION else [])
        account_repository.revoke_tokens(connection, username)
        account_repository.audit(connection, iso(clock()), account.username, "role_changed", username,
                                 f"{found.account.role} -> {body.role.value}")
    changed = repository.find_account(connection, username)
    return account_repository.complete(connection, changed.account)


@router.get("/audit", response_model=list[AuditEntry], responses=DENIED)
def audit_log(account: CurrentAccount, connection: ConnectionDep,
              subject: Annotated[str | None, Query(max_length=100)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditEntry]:
    """Sign-ins, lockouts, role changes, and every read of personal data: administrators only."""
    if not access.may_read_audit(account):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an administrator may read the audit log")
    return account_repository.audit_entries(connection, limit, subject)
