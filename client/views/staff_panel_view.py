"""A manager's staff accounts panel: invite codes and password resets."""

from __future__ import annotations

import flet as ft

from client.session import SessionManager
from client.state.staff import StaffPanel
from client.views.widgets import side_by_side


class StaffPanelView(ft.ExpansionTile):
    def __init__(self, session: SessionManager, home_id: str) -> None:
        self.session, self.home_id, self.panel = session, home_id, StaffPanel()
        self.username = ft.TextField(label="User name to reset")
        self.result = ft.Text("", size=15)
        super().__init__(
            title="Staff accounts",
            controls_padding=12,
            controls=[
                ft.Semantics(identifier="create-invite",
                             content=ft.Button("Create an invite code", on_click=self._invite)),
                side_by_side(self.username, ft.Semantics(identifier="reset-password", content=ft.OutlinedButton(
                    "Reset password", on_click=self._reset))),
                ft.Semantics(identifier="staff-message", live_region=True, content=self.result),
            ],
        )

    async def _invite(self, e: ft.Event) -> None:
        await self.panel.create_invite(self.session, self.home_id)
        self._show()

    async def _reset(self, e: ft.Event) -> None:
        await self.panel.reset_password(self.session, self.username.value or "")
        self._show()

    def _show(self) -> None:
        self.result.value = self.panel.message or ""
        self.result.color = ft.Colors.ERROR if self.panel.error else ft.Colors.ON_SURFACE
        self.update()
