"""LocalStore: what the app's screens read and write on the device.

Records, the outbox, meta, the sync log and the documents made on the
device (``documents``). Each save writes the visible record and its outbox
entry in one transaction, so a change the user saw
saved is either wholly there or not at all, whatever happens to the process.
What the sync engine does with the server's answers lives beside it, in
client/store/sync_applier.py, on the same database.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from client.crypto import UnreadableData
from client.store.codec import RecordCodec
from client.store.device_db import DeviceDatabase, utc_now
from client.store.documents import DocumentShelf
from protocol import ConflictRule, kind_of

log = logging.getLogger(__name__)


class ServerOnlyKind(ValueError):
    """A kind only the central API writes (the CQC directory): a device never saves or queues it."""


class SignedOut(RuntimeError):
    """The account signed out on this device (web mode: maybe in another tab): nothing more is saved for it."""


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
    """This device's version of a record that lost a conflict (the record itself shows the server's)."""

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


class LocalStore:
    def __init__(self, database: DeviceDatabase, codec: RecordCodec, documents: DocumentShelf, *,
                 now: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._codec = codec
        self.documents = documents  # transfer packs and FHIR bundles, sealed with the records' key
        self._now = now
        self._signed_out = False  # set by a sign-out's wipe, until the next sign-in
        self.db = database.db  # for inspection (tests); the store's own work goes through its methods

    @property
    def path(self) -> Path:
        return self._database.path

    @property
    def device_id(self) -> str:
        return self._database.device_id

    def close(self) -> None:
        self._database.close()

    # -- meta -----------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        return self._database.get_meta(key)

    def set_meta(self, key: str, value: str | None) -> None:
        self._database.set_meta(key, value)
        if key == "account" and value is not None:
            self._signed_out = False

    # -- local saves ------------------------------------------------------------

    def save(self, kind: str, models: Sequence[BaseModel]) -> list[str]:
        """Store edited records of one kind and queue them for the server, atomically."""
        return self.save_together([(kind, model) for model in models])

    def save_together(self, edits: Sequence[tuple[str, BaseModel]]) -> list[str]:
        """Store edited records (of any kinds) and queue them for the server, in one transaction.

        Returns the mutation ids. Raises ServerOnlyKind (a ValueError) for a kind devices may not
        write, TypeError for a model of the wrong kind, and SignedOut after a sign-out (a stale
        screen's save), before anything is written.
        """
        self._refuse_if_signed_out()
        for kind, model in edits:
            spec = kind_of(kind)
            if spec.conflict_rule is ConflictRule.SERVER_ONLY:
                raise ServerOnlyKind(f"{kind} records are written only by the central API, never on a device")
            if not isinstance(model, spec.model):
                raise TypeError(f"{kind} expects {spec.model.__name__}, got {type(model).__name__}")
        client_time = self._now().isoformat()
        save_id = str(uuid.uuid4())  # the records of one save are counted as one change
        mutation_ids = []
        with self._database.transaction() as db:
            for kind, model in edits:
                spec = kind_of(kind)
                record_id = spec.record_id(model)
                encoded = self._codec.encode(kind, record_id, model.model_dump(mode="json"))
                row = db.execute(
                    "SELECT base_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
                ).fetchone()
                base_version = row[0] if row else None
                db.execute(
                    """
                    INSERT INTO records (kind, id, home_id, data, base_version, local_updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, deleted = 0,
                        local_updated_at = excluded.local_updated_at
                    """,
                    [kind, record_id, spec.home_id(model), encoded, base_version, client_time],
                )
                mutation_id = str(uuid.uuid4())
                db.execute(
                    """
                    INSERT INTO outbox (mutation_id, kind, record_id, base_version, data, client_time, save_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [mutation_id, kind, record_id, base_version, encoded, client_time, save_id],
                )
                mutation_ids.append(mutation_id)
        return mutation_ids

    def delete(self, kind: str, record_id: str) -> str:
        """Delete a record on this device and queue the delete, atomically. Returns the mutation id."""
        self._refuse_if_signed_out()
        spec = kind_of(kind)
        if not spec.devices_may_delete:
            raise ValueError(f"{kind} records cannot be deleted from a device")
        client_time = self._now().isoformat()
        mutation_id = str(uuid.uuid4())
        with self._database.transaction() as db:
            row = db.execute(
                "SELECT base_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
            ).fetchone()
            if row is None:
                raise KeyError(f"no {kind} record {record_id!r} on this device")
            db.execute(
                "UPDATE records SET deleted = 1, local_updated_at = ? WHERE kind = ? AND id = ?",
                [client_time, kind, record_id],
            )
            db.execute(
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
        with self._database.lock:
            rows = self.db.execute(sql + " ORDER BY r.id", params).fetchall()
        found = []
        for r in rows:
            try:
                data = self._codec.decode(r[0], r[1], r[3])
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
        return self._database.pending_count()

    def pending_saves(self) -> int:
        """Changes waiting as people count them: one save is one change, however many records it wrote."""
        return self._database.pending_saves()

    def clock_measured(self) -> bool:
        """Whether this device has measured its clock against the central API's (after its first sync)."""
        return self.get_meta("clock_offset_seconds") is not None

    def sync_log(self, limit: int = 50, *, home_id: str | None = None, unseen: bool = False) -> list[SyncLogEntry]:
        """Conflicts and rejections, newest first."""
        sql = "SELECT id, at, kind, record_id, status, message FROM sync_log WHERE 1 = 1"
        params: list[Any] = []
        if home_id is not None:
            sql += " AND home_id = ?"
            params.append(home_id)
        if unseen:
            sql += " AND seen = 0"
        with self._database.lock:
            rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [SyncLogEntry(r[0], r[1], r[2], r[3], r[4], self._readable_note(r[2], r[3], r[5])) for r in rows]

    def _readable_note(self, kind: str, record_id: str, text: str) -> str:
        try:
            return self._codec.decode_note(kind, record_id, text)
        except UnreadableData:  # another key's, or written in plain text by an older version: never shown
            return "The details cannot be shown on this device"

    def mark_log_seen(self, entry_ids: Iterable[int]) -> None:
        with self._database.transaction() as db:
            for entry_id in entry_ids:
                db.execute("UPDATE sync_log SET seen = 1 WHERE id = ?", [entry_id])

    def clock_offset(self) -> timedelta:
        """Server clock minus this device's clock, as last measured: ages shown never trust the device clock."""
        return timedelta(seconds=float(self.get_meta("clock_offset_seconds") or 0))

    def server_now(self) -> datetime:
        return self._now() + self.clock_offset()

    # -- conflict copies: a person chooses ---------------------------------------------

    def conflict_copies(self, home_id: str | None = None) -> list[ConflictCopy]:
        """Versions that lost a conflict on this device, waiting for a person to choose."""
        sql, params = "SELECT id, kind, record_id, home_id, data, at FROM conflict_copies", []
        if home_id is not None:
            sql, params = sql + " WHERE home_id = ?", [home_id]
        with self._database.lock:
            rows = self.db.execute(sql + " ORDER BY id", params).fetchall()
        copies = []
        for r in rows:
            try:
                copies.append(ConflictCopy(r[0], r[1], r[2], r[3], self._codec.decode(r[1], r[2], r[4]), r[5]))
            except UnreadableData:  # sealed with a key the key store lost: nothing a person could choose
                log.warning("a %s conflict copy cannot be read with this device's key; it is left out", r[1])
        return copies

    def resolve_conflict(self, copy_id: int, *, keep_mine: bool) -> str | None:
        """Keep the server's version (drop the copy) or this device's (save it again, on the server's version).

        Returns the mutation id when this device's version is queued again.
        """
        copy = next((c for c in self.conflict_copies() if c.id == copy_id), None)
        if copy is None:
            raise KeyError(f"no conflict copy {copy_id}")
        mutation_id = None
        with self._database.transaction() as db:
            if keep_mine:
                model = kind_of(copy.kind).model.model_validate(copy.mine)
                [mutation_id] = self.save_together([(copy.kind, model)])
            db.execute("DELETE FROM conflict_copies WHERE id = ?", [copy_id])
        return mutation_id

    # -- sign-out ---------------------------------------------------------------------

    def _refuse_if_signed_out(self) -> None:
        if self._signed_out:
            raise SignedOut("Signed out: sign in again to make changes")

    def wipe_account_data(self) -> None:
        """Remove everything the signed-in account brought onto this device (sign-out): its records, sync
        log, conflict copies and documents. The device id stays."""
        self.documents.remove_all()
        self._signed_out = True
        with self._database.transaction() as db:
            for table in ("records", "outbox", "sync_log", "conflict_copies"):
                db.execute(f"DELETE FROM {table}")
            # home_history: a home's vacancy history kept for offline (client/state/home_history.py).
            for key in ("account", "pull_cursor", "clock_offset_seconds", "home_history"):
                self._database.write_meta(key, None)
        with self._database.lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nothing left behind in the write-ahead log

    # -- the area view: every home's records at once (read-only) -------------------------------

    def change_count(self) -> int:
        """Rows this database connection has changed since it opened (any table; cheap, no query)."""
        with self._database.lock:
            return self.db.conn.total_changes

    def records_marker(self) -> tuple[int, int, str]:
        """(rows, highest base version, latest local save): what a cache of the records compares.

        Server versions only grow, so a pulled, settled or tombstoned record raises the highest base version; a
        local save or delete moves the latest local time; rows only go (fewer rows) at a sign-out or a resync.
        """
        with self._database.lock:
            count, top_version, latest_local = self.db.execute(
                "SELECT count(*), coalesce(max(base_version), 0), coalesce(max(local_updated_at), '')"
                " FROM records").fetchone()
        return count, top_version, latest_local

    def home_ids_changed_since(self, top_version: int, latest_local: str) -> set[str]:
        """Homes with a record pulled, settled or saved here after that marker (see ``records_marker``)."""
        with self._database.lock:
            rows = self.db.execute("SELECT DISTINCT home_id FROM records WHERE base_version > ?"
                                   " OR coalesce(local_updated_at, '') > ?", [top_version, latest_local]).fetchall()
        return {r[0] for r in rows}

    def home_ids_of_kind(self, kind: str) -> list[str]:
        """Homes with a visible record of ``kind`` (e.g. every care home on the device), without reading them."""
        with self._database.lock:
            rows = self.db.execute("SELECT DISTINCT home_id FROM records WHERE kind = ? AND deleted = 0",
                                   [kind]).fetchall()
        return [r[0] for r in rows]

    def home_ids_pending(self) -> set[str]:
        """Homes with changes waiting to be sent (their records may still be reverted by the server's answer)."""
        with self._database.lock:
            rows = self.db.execute(
                "SELECT DISTINCT r.home_id FROM outbox o JOIN records r ON r.kind = o.kind AND r.id = o.record_id"
                " WHERE o.status = 'pending'").fetchall()
        return {r[0] for r in rows}

    def records_of_kinds(self, kinds: Sequence[str], home_ids: Iterable[str] | None = None) -> list[LocalRecord]:
        """Every visible record of ``kinds`` (of ``home_ids``, if given) without a per-row subquery: thousands
        of homes at once."""
        kinds = list(kinds)
        marks = ", ".join("?" for _ in kinds)
        sql = (f"SELECT kind, id, home_id, data, base_version, local_updated_at FROM records"
               f" WHERE deleted = 0 AND kind IN ({marks})")
        batches: list[list[str] | None] = [None]
        if home_ids is not None:
            wanted = sorted(set(home_ids))
            batches = [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
        with self._database.lock:
            rows = []
            for batch in batches:
                if batch is None:
                    rows += self.db.execute(sql, kinds).fetchall()
                else:
                    rows += self.db.execute(sql + f" AND home_id IN ({', '.join('?' for _ in batch)})",
                                            [*kinds, *batch]).fetchall()
            pending = set(self.db.execute(
                f"SELECT kind, record_id FROM outbox WHERE status = 'pending' AND kind IN ({marks})", kinds).fetchall())
        found = []
        for r in rows:
            try:
                data = self._codec.decode(r[0], r[1], r[3])
            except UnreadableData:
                continue
            found.append(LocalRecord(kind=r[0], id=r[1], home_id=r[2], data=data, base_version=r[4],
                                     local_updated_at=r[5], pending=(r[0], r[1]) in pending))
        return found
