"""Account management: invites and registration, password reset codes, role changes, finding and unlocking
accounts, the audit log.

Who may do what is decided in ``server_stub.access``; this module applies it
and keeps each change, with its audit entry, in one write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.one_time_codes import new_code, normalised
from protocol.account_admin import MAX_FOUND, FoundAccount
from protocol.accounts import (
    AuditEntry,
    InviteResponse,
    PasswordResetResponse,
    RegisterRequest,
    Role,
    RoleChangeRequest,
)
from protocol.sync import Account
from server_stub import access, account_repository, repository
from server_stub.clock import iso
from server_stub.db import Connection, accounts_write_transaction
from server_stub.security import hash_password, token_digest
from server_stub.services import rate_limits
from server_stub.services.errors import CodeNotValid, Conflict, Invalid, NotAllowed, NotFound
from server_stub.settings import Settings


@dataclass(frozen=True)
class OneTimeCode:
    code: str
    expires_at: datetime


def _issue_code(connection: Connection, settings: Settings, now: datetime, issuer: Account, purpose: str, audit_action: str,
                *, username: str | None = None, home_id: str | None = None) -> OneTimeCode:
    """A new invite or reset code (only its digest is stored), audited as issued by ``issuer``."""
    # Read out over the phone (domain.one_time_codes), long enough not to guess (about 59 bits).
    code = OneTimeCode(new_code(), now + timedelta(seconds=settings.one_time_code_ttl_seconds))
    with accounts_write_transaction(connection):
        account_repository.insert_one_time_code(connection, token_digest(normalised(code.code)), purpose, username, home_id,
                                                issuer.username, iso(code.expires_at))
        account_repository.audit(connection, iso(now), issuer.username, audit_action, username or home_id)
    return code


def create_invite(connection: Connection, settings: Settings, now: datetime, account: Account, home_id: str) -> InviteResponse:
    """An invite code with which a new member of a home's staff registers themselves."""
    if not access.may_invite_to(account, home_id):
        raise NotAllowed("You may not invite staff to this home")
    if repository.get_record(connection, "care_home", home_id) is None:
        raise NotFound(f"Unknown care home {home_id!r}")
    invite = _issue_code(connection, settings, now, account, "invite", "invite_created", home_id=home_id)
    return InviteResponse(invite_code=invite.code, home_id=home_id, expires_at=invite.expires_at)


def register(connection: Connection, settings: Settings, now: datetime, request: RegisterRequest,
             client: str) -> Account:
    """A home's new staff member, from an invite code (it works once); ``client`` is rate limited."""
    rate_limits.admit(connection, now, client, rate_limits.code_limit(settings))
    password_hash = hash_password(request.password)  # before the transaction: argon2 holds no lock
    with accounts_write_transaction(connection):
        spent = account_repository.spend_one_time_code(connection, token_digest(normalised(request.invite_code)), "invite", iso(now))
        if spent is None:
            raise CodeNotValid("This invite code is not valid (or was used already)")
        home_id = spent.home_id
        created = account_repository.insert_account(connection, request.username, request.display_name,
                                                    Role.HOME_STAFF.value, home_id, password_hash)
        if not created:  # the code is not used up either: the transaction is rolled back
            raise Conflict("That user name is taken: choose another")
        account_repository.audit(connection, iso(now), request.username, "account_registered", request.username,
                                 home_id)
    return Account(username=request.username, display_name=request.display_name, role=Role.HOME_STAFF,
                   home_id=home_id)


def issue_password_reset(connection: Connection, settings: Settings, now: datetime, account: Account,
                         username: str, client: str) -> PasswordResetResponse:
    """A one-time code with which the user sets a new password (access.may_reset_password_of: a higher role only)."""
    rate_limits.admit(connection, now, client, rate_limits.code_limit(settings))
    found = repository.find_account(connection, username)
    if found is None or not access.may_reset_password_of(account, found.account):
        # The same answer whether or not the account exists, for anyone not allowed.
        raise NotAllowed("You may not reset this user's password")
    reset = _issue_code(connection, settings, now, account, "password_reset", "password_reset_issued",
                        username=username)
    return PasswordResetResponse(reset_code=reset.code, expires_at=reset.expires_at)


@dataclass(frozen=True)
class RolePlace:
    """Where an account with a role works; each role keeps only its own field, the others are cleared."""

    home_id: str | None = None
    area: str | None = None
    hospital_ods: str | None = None
    champion_homes: list[str] = field(default_factory=list)


def place_for(change: RoleChangeRequest) -> RolePlace:
    """The fields the new role keeps: a home role its home, a commissioner an area, and so on."""
    if change.role in access.HOME_ROLES:
        if not change.home_id:
            raise Invalid("Home: a home role needs a home")
        return RolePlace(home_id=change.home_id)
    if change.role == Role.COMMISSIONER:
        if not change.area:
            raise Invalid("Area: a commissioner needs an area")
        return RolePlace(area=change.area)
    if change.role == Role.HOSPITAL_USER:
        return RolePlace(hospital_ods=change.hospital_ods)
    if change.role == Role.DIGITAL_CHAMPION:
        return RolePlace(champion_homes=list(change.champion_homes))
    return RolePlace()


def change_role(connection: Connection, now: datetime, account: Account, username: str, change: RoleChangeRequest) -> Account:
    """Administrators only. The account is signed out everywhere so the new role applies at once."""
    if not access.may_manage_roles(account):
        raise NotAllowed("Only an administrator may change roles")
    found = repository.find_account(connection, username)
    if found is None:
        raise NotFound("No such account")
    place = place_for(change)
    with accounts_write_transaction(connection):
        account_repository.set_role(connection, username, change.role.value, place.home_id, place.area, place.hospital_ods)
        account_repository.set_champion_homes(connection, username, place.champion_homes)
        account_repository.revoke_tokens(connection, username)
        account_repository.audit(connection, iso(now), account.username, "role_changed", username,
                                 f"{found.account.role} -> {change.role}")
    changed = repository.find_account(connection, username)
    return account_repository.complete(connection, changed.account)


def audit_log(connection: Connection, account: Account, subject: str | None, limit: int) -> list[AuditEntry]:
    """Sign-ins, lockouts, role changes, and every read of personal data: administrators only."""
    if not access.may_read_audit(account):
        raise NotAllowed("Only an administrator may read the audit log")
    return account_repository.audit_entries(connection, limit, subject)


def find_accounts(connection: Connection, now: datetime, account: Account, text: str) -> list[FoundAccount]:
    """Administrators only: accounts by user name, name, home id or home name (at most MAX_FOUND)."""
    if not access.may_manage_roles(account):
        raise NotAllowed("Only an administrator may look up accounts")
    found = account_repository.find_accounts(connection, text.strip(), MAX_FOUND)
    # A lock that has run out is no lock: say so, as the sign-in does.
    return [f.model_copy(update={"locked_until": None}) if f.locked_until and f.locked_until <= now else f
            for f in found]


def unlock(connection: Connection, now: datetime, account: Account, username: str) -> FoundAccount:
    """Administrators only: the account signs in again at once (wrong passwords forgotten); audited."""
    if not access.may_manage_roles(account):
        raise NotAllowed("Only an administrator may unlock an account")
    with accounts_write_transaction(connection):
        if repository.find_account(connection, username) is None:
            raise NotFound("No such account")
        account_repository.clear_failed_sign_ins(connection, username)
        account_repository.audit(connection, iso(now), account.username, "account_unlocked", username)
    [unlocked] = [f for f in account_repository.find_accounts(connection, username, MAX_FOUND) if f.username == username]
    return unlocked
