"""The top of an area account's screens: who is signed in, where sync is, Sync now, Sign in again, Sign out.

One bar for every area role's first screen (the commissioner's overview, the hospital user's transfers, the
administrator's screen, and an area account with no screen of its own yet), so the way out and the sync line
are in the same place and read the same everywhere.

Semantics identifiers (tests, screen readers): ``signed-in-as``, ``sync-status``, ``sync-now``,
``sign-in-again``, ``sign-out``, ``discard-and-sign-out``. Every action is a button, so it is reached with the
Tab key and named by its own words; the rows wrap or shrink to a phone's width (no fixed widths).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import sync_line
from client.sync import SyncEngine, SyncState, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.widgets import identified, sync_now_button, sync_status_row


class AccountBar(ft.Column):
    def __init__(self, engine: SyncEngine, *, account_line: str, on_sign_in_again: Callable[[], None],
                 on_sign_out: Callable[[bool], Awaitable[None]],
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=2)
        self._now = now
        self.unsent_box = SignOutBox(on_sign_out)
        self.status = ft.Text(sync_line(engine.status, now()), size=13)
        # Shown while the token is refused (expired, or after a restart without one): the way back in.
        self.sign_in_again = identified("sign-in-again", ft.TextButton(
            "Sign in again", icon=ft.Icons.LOGIN, on_click=lambda e: on_sign_in_again()))
        self.sign_in_again.visible = engine.status.state == SyncState.SIGNED_OUT
        self.controls = [
            # A row that wraps: Sign out goes under a long name rather than squeezing it into a narrow column that
            # splits words ("Demo commi ssioner" on a phone at 200% text); side by side when both fit.
            ft.Row([ft.Container(identified("signed-in-as", ft.Text(account_line, weight=ft.FontWeight.BOLD))),
                    self.unsent_box.button()], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            sync_status_row(self.status, sync_now_button(engine)),
            self.sign_in_again,
        ]

    def ask_to_discard(self, count: int) -> None:
        """Signing out would lose changes not sent yet: the bar asks first."""
        self.unsent_box.ask(count)

    def refresh(self, status: SyncStatus) -> None:
        self.status.value = sync_line(status, self._now())
        self.sign_in_again.visible = status.state == SyncState.SIGNED_OUT


class FollowsAccountBar:
    """For a screen topped by an account bar (``self.account_bar``): the shell's sign-out question and sync news go
    to the bar. Mixed into the screen's Flet control, which gives ``update``."""

    account_bar: AccountBar

    def ask_to_discard(self, count: int) -> None:
        self.account_bar.ask_to_discard(count)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.account_bar.refresh(status)
        self.update()  # type: ignore[attr-defined]
