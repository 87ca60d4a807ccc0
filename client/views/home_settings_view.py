"""The home manager's settings: funding accepted, the bed categories offered, who discharge teams ask for.

Semantics identifiers: ``settings-back``, ``funding-<funding>``,
``category-<category>``, ``categories-note``, ``settings-manager``,
``settings-phone``, ``settings-save``, ``settings-message``, ``settings-changed``, ``sharing-<data>-<audience>``
(one per ``domain.sharing.OPTIONS``), ``sharing-always``, ``sharing-changed``; the outbreak control
(when given): ``outbreak-status``, ``outbreak-kind``, ``outbreak-start-date``, ``outbreak-start``,
``outbreak-case``, ``outbreak-close``, ``outbreak-message``.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.state.home_settings import HomeSettingsScreen
from client.state.outbreak import OutbreakPanel
from client.sync import SyncStatus
from client.views.widgets import (
    back_header,
    checkbox,
    heading,
    hide_semantics_of_hidden,
    identified,
    message_colour,
    screen_title,
    side_by_side,
)
from domain.beds import BedCategory
from domain.home_settings import Funding
from domain.outbreak import OutbreakKind


class OutbreakControl(ft.Column):
    """Mark an infection outbreak, record a new case, close it (saved at once, apart from the settings)."""

    def __init__(self, panel: OutbreakPanel, on_saved: Callable[[], None]) -> None:
        super().__init__(spacing=8)
        self.panel, self.on_saved = panel, on_saved
        self.status = ft.Text("", size=15)
        self.kind = ft.Dropdown(label="Infection", value=panel.kind.value,
                                options=[ft.DropdownOption(key=k.value, text=k.label) for k in OutbreakKind])
        self.start_date = ft.TextField(label="Started on", hint_text="e.g. 3/11/2026",
                                       helper="Leave empty for today")
        self.start = ft.OutlinedButton("Mark an outbreak", icon=ft.Icons.CORONAVIRUS, on_click=self._start)
        self.case = ft.OutlinedButton("New case today", on_click=lambda e: self._act(panel.record_case))
        self.close = ft.OutlinedButton("Close the outbreak", on_click=lambda e: self._act(panel.close))
        self.message = ft.Text("", size=14)
        # Shown and hidden by their Semantics wrappers: a Semantics around a hidden control draws Flutter's red
        # error box instead.
        self.before = [identified("outbreak-kind", self.kind), identified("outbreak-start-date", self.start_date),
                       identified("outbreak-start", self.start)]
        self.during = [identified("outbreak-case", self.case), identified("outbreak-close", self.close)]
        self.controls = [
            heading("Infection outbreak"),
            identified("outbreak-status", self.status),
            side_by_side(*self.before[:2]),
            ft.Row([self.before[2], *self.during], wrap=True),
            ft.Semantics(identifier="outbreak-message", live_region=True, content=self.message),
        ]
        self.render(update=False)

    def _start(self, e: ft.Event) -> None:
        self.panel.start_text = self.start_date.value or ""
        self._act(lambda: self.panel.start(self.kind.value or OutbreakKind.OTHER))

    def _act(self, action: Callable[[], bool]) -> None:
        if action():
            self.start_date.value = ""
            self.on_saved()
        self.render()

    def render(self, *, update: bool = True) -> None:
        panel = self.panel
        self.status.value = panel.status_line
        for control in (*self.before, self.kind, self.start_date, self.start):
            control.visible = not panel.active
        for control in (*self.during, self.case, self.close):
            control.visible = panel.active
        self.message.value = panel.message or ""
        self.message.color = message_colour(panel.message_is_error)
        hide_semantics_of_hidden(self)
        if update:
            self.update()


class HomeSettingsView(ft.Column):
    def __init__(self, screen: HomeSettingsScreen, *, on_back: Callable[[], None],
                 outbreak: OutbreakPanel | None = None, on_outbreak_saved: Callable[[], None] = lambda: None) -> None:
        super().__init__(spacing=10, expand=True)
        self.screen = screen
        self.outbreak = OutbreakControl(outbreak, on_outbreak_saved) if outbreak is not None else None
        self.funding = {f: checkbox(label=f.label, value=f in screen.funding,
                                       on_change=lambda e, f=f: self._funding(f, e))
                        for f in Funding}
        self.categories = {c: checkbox(label=c.label, value=c in screen.categories,
                                          on_change=lambda e, c=c: self._category(c, e))
                           for c in BedCategory}
        self.sharing = {option.key: checkbox(label=option.label, value=ticked,
                                                on_change=lambda e, key=option.key: self._sharing(key, e))
                        for option, ticked in screen.sharing_options}
        self.sharing_changed = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.categories_note = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.manager = ft.TextField(label="Name discharge teams should ask for", value=screen.manager_name,
                                    on_change=self._typed)
        self.phone = ft.TextField(label="Phone discharge teams should call", value=screen.contact_phone,
                                  keyboard_type=ft.KeyboardType.PHONE, hint_text=screen.phone_hint,
                                  on_change=self._typed)
        self.message = ft.Text("", size=14)
        self.changed = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.controls = [
            back_header("settings-back", on_back, screen_title("Home settings"), "bed state"),  # pinned
            ft.Column([
                heading("Funding accepted"),
                *(identified(f"funding-{f.value}", box) for f, box in self.funding.items()),
                heading("Bed categories offered"),
                identified("categories-note", self.categories_note),
                *(identified(f"category-{c.value}", box) for c, box in self.categories.items()),
                heading("Who discharge teams ask for"),
                identified("settings-manager", self.manager),
                identified("settings-phone", self.phone),
                identified("settings-changed", self.changed),
                heading("Who else may see your data"),
                identified("sharing-always", ft.Text(screen.always_shared, size=13)),
                *(identified(f"sharing-{key}", box) for key, box in self.sharing.items()),
                identified("sharing-changed", self.sharing_changed),
                *([self.outbreak] if self.outbreak is not None else []),
            ], spacing=8, scroll=ft.ScrollMode.AUTO, expand=True),
            ft.Semantics(identifier="settings-message", live_region=True, content=self.message),
            identified("settings-save", ft.FilledButton("Save", on_click=self._save)),
        ]
        self.render(update=False)

    def _funding(self, funding: Funding, e: ft.Event) -> None:
        self.screen.set_funding(funding, bool(e.control.value))
        self.render()

    def _category(self, category: BedCategory, e: ft.Event) -> None:
        self.screen.set_category(category, bool(e.control.value))
        self.render()

    def _sharing(self, key: str, e: ft.Event) -> None:
        self.screen.set_sharing(key, bool(e.control.value))
        self.render()

    def _typed(self, e: ft.Event) -> None:
        self.screen.manager_name = self.manager.value or ""
        self.screen.contact_phone = self.phone.value or ""

    def _save(self, e: ft.Event) -> None:
        self._typed(e)
        self.screen.save()
        self.render(reset_fields=True)

    def render(self, *, update: bool = True, reset_fields: bool = False) -> None:
        screen = self.screen
        for funding, box in self.funding.items():
            box.value = funding in screen.funding
        for category, box in self.categories.items():
            box.value = category in screen.categories
        for option, ticked in screen.sharing_options:
            self.sharing[option.key].value = ticked
        self.sharing_changed.value = screen.sharing_changed_text
        self.categories_note.value = screen.categories_note
        if reset_fields and not screen.message_is_error:
            self.manager.value, self.phone.value = screen.manager_name, screen.contact_phone
        self.message.value = screen.message or ""
        self.message.color = message_colour(screen.message_is_error)
        self.changed.value = screen.changed_text
        if update:
            self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        """Sync news: nothing to redraw while she edits (her draft stays)."""
