"""The first screen of an area account (commissioner, hospital, administrator): who is signed in, sync, Sign out.

Area views come later; meanwhile this device still syncs the account's area
(with progress), and the account can always sign out or sign in again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import sync_line
from client.sync import SyncEngine, SyncState, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.widgets import identified, sync_now_button


class AreaView(ft.Column):
    def __init__(self, engine: SyncEngine, *, account_line: str, on_sign_in_again: Callable[[], None],
                 on_sign_out: Callable[[bool], Awaitable[None]],
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=12)
        self._now = now
        self.unsent_box = SignOutBox(on_sign_out)
        self.status = ft.Text(sync_line(engine.status, now()))
        # Shown while the token is refused (expired, or after a restart without one): the way back in.
        self.sign_in_again = ft.TextButton("Sign in again", on_click=lambda e: on_sign_in_again(),
                                           visible=engine.status.state == SyncState.SIGNED_OUT)
        self.controls = [
            ft.Text(account_line, weight=ft.FontWeight.BOLD),
            ft.Text("This app does not show an area view yet; your area's data is kept on this device."),
            identified("sync-status", self.status),
            ft.Row([sync_now_button(engine), self.sign_in_again, self.unsent_box.button()], wrap=True),
            self.unsent_box,
        ]

    def ask_to_discard(self, count: int) -> None:
        self.unsent_box.ask(count)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.status.value = sync_line(status, self._now())
        self.sign_in_again.visible = status.state == SyncState.SIGNED_OUT
        self.update()
