"""Vacancies over time: vacancies accepting admissions by category for an area (last 30 or 90 days, or weekly),
as a line chart with a table beneath. Fetched from the central API; the last answer is shown offline with its date.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import flet_charts as fch

from client.state.area_history import AreaHistory, HistoryShown
from client.sync import SyncStatus
from client.views.area_parts import DataAgeLine, full_width, nice_step, value_axis
from client.views.widgets import back_header, dropdown, identified, named, screen_title
from domain.area import AreaRef
from domain.beds import BedCategory

RANGES = {"day:30": ("day", 30), "day:90": ("day", 90), "week:90": ("week", 90)}
RANGE_CHOICES = [("day:30", "Last 30 days"), ("day:90", "Last 90 days"), ("week:90", "Weekly, last 90 days")]
LINE_COLOURS = [ft.Colors.BLUE_700, ft.Colors.RED_700, ft.Colors.GREEN_700, ft.Colors.PURPLE_700,
                ft.Colors.ORANGE_800, ft.Colors.TEAL_700, ft.Colors.BROWN_600, ft.Colors.PINK_600]


def colour_of(category: BedCategory) -> str:
    return LINE_COLOURS[list(BedCategory).index(category) % len(LINE_COLOURS)]


def line_chart(shown: HistoryShown) -> ft.Control:
    series = shown.series()
    points = shown.answer.points if shown.answer else []
    if not series or not points:
        return ft.Text("No bed changes recorded in this period.")
    top = max([n for values in series.values() for _, n in values] + [1])
    step = max(1, len(points) // 4)  # about 4 dates under the chart
    lines = [fch.LineChartData(points=[fch.LineChartDataPoint(x=i, y=n, tooltip=f"{category.label}: {n}")
                                       for i, (_, n) in enumerate(values)],
                               color=colour_of(category),
                               stroke_width=2)
             for category, values in series.items()]
    y_step = nice_step(top)
    return ft.Semantics(label=f"Vacancies accepting admissions from {points[0].day:%d %b} to {points[-1].day:%d %b}",
                        content=fch.LineChart(
        data_series=lines, min_y=0, max_y=(top // y_step + 1) * y_step, min_x=0, max_x=max(len(points) - 1, 1),
        height=220, left_axis=value_axis(top),
        bottom_axis=fch.ChartAxis(label_size=24, label_spacing=step, labels=[
            fch.ChartAxisLabel(value=i, label=ft.Text(f"{point.day:%d %b}".lstrip("0"), size=10))
            for i, point in enumerate(points) if i % step == 0]),
    ))


class AreaHistoryView(ft.Column):
    def __init__(self, history: AreaHistory, area: AreaRef, store, status: SyncStatus | None, *,
                 on_back: Callable[[], None]) -> None:
        super().__init__(spacing=10, expand=True)
        self.history, self.area = history, area
        self.age = DataAgeLine(store, status)
        self.range = dropdown("Show", RANGE_CHOICES, "day:30", on_select=self._changed)
        self.line = ft.Text("Fetching the vacancy history...", size=13)
        self.chart = ft.Container()
        self.legend = ft.Column(spacing=2)
        self.shown: HistoryShown | None = None
        self.controls = [
            # A short pinned title: an ICB's long name there would fill a phone at 200% text; it heads the list.
            back_header("history-back", on_back, screen_title("Vacancy history"), "area overview"),
            ft.Column([
                ft.Text(area.name or area.code, size=17, weight=ft.FontWeight.BOLD),
                self.age, full_width(named(self.range)), identified("history-source", self.line),
                identified("history-chart", self.chart, "Vacancies accepting admissions over time"),
                self.legend,
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]

    def did_mount(self) -> None:
        self.page.run_task(self.load)

    async def load(self) -> None:
        interval, days = RANGES[self.range.value or "day:30"]
        self.show(await self.history.load(self.area, interval, days))
        self.update()

    async def _changed(self, e: ft.Event) -> None:
        self.line.value = "Fetching the vacancy history..."
        self.update()
        await self.load()

    def show(self, shown: HistoryShown) -> None:
        self.shown = shown
        self.line.value = shown.line
        self.chart.content = line_chart(shown) if shown.answer else None
        latest = shown.answer.points[-1] if shown.answer and shown.answer.points else None
        self.legend.controls = [identified("history-table", ft.Column([
            ft.Row([ft.Container(width=14, height=14, bgcolor=colour_of(category), border_radius=7),
                    # The words wrap, the count goes under them when both do not fit (never split mid-word).
                    ft.Container(ft.Row([
                        ft.Text(category.label),
                        ft.Text(f"{values[-1][1]} now ({min(n for _, n in values)}-{max(n for _, n in values)})",
                                weight=ft.FontWeight.BOLD)], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                        expand=True)])
            for category, values in shown.series().items()], spacing=4))] if latest else []

    def on_sync_status(self, status: SyncStatus) -> None:
        self.age.refresh(status)
        self.update()
