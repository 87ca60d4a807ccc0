"""The lines every area role's first screen ends with: where the sync is, Sync now, Sign in again, Sign out.

Hospital users and administrators keep sign out and the sync status on
their first screen like everyone else (``sync-status``, ``sign-out``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import sync_line
from client.sync import SyncEngine, SyncState, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.widgets import sync_now_button, sync_status_row


class AccountFooter(ft.Column):
    def __init__(self, engine: SyncEngine, *, on_sign_in_again: Callable[[], None],
                 on_sign_out: Callable[[bool], Awaitable[None]],
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=4)
        self._now = now
        self.unsent_box = SignOutBox(on_sign_out)
        self.status = ft.Text(sync_line(engine.status, now()), size=13)
        # Shown while the token is refused (expired, or after a restart without one): the way back in.
        self.sign_in_again = ft.TextButton("Sign in again", on_click=lambda e: on_sign_in_again(),
                                           visible=engine.status.state == SyncState.SIGNED_OUT)
        self.controls = [
            ft.Row([sync_now_button(engine), self.sign_in_again, self.unsent_box.button()], wrap=True),
            self.unsent_box,
            sync_status_row(self.status),
        ]

    def ask_to_discard(self, count: int) -> None:
        self.unsent_box.ask(count)

    def show(self, status: SyncStatus) -> None:
        self.status.value = sync_line(status, self._now())
        self.sign_in_again.visible = status.state == SyncState.SIGNED_OUT
