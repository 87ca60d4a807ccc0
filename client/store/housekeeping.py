"""Housekeeping: what the device database no longer needs goes, so a device used every day for years stays small.

Without it a manager's device grows with every save: each save leaves its outbox rows (the server's answer
recorded beside them) for ever, every deleted record leaves a hidden tombstone row, every conflict a sync
log line, and every alert its copy long after it expired. What goes, and why it is safe:

- **Settled outbox entries** (the server answered: applied, conflict or rejected) a week after their answer.
  Nothing reads them once settled (screens show the sync log and conflict copies); the week is for a person
  diagnosing a device. Pending entries are never touched: they are changes still to send.
- **Sync log lines** a person has seen, after 30 days; and on any home, all but its newest 200 (screens show
  at most 50 unseen and the newest 5).
- **Tombstones** (hidden rows of deleted records, kept so a record created again builds on the delete) once
  settled (nothing pending for the record) and 60 days after housekeeping first saw them: twice the central
  API's default tombstone retention (30 days), after which the server has forgotten the delete too, so
  creating the record again is a plain create (docs/sync.md, Deletes and tombstones). A tombstone dropped
  early costs at most a conflict notice on re-creation, never data.
- **Expired alerts** (their ``expires_at`` 30 days past on the server's clock as this device knows it) and
  their receipts, unless a receipt is still to be sent. The alerts screen hides expired ones already; the
  central API cannot remind an expired alert, so no later version comes.

It runs after a successful sync round at most once a day (``tidy_if_due``; the sync engine calls it), in
one transaction, on the clock the store was opened with (tests pass a simulated one); then it checkpoints the
write-ahead log and cuts it to nothing, so the files on disk are the data and little more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from client.store.device_db import DeviceDatabase, utc_now

LAST_TIDY_META = "housekeeping_at"  # when housekeeping last ran (device clock, ISO)


@dataclass(frozen=True)
class HousekeepingRules:
    settled_outbox_kept: timedelta = timedelta(days=7)
    seen_log_kept: timedelta = timedelta(days=30)
    log_lines_per_home: int = 200
    tombstones_kept: timedelta = timedelta(days=60)  # twice the central API's default retention
    expired_alerts_kept: timedelta = timedelta(days=30)
    every: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class Tidied:
    """Rows removed by one run."""

    outbox: int = 0
    sync_log: int = 0
    tombstones: int = 0
    alerts: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.sync_log + self.tombstones + self.alerts


_NOTHING_PENDING = """NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = records.kind AND o.record_id = records.id
                                   AND o.status = 'pending')"""


class Housekeeping:
    def __init__(self, database: DeviceDatabase, *, now: Callable[[], datetime] = utc_now,
                 rules: HousekeepingRules = HousekeepingRules()) -> None:
        self._database = database
        self._now = now
        self.rules = rules

    def due(self) -> bool:
        last = self._database.get_meta(LAST_TIDY_META)
        return last is None or self._now() - datetime.fromisoformat(last) >= self.rules.every

    def tidy_if_due(self) -> Tidied | None:
        return self.tidy() if self.due() else None

    def tidy(self) -> Tidied:
        """Remove what is no longer needed (see the module's words), in one transaction."""
        now, rules = self._now(), self.rules
        with self._database.transaction() as db:
            outbox = db.execute(
                "DELETE FROM outbox WHERE status != 'pending' AND coalesce(settled_at, client_time) < ?",
                [(now - rules.settled_outbox_kept).isoformat()]).rowcount
            log_lines = db.execute("DELETE FROM sync_log WHERE seen = 1 AND at < ?",
                                   [(now - rules.seen_log_kept).isoformat()]).rowcount
            log_lines += db.execute(
                """DELETE FROM sync_log WHERE id IN (
                       SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY home_id ORDER BY id DESC) AS n
                                       FROM sync_log) WHERE n > ?)""", [rules.log_lines_per_home]).rowcount
            tombstones = self._tombstones(db, now)
            alerts = self._expired_alerts(db, now)
            self._database.write_meta(LAST_TIDY_META, now.isoformat())
        with self._database.lock:  # what was written since the last checkpoint into the file; the log cut to nothing
            self._database.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Tidied(outbox, log_lines, tombstones, alerts)

    def _tombstones(self, db, now: datetime) -> int:
        # A record created again since is no tombstone: its stamp goes, so a later delete counts afresh.
        db.execute("UPDATE records SET tombstone_seen_at = NULL WHERE deleted = 0 AND tombstone_seen_at IS NOT NULL")
        db.execute("UPDATE records SET tombstone_seen_at = ? WHERE deleted = 1 AND tombstone_seen_at IS NULL",
                   [now.isoformat()])
        return db.execute(
            f"DELETE FROM records WHERE deleted = 1 AND tombstone_seen_at < ? AND {_NOTHING_PENDING}",
            [(now - self.rules.tombstones_kept).isoformat()]).rowcount

    def _expired_alerts(self, db, now: datetime) -> int:
        offset = float(self._database.get_meta("clock_offset_seconds") or 0)
        cutoff = now + timedelta(seconds=offset) - self.rules.expired_alerts_kept
        # Alerts are not sealed (not personal data): their expiry is read in SQL. Times compare as instants.
        expired = [row[0] for row in db.execute(
            "SELECT id FROM records WHERE kind = 'alert' AND deleted = 0"
            " AND julianday(json_extract(data, '$.expires_at')) < julianday(?)", [cutoff.isoformat()]).fetchall()]
        removed = 0
        for start in range(0, len(expired), 500):
            batch = expired[start:start + 500]
            marks = ", ".join("?" for _ in batch)
            removed += db.execute(
                f"DELETE FROM records WHERE kind IN ('alert', 'alert_ack') AND id IN ({marks}) AND {_NOTHING_PENDING}",
                batch).rowcount
        return removed
