"""A home's alerts screen: what commissioners sent to the home, unread first and urgent on top; acknowledge.

The alerts are the home's ``alert`` records (pulled like any other, so readable with no signal once synced);
the home's answer is its ``alert_ack`` record: opening an alert saves a read receipt, "Acknowledge" saves the
acknowledgement, both on this device first (the outbox sends them when online; the central API stamps who and
when). Expired alerts drop out. ``urgent_banner`` is the line on top of the bed state screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from client.store import LocalStore
from domain.alerts import Alert, AlertReceipt, HomeAlert, alert_record_id, home_alerts_in_order, urgent_unread


def load_home_alerts(store: LocalStore, home_id: str) -> list[HomeAlert]:
    """Every alert the device holds for the home, with the home's receipt (unreadable copies are skipped)."""
    receipts = {}
    for record in store.records("alert_ack", home_id):
        try:
            receipts[record.id] = AlertReceipt.model_validate(record.data)
        except ValidationError:
            continue
    found = []
    for record in store.records("alert", home_id):
        try:
            alert = Alert.model_validate(record.data)
        except ValidationError:  # a newer central API's alert this app cannot read: not shown, never fatal
            continue
        found.append(HomeAlert(alert, receipts.get(record.id)))
    return found


def urgent_banner(store: LocalStore, home_id: str, now: datetime) -> str | None:
    """'Urgent: Norovirus outbreak in Trafford' (and how many more), or None when no urgent alert is unread."""
    urgent = urgent_unread(load_home_alerts(store, home_id), now)
    if not urgent:
        return None
    more = f" (and {len(urgent) - 1} more)" if len(urgent) > 1 else ""
    return f"Urgent: {urgent[0].alert.title}{more}"


class AlertsScreen:
    def __init__(self, store: LocalStore, home_id: str, username: str, *,
                 on_saved: Callable[[], None] = lambda: None, now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id, self.username = store, home_id, username
        self._on_saved = on_saved
        self._now = now or store.server_now
        self.alerts: list[HomeAlert] = []
        self.message: str | None = None
        self.reload()

    def reload(self) -> None:
        self.alerts = home_alerts_in_order(load_home_alerts(self.store, self.home_id), self._now())

    @property
    def unread_count(self) -> int:
        return sum(1 for alert in self.alerts if alert.unread)

    @property
    def empty_text(self) -> str:
        return "No alerts for your home" if not self.alerts else ""

    def find(self, alert_id: str) -> HomeAlert | None:
        return next((a for a in self.alerts if a.alert.alert_id == alert_id), None)

    def mark_read(self, alert_id: str) -> bool:
        """Opening an alert: a read receipt, saved once (and again after a reminder), on this device first."""
        found = self.find(alert_id)
        if found is None or not found.unread:
            return False
        now = self._now()
        previous = found.receipt
        self._save(AlertReceipt(
            alert_id=alert_id, home_id=self.home_id, read_at=now,
            read_by=previous.read_by if previous and previous.read_by else self.username,
            read_recorded_at=previous.read_recorded_at if previous else None,
        ), None)
        return True

    def acknowledge(self, alert_id: str) -> bool:
        """The home has acted on it (or noted it): saved on this device, sent when online."""
        found = self.find(alert_id)
        if found is None or found.acknowledged:
            return False
        now = self._now()
        previous = found.receipt
        self._save(AlertReceipt(
            alert_id=alert_id, home_id=self.home_id,
            read_at=now,
            read_by=(previous.read_by if previous and previous.read_by else self.username),
            acknowledged_at=now, acknowledged_by=self.username,
            read_recorded_at=previous.read_recorded_at if previous else None,
        ), "Acknowledged on this device; the sender sees it once sent")
        return True

    def _save(self, receipt: AlertReceipt, message: str | None) -> None:
        assert receipt.record_id == alert_record_id(receipt.alert_id, self.home_id)
        self.store.save_together([("alert_ack", receipt)])
        self.reload()
        self.message = message
        self._on_saved()
