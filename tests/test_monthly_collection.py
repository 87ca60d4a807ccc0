"""The monthly collection (issue 12, part 6; acceptance 5): the window is the 8th to the 14th; a "no change"
confirmation counts; the bed state screen reminds the home's manager from the 8th until she has confirmed that
month (the clock injected), in a small control of its own."""

from __future__ import annotations

from datetime import date, datetime, timezone

import httpx
import pytest

from client.state.bed_state import BedStateScreen
from client.store import open_device_store
from client.sync import CentralApi
from client.views.bed_state_view import BedStateView
from domain.collection import confirmed_for, current_collection, reminder
from server_stub.demo_data import DEMO_HOME_ID
from tests.support import aio
from tests.support.central_inprocess import serving
from tests.support.devices import make_device
from tests.support.records import HOME_ID, bed_record, care_home_record

SERVER = "http://central.test"


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def test_the_current_collection_is_the_latest_window_opened():
    assert (current_collection(date(2026, 12, 7)).opens, current_collection(date(2026, 12, 7)).closes) == (
        date(2026, 11, 8), date(2026, 11, 14))
    assert current_collection(date(2026, 12, 8)).opens == date(2026, 12, 8)
    assert current_collection(date(2027, 1, 3)).opens == date(2026, 12, 8)  # across the year
    december = current_collection(date(2026, 12, 20))
    assert not confirmed_for(december, at(2026, 12, 7, 23)) and confirmed_for(december, at(2026, 12, 8, 0))
    assert not confirmed_for(december, None)


def test_the_reminder_runs_from_the_8th_until_a_confirmation_that_month():
    assert reminder(date(2026, 12, 7), None) is None
    assert reminder(date(2026, 12, 8), at(2026, 12, 7)).startswith(
        "Monthly collection: please confirm your bed state by Monday 14 December.")
    assert "even with no residents" in reminder(date(2026, 12, 8), None)
    assert reminder(date(2026, 12, 10), at(2026, 12, 9)) is None
    assert "the window closed on 14 December" in reminder(date(2026, 12, 20), at(2026, 11, 30))


@pytest.mark.usefixtures("memory_keyring")
def test_the_banner_shows_on_the_8th_until_the_home_confirms_and_the_bed_update_is_unchanged(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as central:
        transport = httpx.ASGITransport(app=central.app_ref)
        device = make_device(tmp_path / "demo", SERVER, now=lambda: central.clock.now,
                             api_factory=lambda url, token: CentralApi(url, token, transport=transport))
        aio.run(device.session.sign_in(SERVER, "demo", "carehome-demo"))
        central.clock.now = at(2026, 11, 20)  # last month's confirmation, stamped by the central API
        screen = BedStateScreen(device.store, DEMO_HOME_ID, on_saved=device.engine.local_change,
                                now=lambda: central.clock.now)
        assert aio.run(device.engine.sync_once())
        screen.reload()
        assert screen.confirm_no_change() and aio.run(device.engine.sync_once())

        central.clock.now = at(2026, 12, 7)
        screen.reload()
        assert screen.collection_reminder is None  # before the window opens

        central.clock.now = at(2026, 12, 8)
        view = BedStateView(screen, device.engine, account_line="Signed in")
        view.update = lambda: None  # no page: render without sending
        view.refresh(update=False)
        assert view.collection_box.visible and view.collection.value.startswith("Monthly collection:")
        form = view.form
        assert form.controls[0] is view.collection_box  # its own control above the form
        # Nothing to tap in it: the bed update's taps (a count, then Save; or "No change - confirm") stay as they were.
        assert view.collection_box.on_click is None and isinstance(view.collection_box.content.content, type(
            view.collection))

        view._confirm(None)  # "No change - confirm": it counts, at once on the device
        assert screen.collection_reminder is None and not view.collection_box.visible
        assert aio.run(device.engine.sync_once()) and device.store.pending_count() == 0
        screen.reload()
        assert screen.saved_status.confirmed_at.startswith("2026-12-08")  # the server's stamp
        assert screen.collection_reminder is None

        central.clock.now = at(2027, 1, 8)  # next month's window: the reminder is back
        view.refresh(update=False)
        assert view.collection_box.visible
        device.close()


def test_a_confirmation_waiting_to_be_sent_counts_from_when_it_was_saved(tmp_path):
    clock = {"now": at(2026, 12, 9)}
    opened = open_device_store(tmp_path, now=lambda: clock["now"])
    opened.sync.apply_pull_page([care_home_record(1), bed_record("nursing", 2), bed_record("nursing_dementia", 3)], 3)
    screen = BedStateScreen(opened.store, HOME_ID, now=lambda: clock["now"])
    assert screen.collection_reminder is not None  # never confirmed
    assert screen.confirm_no_change() and screen.collection_reminder is None  # offline: counts at once
    clock["now"] = at(2027, 1, 8)  # still not sent a month on (no signal): January's collection wants another
    screen.reload()
    assert screen.status_pending and screen.collection_reminder is not None
    opened.store.close()
