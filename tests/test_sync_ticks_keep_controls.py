"""A sync tick leaves a screen's controls in place (the same objects) unless what they show changed.

The sync engine tells the screen on show of every status (a few times a second at first, every round while the
central API is down). Flet drops a tap on a control that has been replaced meanwhile, and a replaced control
loses keyboard and screen reader focus: "Save mine again", "Keep mine" or "Acknowledge" rebuilt on each tick
lost the tap in flight and threw a keyboard user back to the top. Every screen's lists are SteadyLists.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import flet as ft
import pytest

from client.state.alerts import AlertsScreen
from client.state.bed_state import BedStateScreen
from client.state.conflicts import ConflictChoices
from client.sync import SyncState, SyncStatus
from client.views.alerts_view import AlertsView
from client.views.bed_state_view import BedStateView
from client.views.conflicts_view import ConflictsView
from client.views.red_bag_view import ResidentView
from domain.alerts import Alert, Priority
from protocol import Record
from tests.support.records import HOME_ID
from tests.test_bed_state_screen import lose_the_nursing_count
from tests.test_conflict_choices import conflicted  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("memory_keyring")

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
TICKS = (SyncStatus(state=SyncState.SYNCING, pending=0), SyncStatus(state=SyncState.IDLE, pending=0,
                                                                    last_success_at=NOW),
         SyncStatus(state=SyncState.OFFLINE, pending=0, message="Cannot reach the central API"))


class Engine:
    status = SyncStatus(state=SyncState.IDLE, pending=0, last_success_at=NOW)

    def request_sync(self) -> None:
        pass


@pytest.fixture(autouse=True)
def no_page(monkeypatch):
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)  # no page in a unit test


def tagged(root: ft.Control) -> dict[str, ft.Control]:
    """The controls under ``root`` that carry a semantics identifier, by identifier."""
    found, stack = {}, [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ft.Semantics) and node.identifier:
            found[node.identifier] = node
        for name in ("content", "controls"):
            child = getattr(node, name, None)
            stack.extend(c for c in (child if isinstance(child, list) else [child]) if isinstance(c, ft.Control))
    return found


def tick(view) -> None:
    for status in TICKS:
        view.on_sync_status(status)


def controls_of(column: ft.Column) -> list[ft.Control]:
    return list(column.controls)


def same(before: list[ft.Control], after: list[ft.Control]) -> bool:
    return len(before) == len(after) and all(a is b for a, b in zip(before, after, strict=True))


def test_bed_state_keeps_save_mine_again_and_the_sync_details_through_sync_ticks(store, sync):
    screen = BedStateScreen(store, HOME_ID, now=lambda: NOW)
    lose_the_nursing_count(screen, store, sync)
    view = BedStateView(screen, Engine(), account_line="Demo manager", now=lambda: NOW)
    lost, details = controls_of(view.lost), controls_of(view.details)
    assert len(lost) == 1 and view.notice_box.visible
    tick(view)
    assert same(lost, controls_of(view.lost)), "a sync tick replaced Save mine again"
    view.on_sync_status(TICKS[0])  # "Sending and receiving..."
    details = controls_of(view.details)
    view.on_sync_status(TICKS[1])  # "Connected": the same lines, their words changed in place
    assert same(details, controls_of(view.details)) and details[0].value == "Connected"
    view.on_sync_status(TICKS[2])  # offline: a problem line more, the lines before it kept
    assert same(details, controls_of(view.details)[:len(details)])
    [choice] = screen.lost_changes
    view._save_mine_again(choice.copy_id)  # what it shows changed: the notice goes
    assert view.lost.controls == [] and not view.notice_box.visible


def alert_record(alert_id: str, title: str) -> Record:
    alert = Alert(alert_id=alert_id, home_id=HOME_ID, sent_by="Trafford ICB", sent_at=NOW - timedelta(hours=1),
                  title=title, message="Wash hands", priority=Priority.URGENT, expires_at=NOW + timedelta(days=2))
    return Record(kind="alert", id=alert.record_id, home_id=HOME_ID, version=3, updated_at=NOW,
                  data=alert.model_dump(mode="json"))


def test_alerts_keep_their_rows_through_sync_ticks_and_rebuild_when_one_opens(store, sync):
    sync.apply_pull_page([alert_record("a1", "Norovirus in Trafford"), alert_record("a2", "Heatwave")], 3)
    view = AlertsView(AlertsScreen(store, HOME_ID, "manager", now=lambda: NOW), on_back=lambda: None)
    rows = controls_of(view.list)
    assert len(rows) == 2
    tick(view)
    assert same(rows, controls_of(view.list)), "a sync tick replaced the alerts (and their buttons)"
    view._open("a1")  # opened: its message and Acknowledge are shown
    opened = controls_of(view.list)
    assert not same(rows, opened)
    tick(view)
    assert same(opened, controls_of(view.list)), "a sync tick replaced Acknowledge"


def test_conflicts_keep_keep_mine_and_keep_theirs_through_sync_ticks(conflicted):  # noqa: F811 - fixture
    view = ConflictsView(ConflictChoices(conflicted, HOME_ID), on_back=lambda: None)
    cards = controls_of(view.list)
    assert len(cards) == 1
    tick(view)
    assert same(cards, controls_of(view.list)), "a sync tick replaced Keep mine / Keep theirs"


def test_a_residents_summary_keeps_its_lines_through_sync_ticks(store):
    from tests.test_red_bag_screen import Clock, add

    screen = add(store, Clock(), [], allergies="Penicillin")
    view = ResidentView(screen, Engine(), now=lambda: NOW)
    summary = controls_of(view.summary)
    assert summary
    tick(view)
    assert same(summary, controls_of(view.summary))



def test_the_area_overview_keeps_its_area_rows_and_csv_button_when_new_records_redraw_it(tmp_path):
    """A commissioner's overview redraws when any home's records arrive: the rows of areas (and the CSV button)
    that did not change stay the same controls."""
    from client.state.area import AreaBrowser, AreaData
    from client.store import open_device_store
    from client.views.area_overview_view import AreaOverviewView
    from domain.area import AreaRef
    from tests.support.area_homes import device_records

    opened = open_device_store(tmp_path, now=lambda: NOW)
    opened.sync.apply_pull_page(device_records(NOW), 2000)
    data = AreaData(opened.store, now=lambda: NOW)
    data.homes()
    view = AreaOverviewView(AreaBrowser(data, AreaRef.parse("icb:QOP")), data.store, None, on_search=lambda: None,
                            on_stale=lambda a: None, on_history=lambda a: None)
    before = tagged(view.body)
    assert {"overview-csv", "area-child-Trafford", "area-child-Manchester"} <= set(before)
    view.render()  # as after a sync round that brought records (the same numbers for these areas)
    after = tagged(view.body)
    assert all(after[name] is before[name] for name in ("overview-csv", "area-child-Trafford", "area-child-Manchester"))
    opened.store.close()
