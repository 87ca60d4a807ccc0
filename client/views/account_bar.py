"""The top of an area account's first screen: who is signed in, where sync is, Sync now, Sign in again, Sign out.

Shared by the area roles' first screens (the commissioner's overview; the hospital and administrator screens may
use it too), so each keeps the way out and the sync line the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import sync_line
from client.sync import SyncEngine, SyncState, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.widgets import identified, sync_now_button


class AccountBar(ft.Column):
    def __init__(self, engine: SyncEngine, *, account_line: str, on_sign_in_again: Callable[[], None],
                 on_sign_out: Callable[[bool], Awaitable[None]],
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=2)
        self._now = now
        self.unsent_box = SignOutBox(on_sign_out)
        self.status = ft.Text(sync_line(engine.status, now()), size=13)
        # Shown while the token is refused (expired, or after a restart without one): the way back in.
        self.sign_in_again = ft.TextButton("Sign in again", on_click=lambda e: on_sign_in_again(),
                                           visible=engine.status.state == SyncState.SIGNED_OUT)
        self.controls = [
            ft.Row([ft.Text(account_line, weight=ft.FontWeight.BOLD, expand=True), self.unsent_box.button()],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Row([ft.Icon(ft.Icons.CLOUD_SYNC, size=18), ft.Container(identified("sync-status", self.status),
                                                                       expand=True),
                    sync_now_button(engine)]),
            self.sign_in_again,
            self.unsent_box,
        ]

    def ask_to_discard(self, count: int) -> None:
        self.unsent_box.ask(count)

    def refresh(self, status: SyncStatus) -> None:
        self.status.value = sync_line(status, self._now())
        self.sign_in_again.visible = status.state == SyncState.SIGNED_OUT
