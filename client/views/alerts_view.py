"""The home's alerts (unread first, urgent on top; open one to read it, then Acknowledge), and the small urgent
banner on top of the bed state screen that opens them.

Semantics identifiers: ``alerts-back``, ``alerts-empty``, ``alert-<id>`` (a row: tap to open),
``alert-<id>-acknowledge``, ``alert-<id>-status``, ``alerts-message``, ``alert-banner``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import flet as ft

from client.state.alerts import AlertsScreen, urgent_banner
from client.store import LocalStore
from client.sync import SyncStatus
from client.views.widgets import SteadyList, back_header, identified, screen_title
from domain.alerts import HomeAlert, Priority
from domain.uk_time import uk_day_and_time

PRIORITY_COLOURS = {
    Priority.URGENT: ft.Colors.RED_800,
    Priority.ACTION_NEEDED: ft.Colors.AMBER_900,
    Priority.INFORMATION: ft.Colors.BLUE_800,
}


def _when(moment: datetime) -> str:
    return uk_day_and_time(moment)


class AlertBanner(ft.Container):
    """'Urgent: ...' on top of the bed state screen while an urgent alert is unread; a tap opens the alerts.

    Its own control (the bed update's taps are unchanged); hidden when there is nothing urgent."""

    def __init__(self, store: LocalStore, home_id: str, *, on_open: Callable[[], None],
                 now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id, self._now = store, home_id, now or store.server_now
        self.text = ft.Text("", color=ft.Colors.ON_ERROR_CONTAINER, size=15, weight=ft.FontWeight.W_500, expand=True)
        super().__init__(
            identified("alert-banner", ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.RED_800), self.text,
                                               ft.Icon(ft.Icons.CHEVRON_RIGHT)], spacing=8)),
            bgcolor=ft.Colors.ERROR_CONTAINER, padding=12, border_radius=8, on_click=lambda e: on_open(),
            visible=False)
        self.reload(update=False)

    def reload(self, *, update: bool = True) -> None:
        line = urgent_banner(self.store, self.home_id, self._now())
        self.text.value = line or ""
        self.visible = line is not None
        if update and self.page is not None:
            self.update()


class AlertsView(ft.Column):
    def __init__(self, screen: AlertsScreen, *, on_back: Callable[[], None]) -> None:
        super().__init__(spacing=10, expand=True)
        self.screen = screen
        self.opened: str | None = None
        self.list = SteadyList(spacing=8)  # a sync tick leaves the rows (and Acknowledge) in place
        self.message = ft.Text("", size=14, color=ft.Colors.GREEN_800)
        self.controls = [
            back_header("alerts-back", on_back, screen_title("Alerts"), "bed state"),  # pinned: never scrolled away
            ft.Column([self.list], spacing=8, scroll=ft.ScrollMode.AUTO, expand=True),
            ft.Semantics(identifier="alerts-message", live_region=True, content=self.message),
        ]
        self.render(update=False)

    def _open(self, alert_id: str) -> None:
        self.opened = None if self.opened == alert_id else alert_id
        if self.opened is not None:
            self.screen.mark_read(alert_id)
        self.render()

    def _acknowledge(self, alert_id: str) -> None:
        self.screen.acknowledge(alert_id)
        self.render()

    def _row(self, item: HomeAlert) -> ft.Control:
        alert = item.alert
        prefix = f"alert-{alert.alert_id}"
        colour = PRIORITY_COLOURS[alert.priority]
        status = ("Acknowledged" if item.acknowledged else "New" if item.unread else "Read, not acknowledged")
        header = ft.Column([
            ft.Row([ft.Text(alert.priority.label, color=colour, weight=ft.FontWeight.BOLD, size=13),
                    identified(f"{prefix}-status", ft.Text(status, size=13))], spacing=12, wrap=True),
            ft.Text(alert.title, size=16, weight=ft.FontWeight.BOLD if item.unread else ft.FontWeight.NORMAL),
            ft.Text(f"From {alert.sent_by}, {_when(alert.latest_sent)}"
                    + (" (reminder)" if alert.reminded_at else ""), size=13, color=ft.Colors.ON_SURFACE_VARIANT),
        ], spacing=2)
        body: list[ft.Control] = [identified(prefix, ft.Container(header, on_click=lambda e: self._open(alert.alert_id)),
                                             f"{alert.priority.label}: {alert.title}")]
        if self.opened == alert.alert_id:
            # Not selectable: a selectable text is a field to a screen reader, and Flutter named it after the next
            # line ("Shown until ...") instead of what it says.
            body.append(ft.Text(alert.message, size=15))
            if alert.link:
                body.append(ft.TextButton(alert.link, icon=ft.Icons.OPEN_IN_NEW, url=alert.link))
            body.append(ft.Text(f"Shown until {_when(alert.expires_at)}", size=13,
                                color=ft.Colors.ON_SURFACE_VARIANT))
            if not item.acknowledged:
                body.append(identified(f"{prefix}-acknowledge", ft.FilledButton(
                    "Acknowledge", on_click=lambda e: self._acknowledge(alert.alert_id))))
        return ft.Card(content=ft.Container(ft.Column(body, spacing=6), padding=12,
                                            border=ft.Border.only(left=ft.BorderSide(4, colour))))

    def render(self, *, update: bool = True) -> None:
        screen = self.screen
        self.list.show(screen.alerts, self._row, lambda: identified("alerts-empty", ft.Text(screen.empty_text, size=15)),
                       context=(self.opened, screen.empty_text))
        self.message.value = screen.message or ""
        if update:
            self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        """New alerts or a reminder may have arrived."""
        self.screen.reload()
        self.render()
