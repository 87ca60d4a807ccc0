"""The device's SQLite file: one connection, one lock, the schema and the meta table.

The local store (what screens use) and the sync applier (what the sync engine
uses) both work on this one connection. It is shared by the UI (event loop)
and the sync engine (worker threads), so all work on it takes the one lock.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from client.store.schema import migrations


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DeviceDatabase:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self.db = Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        # FULL: a save acknowledged to the user survives power loss too.
        self.db.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten, not left in free pages: signing out really removes personal data.
        self.db.execute("PRAGMA secure_delete=ON")
        # The write-ahead log is cut back to 4 MB after each checkpoint: without a limit it stays the size of the
        # largest transaction it ever held (a first sync's pages) for the life of the device.
        self.db.execute("PRAGMA journal_size_limit=4194304")
        migrations.apply(self.db)
        self.device_id = self._ensure_device_id()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """The lock and one SQLite transaction: everything inside is written together or not at all."""
        with self.lock, self.db.atomic():
            yield self.db

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def pending_count(self) -> int:
        """Outbox entries not yet settled by the server."""
        with self.lock:
            return self.db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]

    def pending_saves(self) -> int:
        """Saves (what a person saved at once: one save may write several records) not wholly settled yet."""
        with self.lock:
            return self.db.execute("SELECT count(DISTINCT coalesce(save_id, mutation_id)) FROM outbox"
                                   " WHERE status = 'pending'").fetchone()[0]

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction():
            self.write_meta(key, value)

    def write_meta(self, key: str, value: str | None) -> None:
        """Set (or with None, remove) a meta value inside the caller's transaction."""
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def _ensure_device_id(self) -> str:
        with self.transaction():
            existing = self.get_meta("device_id")
            if existing:
                return existing
            device_id = str(uuid.uuid4())
            self.write_meta("device_id", device_id)
            return device_id
