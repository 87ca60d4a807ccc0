"""Pieces every area screen shares: how old the area data is, CSV buttons, simple charts with a table beneath,
and a telephone button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft
import flet_charts as fch

from client.state.area import CsvFile, data_age_line, data_at, is_offline, put_csv
from client.store import Document, LocalStore
from client.sync import SyncStatus
from client.views.document_actions import DocumentActions
from client.views.widgets import identified

OpenDocument = Callable[[Document], Awaitable[None]]
MIN_TAP = 48  # touch targets, px


class DataAgeLine(ft.Container):
    """'Area data from 09:12 today (2 hours ago)': on every area screen, plainly when offline."""

    def __init__(self, store: LocalStore, status: SyncStatus | None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.store, self._now = store, now
        self.text = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        super().__init__(identified("area-data-age", self.text), padding=ft.Padding.symmetric(vertical=4))
        self.refresh(status)

    def refresh(self, status: SyncStatus | None) -> None:
        offline = is_offline(status)
        self.text.value = data_age_line(data_at(self.store), self._now(), offline)
        self.bgcolor = ft.Colors.AMBER_50 if offline else None


def csv_button(identifier: str, label: str, store: LocalStore, make: Callable[[], CsvFile],
               open_document: OpenDocument | None) -> ft.Control:
    """The table as a CSV file (``label``: its name), made when asked for, sealed on the device and handed to the
    person: Open / Download / Share as the mode offers (client/views/document_actions.py)."""
    return identified(identifier, DocumentActions(identifier, label, lambda: put_csv(store, make()), open_document))


def full_width(control: ft.Control) -> ft.Row:
    """``control`` (a dropdown) as wide as the screen: its choices are never cut short ("7 days (the nati")."""
    return ft.Row([ft.Container(control, expand=True)])


def stretched(*controls: ft.Control) -> ft.Column:
    """Controls one under another, each as wide as the screen."""
    return ft.Column(list(controls), spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def phone_button(phone: str | None, identifier: str | None = None, home: str | None = None) -> ft.Control:
    """The number to call, as a tel: link (a phone dials it); a screen reader also hears whose number it is (two
    homes of one provider may share a number)."""
    if not phone:
        return ft.Text("No phone number in the directory", size=13)
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    words = f"Call {home} on {phone}" if home else f"Call {phone}"
    button = ft.OutlinedButton(content=ft.Text(f"Call {phone}", semantics_label=words), icon=ft.Icons.PHONE,
                               url=f"tel:{digits}")
    return identified(identifier, button) if identifier else button


def table(rows: list[tuple[str, str]], identifier: str | None = None) -> ft.Control:
    """A two-column table (label, value) that fits a phone: what the chart above shows, readable."""
    # A row that wraps: the value goes under its label when both do not fit (at 200% text a label squeezed beside
    # its value would split mid-word).
    lines = ft.Column([ft.Row([ft.Text(label), ft.Text(value, weight=ft.FontWeight.BOLD)], wrap=True,
                              alignment=ft.MainAxisAlignment.SPACE_BETWEEN)
                       for label, value in rows], spacing=2)
    return identified(identifier, lines) if identifier else lines


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5, 10, 20, 50...) giving about ``ticks`` labels up to ``top``."""
    rough, magnitude = max(1, top) / ticks, 1
    while magnitude * 10 <= rough:
        magnitude *= 10
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)


def value_axis(top: int) -> fch.ChartAxis:
    """The counts axis: whole numbers at round steps (the chart's own labels would be fractions here)."""
    step = nice_step(top)
    return fch.ChartAxis(labels=[fch.ChartAxisLabel(value=v, label=ft.Text(str(v), size=10))
                                 for v in range(0, top + step, step)], label_spacing=step, label_size=40)


def bar_chart(values: list[tuple[str, int]], colour: str = ft.Colors.BLUE_700, height: int = 180) -> ft.Control:
    """Vertical bars, one per label (short labels under the bars; the table beneath has them in full)."""
    top = max([v for _, v in values] + [1])
    step = nice_step(top)
    return ft.Semantics(label=", ".join(f"{label}: {v}" for label, v in values), content=fch.BarChart(
        groups=[fch.BarChartGroup(x=i, rods=[fch.BarChartRod(from_y=0, to_y=v, width=18, color=colour,
                                                              tooltip=f"{label}: {v}", border_radius=3)])
                for i, (label, v) in enumerate(values)],
        bottom_axis=fch.ChartAxis(labels=[fch.ChartAxisLabel(value=i, label=ft.Text(short_label(label), size=10))
                                          for i, (label, _) in enumerate(values)], label_size=28),
        left_axis=value_axis(top), max_y=(top // step + 1) * step, height=height, interactive=True,
    ))


def stacked_bar(parts: list[tuple[str, int, str]], height: int = 28) -> ft.Control:
    """One horizontal bar split by share (fresh / ageing / stale / never), each part its colour."""
    total = sum(v for _, v, _ in parts) or 1
    segments = [ft.Container(expand=max(1, round(1000 * v / total)), bgcolor=colour, height=height,
                             tooltip=f"{label}: {v}")
                for label, v, colour in parts if v > 0]
    if not segments:
        segments = [ft.Container(expand=1, bgcolor=ft.Colors.GREY_300, height=height)]
    return ft.Semantics(label=", ".join(f"{label} {v}" for label, v, _ in parts),
                        content=ft.Container(ft.Row(segments, spacing=1), border_radius=4,
                                             clip_behavior=ft.ClipBehavior.HARD_EDGE))


SHORT_LABELS = {"Residential": "Res", "Residential dementia": "Res dem", "Nursing": "Nurs",
                "Nursing dementia": "Nurs dem", "Learning disability": "LD", "Mental health": "MH",
                "Young physically disabled (18-65)": "YPD", "Short stay (D2A, respite, reablement)": "Short"}


def short_label(label: str) -> str:
    return SHORT_LABELS.get(label, label if len(label) <= 9 else label[:8] + ".")
