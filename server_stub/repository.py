"""The central API's queries on its records, accounts and sessions (SQLAlchemy Core, server_stub/schema.py).

Functions take an open connection; the caller owns transactions
(db.write_transaction, db.read_transaction). The same queries run on SQLite
and PostgreSQL: only syntax both speak (ON CONFLICT, RETURNING), JSON kept as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, literal, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from protocol.kinds import RECORD_KINDS
from protocol.sync import Account, Record
from server_stub import area_repository, db
from server_stub.schema import (
    accounts,
    applied_mutations,
    change_seq,
    device_contacts,
    homes,
    records,
    refresh_tokens,
    server_state,
    sessions,
    transfer_destinations,
)

if TYPE_CHECKING:  # for type hints only: access.py imports this module
    from server_stub.access import Scope


def _upsert(connection: Connection, table):
    """INSERT ... ON CONFLICT for the engine in use (both speak it; SQLAlchemy builds it per dialect)."""
    return (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)


# --- health -----------------------------------------------------------------

def ping(connection: Connection) -> bool:
    return connection.execute(select(literal(1))).scalar_one() == 1


# --- accounts and sessions --------------------------------------------------

@dataclass(frozen=True)
class AccountRow:
    account: Account
    password_hash: str


def _account(row: Row) -> Account:
    return Account(username=row.username, display_name=row.display_name, role=row.role,
                   home_id=row.home_id, area=row.area, hospital_ods=row.hospital_ods)


def find_account(connection: Connection, username: str) -> AccountRow | None:
    row = connection.execute(select(accounts).where(accounts.c.username == username)).first()
    return AccountRow(_account(row), row.password_hash) if row else None


def insert_accounts(connection: Connection, new_accounts: Iterable[tuple[Account, str]]) -> None:
    rows = [{"username": a.username, "display_name": a.display_name, "role": a.role, "home_id": a.home_id,
             "area": a.area, "hospital_ods": a.hospital_ods, "password_hash": password_hash}
            for a, password_hash in new_accounts]
    if rows:
        connection.execute(_upsert(connection, accounts).on_conflict_do_nothing(index_elements=["username"]), rows)


def insert_session(connection: Connection, token_hash: str, username: str, expires_at: str, family: str) -> None:
    connection.execute(insert(sessions).values(token_hash=token_hash, username=username, expires_at=expires_at,
                                               family=family))


def delete_expired_sessions(connection: Connection, now: str) -> None:
    connection.execute(delete(sessions).where(sessions.c.expires_at <= now))


def account_for_session(connection: Connection, token_hash: str, now: str) -> Account | None:
    row = connection.execute(
        select(accounts).join(sessions, sessions.c.username == accounts.c.username)
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now)
    ).first()
    return _account(row) if row else None


def session_family(connection: Connection, token_hash: str) -> tuple[str, str] | None:
    """(family, username) of an access token, expired or not; None if unknown."""
    row = connection.execute(select(sessions.c.family, sessions.c.username).where(sessions.c.token_hash == token_hash)).first()
    return (row.family, row.username) if row else None


def insert_refresh_token(connection: Connection, token_hash: str, username: str, expires_at: str, family: str) -> None:
    connection.execute(insert(refresh_tokens).values(token_hash=token_hash, username=username, expires_at=expires_at,
                                                     family=family))


@dataclass(frozen=True)
class SpentRefreshToken:
    """A refresh token as it was found: its account and family; ``reused`` if it had been spent before."""

    account: Account
    family: str
    reused: bool


def spend_refresh_token(connection: Connection, token_hash: str, now: str) -> SpentRefreshToken | None:
    """Use a refresh token up (it works once, and is kept as spent until it expires); None if unknown or expired."""
    connection.execute(delete(refresh_tokens).where(refresh_tokens.c.expires_at <= now))
    row = connection.execute(
        select(accounts, refresh_tokens.c.family, refresh_tokens.c.spent_at)
        .join(refresh_tokens, refresh_tokens.c.username == accounts.c.username)
        .where(refresh_tokens.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    if row.spent_at is None:
        connection.execute(update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).values(spent_at=now))
    return SpentRefreshToken(_account(row), row.family, reused=row.spent_at is not None)


def refresh_family(connection: Connection, token_hash: str) -> tuple[str, str] | None:
    """(family, username) of a refresh token, spent or not; None if unknown."""
    row = connection.execute(
        select(refresh_tokens.c.family, refresh_tokens.c.username).where(refresh_tokens.c.token_hash == token_hash)
    ).first()
    return (row.family, row.username) if row else None


def revoke_family(connection: Connection, family: str) -> None:
    """End one sign-in: every access and refresh token issued from it."""
    connection.execute(delete(sessions).where(sessions.c.family == family))
    connection.execute(delete(refresh_tokens).where(refresh_tokens.c.family == family))


# --- server state -------------------------------------------------------------

def last_contact(connection: Connection, device_id: str, username: str) -> str | None:
    """When the central API last heard from this device for this account (ISO text), if ever."""
    return connection.execute(
        select(device_contacts.c.last_contact_at)
        .where(device_contacts.c.device_id == device_id, device_contacts.c.username == username)
    ).scalar()


def note_contact(connection: Connection, device_id: str, username: str, at: str) -> None:
    statement = _upsert(connection, device_contacts).values(device_id=device_id, username=username,
                                                            last_contact_at=at)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["device_id", "username"], set_={"last_contact_at": statement.excluded.last_contact_at}))


def get_state(connection: Connection, key: str) -> str | None:
    return connection.execute(select(server_state.c.value).where(server_state.c.key == key)).scalar()


def set_state(connection: Connection, key: str, value: str) -> None:
    statement = _upsert(connection, server_state).values(key=key, value=value)
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}))


# --- records ----------------------------------------------------------------

@dataclass(frozen=True)
class StoredRecord:
    kind: str
    id: str
    home_id: str
    version: int
    data_text: str  # the data as stored: JSON text, which a pull page carries as it is (services/pull_pages.py)
    updated_at: str
    deleted: bool
    updated_by_device: str | None

    @cached_property
    def data(self) -> dict[str, Any]:
        # Parsed when first read, not per row fetched: a pull page of 1,000 records never needs it.
        return json.loads(self.data_text)

    def to_wire(self) -> Record:
        return Record(
            kind=self.kind, id=self.id, home_id=self.home_id, version=self.version,
            data=self.data, updated_at=self.updated_at, deleted=self.deleted,
        )


def _stored(row: Row) -> StoredRecord:
    # A row of select(records), in the table's column order; unpacked, not read by name: a pull page makes 1,000.
    kind, record_id, home_id, version, data_text, updated_at, deleted, updated_by_device = row
    return StoredRecord(kind, record_id, home_id, version, data_text, updated_at, bool(deleted), updated_by_device)


def get_record(connection: Connection, kind: str, record_id: str) -> StoredRecord | None:
    row = connection.execute(select(records).where(records.c.kind == kind, records.c.id == record_id)).first()
    return _stored(row) if row else None


def records_of_home(connection: Connection, home_id: str, kind: str) -> list[StoredRecord]:
    rows = connection.execute(
        select(records).where(records.c.home_id == home_id, records.c.kind == kind, records.c.deleted == 0)
        .order_by(records.c.id)
    )
    return [_stored(row) for row in rows]


def records_of_kind(connection: Connection, kind: str) -> list[StoredRecord]:
    rows = connection.execute(
        select(records).where(records.c.kind == kind, records.c.deleted == 0).order_by(records.c.version)
    )
    return [_stored(row) for row in rows]


def transfers_to_hospital(connection: Connection, hospital_ods: str) -> list[StoredRecord]:
    """The transfer records (not deleted) naming this hospital as their destination, oldest change first."""
    rows = connection.execute(
        select(records).join(transfer_destinations, transfer_destinations.c.record_id == records.c.id)
        .where(transfer_destinations.c.hospital_ods == hospital_ods, records.c.kind == "transfer",
               records.c.deleted == 0)
        .order_by(records.c.version)
    )
    return [_stored(row) for row in rows]


def count_records(connection: Connection, kind: str) -> int:
    return connection.execute(select(func.count()).select_from(records).where(records.c.kind == kind)).scalar_one()


def next_version(connection: Connection) -> int:
    """Allocate the next number of the change sequence (call inside a write transaction).

    PostgreSQL: the record_versions sequence, under the transaction's slot (db.hold_version_slot: a pull
    never reads past a version that may still commit). SQLite: the change_seq table; its writers run one
    at a time, so versions become visible in the order they were allocated.
    """
    if connection.dialect.name == "postgresql":
        db.hold_version_slot(connection)
        return connection.execute(_NEXT_VERSION).scalar_one()
    # RETURNING (not lastrowid): SQLite's AUTOINCREMENT answers this way.
    version = connection.execute(_NEXT_SEQ).scalar_one()
    connection.execute(_OLDER_SEQS, {"version": version})  # keep the table one row long
    return version


def continue_versions_after(connection: Connection, last_version: int) -> None:
    """After records were written in bulk with versions numbered by the caller (a data set, a benchmark):
    the next version allocated comes after ``last_version``, on either engine."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT setval('{db.VERSION_SEQUENCE}', GREATEST(:v, 1))"), {"v": last_version})
    else:
        connection.execute(insert(change_seq).values(seq=last_version))  # AUTOINCREMENT continues after it


