"""Registering with an invite code, and setting a new password with a reset code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from client.session import Session, SessionManager
from client.state.staff import RegisterForm, ResetPasswordForm
from client.views.widgets import clear_error, password_field, server_field, show_under_field


class _FormView(ft.Column):
    """A titled form of text fields; submit sends it and signs in."""

    def __init__(self, title: str, fields: dict[str, ft.TextField], submit_label: str,
                 on_back: Callable[[], None], on_signed_in: Callable[[Session], Awaitable[None]]) -> None:
        # Scrolls: at 200% text on a phone the form is taller than the screen.
        super().__init__(spacing=16, tight=True, scroll=ft.ScrollMode.AUTO, expand=True)
        self.on_signed_in = on_signed_in
        self.fields = fields  # by the form's field names: a problem with one is shown under it
        for field in fields.values():
            field.on_change = lambda e, field=field: clear_error(field)
        self.error = ft.Text("", color=ft.Colors.ERROR)
        # The box, not the text, is hidden: a Semantics over a hidden control shows Flet's own red error box.
        self.error_box = ft.Semantics(identifier="form-error", content=self.error, visible=False, live_region=True)
        self.button = ft.Button(submit_label, on_click=self._submit)
        self.controls = [
            ft.Text(title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.BOLD),
            *fields.values(),
            self.error_box,
            self.button,
            ft.TextButton("Back to sign in", on_click=lambda e: on_back()),
        ]

    async def send(self) -> tuple[Session | None, RegisterForm | ResetPasswordForm]:
        raise NotImplementedError

    async def _submit(self, e: ft.Event) -> None:
        self.button.disabled = True
        self.update()
        session, form = await self.send()
        self.button.disabled = False
        under_field = show_under_field(self.fields, form.error, form.wrong_field)
        self.error.value = "" if under_field else form.error or ""
        self.error_box.visible = bool(form.error) and not under_field
        self.update()
        if session is not None:
            await self.on_signed_in(session)


class RegisterView(_FormView):
    def __init__(self, session: SessionManager, server_url: str, on_back, on_signed_in) -> None:
        self.session = session
        self.server = server_field(server_url)
        self.code = ft.TextField(label="Invite code")
        self.display_name = ft.TextField(label="Your name")
        self.username = ft.TextField(label="Choose a user name")
        self.password = password_field("Choose a password (10 characters or more)")
        super().__init__("Register with an invite code",
                         {"server_url": self.server, "invite_code": self.code, "display_name": self.display_name,
                          "username": self.username, "password": self.password},
                         "Register", on_back, on_signed_in)

    async def send(self):
        form = RegisterForm(server_url=self.server.value or "", invite_code=self.code.value or "",
                            display_name=self.display_name.value or "", username=self.username.value or "",
                            password=self.password.value or "")
        return await form.submit(self.session), form


class ResetPasswordView(_FormView):
    def __init__(self, session: SessionManager, server_url: str, on_back, on_signed_in) -> None:
        self.session = session
        self.server = server_field(server_url)
        self.username = ft.TextField(label="User name")
        self.code = ft.TextField(label="Reset code")
        self.password = password_field("New password (10 characters or more)")
        super().__init__("Set a new password", {"server_url": self.server, "username": self.username,
                                                "reset_code": self.code, "new_password": self.password},
                         "Set password and sign in", on_back, on_signed_in)

    async def send(self):
        form = ResetPasswordForm(server_url=self.server.value or "", username=self.username.value or "",
                                 reset_code=self.code.value or "", new_password=self.password.value or "")
        return await form.submit(self.session), form
