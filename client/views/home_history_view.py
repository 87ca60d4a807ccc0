"""The bed state screen's "Last 30 days": the home's vacancies day by day, a small bar strip and a line per category.

Semantics identifiers: ``history-status`` (where the history shown comes
from, and how old), ``history-chart`` (its label says it in words),
``history-lines``.
"""

from __future__ import annotations

import flet as ft

from client.state.home_history import HomeHistory
from client.views.widgets import heading, identified

BAR_AREA_HEIGHT = 48


class HomeHistoryView(ft.Column):
    def __init__(self, history: HomeHistory) -> None:
        super().__init__(spacing=6)
        self.history = history
        self.status = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.bars = ft.Row(spacing=1, height=BAR_AREA_HEIGHT, vertical_alignment=ft.CrossAxisAlignment.END)
        self.chart = identified("history-chart", self.bars)
        self.lines = ft.Column(spacing=2)
        self.controls = [heading("Last 30 days"), identified("history-status", self.status), self.chart,
                         identified("history-lines", self.lines)]
        self.render(update=False)

    def did_mount(self) -> None:
        self.page.run_task(self.load)

    async def load(self) -> None:
        await self.history.refresh()
        self.render()

    def render(self, *, update: bool = True) -> None:
        history = self.history
        self.status.value = history.status
        totals = history.totals
        top = max(totals, default=0) or 1
        # Bars share the row's width: one per day, as tall as the day's vacancies (a thin line at none).
        self.bars.controls = [ft.Container(height=max(2, round(BAR_AREA_HEIGHT * t / top)), expand=True,
                                           bgcolor=ft.Colors.BLUE_700 if t else ft.Colors.OUTLINE_VARIANT)
                              for t in totals]
        self.chart.label = (f"Vacancies accepting admissions over {len(totals)} days: "
                            f"{totals[0]} at first, {totals[-1]} now, highest {max(totals)}") if totals else None
        self.chart.visible = bool(totals)
        self.lines.controls = [ft.Text(line.text, size=13) for line in history.lines]
        if update:
            self.update()
