"""Where a person's changes are, in true words: the status line, its look, and the sync details panel.

Every time shown here is on one clock: the server's as this device measured it (client/sync/clock.py), shown
in UK local time. So "Last confirmed", "Sent" and "Waiting for the network since" agree, whatever the device's
own clock says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from client.store import SyncLogEntry
from client.sync import SyncState, SyncStatus
from domain.uk_time import uk_day_and_time, uk_day_clock

STATE_TEXT = {
    SyncState.IDLE: "Connected",
    SyncState.SYNCING: "Sending and receiving...",
    SyncState.OFFLINE: "Offline - retrying by itself",
    SyncState.SIGNED_OUT: "Signed out - sign in again to send",
    SyncState.UPGRADE_REQUIRED: "This app needs an update",
    SyncState.ERROR: "Sync problem - retrying by itself",
}


def changes(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def sync_line(status: SyncStatus, now: datetime) -> str:
    """The status line under the Save button: where the person's changes are, and since when.

    ``now`` is on the same clock as the status's times (the server's, as this device knows it).
    """
    if status.state is SyncState.UPGRADE_REQUIRED:
        kept = f" ({changes(status.pending)} kept on this device)" if status.pending else ""
        return f"Please update this app: the central API no longer accepts this version{kept}"
    if status.state is SyncState.SYNCING and status.expected > status.received:
        return f"Receiving {status.received:,} of {status.expected:,} changes..."
    waiting = f"({changes(status.pending)} waiting)"
    if status.state in (SyncState.OFFLINE, SyncState.ERROR):
        since = f" since {uk_day_clock(status.waiting_since, now)}" if status.waiting_since else ""
        if status.pending:
            return f"Waiting for the network{since} - saved on this device {waiting}"
        return f"Waiting for the network{since} - nothing waiting to send"
    if status.state is SyncState.SIGNED_OUT and not status.pending:
        # The server ended the sign-in (a password reset, an expiry): nothing is sent or received any more, so
        # the last "Sent" is history, not the state of things.
        last = f" (last sent {uk_day_clock(status.last_success_at, now)})" if status.last_success_at else ""
        return f"Your sign-in has ended - sign in again to keep this device up to date{last}"
    if status.pending:
        if status.state is SyncState.SIGNED_OUT:
            return f"Saved on this device - sign in again to send {waiting}"
        # Online (or about to be asked): the engine sends within moments; a stall turns this into "waiting".
        return f"Sending now {waiting}"
    if status.last_success_at is not None:
        return f"Sent {uk_day_clock(status.last_success_at, now)}"
    return "Up to date on this device"


class SyncLook(StrEnum):
    """How the status line looks at a glance (an icon and a colour, not only words)."""

    SENT = "sent"
    SENDING = "sending"
    WAITING = "waiting"
    ATTENTION = "attention"  # not applied, signed out, an update needed


def sync_look(status: SyncStatus, not_applied: int = 0) -> SyncLook:
    if not_applied or status.state in (SyncState.SIGNED_OUT, SyncState.UPGRADE_REQUIRED):
        return SyncLook.ATTENTION
    if status.state in (SyncState.OFFLINE, SyncState.ERROR):
        return SyncLook.WAITING
    if status.pending or status.state is SyncState.SYNCING:
        return SyncLook.SENDING
    return SyncLook.SENT


def not_applied_line(count: int) -> str:
    """What the status line says while changes the central API did not apply wait to be seen (never 'Sent')."""
    refused = "it was refused" if count == 1 else "they were refused"
    return f"Not applied: {changes(count)} - another device saved first, or {refused}; see the notice above"


@dataclass(frozen=True)
class SyncDetails:
    state: str
    pending: str
    last_success: str
    problem: str | None
    log: list[str]


def sync_details(status: SyncStatus, log: list[SyncLogEntry], clock_offset: timedelta | None = None) -> SyncDetails:
    """The sync details panel. ``clock_offset`` (server minus device) puts the log's device-clock times on the
    server's clock, like every other time shown."""
    last = status.last_success_at

    def logged(at: str) -> str:
        moment = datetime.fromisoformat(at)
        return _when(moment + clock_offset if clock_offset is not None else moment)

    return SyncDetails(
        state=STATE_TEXT[status.state],
        pending=f"{changes(status.pending)} waiting to send",
        last_success=f"Last successful sync {_when(last)}" if last else "Not synced since the app started",
        problem=status.message,
        log=[f"{logged(e.at)}: {e.status} - {e.message}" for e in log],
    )


def _when(moment: datetime) -> str:
    return uk_day_and_time(moment, year=False)
