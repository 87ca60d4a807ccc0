"""Queries for accounts beyond sign-in: lockout, invites, password resets, champions' homes, the audit log.

SQLAlchemy Core on the tables of server_stub/schema.py; the caller owns transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, func, insert, literal, or_, select, update

from protocol.account_admin import FoundAccount
from protocol.accounts import AuditEntry, Role
from protocol.sync import Account
from server_stub.schema import (
    accounts,
    audit_log,
    homes,
    one_time_codes,
    rate_limited_requests,
    refresh_tokens,
    sessions,
)
from server_stub.schema import champion_homes as assigned_homes  # the name champion_homes() is this module's


def record_failed_sign_in(connection: Connection, username: str, lock_after: int, locked_until: str) -> bool:
    """Count a wrong password; lock the account once it reaches lock_after in a row. True if now locked."""
    this_account = accounts.c.username == username
    connection.execute(update(accounts).where(this_account).values(failed_sign_ins=accounts.c.failed_sign_ins + 1))
    failures = connection.execute(select(accounts.c.failed_sign_ins).where(this_account)).scalar()
    if failures is not None and failures >= lock_after:
        connection.execute(update(accounts).where(this_account).values(locked_until=locked_until, failed_sign_ins=0))
        return True
    return False


def clear_failed_sign_ins(connection: Connection, username: str) -> None:
    connection.execute(update(accounts).where(accounts.c.username == username)
                       .values(failed_sign_ins=0, locked_until=None))


def locked_until(connection: Connection, username: str) -> str | None:
    return connection.execute(select(accounts.c.locked_until).where(accounts.c.username == username)).scalar()


def admit_request(connection: Connection, action: str, client: str, at: str, window_start: str, limit: int) -> bool:
    """Record a rate-limited request unless ``client`` made ``limit`` of this action since window_start.

    One statement counts and inserts, so requests arriving together cannot all
    slip under the limit. True if admitted (and recorded).
    """
    connection.execute(delete(rate_limited_requests).where(rate_limited_requests.c.at <= window_start))
    recent = (select(func.count()).select_from(rate_limited_requests)
              .where(rate_limited_requests.c.action == action, rate_limited_requests.c.client == client,
                     rate_limited_requests.c.at > window_start)
              .scalar_subquery())
    # RETURNING, not rowcount: not every driver counts the rows of an INSERT ... SELECT (psycopg says -1).
    admitted = connection.execute(
        insert(rate_limited_requests).from_select(
            ["action", "client", "at"],
            select(literal(action), literal(client), literal(at)).where(recent < limit))
        .returning(rate_limited_requests.c.at)
    ).first()
    return admitted is not None


def complete(connection: Connection, account: Account) -> Account:
    """The account with what its role needs from other tables (a champion's homes)."""
    if account.role == Role.DIGITAL_CHAMPION:
        return account.model_copy(update={"assigned_homes": champion_homes(connection, account.username)})
    return account


def champion_homes(connection: Connection, username: str) -> list[str]:
    return list(connection.execute(
        select(assigned_homes.c.home_id).where(assigned_homes.c.username == username).order_by(assigned_homes.c.home_id)
    ).scalars())


def set_champion_homes(connection: Connection, username: str, home_ids: list[str]) -> None:
    connection.execute(delete(assigned_homes).where(assigned_homes.c.username == username))
    if home_ids:
        connection.execute(insert(assigned_homes), [{"username": username, "home_id": home_id} for home_id in home_ids])


def set_role(connection: Connection, username: str, role: str, home_id: str | None, area: str | None,
             hospital_ods: str | None = None) -> None:
    connection.execute(update(accounts).where(accounts.c.username == username)
                       .values(role=role, home_id=home_id, area=area, hospital_ods=hospital_ods))


def revoke_tokens(connection: Connection, username: str) -> None:
    """Sign the account out everywhere: its next refresh is refused."""
    connection.execute(delete(sessions).where(sessions.c.username == username))
    connection.execute(delete(refresh_tokens).where(refresh_tokens.c.username == username))


def insert_account(connection: Connection, username: str, display_name: str, role: str, home_id: str | None,
                   password_hash: str) -> bool:
    """False if the user name is taken."""
    if connection.execute(select(exists().where(accounts.c.username == username))).scalar():
        return False
    connection.execute(insert(accounts).values(
        username=username, display_name=display_name, role=role, home_id=home_id, area=None,
        password_hash=password_hash, failed_sign_ins=0,
    ))
    return True


def set_password(connection: Connection, username: str, password_hash: str) -> None:
    connection.execute(update(accounts).where(accounts.c.username == username)
                       .values(password_hash=password_hash, failed_sign_ins=0, locked_until=None))


def insert_one_time_code(connection: Connection, code_hash: str, purpose: str, username: str | None,
                         home_id: str | None, created_by: str, expires_at: str) -> None:
    connection.execute(insert(one_time_codes).values(
        code_hash=code_hash, purpose=purpose, username=username, home_id=home_id, created_by=created_by,
        expires_at=expires_at,
    ))


@dataclass(frozen=True)
class SpentCode:
    username: str | None  # a reset code: the account it works for
    home_id: str | None  # an invite: the home the new account works in
    created_by: str


def spend_one_time_code(connection: Connection, code_hash: str, purpose: str, now: str) -> SpentCode | None:
    """A valid unused code, which is then used up; None if not valid."""
    row = connection.execute(
        select(one_time_codes.c.username, one_time_codes.c.home_id, one_time_codes.c.created_by)
        .where(one_time_codes.c.code_hash == code_hash, one_time_codes.c.purpose == purpose,
               one_time_codes.c.expires_at > now)
    ).first()
    connection.execute(
        delete(one_time_codes).where((one_time_codes.c.code_hash == code_hash) | (one_time_codes.c.expires_at <= now))
    )
    return SpentCode(row.username, row.home_id, row.created_by) if row else None


def audit(connection: Connection, at: str, actor: str | None, action: str, subject: str | None = None,
          detail: str | None = None) -> None:
    connection.execute(insert(audit_log).values(at=at, actor=actor, action=action, subject=subject, detail=detail))


def audit_entries(connection: Connection, limit: int, subject: str | None = None) -> list[AuditEntry]:
    query = select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.subject, audit_log.c.detail)
    if subject is not None:
        query = query.where((audit_log.c.subject == subject) | (audit_log.c.actor == subject))
    rows = connection.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
    return [AuditEntry(at=r.at, actor=r.actor, action=r.action, subject=r.subject, detail=r.detail) for r in rows]


def find_accounts(connection: Connection, text: str, limit: int) -> list[FoundAccount]:
    """Accounts whose user name, name, home id or home's name contains ``text`` (any case), by user name.

    Never the password hash: only the columns an administrator reads are selected.
    """
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def like(column):
        return func.lower(column).like(pattern, escape="\\")

    home_named = select(homes.c.home_id).where(like(homes.c.name))
    rows = connection.execute(
        select(accounts.c.username, accounts.c.display_name, accounts.c.role, accounts.c.home_id, accounts.c.area,
               accounts.c.hospital_ods, accounts.c.locked_until, accounts.c.failed_sign_ins)
        .where(or_(like(accounts.c.username), like(accounts.c.display_name), like(accounts.c.home_id),
                   accounts.c.home_id.in_(home_named)))
        .order_by(accounts.c.username).limit(limit))
    found = []
    for row in rows:
        account = complete(connection, Account(username=row.username, display_name=row.display_name, role=row.role,
                                               home_id=row.home_id, area=row.area, hospital_ods=row.hospital_ods))
        found.append(FoundAccount(**account.model_dump(), locked_until=row.locked_until,
                                  failed_sign_ins=row.failed_sign_ins))
    return found
