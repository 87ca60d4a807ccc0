"""What the sync status panel says: where changes are, the last good sync, and what was refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from client.store import SyncLogEntry
from client.sync import SyncState, SyncStatus

STATE_TEXT = {
    SyncState.IDLE: "Connected",
    SyncState.SYNCING: "Sending and receiving...",
    SyncState.OFFLINE: "Offline - retrying by itself",
    SyncState.SIGNED_OUT: "Signed out - sign in again to send",
    SyncState.UPGRADE_REQUIRED: "This app needs an update",
    SyncState.ERROR: "Sync problem - retrying by itself",
}


@dataclass(frozen=True)
class SyncDetails:
    state: str
    pending: str
    last_success: str
    problem: str | None
    log: list[str]


def sync_details(status: SyncStatus, log: list[SyncLogEntry]) -> SyncDetails:
    last = status.last_success_at
    return SyncDetails(
        state=STATE_TEXT[status.state],
        pending=f"{status.pending} change{'s' if status.pending != 1 else ''} waiting to send",
        last_success=f"Last successful sync {_when(last)}" if last else "Not synced since the app started",
        problem=status.message,
        log=[f"{_when(datetime.fromisoformat(e.at))}: {e.status} - {e.message}" for e in log],
    )


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %H:%M")
