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


def test_what_else_a_row_shows_rebuilds_it_and_the_empty_control_can_be_its_own():
    steady = SteadyList()
    steady.show(["Margaret"], make, context="closed")
    first = steady.controls[0]
    steady.show(["Margaret"], make, context="closed")
    assert steady.controls[0] is first
    steady.show(["Margaret"], make, context="Margaret open")  # e.g. an alert opened: its row grows
    assert steady.controls[0] is not first
    steady.show([], make, lambda: ft.Text("Nothing here", size=15))
    assert [c.value for c in steady.controls] == ["Nothing here"]
    steady.show(["Arthur"], make)
    steady.show([], make)  # no empty words: nothing (e.g. no lost changes)
    assert steady.controls == []


def test_lines_that_change_their_words_keep_their_controls_when_refilled():
    steady = SteadyList()

    def refill(text: ft.Control, row: str) -> None:
        text.value = row

    steady.show(["Sending and receiving...", "0 changes waiting"], make, refill=refill)
    first = list(steady.controls)
    steady.show(["Connected", "0 changes waiting"], make, refill=refill)
    assert [c.value for c in steady.controls] == ["Connected", "0 changes waiting"]
    assert all(a is b for a, b in zip(steady.controls, first, strict=True))
    steady.show(["Offline", "0 changes waiting", "Cannot reach the central API"], make, refill=refill)  # one more
    assert [c.value for c in steady.controls] == ["Offline", "0 changes waiting", "Cannot reach the central API"]
    assert all(a is b for a, b in zip(steady.controls, first, strict=False))
    steady.show(["Connected"], make, refill=refill)  # fewer: the first line stays, the others go
    assert len(steady.controls) == 1 and steady.controls[0] is first[0] and first[0].value == "Connected"
