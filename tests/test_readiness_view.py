"""The readiness screen's section buttons survive the screen's refreshes.

A sync tick re-renders the screen (every round while the central API is down, a few times a second at first).
When that replaced the section buttons, a tap on the old one was dropped by Flet (its control was gone): in a CI
run under load the champion's tap on "NHSmail" never opened the guide (test_e2e_readiness).
"""

from __future__ import annotations

from datetime import datetime, timezone

import flet as ft
import pytest

from client.state.readiness import ReadinessScreen
from client.sync import SyncState, SyncStatus
from client.views.readiness_view import SECTIONS, SHOWN_SECTION_STYLE, ReadinessView
from tests.support.records import HOME_ID

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


class Engine:
    status = SyncStatus()


async def measure():  # the WiFi test is not run here
    raise AssertionError


@pytest.fixture
def view(store, monkeypatch) -> ReadinessView:
    monkeypatch.setattr(ReadinessView, "update", lambda self: None)  # no page in a unit test
    return ReadinessView(ReadinessScreen(store, HOME_ID, "champion", lambda: NOW), Engine(), measure=measure,
                         now=lambda: NOW)


def section_buttons(view: ReadinessView) -> dict[str, ft.Control]:
    return {wrapper.identifier.removeprefix("section-"): wrapper.content for wrapper in view.tabs.controls}


def test_sync_ticks_and_section_changes_keep_the_same_section_buttons(view):
    before = section_buttons(view)
    assert list(before) == [key for key, _ in SECTIONS]
    view.on_sync_status(SyncStatus(state=SyncState.SYNCING))
    view.on_sync_status(SyncStatus(state=SyncState.OFFLINE, message="No connection"))
    view._show_section("nhsmail")
    after = section_buttons(view)
    assert all(after[key] is before[key] for key in before)


def test_the_section_on_show_is_the_one_button_that_looks_chosen(view):
    view._show_section("wifi")
    looks = {key: button.style is SHOWN_SECTION_STYLE for key, button in section_buttons(view).items()}
    assert looks == {"checklist": False, "wifi": True, "maturity": False, "nhsmail": False}
    assert view.body.controls == [view.wifi_section]


def test_sync_ticks_keep_the_lists_and_the_flow_chart_in_place(view):
    """What next, the login deadlines and the NHSmail chart: a screen reader's place survives a sync tick."""
    parts = (view.wifi_rows, view.missing, view.deadlines, view.chart)
    before = [list(part.controls) for part in parts]
    assert before[1] and before[3]  # something to keep: what next and the chart's boxes
    view.on_sync_status(SyncStatus(state=SyncState.SYNCING))
    view.on_sync_status(SyncStatus(state=SyncState.OFFLINE, message="No connection"))
    after = [list(part.controls) for part in parts]
    assert all(len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True)) for a, b in zip(before, after, strict=True))
