"""Controls several screens build the same way, so they look and read (for screen readers and tests) the same."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

import flet as ft

from client.sync import SyncEngine


def identified(identifier: str, control: ft.Control, label: str | None = None) -> ft.Semantics:
    """``control`` with a stable semantics identifier (what the browser tests and screen readers find).

    A dropdown is named by its own label (a Semantics with an identifier is a node of its own, so a label there
    would name only the group around the dropdown, and the dropdown itself says nothing to a screen reader)."""
    if isinstance(control, ft.Dropdown) and isinstance(control.label, str):
        control = own_name(control.label, control)
    return ft.Semantics(identifier=identifier, label=label, content=control)


def announced(identifier: str, text: ft.Control) -> ft.Semantics:
    """A status or message line that screen readers announce when it changes (a live region)."""
    return ft.Semantics(identifier=identifier, live_region=True, content=text)


def own_name(name: str, control: ft.Control) -> ft.Control:
    """``control`` with ``name`` as its own accessible name: merged into the button or field itself, not left on
    a wrapping group that a screen reader announces apart from the control."""
    return ft.MergeSemantics(content=ft.Semantics(label=name, content=control))


def named(dropdown: ft.Dropdown) -> ft.Control:
    """A dropdown named by its own label (Flutter does not pass a dropdown's label on to screen readers)."""
    return own_name(str(dropdown.label), dropdown)


def named_icon(icon: ft.IconData, name: str) -> ft.Icon:
    """An icon that names the icon button it is in (a tooltip does not)."""
    return ft.Icon(icon, semantics_label=name)


# Flutter lays a checkbox's label beside the box in a row that gives it all the width it asks for: a long label
# runs off a phone's screen rather than wrapping. A label longer than this is given a width to wrap in, one that
# fits beside the box on the narrowest screen (a 390 px phone, inside a card).
SHORT_LABEL = 16
LABEL_WIDTH = 250


def checkbox(label: str, **kwargs: Any) -> ft.Checkbox:
    """A checkbox whose row is at least 48 px tall (Flutter's own is 40 on the web) and grows with its text; a long
    label wraps instead of running off a phone's screen (at 200% text too)."""
    width = LABEL_WIDTH if len(label) > SHORT_LABEL else None
    return ft.Checkbox(label=ft.Container(ft.Text(label), padding=ft.Padding.symmetric(vertical=14), width=width),
                       **kwargs)


def checkbox_label(box: ft.Checkbox) -> str:
    """The words of a checkbox made by ``checkbox`` (or of a plain one)."""
    label = box.label
    if isinstance(label, ft.Container) and isinstance(label.content, ft.Text):
        return label.content.value or ""
    return str(label or "")


def switch(label: str, **kwargs: Any) -> ft.Switch:
    """A switch whose row is at least 48 px tall (Flutter's own is 40 on the web); a long label wraps."""
    text: str | ft.Control = label if len(label) <= SHORT_LABEL else ft.Container(ft.Text(label), width=LABEL_WIDTH)
    return ft.Switch(label=text, padding=ft.Padding.symmetric(vertical=4), **kwargs)


def side_by_side(first: ft.Control, second: ft.Control, first_share: int = 8) -> ft.ResponsiveRow:
    """Two controls side by side on a tablet or desktop (``first_share`` of 12 columns to the first), one under the
    other on a phone: a dropdown squeezed beside a field cuts its choice short ("Approaching St"), a field squeezed
    beside a button splits its label mid-word ("Us/er na/me" at 200% text)."""
    return ft.ResponsiveRow([ft.Container(first, col={"xs": 12, "md": first_share}),
                             ft.Container(second, col={"xs": 12, "md": 12 - first_share})], run_spacing=8)


def screen_title(value: str = "") -> ft.Text:
    """A screen's title line."""
    return ft.Text(value, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.BOLD)


def heading(value: str) -> ft.Text:
    """A section's heading within a screen."""
    return ft.Text(value, size=17, weight=ft.FontWeight.BOLD)


def back_header(identifier: str, on_back: Callable[[], None] | None, title: ft.Control,
                back_to: str = "the previous screen") -> ft.Row:
    """The top row: a Back button (when there is somewhere to go back to) and the screen's title.

    The button says where it goes ("Back to bed state"): a screen reader user hears more than "Back"."""
    back = ft.IconButton(named_icon(ft.Icons.ARROW_BACK, f"Back to {back_to}"), tooltip=f"Back to {back_to}",
                         on_click=lambda e: on_back and on_back())
    return ft.Row([identified(identifier, back) if on_back is not None else ft.Container(),
                   ft.Container(title, expand=True)], spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def dropdown(label: str, options: list[tuple[str, str]], value: str | None = None, **kwargs: Any) -> ft.Dropdown:
    """A dropdown of (key, text) options (as wide as its longest option unless given a width)."""
    return ft.Dropdown(label=label, value=value, options=[ft.DropdownOption(key=k, text=t) for k, t in options],
                       **kwargs)


def server_field(url: str) -> ft.TextField:
    """The central API's address, on the sign-in and account forms."""
    return ft.TextField(label="Server address", value=url, keyboard_type=ft.KeyboardType.URL)


def show_under_field(fields: dict[str, ft.TextField], error: str | None, wrong_field: str | None) -> bool:
    """A form's problem under the field it is about (every other field's old one gone); False when it is about
    none of them (the form's own message line says it)."""
    for name, field in fields.items():
        field.error = error if name == wrong_field else None
        field.error_max_lines = 4  # Flutter's one line cut "User name can have only letters, numbers an..." on a phone
    return bool(error) and wrong_field in fields


def clear_error(field: ft.TextField) -> None:
    """The person edits the field: its old problem no longer stands."""
    if field.error:
        field.error = None
        field.update()


def password_field(label: str, **kwargs: Any) -> ft.TextField:
    """A password field with a named Show/Hide password button of touch size (Flutter's own is nameless)."""
    field = ft.TextField(label=label, password=True, **kwargs)

    def toggle(e: ft.Event) -> None:
        field.password = not field.password
        reveal.icon = named_icon(ft.Icons.VISIBILITY if field.password else ft.Icons.VISIBILITY_OFF,
                                 "Show password" if field.password else "Hide password")
        field.update()

    reveal = ft.IconButton(named_icon(ft.Icons.VISIBILITY, "Show password"), on_click=toggle)
    field.suffix_icon = reveal
    return field


def sync_now_button(engine: SyncEngine, icon_only: bool = False) -> ft.Control:
    """"Sync now" (``sync-now``): an icon in a navigation bar, or a button with its words."""
    if icon_only:
        return identified("sync-now", nav_button(ft.Icons.SYNC, "Sync now", engine.request_sync))
    return identified("sync-now", ft.TextButton("Sync now", icon=ft.Icons.SYNC, on_click=lambda e: engine.request_sync()))


def nav_button(icon: ft.IconData, name: str, on_click: Callable[[], Any]) -> ft.IconButton:
    """A button of the pinned navigation bar: an icon of touch size, named for screen readers, its name as a
    tooltip for the mouse."""

    async def clicked(e: ft.Event) -> None:
        result = on_click()
        if hasattr(result, "__await__"):
            await result

    return ft.IconButton(named_icon(icon, name), tooltip=name, on_click=clicked)


def nav_bar(buttons: list[ft.Control]) -> ft.Row:
    """The way to the other screens, pinned (never scrolled away): one row of 48 px icon buttons, which fits a
    phone's width at any text size."""
    return ft.Row(buttons, spacing=4, wrap=True, alignment=ft.MainAxisAlignment.SPACE_AROUND)


def sync_status_row(text: ft.Text, *trailing: ft.Control, icon: ft.Icon | None = None) -> ft.Row:
    """Where the changes are (``sync-status``), with any buttons after it (e.g. Sync now); ``icon`` when the
    screen shows the state's own icon and colour (sent, waiting, not applied)."""
    return ft.Row([icon or ft.Icon(ft.Icons.CLOUD_SYNC, size=18),
                   ft.Container(announced("sync-status", text), expand=True),
                   *trailing], vertical_alignment=ft.CrossAxisAlignment.CENTER)


def message_colour(is_error: bool) -> ft.Colors:
    """The colour of what the last action did: an error, or done."""
    return ft.Colors.ERROR if is_error else ft.Colors.GREEN_800


class SteadyList(ft.Column):
    """A column of one control per row that is rebuilt only when what it shows changes.

    Sync ticks refresh screens often (a few times a second at first, every round while the API is down). Flet
    drops a tap on a control that has been replaced, and a replaced control loses keyboard and screen reader
    focus: replacing unchanged controls would move the target from under a finger for nothing. Every list a
    sync tick refreshes is one of these. ``context`` is whatever else ``make`` reads (e.g. which row is open).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Any, ...] | None = None

    def show(self, rows: Iterable[Any], make: Callable[[Any], ft.Control],
             empty: str | Callable[[], ft.Control] | None = None, *, context: Any = None,
             refill: Callable[[ft.Control, Any], None] | None = None) -> None:
        """``refill(control, row)``, when given, shows a changed row in the control that showed the row before it at
        that place: lines that change on every tick ("Sending and receiving..." / "Connected") keep their controls
        too; only rows beyond the earlier ones are made."""
        rows = tuple(rows)
        if self._shown is not None and (rows, context) == self._shown:
            return
        before, self._shown = self._shown, (rows, context)
        if refill is not None and before is not None and before[0] and rows and before[1] == context:
            kept = self.controls[:len(rows)]
            for control, row in zip(kept, rows, strict=False):
                refill(control, row)
            self.controls = kept + [make(row) for row in rows[len(kept):]]
            return
        made = [make(row) for row in rows]
        if not made and empty is not None:
            made = [ft.Text(empty) if isinstance(empty, str) else empty()]
        self.controls = made


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
