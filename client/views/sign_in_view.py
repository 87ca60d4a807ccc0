"""Sign-in: server address, user name, password."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from client.session import Session, SessionManager
from client.state.sign_in import SignInForm, submit
from client.views.widgets import clear_error, password_field, server_field, show_under_field


class SignInView(ft.Column):
    def __init__(self, session: SessionManager, on_signed_in: Callable[[Session], Awaitable[None]],
                 username: str = "", notice: str | None = None,
                 on_register: Callable[[], None] | None = None, on_reset: Callable[[], None] | None = None) -> None:
        # Scrolls: at 200% text on a phone the form is taller than the screen.
        super().__init__(spacing=16, tight=True, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session = session
        self.on_signed_in = on_signed_in
        self.form = SignInForm(server_url=session.default_server_url, username=username)
        self.server = server_field(self.form.server_url)
        self.username = ft.TextField(label="User name", value=username, autofocus=not username)
        self.password = password_field("Password", on_submit=self._submit)
        self.error = ft.Text(notice or "", color=ft.Colors.ERROR if not notice else ft.Colors.ON_SURFACE,
                             visible=bool(notice))
        self.button = ft.Button("Sign in", on_click=self._submit)
        self.fields = {"server_url": self.server, "username": self.username, "password": self.password}
        for field in self.fields.values():
            field.on_change = lambda e, field=field: clear_error(field)
        self.controls = [
            ft.Text("Care Home Connect", theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.BOLD),
            ft.Text("Sign in once on this device; after that the app works offline too."),
            self.server,
            self.username,
            self.password,
            self.error,
            self.button,
        ]
        if on_register is not None and on_reset is not None:
            self.controls += [
                ft.TextButton("Register with an invite code", on_click=lambda e: on_register()),
                ft.TextButton("I have a password reset code", on_click=lambda e: on_reset()),
            ]

    async def _submit(self, e: ft.Event) -> None:
        self.form.server_url = self.server.value or ""
        self.form.username = self.username.value or ""
        self.form.password = self.password.value or ""
        self.button.disabled = True
        self.update()
        session = await submit(self.form, self.session)
        self.button.disabled = False
        self.password.value = self.form.password
        under_field = show_under_field(self.fields, self.form.error, self.form.wrong_field)
        self.error.value = "" if under_field else self.form.error or ""
        self.error.color = ft.Colors.ERROR
        self.error.visible = bool(self.form.error) and not under_field
        self.update()
        if session is not None:
            await self.on_signed_in(session)
