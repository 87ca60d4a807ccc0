"""Signing out from any screen: the button, and the question when changes are still waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

SignOut = Callable[[bool], Awaitable[None]]  # called with discard_unsent


class SignOutBox(ft.Container):
    """Hidden until signing out would lose changes; then says so and lets the user choose."""

    def __init__(self, on_sign_out: SignOut | None) -> None:
        self.on_sign_out = on_sign_out
        self.text = ft.Text("", size=14)
        super().__init__(
            ft.Column([self.text, ft.Row([
                ft.TextButton("Stay signed in", on_click=self._keep_signed_in),
                ft.Semantics(identifier="discard-and-sign-out", content=ft.TextButton(
                    "Discard them and sign out", on_click=self._discard_and_sign_out)),
            ], wrap=True)], spacing=4),
            bgcolor=ft.Colors.AMBER_100, padding=12, border_radius=8, visible=False)

    def button(self, icon_only: bool = False) -> ft.Control:
        """The "Sign out" button that goes with this box (an icon named "Sign out" in a navigation bar)."""
        if icon_only:
            return ft.Semantics(identifier="sign-out", content=ft.IconButton(
                ft.Icon(ft.Icons.LOGOUT, semantics_label="Sign out"), tooltip="Sign out", on_click=self._sign_out))
        return ft.Semantics(identifier="sign-out", content=ft.TextButton(
            "Sign out", icon=ft.Icons.LOGOUT, on_click=self._sign_out))

    def ask(self, count: int) -> None:
        self.text.value = (f"{count} change{'s are' if count != 1 else ' is'} not sent yet (no connection). "
                           "Stay signed in and they are sent when the connection returns, "
                           "or discard them and sign out.")
        self.visible = True
        self.update()

    async def _sign_out(self, e: ft.Event) -> None:
        if self.on_sign_out is not None:
            await self.on_sign_out(False)

    async def _discard_and_sign_out(self, e: ft.Event) -> None:
        if self.on_sign_out is not None:
            await self.on_sign_out(True)

    def _keep_signed_in(self, e: ft.Event) -> None:
        self.visible = False
        self.update()
