"""Records changed on two devices: the notice on the red bag screen and the screen to choose a version.

Thin: ``client.state.conflicts`` holds the rules; these controls render it and
forward taps.

Semantics identifiers the tests use: ``conflict-notice``, ``conflict-open``, ``conflicts-back``,
``conflict-title-<copy id>``, ``keep-mine-<copy id>``, ``keep-theirs-<copy id>``,
``conflicts-message``.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.state.conflicts import EXPLANATION, KEEP_MINE_NEXT, KEEP_THEIRS_NEXT, ConflictChoice, ConflictChoices
from client.sync import SyncStatus
from client.views.widgets import SteadyList, announced, back_header, identified, screen_title


class ConflictNotice(ft.Container):
    """'N records were changed on two devices: choose which to keep', shown only while copies wait."""

    def __init__(self, choices: ConflictChoices, *, on_open: Callable[[], None]) -> None:
        self.choices = choices
        self.text = ft.Text("", weight=ft.FontWeight.W_600, color=ft.Colors.ON_TERTIARY_CONTAINER)
        button = ft.TextButton("Choose", on_click=lambda e: on_open())
        super().__init__(
            ft.Row([ft.Icon(ft.Icons.CALL_SPLIT, color=ft.Colors.ON_TERTIARY_CONTAINER),
                    ft.Container(identified("conflict-notice", self.text), expand=True), identified("conflict-open", button)]),
            bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=8, padding=ft.Padding.symmetric(horizontal=12),
        )
        self.refresh()

    def refresh(self) -> None:
        self.choices.reload()
        self.text.value = self.choices.notice or ""
        self.visible = self.choices.notice is not None


class ConflictsView(ft.Column):
    def __init__(self, choices: ConflictChoices, *, on_back: Callable[[], None]) -> None:
        super().__init__(spacing=12, expand=True)
        self.choices = choices
        self.message = ft.Text("", size=14, color=ft.Colors.GREEN_800)
        self.list = SteadyList(spacing=12)  # a sync tick leaves Keep mine / Keep theirs in place
        self.controls = [
            # Pinned (Back never scrolls away); the title wraps at 200% text instead of running off the screen.
            back_header("conflicts-back", on_back, screen_title("Changed on two devices"), "the red bag"),
            ft.Column([ft.Text(EXPLANATION, size=14), announced("conflicts-message", self.message), self.list],
                      spacing=12, expand=True, scroll=ft.ScrollMode.AUTO),
        ]
        self.refresh(update=False)

    def refresh(self, *, update: bool = True) -> None:
        self.message.value = self.choices.message or ""
        self.list.show(self.choices.choices, self._card, "Nothing to choose: every record is the same on all devices.")
        if update:
            self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        self.choices.reload()
        self.refresh()

    def _choose(self, choose: Callable[[int], str], copy_id: int) -> None:
        choose(copy_id)
        self.refresh()

    def _card(self, choice: ConflictChoice) -> ft.Control:
        rows: list[ft.Control] = []
        for difference in choice.differences:
            rows += [
                ft.Text(difference.label, weight=ft.FontWeight.W_600),
                ft.Text(f"Yours: {difference.yours}"),
                ft.Text(f"Other device: {difference.theirs}", color=ft.Colors.ON_SURFACE_VARIANT),
            ]
        keep_mine = ft.FilledButton("Keep mine",
                                    on_click=lambda e: self._choose(self.choices.keep_mine, choice.copy_id))
        keep_theirs = ft.OutlinedButton("Keep theirs",
                                        on_click=lambda e: self._choose(self.choices.keep_theirs, choice.copy_id))
        return ft.Container(ft.Column([
            identified(f"conflict-title-{choice.copy_id}", ft.Text(choice.title, size=16, weight=ft.FontWeight.BOLD)),
            ft.Text(choice.yours_saved, size=13),
            ft.Text(choice.theirs_saved, size=13),
            *rows,
            ft.Text(KEEP_MINE_NEXT, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(KEEP_THEIRS_NEXT, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Row([identified(f"keep-mine-{choice.copy_id}", keep_mine), identified(f"keep-theirs-{choice.copy_id}", keep_theirs)],
                   wrap=True),
        ], spacing=6), border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8, padding=12)
