"""Controls several screens build the same way, so they look and read (for screen readers and tests) the same."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

import flet as ft

from client.sync import SyncEngine


def identified(identifier: str, control: ft.Control, label: str | None = None) -> ft.Semantics:
    """``control`` with a stable semantics identifier (what the browser tests and screen readers find)."""
    return ft.Semantics(identifier=identifier, label=label, content=control)


def screen_title(value: str = "") -> ft.Text:
    """A screen's title line."""
    return ft.Text(value, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.BOLD)


def heading(value: str) -> ft.Text:
    """A section's heading within a screen."""
    return ft.Text(value, size=17, weight=ft.FontWeight.BOLD)


def back_header(identifier: str, on_back: Callable[[], None] | None, title: ft.Control) -> ft.Row:
    """The top row: a Back button (when there is somewhere to go back to) and the screen's title."""
    back = ft.IconButton(ft.Icons.ARROW_BACK, tooltip="Back", on_click=lambda e: on_back and on_back())
    return ft.Row([identified(identifier, back, "Back") if on_back is not None else ft.Container(),
                   ft.Container(title, expand=True)], spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def dropdown(label: str, options: list[tuple[str, str]], value: str | None = None, **kwargs: Any) -> ft.Dropdown:
    """A dense dropdown of (key, text) options."""
    return ft.Dropdown(label=label, value=value, options=[ft.DropdownOption(key=k, text=t) for k, t in options],
                       dense=True, **kwargs)


def server_field(url: str) -> ft.TextField:
    """The central API's address, on the sign-in and account forms."""
    return ft.TextField(label="Server address", value=url, keyboard_type=ft.KeyboardType.URL)


def password_field(label: str, **kwargs: Any) -> ft.TextField:
    return ft.TextField(label=label, password=True, can_reveal_password=True, **kwargs)


def sync_now_button(engine: SyncEngine) -> ft.TextButton:
    return ft.TextButton("Sync now", icon=ft.Icons.SYNC, on_click=lambda e: engine.request_sync())


def sync_status_row(text: ft.Text, *trailing: ft.Control) -> ft.Row:
    """Where the changes are (``sync-status``), with any buttons after it (e.g. Sync now)."""
    return ft.Row([ft.Icon(ft.Icons.CLOUD_SYNC, size=18), ft.Container(identified("sync-status", text), expand=True),
                   *trailing], vertical_alignment=ft.CrossAxisAlignment.CENTER)


def message_colour(is_error: bool) -> ft.Colors:
    """The colour of what the last action did: an error, or done."""
    return ft.Colors.ERROR if is_error else ft.Colors.GREEN_800


class SteadyList(ft.Column):
    """A column of one control per row that is rebuilt only when the rows change.

    Sync ticks refresh screens often; replacing unchanged controls would move the target from under a finger
    (or a screen reader's focus) for nothing.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Any, ...] | None = None

    def show(self, rows: Iterable[Any], make: Callable[[Any], ft.Control], empty: str) -> None:
        rows = tuple(rows)
        if rows == self._shown:
            return
        self._shown = rows
        self.controls = [make(row) for row in rows] or [ft.Text(empty)]


# Semantics this module hid because their control was hidden (shown again with it).
_HIDDEN_WITH_CONTENT: weakref.WeakSet[ft.Semantics] = weakref.WeakSet()


def hide_semantics_of_hidden(root: ft.Control) -> None:
    """A Semantics whose control is hidden is hidden with it, and shown again with it.

    Flet draws a red "Semantics.content must be provided and visible" box in place of a Semantics over a
    hidden control. Call after changing which controls are visible, before ``update()``. A Semantics hidden
    on purpose (over a visible control) is left as it is.
    """
    stack = [root]
    while stack:
        control = stack.pop()
        content = getattr(control, "content", None)
        if isinstance(control, ft.Semantics) and isinstance(content, ft.Control):
            if content.visible is False and control.visible is not False:
                control.visible = False
                _HIDDEN_WITH_CONTENT.add(control)
            elif content.visible is not False and control in _HIDDEN_WITH_CONTENT:
                control.visible = True
                _HIDDEN_WITH_CONTENT.discard(control)
        stack.extend(child for child in [*(getattr(control, "controls", None) or []), content]
                     if isinstance(child, ft.Control))
