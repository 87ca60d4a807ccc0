"""The app's look where it matters for people using it: touch targets, focus, density.

Flutter on the web and desktop picks a compact density (32 px buttons) and a faint grey focus highlight. A care
home manager on a phone needs 48 px targets; a keyboard user needs to see where the focus is at a glance. So:
standard density, buttons padded to at least 48 px tall (they grow with the text, never clip it), and a focus
shown the way GOV.UK services show it: a yellow highlight with a thick near-black outline.
"""

from __future__ import annotations

import flet as ft

FOCUS_HIGHLIGHT = "#FFDD00"  # GOV.UK focus yellow: the fill of a focused control
FOCUS_OUTLINE = "#0B0C0C"  # GOV.UK near-black: the outline around it
FOCUS_OUTLINE_WIDTH = 3
# A text line of a button is 20 px; 14 above and below make 48.
BUTTON_PADDING = ft.Padding.symmetric(vertical=14, horizontal=20)
ICON_BUTTON_PADDING = 12  # 24 px icon + 12 each side = 48


def focused_outline() -> dict[ft.ControlState, ft.BorderSide]:
    """A button's border: only when it has the keyboard focus (otherwise the button's own border)."""
    return {ft.ControlState.FOCUSED: ft.BorderSide(FOCUS_OUTLINE_WIDTH, FOCUS_OUTLINE)}


def outline_with_focus(colour: str, width: float = 1) -> dict[ft.ControlState, ft.BorderSide]:
    """A button's own border, replaced by the focus outline while it has the keyboard focus."""
    return {ft.ControlState.FOCUSED: ft.BorderSide(FOCUS_OUTLINE_WIDTH, FOCUS_OUTLINE),
            ft.ControlState.DEFAULT: ft.BorderSide(width, colour)}


def focused_fill() -> dict[ft.ControlState, str]:
    return {ft.ControlState.FOCUSED: FOCUS_HIGHLIGHT}


def button_style(**overrides) -> ft.ButtonStyle:
    """A button's style with the app's touch size and focus (give a control its own style through this)."""
    style = dict(padding=BUTTON_PADDING, side=focused_outline(), overlay_color=focused_fill(),
                 visual_density=ft.VisualDensity.STANDARD)
    return ft.ButtonStyle(**{**style, **overrides})


def icon_button_style(**overrides) -> ft.ButtonStyle:
    style = dict(padding=ICON_BUTTON_PADDING, side=focused_outline(), overlay_color=focused_fill(),
                 visual_density=ft.VisualDensity.STANDARD)
    return ft.ButtonStyle(**{**style, **overrides})


def app_theme() -> ft.Theme:
    return ft.Theme(
        color_scheme_seed=ft.Colors.BLUE_800,
        visual_density=ft.VisualDensity.STANDARD,
        focus_color=FOCUS_HIGHLIGHT,
        button_theme=ft.ButtonTheme(style=button_style()),
        filled_button_theme=ft.FilledButtonTheme(style=button_style()),
        # An outlined button keeps its outline (a theme's side replaces the button's own).
        outlined_button_theme=ft.OutlinedButtonTheme(style=button_style(side=outline_with_focus(ft.Colors.OUTLINE))),
        text_button_theme=ft.TextButtonTheme(style=button_style()),
        icon_button_theme=ft.IconButtonTheme(style=icon_button_style()),
        # Scroll bars always shown: a list cut at the bottom of a desktop window says there is more.
        scrollbar_theme=ft.ScrollbarTheme(thumb_visibility=True, thickness=8),
    )


# The bed update's two big buttons: 56 px at 100% text, taller when the text is larger (never a fixed height).
BIG_BUTTON = button_style(padding=ft.Padding.symmetric(vertical=18, horizontal=20))
BIG_OUTLINED_BUTTON = button_style(padding=ft.Padding.symmetric(vertical=18, horizontal=20),
                                   side=outline_with_focus(ft.Colors.OUTLINE))


def urgent_button_style() -> ft.ButtonStyle:
    """A red, big button (Start transfer, Send to hospital): no fixed height, it grows with the text."""
    return button_style(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE,
                        padding=ft.Padding.symmetric(vertical=18, horizontal=16))
