"""Database connections and schema migrations.

All state lives in the database, so any number of server processes can share
one. For now that is SQLite (stdlib sqlite3): one connection per request, WAL
so readers never wait for the writer, and a busy timeout so concurrent writers
queue instead of failing. The SQL that reads and writes data lives in
``repository.py`` so another engine (PostgreSQL) can be added there.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class DatabaseLocation:
    engine: str  # "sqlite" (the only one so far)
    path: Path


def parse_database_url(url: str) -> DatabaseLocation:
    """Read "sqlite:///relative/path" or "sqlite:////absolute/path" (SQLAlchemy's convention)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"unsupported database URL {url!r}: expected sqlite:///path")
    path = url[len(prefix):]
    if not path or path == ":memory:":
        # Each request opens its own connection, so an in-memory database would be empty every time.
        raise ValueError("the central API needs a database file, not an in-memory database")
    return DatabaseLocation(engine="sqlite", path=Path(path))


def connect(location: DatabaseLocation) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a write batch is
    # exactly one transaction. check_same_thread=False because FastAPI may run a
    # request's dependency and its endpoint on different worker threads; the
    # connection is still used by one request at a time.
    connection = sqlite3.connect(location.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a commit survives a process crash
    return connection


@contextmanager
def open_connection(location: DatabaseLocation) -> Iterator[sqlite3.Connection]:
    connection = connect(location)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; BEGIN IMMEDIATE takes the write lock up front so
    concurrent batches (e.g. the same batch retried) run one after another."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")


# Forward-only migrations: (version, SQL script). Append; never edit a released one.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE accounts (
            username      TEXT PRIMARY KEY,
            display_name  TEXT NOT NULL,
            role          TEXT NOT NULL,
            home_id       TEXT,
            password_hash TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,          -- sha256 of the token; the token itself is never stored
            username   TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
            expires_at TEXT NOT NULL              -- ISO 8601 UTC, fixed width so text order is time order
        );
        CREATE INDEX sessions_expires_at ON sessions (expires_at);
        CREATE TABLE records (
            kind              TEXT NOT NULL,
            id                TEXT NOT NULL,
            home_id           TEXT NOT NULL,
            version           INTEGER NOT NULL UNIQUE,
            data              TEXT NOT NULL,      -- JSON
            updated_at        TEXT NOT NULL,
            deleted           INTEGER NOT NULL DEFAULT 0,
            updated_by_device TEXT,
            PRIMARY KEY (kind, id)
        );
        CREATE INDEX records_home_version ON records (home_id, version);
        -- Allocates the server's change sequence (record versions); AUTOINCREMENT never reuses a number.
        CREATE TABLE change_seq (seq INTEGER PRIMARY KEY AUTOINCREMENT);
        CREATE TABLE applied_mutations (
            mutation_id TEXT PRIMARY KEY,
            username    TEXT NOT NULL,
            device_id   TEXT NOT NULL,
            result      TEXT NOT NULL,            -- JSON MutationResult, returned again on a retry
            applied_at  TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        -- Refresh tokens: long-lived, single use (each refresh hands out a new one).
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            username   TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
        -- Server-wide facts such as the tombstone horizon.
        CREATE TABLE server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE INDEX records_tombstones ON records (deleted, updated_at);
        """,
    ),
    (
        3,
        """
        -- Where each home is, so an area's records can be found without listing its homes.
        CREATE TABLE homes (
            home_id         TEXT PRIMARY KEY,
            local_authority TEXT,
            icb_code        TEXT,
            region          TEXT
        );
        CREATE INDEX homes_local_authority ON homes (local_authority);
        CREATE INDEX homes_icb_code ON homes (icb_code);
        CREATE INDEX homes_region ON homes (region);
        INSERT INTO homes (home_id, local_authority, icb_code, region)
            SELECT id, json_extract(data, '$.local_authority'), json_extract(data, '$.icb_code'),
                   json_extract(data, '$.region')
            FROM records WHERE kind = 'care_home';
        ALTER TABLE accounts ADD COLUMN area TEXT;
        """,
    ),
]


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations this database has not had yet; return its schema version."""
    with write_transaction(connection):
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
        for version, script in MIGRATIONS:
            if version in applied:
                continue
            # executescript would COMMIT our transaction; run statement by statement instead.
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
        return max(version for version, _ in MIGRATIONS)


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def prepare_database(location: DatabaseLocation) -> int:
    location.path.parent.mkdir(parents=True, exist_ok=True)
    with open_connection(location) as connection:
        return migrate(connection)
