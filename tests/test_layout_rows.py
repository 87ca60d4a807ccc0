"""A field beside a button or another field has a row of its own on a phone (below the "md" breakpoint, 768 px).

Squeezed beside "Reset password" on a phone at 200% text, "User name to reset" was 82 px wide: its label split into
a letter or two a line ("Us/er/na/me"), drawn over the invite code below it. The browser walk
(tests/test_e2e_layout_manager_more.py) shows the staff panel; its boxes are not cut or overlapping, so this is
checked here, on the controls the screen is built of.
"""

from __future__ import annotations

import flet as ft

from client.views.staff_panel_view import StaffPanelView


def phone_rows(row: ft.ResponsiveRow) -> list[int]:
    """The columns of 12 each control of a responsive row takes on a phone."""
    return [control.col["xs"] for control in row.controls]


def test_the_user_name_to_reset_has_a_row_of_its_own_on_a_phone():
    panel = StaffPanelView(session=None, home_id="home-1")
    [row] = [control for control in panel.controls if isinstance(control, ft.ResponsiveRow)]
    assert row.controls[0].content is panel.username
    assert phone_rows(row) == [12, 12]
    assert [control.col["md"] for control in row.controls] == [8, 4]  # side by side on a tablet or desktop
