"""SteadyList: a list screen refreshed by every sync tick keeps its controls while its rows are unchanged.

Rebuilding them made a resident's row detach under the finger in Chromium (a CI failure in the red bag test).
"""

from __future__ import annotations

import flet as ft

from client.views.widgets import SteadyList


def make(row: str) -> ft.Control:
    return ft.Text(row)


def test_unchanged_rows_keep_their_controls_and_changed_rows_rebuild():
    steady = SteadyList()
    steady.show(["Margaret", "Arthur"], make, "No residents yet")
    first = list(steady.controls)
    steady.show(("Margaret", "Arthur"), make, "No residents yet")  # the same rows, from a fresh read
    assert all(a is b for a, b in zip(steady.controls, first, strict=True))
    steady.show(["Margaret"], make, "No residents yet")
    assert [c.value for c in steady.controls] == ["Margaret"] and steady.controls[0] is not first[0]


def test_no_rows_show_the_empty_words():
    steady = SteadyList()
    steady.show([], make, "No residents yet")
    assert [c.value for c in steady.controls] == ["No residents yet"]
