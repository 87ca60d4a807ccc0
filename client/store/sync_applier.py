"""SyncApplier: what the sync engine does with the device database.

It hands the engine the outbox in order, records the server's answers
(settle), stores pulled pages with their cursor, keeps tombstones and the
losing side of a keep-both conflict, and starts the pull again when the
server has forgotten deletes. Only the sync engine uses it (the composition
root builds it on the same database as the LocalStore screens use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from client.crypto import UnreadableData
from client.store.codec import RecordCodec
from client.store.device_db import DeviceDatabase, utc_now
from client.store.housekeeping import Housekeeping, Tidied
from protocol import ConflictRule, MutationResult, MutationStatus, Record, kind_of
from protocol.pull_page_reader import PulledRecord

# Reject-stale kinds whose losing version is kept too, so the person sees what she entered beside what the
# other device saved and can save hers again with one tap (the bed state screen's notice).
KEEP_LOSING_VERSION = frozenset({"bed_count"})


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


class SyncApplier:
    def __init__(self, database: DeviceDatabase, codec: RecordCodec, *,
                 now: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._codec = codec
        self._now = now
        self._db = database.db
        self.housekeeping = Housekeeping(database, now=now)

    @property
    def device_id(self) -> str:
        return self._database.device_id

    @property
    def pull_cursor(self) -> int:
        return int(self._database.get_meta("pull_cursor") or 0)

    def pending_count(self) -> int:
        return self._database.pending_count()

    def pending_saves(self) -> int:
        return self._database.pending_saves()

    def clock_offset_seconds(self) -> float | None:
        """Server clock minus this device's clock as last measured (None: never measured)."""
        value = self._database.get_meta("clock_offset_seconds")
        return float(value) if value is not None else None

    def set_clock_offset(self, seconds: float) -> None:
        self._database.set_meta("clock_offset_seconds", f"{seconds:.3f}")

    # -- push ---------------------------------------------------------------------

    def pending(self, limit: int) -> list[OutboxEntry]:
        """The next outbox entries to send, oldest first."""
        with self._database.lock:
            rows = self._db.execute(
                """SELECT seq, mutation_id, kind, record_id, base_version, data, client_time, op
                   FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?""",
                [limit],
            ).fetchall()
        entries, unreadable = [], []
        for r in rows:
            try:
                entries.append(OutboxEntry(r[0], r[1], r[2], r[3], r[4], self._codec.decode(r[2], r[3], r[5]),
                                           r[6], r[7]))
            except UnreadableData:
                unreadable.append(r[1])
        if unreadable:  # sealed with a key the key store lost: it can never be sent, and must not block the rest
            with self._database.transaction() as db:
                for mutation_id in unreadable:
                    db.execute(
                        "UPDATE outbox SET status = 'rejected', result_message = ? WHERE mutation_id = ?",
                        ["Could not be read on this device any more (its key was lost)", mutation_id])
        return entries

    def settle(self, results: Iterable[MutationResult]) -> None:
        """Record the server's answers to pushed mutations, in one transaction."""
        settled_at = self._now().isoformat()
        with self._database.transaction() as db:
            for result in results:
                row = db.execute(
                    "SELECT kind, record_id, status, op FROM outbox WHERE mutation_id = ?", [str(result.mutation_id)]
                ).fetchone()
                if row is None or row[2] != "pending":
                    continue  # an answer we already recorded (a retried batch)
                kind, record_id, _, op = row
                # The server's words may name the resident ("Margaret Smith: ..."): sealed like the record.
                db.execute(
                    """UPDATE outbox SET status = ?, result_version = ?, result_message = ?, settled_at = ?
                       WHERE mutation_id = ?""",
                    [result.status.value, result.version, self._codec.encode_note(kind, record_id, result.message),
                     settled_at, str(result.mutation_id)],
                )
                if result.status is MutationStatus.APPLIED and op == "delete":
                    self._acknowledge_delete(kind, record_id, result.version)
                elif result.status is MutationStatus.APPLIED:
                    self._acknowledge(kind, record_id, result.version)
                else:
                    home = db.execute(
                        "SELECT home_id FROM records WHERE kind = ? AND id = ?", [kind, record_id]
                    ).fetchone()
                    db.execute(
                        """INSERT INTO sync_log (at, kind, record_id, status, message, home_id)
                           VALUES (?, ?, ?, ?, ?, ?)""",
                        [settled_at, kind, record_id, result.status.value,
                         self._codec.encode_note(kind, record_id, result.message or result.status.value),
                         home[0] if home else (result.current.home_id if result.current else None)],
                    )
                    if result.status is MutationStatus.CONFLICT and (
                            kind_of(kind).conflict_rule is ConflictRule.KEEP_BOTH or kind in KEEP_LOSING_VERSION):
                        self._keep_losing_version(kind, record_id, settled_at)
                    if result.current is not None:
                        self._store_server_copy(result.current)
                    self._reset_if_settled(kind, record_id)

    def _keep_losing_version(self, kind: str, record_id: str, at: str) -> None:
        row = self._db.execute(
            "SELECT home_id, data FROM records WHERE kind = ? AND id = ? AND deleted = 0", [kind, record_id]
        ).fetchone()
        if row is None:
            return
        # One copy per record: the device's latest version (it already holds any earlier edit).
        self._db.execute("DELETE FROM conflict_copies WHERE kind = ? AND record_id = ?", [kind, record_id])
        self._db.execute(
            "INSERT INTO conflict_copies (kind, record_id, home_id, data, at) VALUES (?, ?, ?, ?, ?)",
            [kind, record_id, row[0], row[1], at],
        )

    def _has_pending(self, kind: str, record_id: str) -> bool:
        return (
            self._db.execute(
                "SELECT 1 FROM outbox WHERE kind = ? AND record_id = ? AND status = 'pending' LIMIT 1",
                [kind, record_id],
            ).fetchone()
            is not None
        )

    def _acknowledge(self, kind: str, record_id: str, version: int | None) -> None:
        # The server now holds what this device sent: the device's later edits
        # of the record build on that version.
        self._db.execute(
            "UPDATE records SET base_version = ? WHERE kind = ? AND id = ? AND (base_version IS NULL OR base_version < ?)",
            [version, kind, record_id, version],
        )
        if not self._has_pending(kind, record_id):
            self._db.execute(
                """UPDATE records SET server_data = data, server_version = ?
                   WHERE kind = ? AND id = ? AND (server_version IS NULL OR server_version < ?)""",
                [version, kind, record_id, version],
            )

    def _acknowledge_delete(self, kind: str, record_id: str, version: int | None) -> None:
        if version is not None:
            self._db.execute(
                """UPDATE records SET base_version = ?, server_data = NULL, server_version = ?
                   WHERE kind = ? AND id = ? AND (server_version IS NULL OR server_version < ?)""",
                [version, version, kind, record_id, version],
            )
        else:  # it was already gone on the server
            self._db.execute("UPDATE records SET server_data = NULL WHERE kind = ? AND id = ?", [kind, record_id])
        self._reset_if_settled(kind, record_id)

    def _store_server_copy(self, record: Record) -> None:
        if record.deleted:
            self._db.execute(_TOMBSTONE_SERVER_COPY,
                            [record.kind, record.id, record.home_id, record.version, record.version])
            return
        encoded = self._codec.encode(record.kind, record.id, record.data)
        self._db.execute(
            """
            INSERT INTO records (kind, id, home_id, data, base_version, server_data, server_version)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(kind, id) DO UPDATE SET server_data = excluded.server_data,
                server_version = excluded.server_version, home_id = excluded.home_id
            WHERE records.server_version IS NULL OR records.server_version <= excluded.server_version
            """,
            [record.kind, record.id, record.home_id, encoded, record.version, encoded, record.version],
        )

    def _reset_if_settled(self, kind: str, record_id: str) -> None:
        """With nothing pending, show the server's copy (or nothing: a hidden tombstone, or no row at all)."""
        if self._has_pending(kind, record_id):
            return
        row = self._db.execute(
            "SELECT server_data, server_version FROM records WHERE kind = ? AND id = ?", [kind, record_id]
        ).fetchone()
        if row is None:
            return
        if row[0] is None and row[1] is None:  # never on the server
            self._db.execute("DELETE FROM records WHERE kind = ? AND id = ?", [kind, record_id])
        elif row[0] is None:  # deleted on the server
            self._db.execute(
                "UPDATE records SET deleted = 1, base_version = server_version WHERE kind = ? AND id = ?",
                [kind, record_id],
            )
        else:
            self._db.execute(
                """UPDATE records SET data = server_data, base_version = server_version, deleted = 0
                   WHERE kind = ? AND id = ?""",
                [kind, record_id],
            )

    # -- pull ---------------------------------------------------------------------

    def apply_pull_page(self, changes: Sequence[Record] | Sequence[PulledRecord], cursor: int,
                        server_time: datetime | None = None) -> None:
        """Store one page of server changes and its cursor together.

        Records with pending local edits keep showing those edits; the server
        copy is kept beside them until the edits settle. The rest (nearly all,
        in a first sync) are written in bulk.
        """
        with self._database.lock, self._pulled_pages_durability():
            self._store_pull_page(changes, cursor, server_time)

    @contextmanager
    def _pulled_pages_durability(self) -> Iterator[None]:
        """A pulled page is committed without waiting for the disk (WAL, synchronous=NORMAL); saves keep FULL.

        A page lost to a power cut is lost with its cursor (one transaction), so the next pull fetches it
        again: nothing the server has is ever lost by this, and a first sync of 45 pages waits for the disk
        once at the next save, not 45 times. The caller holds the database lock: no save runs meanwhile.
        """
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self._db.execute("PRAGMA synchronous=FULL")

    def _store_pull_page(self, changes, cursor: int, server_time: datetime | None) -> None:
        with self._database.transaction() as db:
            pending = {tuple(row) for row in db.execute(
                "SELECT DISTINCT kind, record_id FROM outbox WHERE status = 'pending'").fetchall()}
            puts, deletes = [], []
            for record in changes:
                if (record.kind, record.id) in pending:
                    self._store_server_copy(record)
                    self._reset_if_settled(record.kind, record.id)
                elif record.deleted:
                    deletes.append((record.kind, record.id, record.home_id, record.version, record.version))
                else:
                    data = self._codec.encode(record.kind, record.id, record.data)
                    puts.append((record.kind, record.id, record.home_id, data, record.version, data, record.version))
            db.conn.executemany(
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
            db.conn.executemany(_TOMBSTONE_SETTLED, deletes)
            self._database.write_meta("pull_cursor", str(cursor))
            if server_time is not None:
                offset = (server_time - self._now()).total_seconds()
                self._database.write_meta("clock_offset_seconds", f"{offset:.3f}")

    def reset_for_resync(self) -> None:
        """The server forgot deletes this device missed: drop every server copy, keep unsent edits, pull from 0."""
        with self._database.transaction() as db:
            db.execute(
                """DELETE FROM records WHERE NOT EXISTS (
                       SELECT 1 FROM outbox o WHERE o.kind = records.kind AND o.record_id = records.id
                       AND o.status = 'pending')"""
            )
            db.execute("UPDATE records SET server_data = NULL, server_version = NULL")
            self._database.write_meta("pull_cursor", None)

    # -- housekeeping -----------------------------------------------------------------

    def tidy_if_due(self) -> Tidied | None:
        """Drop what the device no longer needs (client/store/housekeeping.py), at most once a day."""
        return self.housekeeping.tidy_if_due()