# Built once, not per call: a directory import writes thousands of records in one go, and building the
# statement each time (its ON CONFLICT clause above all) cost more than running it.
_NEXT_VERSION = text(f"SELECT nextval('{db.VERSION_SEQUENCE}')")
_NEXT_SEQ = insert(change_seq).returning(change_seq.c.seq)
_OLDER_SEQS = delete(change_seq).where(change_seq.c.seq < bindparam("version"))
_RECORD_COLUMNS = ("home_id", "version", "data", "updated_at", "deleted", "updated_by_device")


def _record_upsert(dialect_insert):
    statement = dialect_insert(records)
    return statement.on_conflict_do_update(index_elements=["kind", "id"],
                                           set_={column: statement.excluded[column] for column in _RECORD_COLUMNS})


_RECORD_UPSERTS = {"sqlite": _record_upsert(sqlite_insert), "postgresql": _record_upsert(postgresql_insert)}


def upsert_record(
    connection: Connection,
    *, kind: str, record_id: str, home_id: str, version: int, data: dict[str, Any],
    updated_at: str, updated_by_device: str | None,
) -> None:
    connection.execute(_RECORD_UPSERTS[connection.dialect.name], dict(
        kind=kind, id=record_id, home_id=home_id, version=version, data=json.dumps(data, separators=(",", ":")),
        updated_at=updated_at, deleted=0, updated_by_device=updated_by_device,
    ))
    # The homes index (area lookups, the area view) follows the home's records.
    area_repository.record_changed(connection, kind=kind, home_id=home_id, record_id=record_id, data=data,
                                   at=updated_at)
    if kind == "transfer":
        _set_transfer_destination(connection, record_id, (data.get("destination_hospital") or {}).get("ods_code"))


