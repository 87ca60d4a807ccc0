"""A commissioner's alerts: write and send one, the alerts sent, per alert who has read and acknowledged it.

Semantics identifiers: ``send-back``, ``send-title``, ``send-message``, ``send-priority``, ``send-link``,
``send-days``, ``send-to``, ``send-alert``, ``send-result``, ``sent-alerts``, ``sent-<id>`` (a row: tap to see
its homes), ``alert-homes``, ``alert-remind``.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.state.alert_sender import AlertSender
from client.sync import SyncStatus
from client.views.area_parts import full_width
from client.views.widgets import back_header, dropdown, heading, identified, message_colour, screen_title
from domain.alerts import HomeAnswer, Priority

ANSWER_COLOURS = {HomeAnswer.NOT_YET: ft.Colors.RED_800, HomeAnswer.READ: ft.Colors.AMBER_900,
                  HomeAnswer.ACKNOWLEDGED: ft.Colors.GREEN_800}


class AlertSenderView(ft.Column):
    def __init__(self, screen: AlertSender, *, on_back: Callable[[], None]) -> None:
        super().__init__(spacing=10, expand=True)
        self.screen = screen
        self.title = ft.TextField(label="Title", on_change=self._typed)
        self.text = ft.TextField(label="Message", multiline=True, min_lines=3, on_change=self._typed)
        self.priority = dropdown("Priority", [(p.value, p.label) for p in Priority], value=screen.priority.value,
                                 on_select=self._typed)
        # Short labels (a long one wraps over the field's text at 200% text); the explanation goes beneath.
        self.link = ft.TextField(label="Link (optional)", hint_text="https://...", keyboard_type=ft.KeyboardType.URL,
                                 on_change=self._typed)
        self.days = ft.TextField(label="Days to show it", value=str(screen.days),
                                 keyboard_type=ft.KeyboardType.NUMBER, on_change=self._typed)
        self.to = ft.TextField(label="Send to", value=screen.to, on_change=self._typed,
                               helper="mine (your whole area), la:<name>, icb:<code>, or CQC location IDs",
                               helper_max_lines=4)
        self.result = ft.Text("", size=14)
        self.sent = ft.Column(spacing=6)
        self.homes = ft.Column(spacing=4)
        self.remind = identified("alert-remind", ft.OutlinedButton(
            "Remind the homes that have not acknowledged", icon=ft.Icons.NOTIFICATIONS_ACTIVE, on_click=self._remind))
        self.controls = [
            back_header("send-back", on_back, screen_title("Alerts to care homes"), "area overview"),  # pinned
            ft.Column([
                identified("send-title", self.title), identified("send-message", self.text),
                full_width(identified("send-priority", self.priority)), identified("send-link", self.link),
                identified("send-days", self.days), identified("send-to", self.to),
                identified("send-alert", ft.FilledButton("Send alert", icon=ft.Icons.SEND, on_click=self._send)),
                ft.Semantics(identifier="send-result", live_region=True, content=self.result),
                heading("Sent"),
                identified("sent-alerts", self.sent),
                identified("alert-homes", self.homes),
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]
        self.render(update=False)

    def did_mount(self) -> None:
        self.page.run_task(self._load)

    async def _load(self) -> None:
        await self.screen.load()
        self.render()

    def _typed(self, e: ft.Event) -> None:
        screen = self.screen
        screen.title, screen.message_text = self.title.value or "", self.text.value or ""
        screen.priority = Priority(self.priority.value or Priority.INFORMATION.value)
        screen.link, screen.to = self.link.value or "", self.to.value or ""
        try:
            screen.days = max(1, int(self.days.value or "7"))
        except ValueError:
            screen.days = 7

    async def _send(self, e: ft.Event) -> None:
        self._typed(e)
        if await self.screen.send():
            self.title.value = self.text.value = self.link.value = ""
        self.render()

    def _opener(self, alert_id: str):
        async def handler(e: ft.Event) -> None:
            await self.screen.open(alert_id)
            self.render()
        return handler

    async def _remind(self, e: ft.Event) -> None:
        await self.screen.remind()
        self.render()

    def render(self, *, update: bool = True) -> None:
        screen = self.screen
        self.result.value = screen.message or ""
        self.result.color = message_colour(screen.message_is_error)
        self.sent.controls = [
            identified(f"sent-{summary.alert_id}", ft.TextButton(screen.summary_line(summary),
                                                                 on_click=self._opener(summary.alert_id)))
            for summary in screen.sent] or [ft.Text("No alerts sent yet", size=14)]
        lines = [ft.Text(line, size=14, color=ANSWER_COLOURS[answer]) for answer, line in screen.home_lines]
        if screen.status is not None:
            lines.insert(0, heading(screen.status.summary.title))
            self.remind.visible = screen.status.summary.acknowledged < screen.status.summary.homes
            lines.append(self.remind)
        self.homes.controls = lines
        if update:
            self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        """The alerts are the central API's: nothing on the device to follow."""
