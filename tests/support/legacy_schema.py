"""The central database's schema as the server made it before Alembic (schema_migrations at version 5).

Frozen copy of the old hand-written DDL (both engines), kept only to test that
such a database is adopted and upgraded (tests/test_migrations.py). Never edit it.
"""

from __future__ import annotations

from contextlib import closing

SQLITE_MIGRATIONS: list[tuple[int, str]] = [
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
SQLITE_MIGRATIONS.append((4, MIGRATION_SQLITE))
POSTGRES_MIGRATIONS.append((4, MIGRATION_POSTGRESQL))
for _migrations in (SQLITE_MIGRATIONS, POSTGRES_MIGRATIONS):
    _migrations.append((5, "ALTER TABLE accounts ADD COLUMN hospital_ods TEXT;"))

_SCHEMA_MIGRATIONS_TABLE = {
    "sqlite": "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "postgresql": "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
}


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def create_legacy_database(url: str) -> None:
    """An empty database at schema version 5, made as the old server made it (no alembic_version)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        with closing(sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)) as connection:
            _apply(connection.execute, SQLITE_MIGRATIONS, _SCHEMA_MIGRATIONS_TABLE["sqlite"], "?")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        _apply(connection.execute, POSTGRES_MIGRATIONS, _SCHEMA_MIGRATIONS_TABLE["postgresql"], "%s")


def _apply(execute, migrations: list[tuple[int, str]], migrations_table: str, placeholder: str) -> None:
    execute(migrations_table)
    for version, script in migrations:
        for statement in _statements(script):
            execute(statement)
        execute(f"INSERT INTO schema_migrations (version) VALUES ({placeholder})", (version,))