def _set_transfer_destination(connection: Connection, record_id: str, hospital_ods: str | None) -> None:
    """Keep the transfer_destinations index in step with the transfer record."""
    connection.execute(delete(transfer_destinations).where(transfer_destinations.c.record_id == record_id))
    if hospital_ods:
        connection.execute(insert(transfer_destinations).values(record_id=record_id, hospital_ods=hospital_ods))


def mark_deleted(
    connection: Connection, *, kind: str, record_id: str, version: int, updated_at: str,
    updated_by_device: str | None,
) -> None:
    """Turn a record into a tombstone: devices that pull it delete their copy."""
    connection.execute(
        update(records).where(records.c.kind == kind, records.c.id == record_id)
        .values(deleted=1, version=version, updated_at=updated_at, updated_by_device=updated_by_device)
    )
    if kind == "transfer":
        _set_transfer_destination(connection, record_id, None)
    else:
        home_id = connection.execute(select(records.c.home_id).where(records.c.kind == kind,
                                                                     records.c.id == record_id)).scalar()
        if home_id is not None:
            area_repository.record_changed(connection, kind=kind, home_id=home_id, record_id=record_id, data=None,
                                           at=updated_at)


def purge_tombstones(connection: Connection, older_than: str) -> int:
    """Delete tombstones older than the horizon; return the highest version removed (0 if none)."""
    old_tombstones = (records.c.deleted == 1, records.c.updated_at < older_than)
    highest = connection.execute(select(func.max(records.c.version)).where(*old_tombstones)).scalar()
    connection.execute(delete(records).where(*old_tombstones))
    return highest or 0


