"""The device schema, as forward-only migrations (sqlite-utils Migrations).

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("carehome-connect-device")


@migrations()
def m001_records_outbox_meta(db: Database) -> None:
    # data/base_version: what the device shows and the server version it was
    # edited from; server_data/server_version: the last copy pulled. They
    # differ only while the record has pending outbox entries.
    db.execute(
        """
        CREATE TABLE records (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            home_id TEXT NOT NULL,
            data TEXT NOT NULL,
            base_version INTEGER,
            server_data TEXT,
            server_version INTEGER,
            local_updated_at TEXT,
            PRIMARY KEY (kind, id)
        )
        """
    )
    db.execute("CREATE INDEX records_by_home ON records (home_id, kind)")
    db.execute(
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            mutation_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            base_version INTEGER,
            data TEXT NOT NULL,
            client_time TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            result_version INTEGER,
            result_message TEXT,
            settled_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX outbox_pending ON outbox (status, seq)")
    db.execute("CREATE INDEX outbox_by_record ON outbox (kind, record_id, status)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE sync_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            status TEXT NOT NULL,
            message TEXT NOT NULL
        )
        """
    )


@migrations()
def m002_deletes_clock_notices(db: Database) -> None:
    # Deletes: a record deleted on this device stays as a hidden row until the
    # server has the delete, so a pull cannot bring it back meanwhile.
    db.execute("ALTER TABLE records ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE outbox ADD COLUMN op TEXT NOT NULL DEFAULT 'put'")
    # Conflicts and rejections are shown on the home's screen until dismissed.
    db.execute("ALTER TABLE sync_log ADD COLUMN home_id TEXT")
    db.execute("ALTER TABLE sync_log ADD COLUMN seen INTEGER NOT NULL DEFAULT 0")


@migrations()
def m003_home_records_in_id_order(db: Database) -> None:
    # A home's records in id order straight from the index: the bed state screen
    # reads them after every save, with thousands of other homes stored.
    db.execute("DROP INDEX records_by_home")
    db.execute("CREATE INDEX records_by_home ON records (home_id, kind, id)")


@migrations()
def m004_conflict_copies(db: Database) -> None:
    # The losing side of a conflict on free text (KEEP_BOTH kinds), kept until a person chooses.
    db.execute(
        """
        CREATE TABLE conflict_copies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            home_id TEXT NOT NULL,
            data TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """
    )


@migrations()
def m005_outbox_save_id(db: Database) -> None:
    # One save (what a person tapped Save for) may write several records; the count people see is of saves.
    db.execute("ALTER TABLE outbox ADD COLUMN save_id TEXT")


@migrations()
def m006_tombstone_seen_at(db: Database) -> None:
    # When housekeeping first saw a record as a tombstone (device clock): a settled tombstone is dropped once it
    # is older than the central API's tombstone retention (client/store/housekeeping.py).
    db.execute("ALTER TABLE records ADD COLUMN tombstone_seen_at TEXT")
