"""The home manager's settings: funding accepted, the bed categories offered, who discharge teams ask for.

Semantics identifiers: ``settings-back``, ``funding-<funding>``,
``category-<category>``, ``categories-note``, ``settings-manager``,
``settings-phone``, ``settings-save``, ``settings-message``, ``settings-changed``, ``sharing-<data>-<audience>``
(one per ``domain.sharing.OPTIONS``), ``sharing-always``, ``sharing-changed``.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.state.home_settings import HomeSettingsScreen
from client.sync import SyncStatus
from client.views.widgets import back_header, heading, identified, message_colour, screen_title
from domain.beds import BedCategory
from domain.home_settings import Funding


class HomeSettingsView(ft.Column):
    def __init__(self, screen: HomeSettingsScreen, *, on_back: Callable[[], None]) -> None:
        super().__init__(spacing=10, expand=True)
        self.screen = screen
        self.funding = {f: ft.Checkbox(label=f.label, value=f in screen.funding,
                                       on_change=lambda e, f=f: self._funding(f, e))
                        for f in Funding}
        self.categories = {c: ft.Checkbox(label=c.label, value=c in screen.categories,
                                          on_change=lambda e, c=c: self._category(c, e))
                           for c in BedCategory}
        self.sharing = {option.key: ft.Checkbox(label=option.label, value=ticked,
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
            ft.Column([
                back_header("settings-back", on_back, screen_title("Home settings")),
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
            ], spacing=8, scroll=ft.ScrollMode.AUTO, expand=True),
            ft.Semantics(identifier="settings-message", live_region=True, content=self.message),
            identified("settings-save", ft.FilledButton("Save", height=52, on_click=self._save)),
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
