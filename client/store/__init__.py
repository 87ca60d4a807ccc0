"""The device's own SQLite database, one manager per concern.

- LocalStore (local_store.py): records, outbox, meta, sync log; what screens use.
- SyncApplier (sync_applier.py): the server's answers and pages; only the sync engine uses it.
- RecordCodec (codec.py): what is sealed at rest, per kind.
- DeviceDatabase (device_db.py): the one connection, lock and schema they share.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from client.crypto import DataCipher
from client.store.codec import RecordCodec
from client.store.device_db import DeviceDatabase, utc_now
from client.store.local_store import ConflictCopy, LocalRecord, LocalStore, ServerOnlyKind, SyncLogEntry
from client.store.paths import DB_FILENAME, default_data_dir
from client.store.sync_applier import SyncApplier


class DeviceStore(NamedTuple):
    """The device database opened once: the screens' half and the sync engine's half."""

    store: LocalStore
    sync: SyncApplier


def open_device_store(data_dir: Path, *, now: Callable[[], datetime] = utc_now,
                      cipher: DataCipher | None = None) -> DeviceStore:
    data_dir.mkdir(parents=True, exist_ok=True)
    database = DeviceDatabase(data_dir / DB_FILENAME)
    codec = RecordCodec(cipher or DataCipher.for_device(database.device_id))
    return DeviceStore(LocalStore(database, codec, now=now), SyncApplier(database, codec, now=now))


__all__ = ["ConflictCopy", "DeviceStore", "LocalRecord", "LocalStore", "ServerOnlyKind", "SyncLogEntry",
           "default_data_dir", "open_device_store"]
