"""Signing out from any screen: the button, and the question when changes are still waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

SignOut = Callable[[bool], Awaitable[None]]  # called with discard_unsent


class SignOutBox(ft.AlertDialog):
    """The question Sign out raises while changes wait to be sent: a dialog over the screen.

    A dialog, not a box on the screen: on a phone at 200% text a box between the form and the navigation pushed
    the navigation (and the status line) off the screen and left the form no room; a dialog fits any screen
    (its words scroll), takes the keyboard focus and is read out by a screen reader."""

    def __init__(self, on_sign_out: SignOut | None) -> None:
        self.on_sign_out = on_sign_out
        self.text = ft.Text("", size=14)
        self._sign_out_button: ft.Control | None = None
        super().__init__(
            modal=True, scrollable=True,
            title=ft.Text("Changes not sent"),
            content=self.text,
            actions=[
                ft.TextButton("Stay signed in", on_click=self._keep_signed_in),
                ft.Semantics(identifier="discard-and-sign-out", content=ft.TextButton(
                    "Discard and sign out", on_click=self._discard_and_sign_out)),
            ])

    def button(self, icon_only: bool = False) -> ft.Control:
        """The "Sign out" button that goes with this question (an icon named "Sign out" in a navigation bar)."""
        if icon_only:
            button = ft.Semantics(identifier="sign-out", content=ft.IconButton(
                ft.Icon(ft.Icons.LOGOUT, semantics_label="Sign out"), tooltip="Sign out", on_click=self._sign_out))
        else:
            button = ft.Semantics(identifier="sign-out", content=ft.TextButton(
                "Sign out", icon=ft.Icons.LOGOUT, on_click=self._sign_out))
        self._sign_out_button = button
        return button

    def ask(self, count: int) -> None:
        many = count != 1
        self.text.value = (f"{count} change{'s are' if many else ' is'} not sent yet (no connection). "
                           f"Stay signed in and {'they are' if many else 'it is'} sent when the connection returns, "
                           f"or discard {'them' if many else 'it'} and sign out.")
        page = self._sign_out_button.page if self._sign_out_button is not None else None
        if page is not None:
            page.show_dialog(self)

    async def _sign_out(self, e: ft.Event) -> None:
        if self.on_sign_out is not None:
            await self.on_sign_out(False)

    async def _discard_and_sign_out(self, e: ft.Event) -> None:
        self._close()
        if self.on_sign_out is not None:
            await self.on_sign_out(True)

    def _keep_signed_in(self, e: ft.Event) -> None:
        self._close()

    def _close(self) -> None:
        if self.open and self.page is not None:
            self.page.pop_dialog()
