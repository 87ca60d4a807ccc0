"""Outbreak status (issue 12, part 4): the 28-day rule with the day passed in, and the manager's control on her
home settings screen saving an ``outbreak`` record that the area snapshot reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from client.state.area import AreaData
from client.state.outbreak import OutbreakPanel
from domain.messages import plain_words
from domain.outbreak import Outbreak, OutbreakKind, current_outbreak
from tests.support.records import HOME_ID

NOV_3 = date(2026, 11, 3)


def outbreak(**values) -> Outbreak:
    return Outbreak(home_id=HOME_ID, kind="norovirus", started_on=NOV_3, **values)


def test_an_outbreak_is_over_28_days_after_its_start_when_no_other_case_is_recorded():
    found = outbreak()
    assert found.over_on == date(2026, 12, 1)
    assert not found.active_on(NOV_3 - timedelta(days=1))
    assert found.active_on(NOV_3) and found.active_on(date(2026, 11, 30))
    assert not found.active_on(date(2026, 12, 1))
    assert current_outbreak(found, date(2026, 11, 30)) is OutbreakKind.NOROVIRUS
    assert current_outbreak(found, date(2026, 12, 1)) is None and current_outbreak(None, NOV_3) is None


def test_a_new_case_moves_the_end_to_28_days_after_it():
    found = outbreak(last_case_on=date(2026, 11, 20))
    assert found.over_on == date(2026, 12, 18)
    assert found.active_on(date(2026, 12, 17)) and not found.active_on(date(2026, 12, 18))


def test_closed_by_the_manager_it_is_over_from_that_day():
    found = outbreak(last_case_on=date(2026, 11, 20), closed_on=date(2026, 11, 25))
    assert found.active_on(date(2026, 11, 24)) and not found.active_on(date(2026, 11, 25))


def test_dates_before_the_start_and_unknown_infections_are_refused_in_plain_words():
    with pytest.raises(ValidationError) as refused:
        outbreak(last_case_on=date(2026, 11, 1))
    assert "must not be before the outbreak started (3 Nov 2026)" in plain_words(refused.value)
    with pytest.raises(ValidationError):
        Outbreak(home_id=HOME_ID, kind="measles", started_on=NOV_3)
    assert [kind.label for kind in OutbreakKind] == ["Norovirus", "COVID-19", "Influenza", "Other infection"]


# --- the manager's control -------------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_the_manager_marks_records_a_case_and_closes_an_outbreak(store, sync):
    clock = Clock()
    panel = OutbreakPanel(store, HOME_ID, "manager", now=clock)
    assert panel.status_line == "No outbreak recorded" and not panel.active
    panel.start_text = "20/11/2026"
    assert panel.start(OutbreakKind.COVID_19)
    assert panel.status_line == "COVID-19 outbreak since 20 Nov 2026. Over on 18 Dec 2026 unless there is a new case."
    [entry] = sync.pending(10)
    assert entry.kind == "outbreak" and entry.data["started_on"] == "2026-11-20"
    assert entry.data["changed_by"] == "manager"
    assert not panel.start("norovirus") and "already open" in panel.message  # one at a time

    clock.now += timedelta(days=2)
    assert panel.record_case()
    assert panel.saved.last_case_on == date(2026, 11, 27)
    assert "last new case 27 Nov 2026. Over on 25 Dec 2026" in panel.status_line
    clock.now += timedelta(days=1)
    assert panel.close()
    assert not panel.active and panel.status_line == "No outbreak now (the last, COVID-19, closed on 28 Nov 2026)"
    assert not panel.close() and panel.message == "There is no open outbreak to close"


def test_a_start_date_that_is_not_a_day_or_is_in_the_future_is_refused(store):
    panel = OutbreakPanel(store, HOME_ID, "manager", now=Clock())
    panel.start_text = "last tuesday"
    assert not panel.start("norovirus") and panel.message == "Not saved: the start date should be a day such as 3/11/2026"
    panel.start_text = "2026-12-01"
    assert not panel.start("norovirus") and panel.message == "Not saved: the start date cannot be in the future"
    assert store.pending_count() == 0


def test_the_area_snapshot_shows_an_outbreak_until_28_days_after_the_last_case(store):
    clock = Clock()
    OutbreakPanel(store, HOME_ID, "manager", now=clock).start("influenza")
    data = AreaData(store, now=clock)
    assert data.homes()[0].outbreak is OutbreakKind.INFLUENZA
    clock.now += timedelta(days=28)  # the next day's read of the device's records: over
    assert data.homes()[0].outbreak is None


def test_the_home_settings_screen_shows_the_outbreak_control(store):
    from client.state.home_settings import HomeSettingsScreen
    from client.views.home_settings_view import HomeSettingsView

    clock = Clock()
    panel = OutbreakPanel(store, HOME_ID, "manager", now=clock)
    view = HomeSettingsView(HomeSettingsScreen(store, HOME_ID, "manager", now=clock), on_back=lambda: None,
                            outbreak=panel)
    control = view.outbreak
    assert control.status.value == "No outbreak recorded"
    assert control.start.visible and not control.close.visible
    panel.start("norovirus")
    control.render(update=False)
    assert control.status.value.startswith("Norovirus outbreak since 25 Nov 2026")
    assert control.close.visible and control.case.visible and not control.start.visible
