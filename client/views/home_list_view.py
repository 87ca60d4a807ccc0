"""A digital champion's homes: one tappable row per home, what needs attention first.

Semantics identifiers: ``home-list`` (the heading), ``home-<home id>`` (a row), ``area-overview`` (her homes at a glance),
``sync-status``, ``sign-out``, ``discard-and-sign-out``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import sync_line
from client.state.home_list import BLOCKED, CLOCK_RUNNING, HomeList, HomeRow
from client.sync import SyncEngine, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.widgets import SteadyList, identified, screen_title, sync_now_button, sync_status_row

GROUP_COLOURS = {BLOCKED: ft.Colors.RED_800, CLOCK_RUNNING: ft.Colors.AMBER_900}


class HomeListView(ft.Column):
    def __init__(self, homes: HomeList, engine: SyncEngine, *, account_line: str,
                 on_open: Callable[[str], None],
                 on_sign_out: Callable[[bool], Awaitable[None]] | None = None,
                 on_area_overview: Callable[[], None] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.homes, self.engine, self.on_open, self.on_sign_out, self._now = homes, engine, on_open, on_sign_out, now
        self.heading = screen_title()
        self.rows = SteadyList(spacing=8, scroll=ft.ScrollMode.AUTO, expand=True)
        self.sync_status = ft.Text("", size=13, expand=True)
        self.unsent_box = SignOutBox(on_sign_out)
        self.controls = [
            identified("home-list", self.heading),
            ft.Text(account_line, size=13, color=ft.Colors.ON_SURFACE_VARIANT),
            # Her homes at a glance (issue 11): the area overview of the homes on this device.
            *([identified("area-overview", ft.FilledTonalButton(
                "Area overview", icon=ft.Icons.INSERT_CHART_OUTLINED, on_click=lambda e: on_area_overview()))]
              if on_area_overview is not None else []),
            self.rows,
            ft.Row([sync_now_button(engine), self.unsent_box.button()], wrap=True),
            sync_status_row(self.sync_status),
        ]
        self.refresh(update=False)

    def _row(self, row: HomeRow) -> ft.Control:
        colour = GROUP_COLOURS.get(row.group, ft.Colors.ON_SURFACE_VARIANT)
        card = ft.Card(content=ft.Container(
            ft.Column([
                ft.Row([ft.Text(row.name, weight=ft.FontWeight.BOLD, size=16, expand=True),
                        ft.Text(row.band_label, size=13, weight=ft.FontWeight.W_600)]),
                ft.Text(f"{row.postcode} - {row.nhsmail_step}", size=13, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Row([ft.Icon(ft.Icons.PRIORITY_HIGH if row.group in GROUP_COLOURS else ft.Icons.ARROW_RIGHT,
                                size=16, color=colour),
                        ft.Text(row.attention, size=13, color=colour, expand=True)], spacing=4),
            ], spacing=4),
            padding=12, on_click=lambda e, home_id=row.home_id: self.on_open(home_id), ink=True,
        ), margin=0)
        return identified(f"home-{row.home_id}", card)

    def ask_to_discard(self, count: int) -> None:
        self.unsent_box.ask(count)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.homes.reload()
        self.refresh(status=status)

    def refresh(self, *, status: SyncStatus | None = None, update: bool = True) -> None:
        self.heading.value = self.homes.heading
        self.rows.show(self.homes.rows, self._row, "No homes yet: they appear after the first sync.")
        self.sync_status.value = sync_line(status or self.engine.status, self._now())
        if update:
            self.update()
