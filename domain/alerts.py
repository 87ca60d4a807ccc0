"""Alerts and notices a commissioner sends to care homes, and each home's read receipt and acknowledgement.

An alert is one record per home it was sent to (written only by the central API); the home's staff answer it
with one receipt record per home (``AlertReceipt``): when it was first read, when it was acknowledged and by
whom. The times the sender sees are the central API's clock when each part arrived (``read_recorded_at``,
``acknowledged_recorded_at``), never a device's; ``merge_receipt`` is the rule the server applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from domain.records import USERNAME_PATTERN

ALERT_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"


class Priority(StrEnum):
    INFORMATION = "information"
    ACTION_NEEDED = "action_needed"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return PRIORITY_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for urgent: sorts first."""
        return _PRIORITY_ORDER.index(self)


PRIORITY_LABELS: dict[Priority, str] = {
    Priority.INFORMATION: "Information",
    Priority.ACTION_NEEDED: "Action needed",
    Priority.URGENT: "Urgent",
}
_PRIORITY_ORDER = (Priority.URGENT, Priority.ACTION_NEEDED, Priority.INFORMATION)


class AlertContent(BaseModel):
    """What the sender writes: the same on every home's copy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=120, description="e.g. Norovirus outbreak in Trafford")
    message: str = Field(min_length=1, max_length=4000)
    priority: Priority = Priority.INFORMATION
    link: str | None = Field(default=None, max_length=500, description="An https:// web address for more")
    expires_at: AwareDatetime = Field(description="After this the alert no longer shows on the homes' devices")

    @field_validator("title", "message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("can't be empty")
        return value

    @field_validator("link")
    @classmethod
    def _https_link(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname or " " in value:
            raise ValueError("Link must be a web address starting with https://, e.g. https://www.gov.uk/heatwave")
        return value


def check_expiry(content: AlertContent, now: datetime) -> None:
    """An alert that has expired already would reach no one: ValueError in plain words (the caller's clock)."""
    if content.expires_at <= now:
        raise ValueError("Expiry must be in the future")


class Alert(AlertContent):
    """One home's copy of an alert (kind ``alert``, id ``<alert id>/<home id>``)."""

    alert_id: str = Field(pattern=ALERT_ID_PATTERN)
    home_id: str = Field(min_length=1, max_length=64, description="CQC location ID of the home it was sent to")
    sent_by: str = Field(min_length=1, max_length=200, description="Who sent it, for people to read")
    sent_at: AwareDatetime = Field(description="The central API's clock")
    reminded_at: AwareDatetime | None = Field(default=None, description="The last reminder (the central API's clock)")

    @property
    def record_id(self) -> str:
        return alert_record_id(self.alert_id, self.home_id)

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    @property
    def latest_sent(self) -> datetime:
        return self.reminded_at or self.sent_at


def alert_record_id(alert_id: str, home_id: str) -> str:
    """The id of an alert's copy for one home and of that home's receipt (the same: one of each per home)."""
    return f"{alert_id}/{home_id}"


class AlertReceipt(BaseModel):
    """A home's read receipt and acknowledgement of an alert (kind ``alert_ack``, id ``<alert id>/<home id>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert_id: str = Field(pattern=ALERT_ID_PATTERN)
    home_id: str = Field(min_length=1, max_length=64)
    read_at: AwareDatetime | None = Field(default=None, description="The device's clock, for people on the home")
    read_by: str | None = Field(default=None, max_length=100, pattern=USERNAME_PATTERN)
    acknowledged_at: AwareDatetime | None = Field(default=None, description="The device's clock")
    acknowledged_by: str | None = Field(default=None, max_length=100, pattern=USERNAME_PATTERN)
    # Stamped by the central API when each part first arrives: what the sender sees as "when".
    read_recorded_at: AwareDatetime | None = None
    acknowledged_recorded_at: AwareDatetime | None = None

    @property
    def record_id(self) -> str:
        return alert_record_id(self.alert_id, self.home_id)

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def read(self) -> bool:
        return self.read_at is not None or self.acknowledged


def merge_receipt(previous: AlertReceipt | None, incoming: AlertReceipt, username: str, now: datetime) -> AlertReceipt:
    """The receipt the central API keeps: once read or acknowledged, always so (a device that never saw another
    device's acknowledgement cannot undo it). The first acknowledgement counts; its author is the signed-in
    account and its time the server's clock at arrival (``*_recorded_at``: what the sender sees); whatever a
    device claims for those is ignored. ``read_at`` is the latest reading (reading again after a reminder)."""
    before = previous or AlertReceipt(alert_id=incoming.alert_id, home_id=incoming.home_id)
    acknowledged_at = before.acknowledged_at or incoming.acknowledged_at
    readings = [t for t in (before.read_at, incoming.read_at, acknowledged_at) if t is not None]
    read_at = max(readings) if readings else None
    newly_read = before.read_at is None and read_at is not None
    newly_acknowledged = before.acknowledged_at is None and acknowledged_at is not None
    return AlertReceipt(
        alert_id=incoming.alert_id, home_id=incoming.home_id,
        read_at=read_at,
        read_by=username if newly_read else before.read_by,
        acknowledged_at=acknowledged_at,
        acknowledged_by=username if newly_acknowledged else before.acknowledged_by,
        read_recorded_at=now if newly_read else before.read_recorded_at,
        acknowledged_recorded_at=now if newly_acknowledged else before.acknowledged_recorded_at,
    )


class HomeAnswer(StrEnum):
    """Where a home is with an alert, as its sender sees it."""

    ACKNOWLEDGED = "acknowledged"
    READ = "read"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"acknowledged": "Acknowledged", "read": "Read, not acknowledged", "not_yet": "Not read yet"}[self]


def answer_of(receipt: AlertReceipt | None) -> HomeAnswer:
    if receipt is None:
        return HomeAnswer.NOT_YET
    if receipt.acknowledged:
        return HomeAnswer.ACKNOWLEDGED
    return HomeAnswer.READ if receipt.read else HomeAnswer.NOT_YET


@dataclass(frozen=True)
class HomeAlert:
    """An alert as a home's screen shows it: its copy and the home's receipt."""

    alert: Alert
    receipt: AlertReceipt | None

    @property
    def acknowledged(self) -> bool:
        return self.receipt is not None and self.receipt.acknowledged

    @property
    def unread(self) -> bool:
        """Not read yet, or reminded since it was read and still not acknowledged."""
        if self.acknowledged:
            return False
        if self.receipt is None or self.receipt.read_at is None:
            return True
        # Reminded since it was last read (both on the server's clock: a device reads it by its server offset).
        reminded = self.alert.reminded_at
        return reminded is not None and reminded > self.receipt.read_at


def home_alerts_in_order(alerts: list[HomeAlert], now: datetime) -> list[HomeAlert]:
    """What a home sees: expired alerts drop out; unread first, then read and not yet acknowledged, then
    acknowledged; urgent first within each, then newest first."""
    showing = [a for a in alerts if not a.alert.expired(now)]
    return sorted(showing, key=lambda a: (0 if a.unread else 2 if a.acknowledged else 1, a.alert.priority.rank,
                                          -a.alert.latest_sent.timestamp(), a.alert.alert_id))


def urgent_unread(alerts: list[HomeAlert], now: datetime) -> list[HomeAlert]:
    """The alerts that go on top of the bed state screen: urgent, not expired, unread."""
    return [a for a in home_alerts_in_order(alerts, now) if a.unread and a.alert.priority is Priority.URGENT]
