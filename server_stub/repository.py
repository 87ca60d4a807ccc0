"""Every SQL statement the central API runs, in one place.

Functions take an open connection; the caller owns transactions. The SQL is
shared by SQLite and PostgreSQL (db.py): "?" placeholders (the PostgreSQL
connection translates them), only syntax both engines speak (ON CONFLICT,
RETURNING), JSON kept as TEXT. The type hints say sqlite3.Connection; a
postgres.PostgresConnection offers the same execute/executemany and rows.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from protocol.kinds import RECORD_KINDS
from protocol.sync import Account, Record
from server_stub.access import Scope

# --- health -----------------------------------------------------------------

def ping(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT 1").fetchone()[0] == 1


# --- accounts and sessions --------------------------------------------------

@dataclass(frozen=True)
class AccountRow:
    account: Account
    password_hash: str


def _account(row: sqlite3.Row) -> Account:
    return Account(username=row["username"], display_name=row["display_name"], role=row["role"],
                   home_id=row["home_id"], area=row["area"], hospital_ods=row["hospital_ods"])


def find_account(connection: sqlite3.Connection, username: str) -> AccountRow | None:
    row = connection.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
    return AccountRow(_account(row), row["password_hash"]) if row else None


def insert_accounts(connection: sqlite3.Connection, accounts: Iterable[tuple[Account, str]]) -> None:
    connection.executemany(
        """INSERT INTO accounts (username, display_name, role, home_id, area, hospital_ods, password_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING""",
        [(a.username, a.display_name, a.role, a.home_id, a.area, a.hospital_ods, password_hash)
         for a, password_hash in accounts],
    )


def insert_session(connection: sqlite3.Connection, token_hash: str, username: str, expires_at: str) -> None:
    connection.execute(
        "INSERT INTO sessions (token_hash, username, expires_at) VALUES (?, ?, ?)", (token_hash, username, expires_at)
    )


def delete_expired_sessions(connection: sqlite3.Connection, now: str) -> None:
    connection.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))


def account_for_session(connection: sqlite3.Connection, token_hash: str, now: str) -> Account | None:
    row = connection.execute(
        """SELECT accounts.* FROM sessions JOIN accounts USING (username)
           WHERE sessions.token_hash = ? AND sessions.expires_at > ?""",
        (token_hash, now),
    ).fetchone()
    return _account(row) if row else None


def insert_refresh_token(connection: sqlite3.Connection, token_hash: str, username: str, expires_at: str) -> None:
    connection.execute(
        "INSERT INTO refresh_tokens (token_hash, username, expires_at) VALUES (?, ?, ?)",
        (token_hash, username, expires_at),
    )


def spend_refresh_token(connection: sqlite3.Connection, token_hash: str, now: str) -> Account | None:
    """Use a refresh token up (it works once); its account if it was valid."""
    row = connection.execute(
        """SELECT accounts.* FROM refresh_tokens JOIN accounts USING (username)
           WHERE refresh_tokens.token_hash = ? AND refresh_tokens.expires_at > ?""",
        (token_hash, now),
    ).fetchone()
    connection.execute("DELETE FROM refresh_tokens WHERE token_hash = ? OR expires_at <= ?", (token_hash, now))
    return _account(row) if row else None


# --- server state -------------------------------------------------------------

def get_state(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM server_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO server_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --- records ----------------------------------------------------------------

@dataclass(frozen=True)
class StoredRecord:
    kind: str
    id: str
    home_id: str
    version: int
    data: dict[str, Any]
    updated_at: str
    deleted: bool
    updated_by_device: str | None

    def to_wire(self) -> Record:
        return Record(
            kind=self.kind, id=self.id, home_id=self.home_id, version=self.version,
            data=self.data, updated_at=self.updated_at, deleted=self.deleted,
        )


def _stored(row: sqlite3.Row) -> StoredRecord:
    return StoredRecord(
        kind=row["kind"], id=row["id"], home_id=row["home_id"], version=row["version"],
        data=json.loads(row["data"]), updated_at=row["updated_at"], deleted=bool(row["deleted"]),
        updated_by_device=row["updated_by_device"],
    )


def get_record(connection: sqlite3.Connection, kind: str, record_id: str) -> StoredRecord | None:
    row = connection.execute("SELECT * FROM records WHERE kind = ? AND id = ?", (kind, record_id)).fetchone()
    return _stored(row) if row else None


def records_of_home(connection: sqlite3.Connection, home_id: str, kind: str) -> list[StoredRecord]:
    rows = connection.execute(
        "SELECT * FROM records WHERE home_id = ? AND kind = ? AND deleted = 0 ORDER BY id", (home_id, kind)
    ).fetchall()
    return [_stored(row) for row in rows]


def records_of_kind(connection: sqlite3.Connection, kind: str) -> list[StoredRecord]:
    rows = connection.execute("SELECT * FROM records WHERE kind = ? AND deleted = 0 ORDER BY version", (kind,))
    return [_stored(row) for row in rows.fetchall()]


def count_records(connection: sqlite3.Connection, kind: str) -> int:
    return connection.execute("SELECT COUNT(*) FROM records WHERE kind = ?", (kind,)).fetchone()[0]


def next_version(connection: sqlite3.Connection) -> int:
    """Allocate the next number of the change sequence (call inside a write transaction).

    Writers are serialised, so versions become visible in the order they were
    allocated and a pull cursor never skips a change committed later.
    """
    # RETURNING (not lastrowid): SQLite's AUTOINCREMENT and PostgreSQL's BIGSERIAL both answer this way.
    version = connection.execute("INSERT INTO change_seq DEFAULT VALUES RETURNING seq").fetchall()[0][0]
    connection.execute("DELETE FROM change_seq WHERE seq < ?", (version,))  # keep the table one row long
    return version


def upsert_record(
    connection: sqlite3.Connection,
    *, kind: str, record_id: str, home_id: str, version: int, data: dict[str, Any],
    updated_at: str, updated_by_device: str | None,
) -> None:
    connection.execute(
        """INSERT INTO records (kind, id, home_id, version, data, updated_at, deleted, updated_by_device)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?)
           ON CONFLICT (kind, id) DO UPDATE SET
             home_id = excluded.home_id, version = excluded.version, data = excluded.data,
             updated_at = excluded.updated_at, deleted = 0, updated_by_device = excluded.updated_by_device""",
        (kind, record_id, home_id, version, json.dumps(data, separators=(",", ":")), updated_at, updated_by_device),
    )
    if kind == "care_home":
        # Keep the homes index (area lookups) in step with the directory record.
        connection.execute(
            """INSERT INTO homes (home_id, local_authority, icb_code, region) VALUES (?, ?, ?, ?)
               ON CONFLICT (home_id) DO UPDATE SET local_authority = excluded.local_authority,
                 icb_code = excluded.icb_code, region = excluded.region""",
            (record_id, data.get("local_authority"), data.get("icb_code"), data.get("region")),
        )


def mark_deleted(
    connection: sqlite3.Connection, *, kind: str, record_id: str, version: int, updated_at: str,
    updated_by_device: str | None,
) -> None:
    """Turn a record into a tombstone: devices that pull it delete their copy."""
    connection.execute(
        """UPDATE records SET deleted = 1, version = ?, updated_at = ?, updated_by_device = ?
           WHERE kind = ? AND id = ?""",
        (version, updated_at, updated_by_device, kind, record_id),
    )


def purge_tombstones(connection: sqlite3.Connection, older_than: str) -> int:
    """Delete tombstones older than the horizon; return the highest version removed (0 if none)."""
    row = connection.execute(
        "SELECT MAX(version) FROM records WHERE deleted = 1 AND updated_at < ?", (older_than,)
    ).fetchone()
    connection.execute("DELETE FROM records WHERE deleted = 1 AND updated_at < ?", (older_than,))
    return row[0] or 0


SENSITIVE_KINDS = tuple(sorted(kind.name for kind in RECORD_KINDS.values() if kind.sensitive))


def _scope_filter(scope: Scope) -> tuple[str, tuple]:
    """A WHERE fragment (on records r) selecting what the scope may read."""
    if scope.everything:
        where, params = "1 = 1", ()
    elif scope.area_column is not None:
        # area_column comes from access.AREA_COLUMNS, never from a request.
        where, params = f"r.home_id IN (SELECT home_id FROM homes WHERE {scope.area_column} = ?)", (scope.area_value,)
    else:
        homes = sorted(scope.home_ids)
        where, params = f"r.home_id IN ({', '.join('?' for _ in homes)})", tuple(homes)
    if not scope.personal_data and SENSITIVE_KINDS:
        where += f" AND r.kind NOT IN ({', '.join('?' for _ in SENSITIVE_KINDS)})"
        params = (*params, *SENSITIVE_KINDS)
    return where, params


def count_changes_since(connection: sqlite3.Connection, scope: Scope, since: int) -> int:
    if scope.empty:
        return 0
    where, params = _scope_filter(scope)
    return connection.execute(
        f"SELECT COUNT(*) FROM records r WHERE {where} AND r.version > ?", (*params, since)
    ).fetchone()[0]


def changes_since(connection: sqlite3.Connection, scope: Scope, since: int, limit: int) -> list[StoredRecord]:
    if scope.empty:
        return []
    where, params = _scope_filter(scope)
    rows = connection.execute(
        f"SELECT r.* FROM records r WHERE {where} AND r.version > ? ORDER BY r.version LIMIT ?",
        (*params, since, limit),
    ).fetchall()
    return [_stored(row) for row in rows]


# --- applied mutations (exactly-once) ----------------------------------------

@dataclass(frozen=True)
class AppliedMutation:
    username: str
    result: dict[str, Any]


def find_applied_mutation(connection: sqlite3.Connection, mutation_id: str) -> AppliedMutation | None:
    row = connection.execute(
        "SELECT username, result FROM applied_mutations WHERE mutation_id = ?", (mutation_id,)
    ).fetchone()
    return AppliedMutation(row["username"], json.loads(row["result"])) if row else None


def insert_applied_mutation(
    connection: sqlite3.Connection, *, mutation_id: str, username: str, device_id: str, result: dict[str, Any], applied_at: str
) -> None:
    connection.execute(
        "INSERT INTO applied_mutations (mutation_id, username, device_id, result, applied_at) VALUES (?, ?, ?, ?, ?)",
        (mutation_id, username, device_id, json.dumps(result, separators=(",", ":")), applied_at),
    )
