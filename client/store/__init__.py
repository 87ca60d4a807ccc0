"""The device's own SQLite database, one manager per concern.

- LocalStore (local_store.py): records, outbox, meta, sync log; what screens use.
- SyncApplier (sync_applier.py): the server's answers and pages; only the sync engine uses it.
- RecordCodec (codec.py): what is sealed at rest, per kind.
- DeviceDatabase (device_db.py): the one connection, lock and schema they share.
- DocumentShelf (documents.py): documents made on the device, sealed with the same key.

The data folder and the database are readable by this user only (SQLite gives
its -wal and -shm files the database file's mode).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from client.crypto import DataCipher
from client.store.codec import RecordCodec
from client.store.device_db import DeviceDatabase, utc_now
from client.store.documents import OWNER_ONLY_FILE, Document, DocumentShelf, owner_only_dir
from client.store.local_store import ConflictCopy, LocalRecord, LocalStore, ServerOnlyKind, SyncLogEntry
from client.store.paths import DB_FILENAME, REPORTS_DIR, default_data_dir
from client.store.sync_applier import SyncApplier


class DeviceStore(NamedTuple):
    """The device database opened once: the screens' half and the sync engine's half."""

    store: LocalStore
    sync: SyncApplier


def open_device_store(data_dir: Path, *, now: Callable[[], datetime] = utc_now,
                      cipher: DataCipher | None = None) -> DeviceStore:
    owner_only_dir(data_dir)
    database = DeviceDatabase(_owner_only_file(data_dir / DB_FILENAME))
    codec = RecordCodec(cipher or DataCipher.for_device(database.device_id))
    documents = DocumentShelf(data_dir / REPORTS_DIR, codec.cipher)
    return DeviceStore(LocalStore(database, codec, documents, now=now), SyncApplier(database, codec, now=now))


def _owner_only_file(path: Path) -> Path:
    """The database file made owner-only before SQLite opens it (its -wal/-shm take its mode); kept so."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE))
    for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if existing.exists():
            os.chmod(existing, OWNER_ONLY_FILE)
    return path


__all__ = ["ConflictCopy", "DeviceStore", "Document", "DocumentShelf", "LocalRecord", "LocalStore", "ServerOnlyKind", "SyncLogEntry",
           "default_data_dir", "open_device_store"]
