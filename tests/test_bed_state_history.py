"""The bed state screen's notice for a deregistered home, and its "Last 30 days" vacancy history
(GET /area/history?area=home:<id>&days=30; the last answer kept on the device for offline)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from client.state.bed_state import BedStateScreen
from client.state.home_history import HomeHistory
from client.sync import CentralApi
from domain.beds import BedCategory
from protocol.area import AreaWire, HistoryAnswer, HistoryPoint
from tests.support import aio
from tests.support.records import HOME_ID, care_home_record

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


def test_a_deregistered_home_says_so_and_keeps_its_records(store, sync):
    screen = BedStateScreen(store, HOME_ID, now=lambda: NOW)
    assert screen.deregistered_notice is None
    record = care_home_record(4)
    record.data["deregistered_on"] = "2026-11-03"
    sync.apply_pull_page([record], 4)
    screen.reload()
    assert screen.deregistered_notice == ("This home is no longer in the CQC register (since 3 Nov 2026). "
                                          "Its records are kept; it no longer appears in bed searches.")
    assert [d.category.value for d in screen.categories] == ["nursing", "nursing_dementia"]


def history_answer() -> HistoryAnswer:
    first = date(2026, 10, 27)
    points = [HistoryPoint(day=first + timedelta(days=i),
                           vacant_accepting={BedCategory.NURSING: i % 5, BedCategory.NURSING_DEMENTIA: 1},
                           max_capacity={BedCategory.NURSING: 20, BedCategory.NURSING_DEMENTIA: 10})
              for i in range(30)]
    return HistoryAnswer(area=AreaWire(level="home", code=HOME_ID, name="Allingham House Care Centre"),
                         interval="day", points=points, as_of=NOW)


class Central:
    """GET /area/history as protocol/area.py describes it, or no network."""

    def __init__(self) -> None:
        self.connected = True
        self.asked: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.connected:
            raise httpx.ConnectError("no network")
        self.asked.append(request.url)
        return httpx.Response(200, content=history_answer().model_dump_json())


@pytest.fixture
def central():
    return Central()


def history_of(store, central) -> HomeHistory:
    api = CentralApi("http://central.test", "token", transport=httpx.MockTransport(central))
    return HomeHistory(store, HOME_ID, lambda: api, now=lambda: NOW)


def test_the_last_30_days_come_from_the_central_api_and_are_kept_for_offline(store, central):
    history = history_of(store, central)
    assert history.status == "Loading the vacancy history..." and history.lines == []
    assert aio.run(history.refresh())
    [asked] = central.asked
    assert asked.path == "/area/history"
    assert dict(asked.params) == {"area": f"home:{HOME_ID}", "interval": "day", "days": "30"}
    assert history.status.startswith("Updated 25 Nov 2026")
    assert len(history.totals) == 30 and history.totals[:3] == [1, 2, 3]
    nursing, dementia = history.lines
    assert nursing.text == "Nursing: 4 vacant now; lowest 0, highest 4"
    assert dementia.text == "Nursing dementia: 1 vacant now; lowest 1, highest 1"

    # Later, with no connection: the kept answer, with the day it is from.
    central.connected = False
    offline = history_of(store, central)
    assert offline.totals == history.totals
    assert not aio.run(offline.refresh())
    assert offline.status.startswith("Offline: as of 25 Nov 2026") and offline.status.endswith("(kept on this device)")


def test_offline_with_nothing_kept_it_says_a_connection_is_needed(store, central):
    central.connected = False
    history = history_of(store, central)
    assert not aio.run(history.refresh())
    assert history.status == "The vacancy history needs a connection; none has been loaded on this device yet"


def test_the_kept_history_goes_at_sign_out_and_is_never_another_homes(store, central):
    aio.run(history_of(store, central).refresh())
    other = HomeHistory(store, "1-466088203", lambda: None, now=lambda: NOW)
    assert other.answer is None
    store.wipe_account_data()
    assert store.get_meta("home_history") is None


def test_the_history_is_the_central_apis_own(store, tmp_path, demo_database):
    """The same screen state against the real central API (in-process, on a real SQLite file): the demo home's
    counts, applied when the demo data was seeded, are the last day's vacancies."""
    from server_stub.demo_data import demo_bed_counts, load_care_homes
    from tests.support.auth import sign_in_token
    from tests.support.central_inprocess import serving

    with serving(tmp_path / "central.sqlite3", template=demo_database) as central:
        api = CentralApi("http://central.test", sign_in_token(central),
                         transport=httpx.ASGITransport(app=central.app_ref))
        history = HomeHistory(store, HOME_ID, lambda: api, now=lambda: central.clock.now)
        assert aio.run(history.refresh()), history.status
    home = next(h for h in load_care_homes() if h.cqc_location_id == HOME_ID)
    assert len(history.totals) == 30
    assert history.totals[-1] == sum(count.vacant_accepting for count in demo_bed_counts(home)) > 0
    assert history.status.startswith("Updated")
