"""LocalStore: every read and write the app makes to its SQLite file.

Each save writes the visible record and its outbox entry in one transaction,
so a change the user saw saved is either wholly there or not at all, whatever
happens to the process. The connection is shared by the UI (event loop) and
the sync engine (worker threads), so every method takes one lock.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlite_utils import Database

from client.crypto import DataCipher, UnreadableData
from client.store.paths import DB_FILENAME, REPORTS_DIR
from client.store.schema import migrations
from protocol import RECORD_KINDS, ConflictRule, MutationResult, MutationStatus, Record, kind_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    mutation_id: str
    kind: str
    record_id: str
    base_version: int | None
    data: dict[str, Any] | None
    client_time: str
    op: str = "put"

    def to_wire(self) -> dict[str, Any]:
        wire = {
            "mutation_id": self.mutation_id,
            "kind": self.kind,
            "record_id": self.record_id,
            "op": self.op,
            "base_version": self.base_version,
            "client_time": self.client_time,
        }
        if self.data is not None:
            wire["data"] = self.data
        return wire


@dataclass(frozen=True)
class LocalRecord:
    kind: str
    id: str
    home_id: str
    data: dict[str, Any]
    base_version: int | None
    pending: bool
    local_updated_at: str | None


@dataclass(frozen=True)
class ConflictCopy:
    id: int
    kind: str
    record_id: str
    home_id: str
    mine: dict[str, Any]
    at: str


@dataclass(frozen=True)
class SyncLogEntry:
    id: int
    at: str
    kind: str
    record_id: str
    status: str
    message: str


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class LocalStore:
    def __init__(self, path: Path, *, now=_utc_now, cipher: DataCipher | None = None) -> None:
        self.path = path
        self._now = now
        self._lock = threading.RLock()
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self.db = Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        # FULL: a save acknowledged to the user survives power loss too.
        self.db.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten, not left in free pages: signing out really removes personal data.
        self.db.execute("PRAGMA secure_delete=ON")
        migrations.apply(self.db)
        self.device_id = self._ensure_device_id()
        self.cipher = cipher or DataCipher.for_device(self.device_id)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # -- meta -----------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self._lock, self.db.atomic():
            self._set_meta(key, value)

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def _ensure_device_id(self) -> str:
        with self._lock, self.db.atomic():
            existing = self.get_meta("device_id")
            if existing:
                return existing
            device_id = str(uuid.uuid4())
            self._set_meta("device_id", device_id)
            return device_id

    @property
    def pull_cursor(self) -> int:
        return int(self.get_meta("pull_cursor") or 0)

    # -- local saves ------------------------------------------------------------

    def save(self, kind: str, models: Sequence[BaseModel]) -> list[str]:
        """Store edited records of one kind and queue them for the server, atomically."""
        return self.save_together([(kind, model) for model in models])

    def save_together(self, edits: Sequence[tuple[str, BaseModel]]) -> list[str]:
        """Store edited records (of any kinds) and queue them for the server, in one transaction.

        Returns the mutation ids. Raises ValueError for a kind devices may not write.
        """
        client_time = self._now().isoformat()
        mutation_ids = []
        with self._lock, self.db.atomic():
            for kind, model in edits:
                spec = kind_of(kind)
                if not isinstance(model, spec.model):
                    raise TypeError(f"{kind} expects {spec.model.__name__}, got {type(model).__name__}")
                record_id = spec.record_id(model)
                data = model.model_dump(mode="json")
                row = self.db.execute(
                    "SELECT base_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
                ).fetchone()
                base_version = row[0] if row else None
                self.db.execute(
                    """
                    INSERT INTO records (kind, id, home_id, data, base_version, local_updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, deleted = 0,
                        local_updated_at = excluded.local_updated_at
                    """,
                    [kind, record_id, spec.home_id(model), self._encode(kind, record_id, data), base_version,
                     client_time],
                )
                mutation_id = str(uuid.uuid4())
                self.db.execute(
                    """
                    INSERT INTO outbox (mutation_id, kind, record_id, base_version, data, client_time)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [mutation_id, kind, record_id, base_version, self._encode(kind, record_id, data), client_time],
                )
                mutation_ids.append(mutation_id)
        return mutation_ids

    def delete(self, kind: str, record_id: str) -> str:
        """Delete a record on this device and queue the delete, atomically. Returns the mutation id."""
        spec = kind_of(kind)
        if not spec.devices_may_delete:
            raise ValueError(f"{kind} records cannot be deleted from a device")
        client_time = self._now().isoformat()
        mutation_id = str(uuid.uuid4())
        with self._lock, self.db.atomic():
            row = self.db.execute(
                "SELECT base_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
            ).fetchone()
            if row is None:
                raise KeyError(f"no {kind} record {record_id!r} on this device")
            self.db.execute(
                "UPDATE records SET deleted = 1, local_updated_at = ? WHERE kind = ? AND id = ?",
                [client_time, kind, record_id],
            )
            self.db.execute(
                """INSERT INTO outbox (mutation_id, kind, record_id, base_version, data, client_time, op)
                   VALUES (?, ?, ?, ?, 'null', ?, 'delete')""",
                [mutation_id, kind, record_id, row[0], client_time],
            )
        return mutation_id

    # -- reads --------------------------------------------------------------------

    def records(self, kind: str, home_id: str | None = None, *, record_id: str | None = None) -> list[LocalRecord]:
        sql = """
            SELECT r.kind, r.id, r.home_id, r.data, r.base_version, r.local_updated_at,
                   EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.record_id = r.id
                           AND o.status = 'pending') AS pending
            FROM records r WHERE r.kind = ? AND r.deleted = 0
        """
        params: list[Any] = [kind]
        if home_id is not None:
            sql += " AND r.home_id = ?"
            params.append(home_id)
        if record_id is not None:
            sql += " AND r.id = ?"
            params.append(record_id)
        with self._lock:
            rows = self.db.execute(sql + " ORDER BY r.id", params).fetchall()
        found = []
        for r in rows:
            try:
                data = self._decode(r[0], r[1], r[3])
            except UnreadableData:
                log.warning("a %s record cannot be read with this device's key; it is downloaded again", r[0])
                continue
            found.append(LocalRecord(kind=r[0], id=r[1], home_id=r[2], data=data, base_version=r[4],
                                     local_updated_at=r[5], pending=bool(r[6])))
        return found

    def record(self, kind: str, record_id: str) -> LocalRecord | None:
        found = self.records(kind, record_id=record_id)
        return found[0] if found else None

    def pending_count(self) -> int:
        with self._lock:
            return self.db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]

    def pending(self, limit: int) -> list[OutboxEntry]:
        with self._lock:
            rows = self.db.execute(
                """SELECT seq, mutation_id, kind, record_id, base_version, data, client_time, op
                   FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?""",
                [limit],
            ).fetchall()
        entries, unreadable = [], []
        for r in rows:
            try:
                entries.append(OutboxEntry(r[0], r[1], r[2], r[3], r[4], self._decode(r[2], r[3], r[5]), r[6], r[7]))
            except UnreadableData:
                unreadable.append(r[1])
        if unreadable:  # sealed with a key the key store lost: it can never be sent, and must not block the rest
            with self._lock, self.db.atomic():
                for mutation_id in unreadable:
                    self.db.execute(
                        "UPDATE outbox SET status = 'rejected', result_message = ? WHERE mutation_id = ?",
                        ["Could not be read on this device any more (its key was lost)", mutation_id])
        return entries

    # -- personal data at rest ----------------------------------------------------------

    def _encode(self, kind: str, record_id: str, data: dict[str, Any]) -> str:
        spec = RECORD_KINDS.get(kind)
        if spec is not None and spec.sensitive:
            return self.cipher.encrypt(data, f"{kind}/{record_id}")
        return json.dumps(data)

    def _decode(self, kind: str, record_id: str, text: str) -> dict[str, Any] | None:
        return self.cipher.decrypt(text, f"{kind}/{record_id}")

    def sync_log(self, limit: int = 50, *, home_id: str | None = None, unseen: bool = False) -> list[SyncLogEntry]:
        """Conflicts and rejections, newest first."""
        sql = "SELECT id, at, kind, record_id, status, message FROM sync_log WHERE 1 = 1"
        params: list[Any] = []
        if home_id is not None:
            sql += " AND home_id = ?"
            params.append(home_id)
        if unseen:
            sql += " AND seen = 0"
        with self._lock:
            rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [SyncLogEntry(*r) for r in rows]

    def mark_log_seen(self, entry_ids: Iterable[int]) -> None:
        with self._lock, self.db.atomic():
            for entry_id in entry_ids:
                self.db.execute("UPDATE sync_log SET seen = 1 WHERE id = ?", [entry_id])

    def clock_offset(self) -> timedelta:
        """Server clock minus this device's clock, as last measured: ages shown never trust the device clock."""
        return timedelta(seconds=float(self.get_meta("clock_offset_seconds") or 0))

    def server_now(self) -> datetime:
        return self._now() + self.clock_offset()

    # -- sync results ---------------------------------------------------------------

    def settle(self, results: Iterable[MutationResult]) -> None:
        """Record the server's answers to pushed mutations, in one transaction."""
        settled_at = self._now().isoformat()
        with self._lock, self.db.atomic():
            for result in results:
                row = self.db.execute(
                    "SELECT kind, record_id, status, op FROM outbox WHERE mutation_id = ?", [str(result.mutation_id)]
                ).fetchone()
                if row is None or row[2] != "pending":
                    continue  # an answer we already recorded (a retried batch)
                kind, record_id, _, op = row
                self.db.execute(
                    """UPDATE outbox SET status = ?, result_version = ?, result_message = ?, settled_at = ?
                       WHERE mutation_id = ?""",
                    [result.status.value, result.version, result.message, settled_at, str(result.mutation_id)],
                )
                if result.status is MutationStatus.APPLIED and op == "delete":
                    self._acknowledge_delete(kind, record_id, result.version)
                elif result.status is MutationStatus.APPLIED:
                    self._acknowledge(kind, record_id, result.version)
                else:
                    home = self.db.execute(
                        "SELECT home_id FROM records WHERE kind = ? AND id = ?", [kind, record_id]
                    ).fetchone()
                    self.db.execute(
                        """INSERT INTO sync_log (at, kind, record_id, status, message, home_id)
                           VALUES (?, ?, ?, ?, ?, ?)""",
                        [settled_at, kind, record_id, result.status.value, result.message or result.status.value,
                         home[0] if home else (result.current.home_id if result.current else None)],
                    )
                    if result.status is MutationStatus.CONFLICT and kind_of(kind).conflict_rule is ConflictRule.KEEP_BOTH:
                        self._keep_losing_version(kind, record_id, settled_at)
                    if result.current is not None:
                        self._store_server_copy(result.current)
                    self._reset_if_settled(kind, record_id)

    def _keep_losing_version(self, kind: str, record_id: str, at: str) -> None:
        row = self.db.execute(
            "SELECT home_id, data FROM records WHERE kind = ? AND id = ? AND deleted = 0", [kind, record_id]
        ).fetchone()
        if row is None:
            return
        # One copy per record: the device's latest version (it already holds any earlier edit).
        self.db.execute("DELETE FROM conflict_copies WHERE kind = ? AND record_id = ?", [kind, record_id])
        self.db.execute(
            "INSERT INTO conflict_copies (kind, record_id, home_id, data, at) VALUES (?, ?, ?, ?, ?)",
            [kind, record_id, row[0], row[1], at],
        )

    def conflict_copies(self, home_id: str | None = None) -> list[ConflictCopy]:
        """Versions that lost a conflict on this device, waiting for a person to choose."""
        sql, params = "SELECT id, kind, record_id, home_id, data, at FROM conflict_copies", []
        if home_id is not None:
            sql, params = sql + " WHERE home_id = ?", [home_id]
        with self._lock:
            rows = self.db.execute(sql + " ORDER BY id", params).fetchall()
        return [ConflictCopy(r[0], r[1], r[2], r[3], self._decode(r[1], r[2], r[4]), r[5]) for r in rows]

    def resolve_conflict(self, copy_id: int, *, keep_mine: bool) -> str | None:
        """Keep the server's version (drop the copy) or this device's (save it again, on the server's version)."""
        copy = next((c for c in self.conflict_copies() if c.id == copy_id), None)
        if copy is None:
            raise KeyError(f"no conflict copy {copy_id}")
        mutation_id = None
        with self._lock, self.db.atomic():
            if keep_mine:
                model = kind_of(copy.kind).model.model_validate(copy.mine)
                [mutation_id] = self.save_together([(copy.kind, model)])
            self.db.execute("DELETE FROM conflict_copies WHERE id = ?", [copy_id])
        return mutation_id

    def _has_pending(self, kind: str, record_id: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM outbox WHERE kind = ? AND record_id = ? AND status = 'pending' LIMIT 1",
                [kind, record_id],
            ).fetchone()
            is not None
        )

    def _acknowledge(self, kind: str, record_id: str, version: int | None) -> None:
        # The server now holds what this device sent: the device's later edits
        # of the record build on that version.
        self.db.execute(
            "UPDATE records SET base_version = ? WHERE kind = ? AND id = ? AND (base_version IS NULL OR base_version < ?)",
            [version, kind, record_id, version],
        )
        if not self._has_pending(kind, record_id):
            self.db.execute(
                """UPDATE records SET server_data = data, server_version = ?
                   WHERE kind = ? AND id = ? AND (server_version IS NULL OR server_version < ?)""",
                [version, kind, record_id, version],
            )

    def _acknowledge_delete(self, kind: str, record_id: str, version: int | None) -> None:
        if version is not None:
            self.db.execute(
                """UPDATE records SET base_version = ?, server_data = NULL, server_version = ?
                   WHERE kind = ? AND id = ? AND (server_version IS NULL OR server_version < ?)""",
                [version, version, kind, record_id, version],
            )
        else:  # it was already gone on the server
            self.db.execute("UPDATE records SET server_data = NULL WHERE kind = ? AND id = ?", [kind, record_id])
        self._reset_if_settled(kind, record_id)

    # A tombstone is kept on the device as a hidden row holding the delete's
    # version, so that re-creating the record later builds on the delete.
    # The server copy only (the record may have pending local edits):
    _TOMBSTONE_SERVER_COPY = """
        INSERT INTO records (kind, id, home_id, data, base_version, server_data, server_version, deleted)
        VALUES (?, ?, ?, '{}', ?, NULL, ?, 1)
        ON CONFLICT(kind, id) DO UPDATE SET server_data = NULL, server_version = excluded.server_version
        WHERE records.server_version IS NULL OR records.server_version <= excluded.server_version
    """
    # Nothing pending: the record is hidden too.
    _TOMBSTONE_SETTLED = """
        INSERT INTO records (kind, id, home_id, data, base_version, server_data, server_version, deleted)
        VALUES (?, ?, ?, '{}', ?, NULL, ?, 1)
        ON CONFLICT(kind, id) DO UPDATE SET server_data = NULL, server_version = excluded.server_version,
            base_version = excluded.base_version, deleted = 1
        WHERE records.server_version IS NULL OR records.server_version <= excluded.server_version
    """

    def _store_server_copy(self, record: Record) -> None:
        if record.deleted:
            self.db.execute(self._TOMBSTONE_SERVER_COPY,
                            [record.kind, record.id, record.home_id, record.version, record.version])
            return
        self.db.execute(
            """
            INSERT INTO records (kind, id, home_id, data, base_version, server_data, server_version)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(kind, id) DO UPDATE SET server_data = excluded.server_data,
                server_version = excluded.server_version, home_id = excluded.home_id
            WHERE records.server_version IS NULL OR records.server_version <= excluded.server_version
            """,
            [record.kind, record.id, record.home_id, self._encode(record.kind, record.id, record.data), record.version,
             self._encode(record.kind, record.id, record.data), record.version],
        )

    def _reset_if_settled(self, kind: str, record_id: str) -> None:
        """With nothing pending, show the server's copy (or nothing: a hidden tombstone, or no row at all)."""
        if self._has_pending(kind, record_id):
            return
        row = self.db.execute(
            "SELECT server_data, server_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
        ).fetchone()
        if row is None:
            return
        if row[0] is None and row[1] is None:  # never on the server
            self.db.execute("DELETE FROM records WHERE kind = ? AND id = ?", [kind, record_id])
        elif row[0] is None:  # deleted on the server
            self.db.execute(
                "UPDATE records SET deleted = 1, base_version = server_version WHERE kind = ? AND id = ?",
                [kind, record_id],
            )
        else:
            self.db.execute(
                """UPDATE records SET data = server_data, base_version = server_version, deleted = 0
                   WHERE kind = ? AND id = ?""",
                [kind, record_id],
            )

    def apply_pull_page(self, changes: Sequence[Record], cursor: int, server_time: datetime | None = None) -> None:
        """Store one page of server changes and its cursor together.

        Records with pending local edits keep showing those edits; the server
        copy is kept beside them until the edits settle. The rest (nearly all,
        in a first sync) are written in bulk.
        """
        with self._lock, self.db.atomic():
            pending = {tuple(row) for row in self.db.execute(
                "SELECT DISTINCT kind, record_id FROM outbox WHERE status = 'pending'").fetchall()}
            puts, deletes = [], []
            for record in changes:
                if (record.kind, record.id) in pending:
                    self._store_server_copy(record)
                    self._reset_if_settled(record.kind, record.id)
                elif record.deleted:
                    deletes.append((record.kind, record.id, record.home_id, record.version, record.version))
                else:
                    data = self._encode(record.kind, record.id, record.data)
                    puts.append((record.kind, record.id, record.home_id, data, record.version, data, record.version))
            self.db.conn.executemany(
                """
                INSERT INTO records (kind, id, home_id, data, base_version, server_data, server_version)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(kind, id) DO UPDATE SET home_id = excluded.home_id, data = excluded.data,
                    base_version = excluded.base_version, server_data = excluded.server_data,
                    server_version = excluded.server_version, deleted = 0
                WHERE records.server_version IS NULL OR records.server_version <= excluded.server_version
                """,
                puts,
            )
            self.db.conn.executemany(self._TOMBSTONE_SETTLED, deletes)
            self._set_meta("pull_cursor", str(cursor))
            if server_time is not None:
                offset = (server_time - self._now()).total_seconds()
                self._set_meta("clock_offset_seconds", f"{offset:.3f}")

    def wipe_account_data(self) -> None:
        """Remove everything the signed-in account brought onto this device (sign-out). The device id stays."""
        with self._lock, self.db.atomic():
            for table in ("records", "outbox", "sync_log", "conflict_copies"):
                self.db.execute(f"DELETE FROM {table}")
            for key in ("account", "pull_cursor", "clock_offset_seconds"):
                self._set_meta(key, None)
        with self._lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nothing left behind in the write-ahead log
        # Documents made on the device (transfer packs, readiness summaries) hold personal data too.
        shutil.rmtree(self.path.parent / REPORTS_DIR, ignore_errors=True)

    def reset_for_resync(self) -> None:
        """The server forgot deletes this device missed: drop every server copy, keep unsent edits, pull from 0."""
        with self._lock, self.db.atomic():
            self.db.execute(
                """DELETE FROM records WHERE NOT EXISTS (
                       SELECT 1 FROM outbox o WHERE o.kind = records.kind AND o.record_id = records.id
                       AND o.status = 'pending')"""
            )
            self.db.execute("UPDATE records SET server_data = NULL, server_version = NULL")
            self._set_meta("pull_cursor", None)


def open_store(data_dir: Path, *, now=_utc_now, cipher: DataCipher | None = None) -> LocalStore:
    data_dir.mkdir(parents=True, exist_ok=True)
    return LocalStore(data_dir / DB_FILENAME, now=now, cipher=cipher)
