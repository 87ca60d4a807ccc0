"""SQL for accounts beyond sign-in: lockout, invites, password resets, champions' homes, the audit log.

Portable SQL ('?' placeholders, ON CONFLICT): the connection layer adapts it
to the database in use.
"""

from __future__ import annotations

from typing import Any

from protocol.accounts import AuditEntry, Role
from protocol.sync import Account


def record_failed_sign_in(connection: Any, username: str, lock_after: int, locked_until: str) -> bool:
    """Count a wrong password; lock the account once it reaches lock_after in a row. True if now locked."""
    connection.execute("UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE username = ?", (username,))
    row = connection.execute("SELECT failed_sign_ins FROM accounts WHERE username = ?", (username,)).fetchone()
    if row is not None and row[0] >= lock_after:
        connection.execute(
            "UPDATE accounts SET locked_until = ?, failed_sign_ins = 0 WHERE username = ?", (locked_until, username)
        )
        return True
    return False


def clear_failed_sign_ins(connection: Any, username: str) -> None:
    connection.execute("UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL WHERE username = ?", (username,))


def locked_until(connection: Any, username: str) -> str | None:
    row = connection.execute("SELECT locked_until FROM accounts WHERE username = ?", (username,)).fetchone()
    return row[0] if row else None


def count_recent_attempts(connection: Any, client: str, since: str) -> int:
    return connection.execute(
        "SELECT COUNT(*) FROM sign_in_attempts WHERE client = ? AND at > ?", (client, since)
    ).fetchone()[0]


def record_attempt(connection: Any, client: str, at: str, older_than: str) -> None:
    connection.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (older_than,))
    connection.execute("INSERT INTO sign_in_attempts (client, at) VALUES (?, ?)", (client, at))


def complete(connection: Any, account: Account) -> Account:
    """The account with what its role needs from other tables (a champion's homes)."""
    if account.role == Role.DIGITAL_CHAMPION:
        return account.model_copy(update={"assigned_homes": champion_homes(connection, account.username)})
    return account


def champion_homes(connection: Any, username: str) -> list[str]:
    rows = connection.execute(
        "SELECT home_id FROM champion_homes WHERE username = ? ORDER BY home_id", (username,)
    ).fetchall()
    return [row[0] for row in rows]


def set_champion_homes(connection: Any, username: str, home_ids: list[str]) -> None:
    connection.execute("DELETE FROM champion_homes WHERE username = ?", (username,))
    for home_id in home_ids:
        connection.execute("INSERT INTO champion_homes (username, home_id) VALUES (?, ?)", (username, home_id))


def set_role(connection: Any, username: str, role: str, home_id: str | None, area: str | None,
             hospital_ods: str | None = None) -> None:
    connection.execute(
        "UPDATE accounts SET role = ?, home_id = ?, area = ?, hospital_ods = ? WHERE username = ?",
        (role, home_id, area, hospital_ods, username),
    )


def revoke_tokens(connection: Any, username: str) -> None:
    """Sign the account out everywhere: its next refresh is refused."""
    connection.execute("DELETE FROM sessions WHERE username = ?", (username,))
    connection.execute("DELETE FROM refresh_tokens WHERE username = ?", (username,))


def insert_account(connection: Any, username: str, display_name: str, role: str, home_id: str | None,
                   password_hash: str) -> bool:
    """False if the user name is taken."""
    if connection.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
        return False
    connection.execute(
        """INSERT INTO accounts (username, display_name, role, home_id, area, password_hash, failed_sign_ins)
           VALUES (?, ?, ?, ?, NULL, ?, 0)""",
        (username, display_name, role, home_id, password_hash),
    )
    return True


def set_password(connection: Any, username: str, password_hash: str) -> None:
    connection.execute(
        "UPDATE accounts SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL WHERE username = ?",
        (password_hash, username),
    )


def insert_one_time_code(connection: Any, code_hash: str, purpose: str, username: str | None, home_id: str | None,
                         created_by: str, expires_at: str) -> None:
    connection.execute(
        """INSERT INTO one_time_codes (code_hash, purpose, username, home_id, created_by, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (code_hash, purpose, username, home_id, created_by, expires_at),
    )


def spend_one_time_code(connection: Any, code_hash: str, purpose: str, now: str) -> tuple[str | None, str | None] | None:
    """(username, home_id) of a valid unused code, which is then used up; None if not valid."""
    row = connection.execute(
        "SELECT username, home_id FROM one_time_codes WHERE code_hash = ? AND purpose = ? AND expires_at > ?",
        (code_hash, purpose, now),
    ).fetchone()
    connection.execute("DELETE FROM one_time_codes WHERE code_hash = ? OR expires_at <= ?", (code_hash, now))
    return (row[0], row[1]) if row else None


def audit(connection: Any, at: str, actor: str | None, action: str, subject: str | None = None,
          detail: str | None = None) -> None:
    connection.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (at, actor, action, subject, detail),
    )


def audit_entries(connection: Any, limit: int, subject: str | None = None) -> list[AuditEntry]:
    sql = "SELECT at, actor, action, subject, detail FROM audit_log"
    params: tuple = ()
    if subject is not None:
        sql += " WHERE subject = ? OR actor = ?"
        params = (subject, subject)
    rows = connection.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
    return [AuditEntry(at=r[0], actor=r[1], action=r[2], subject=r[3], detail=r[4]) for r in rows]


# Forward migration for both databases (applied after the sync tables, see db.py).
MIGRATION_SQLITE = """
    ALTER TABLE accounts ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE accounts ADD COLUMN locked_until TEXT;
    CREATE TABLE sign_in_attempts (client TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX sign_in_attempts_client_at ON sign_in_attempts (client, at);
    CREATE TABLE champion_homes (username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
                                 home_id TEXT NOT NULL, PRIMARY KEY (username, home_id));
    CREATE TABLE one_time_codes (code_hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, username TEXT, home_id TEXT,
                                 created_by TEXT NOT NULL, expires_at TEXT NOT NULL);
    CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT,
                            action TEXT NOT NULL, subject TEXT, detail TEXT);
    CREATE INDEX audit_log_subject ON audit_log (subject);
"""
MIGRATION_POSTGRESQL = MIGRATION_SQLITE.replace(
    "id INTEGER PRIMARY KEY AUTOINCREMENT", "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
)
