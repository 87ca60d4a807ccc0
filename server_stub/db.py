"""Database connections and schema migrations, for SQLite and PostgreSQL.

All state lives in the database, so any number of server processes can share
one. The database URL picks the engine:

- ``sqlite:///path`` (the default): stdlib sqlite3, one connection per
  request, WAL so readers never wait for the writer, and a busy timeout so
  concurrent writers queue instead of failing. One machine only.
- ``postgresql://user:password@host:port/dbname`` (or ``postgres://``):
  psycopg 3, one connection per request; several server processes on several
  machines may share the database (``postgres.py`` explains how writes are
  serialised across them).

``repository.py`` holds one set of SQL for both: a PostgreSQL connection is
wrapped (``postgres.PostgresConnection``) so it takes the same ``?``
placeholders and gives rows readable by name and position, like sqlite3's.
Only the schema differs, so each engine has its own migration list, with the
same versions.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from server_stub import account_repository

BUSY_TIMEOUT_MS = 10_000
SQLITE, POSTGRESQL = "sqlite", "postgresql"


@dataclass(frozen=True)
class DatabaseLocation:
    engine: str  # "sqlite" or "postgresql"
    path: Path | None = None  # SQLite: the database file
    url: str | None = field(default=None, repr=False)  # PostgreSQL: the libpq URL (may hold a password)

    def describe(self) -> str:
        """Where the data is, safe to print (no password)."""
        if self.engine == SQLITE:
            return f"SQLite file {self.path}"
        parts = urlsplit(self.url or "")
        return f"PostgreSQL {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


def parse_database_url(url: str) -> DatabaseLocation:
    """Read "sqlite:///relative/path", "sqlite:////absolute/path" (SQLAlchemy's convention)
    or "postgresql://user:password@host:port/dbname" ("postgres://" too; any libpq URL)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return DatabaseLocation(engine=POSTGRESQL, url="postgresql://" + url[len(scheme):])
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(
            f"unsupported database URL {url!r}: expected sqlite:///path or postgresql://user:password@host:port/dbname"
        )
    path = url[len(prefix):]
    if not path or path == ":memory:":
        # Each request opens its own connection, so an in-memory database would be empty every time.
        raise ValueError("the central API needs a database file, not an in-memory database")
    return DatabaseLocation(engine=SQLITE, path=Path(path))


def database_errors() -> tuple[type[Exception], ...]:
    """The exceptions meaning "the database did not answer", for either engine."""
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    try:
        from server_stub.postgres import Error as PostgresError
    except ImportError:  # psycopg not installed: only SQLite can be in use
        return errors
    return (*errors, PostgresError)


def connect(location: DatabaseLocation) -> Any:
    """A connection taking "?" placeholders: sqlite3.Connection or postgres.PostgresConnection."""
    if location.engine == POSTGRESQL:
        from server_stub import postgres  # psycopg is only needed when PostgreSQL is in use

        return postgres.connect(location.url)
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
def open_connection(location: DatabaseLocation) -> Iterator[Any]:
    connection = connect(location)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def write_transaction(connection) -> Iterator[Any]:
    """One write transaction; BEGIN IMMEDIATE takes the write lock up front so
    concurrent batches (e.g. the same batch retried) run one after another.
    On PostgreSQL the lock is an advisory lock every server process takes
    (see postgres.py), so this holds across processes too."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        try:
            connection.execute("ROLLBACK")
        except database_errors():
            pass  # the connection is gone (and the transaction with it): report the first error
        raise
    else:
        connection.execute("COMMIT")


# Forward-only migrations: (version, SQL script). Append; never edit a released one.
# MIGRATIONS is SQLite's; POSTGRES_MIGRATIONS below must have the same versions
# and the same tables and columns (tests/test_server_postgres.py checks).
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


# PostgreSQL's schema: the same tables and columns as SQLite's. Data stays in
# TEXT (JSON, ISO 8601 times) and INTEGER 0/1 flags so repository.py's SQL is
# shared; versions are BIGINT; the change sequence is a real SEQUENCE (BIGSERIAL).
POSTGRES_MIGRATIONS: list[tuple[int, str]] = [
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
            token_hash TEXT PRIMARY KEY,
            username   TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sessions_expires_at ON sessions (expires_at);
        CREATE TABLE records (
            kind              TEXT NOT NULL,
            id                TEXT NOT NULL,
            home_id           TEXT NOT NULL,
            version           BIGINT NOT NULL UNIQUE,
            data              TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            deleted           INTEGER NOT NULL DEFAULT 0,
            updated_by_device TEXT,
            PRIMARY KEY (kind, id)
        );
        CREATE INDEX records_home_version ON records (home_id, version);
        CREATE TABLE change_seq (seq BIGSERIAL PRIMARY KEY);
        CREATE TABLE applied_mutations (
            mutation_id TEXT PRIMARY KEY,
            username    TEXT NOT NULL,
            device_id   TEXT NOT NULL,
            result      TEXT NOT NULL,
            applied_at  TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            username   TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
        CREATE TABLE server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE INDEX records_tombstones ON records (deleted, updated_at);
        """,
    ),
    (
        3,
        """
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
            SELECT id, data::json ->> 'local_authority', data::json ->> 'icb_code', data::json ->> 'region'
            FROM records WHERE kind = 'care_home';
        ALTER TABLE accounts ADD COLUMN area TEXT;
        """,
    ),
]

# 4: accounts beyond sign-in (lockout, invites, champions' homes, audit log); its SQL lives with its queries.
MIGRATIONS.append((4, account_repository.MIGRATION_SQLITE))
POSTGRES_MIGRATIONS.append((4, account_repository.MIGRATION_POSTGRESQL))
# 5: a hospital user's hospital (the ODS code transfers name as their destination).
for _migrations in (MIGRATIONS, POSTGRES_MIGRATIONS):
    _migrations.append((5, "ALTER TABLE accounts ADD COLUMN hospital_ods TEXT;"))

MIGRATIONS_BY_ENGINE: dict[str, list[tuple[int, str]]] = {SQLITE: MIGRATIONS, POSTGRESQL: POSTGRES_MIGRATIONS}
_SCHEMA_MIGRATIONS_TABLE = {
    SQLITE: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    POSTGRESQL: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
}


def engine_of(connection) -> str:
    return getattr(connection, "engine", SQLITE)  # postgres.PostgresConnection says so; sqlite3's cannot


def migrate(connection) -> int:
    """Apply the migrations this database has not had yet; return its schema version.

    Runs inside a write transaction, so server processes starting together on
    one database apply each migration once (PostgreSQL's DDL is transactional too).
    """
    engine = engine_of(connection)
    migrations = MIGRATIONS_BY_ENGINE[engine]
    with write_transaction(connection):
        connection.execute(_SCHEMA_MIGRATIONS_TABLE[engine])
        applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
        for version, script in migrations:
            if version in applied:
                continue
            # executescript would COMMIT our transaction; run statement by statement instead.
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
        return max(version for version, _ in migrations)


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def prepare_database(location: DatabaseLocation) -> int:
    if location.engine == SQLITE:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    with open_connection(location) as connection:
        return migrate(connection)