SENSITIVE_KINDS = tuple(sorted(kind.name for kind in RECORD_KINDS.values() if kind.sensitive))


def _scope_filter(scope: Scope):
    """What the scope may read, as a condition on records."""
    if scope.everything:
        condition = true()
    elif scope.area_column is not None:
        # area_column comes from access.AREA_COLUMNS, never from a request.
        area_homes = select(homes.c.home_id).where(homes.c[scope.area_column] == scope.area_value)
        condition = records.c.home_id.in_(area_homes)
    else:
        condition = records.c.home_id.in_(sorted(scope.home_ids))
    if not scope.personal_data and SENSITIVE_KINDS:
        condition = condition & records.c.kind.not_in(SENSITIVE_KINDS)
    return condition


def count_changes_since(connection: Connection, scope: Scope, since: int, below: int | None = None) -> int:
    """How many changes after ``since`` (and below ``below``, db.pull_bound, if given) the scope may read."""
    if scope.empty:
        return 0
    return connection.execute(
        select(func.count()).select_from(records).where(_scope_filter(scope), *_versions(since, below))
    ).scalar_one()


def changes_since(connection: Connection, scope: Scope, since: int, limit: int,
                  below: int | None = None) -> list[StoredRecord]:
    """The changes after ``since`` (and below ``below``, db.pull_bound, if given), oldest first."""
    if scope.empty:
        return []
    # Two steps in one statement: the page's versions from the index alone (records_home_version_kind; for an
    # area, every remaining version is sorted, but as numbers, not whole rows), then only those rows.
    page = (
        select(records.c.version).where(_scope_filter(scope), *_versions(since, below)).order_by(records.c.version).limit(limit)
    ).correlate(None)
    rows = connection.execute(select(records).where(records.c.version.in_(page)).order_by(records.c.version))
    return [_stored(row) for row in rows.all()]


def _versions(since: int, below: int | None) -> tuple:
    return (records.c.version > since,) if below is None else (records.c.version > since, records.c.version < below)


def area_of_home(connection: Connection, area_column: str, home_id: str) -> str | None:
    """The home's value in one column of the homes index (its local authority, ICB or region); None if unknown."""
    return connection.execute(select(homes.c[area_column]).where(homes.c.home_id == home_id)).scalar()


# --- applied mutations (exactly-once) ----------------------------------------

@dataclass(frozen=True)
class AppliedMutation:
    username: str
    result: dict[str, Any]


def find_applied_mutation(connection: Connection, mutation_id: str) -> AppliedMutation | None:
    row = connection.execute(
        select(applied_mutations.c.username, applied_mutations.c.result)
        .where(applied_mutations.c.mutation_id == mutation_id)
    ).first()
    return AppliedMutation(row.username, json.loads(row.result)) if row else None


def insert_applied_mutation(
    connection: Connection, *, mutation_id: str, username: str, device_id: str, result: dict[str, Any], applied_at: str
) -> None:
    connection.execute(insert(applied_mutations).values(
        mutation_id=mutation_id, username=username, device_id=device_id,
        result=json.dumps(result, separators=(",", ":")), applied_at=applied_at,
    ))
