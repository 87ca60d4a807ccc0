"""The area view on a device (client/state/area.py): search, stale list, overview and drill-down, data age, CSV,
over a real LocalStore holding pulled records; the snapshot cache is rebuilt only after a change."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from client.state.area import (
    DATA_AT_META,
    EXPORT_GROUP,
    AreaBrowser,
    AreaData,
    account_area,
    data_age_line,
    note_synced,
    overview_csv,
    put_csv,
    search_csv,
    stale_csv,
)
from client.state.area_history import NEVER_FETCHED, AreaHistory
from client.store import open_device_store
from client.sync import CentralApi, SyncState, SyncStatus
from domain.area import AreaLevel, AreaQueryError, AreaRef, BedSearch
from domain.beds import BedCategory, BedCount, HomeStatus
from domain.freshness import Freshness
from domain.home_settings import Funding
from protocol import Account
from tests.support import aio
from tests.support.area_homes import device_records

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
ND = BedCategory.NURSING_DEMENTIA
TRAFFORD, MANCHESTER = AreaRef.parse("la:Trafford"), AreaRef.parse("la:Manchester")
BOTH = (TRAFFORD, MANCHESTER)


@pytest.fixture
def device(tmp_path):
    opened = open_device_store(tmp_path, now=lambda: NOW)
    opened.sync.apply_pull_page(device_records(NOW), 2000)
    yield opened
    opened.store.close()


@pytest.fixture
def area(device):
    return AreaData(device.store, now=lambda: NOW)


def ids(answer) -> list[str]:
    return [r.home_id for r in answer.results]


def test_search_across_two_authorities_nearest_first_without_closed_homes(area):
    origin = area.district_origin("WA15")  # the centre of the directory's own WA15 homes
    answer = area.search(BedSearch(frozenset({ND}), areas=BOTH, origin=origin))
    # Urmston is closed, Chorlton has no dementia vacancy, Knutsford is in Cheshire East; nearest to WA15 first.
    assert ids(answer) == ["1-900000001", "1-900000002", "1-900000007", "1-900000005"]
    assert answer.total == 4 and "postcode district WA15 (centre of 2 homes)" == answer.origin.label
    first = answer.results[0]
    assert first.vacancies == {ND: 2} and first.phone == "0161 000 0001" and first.manager_name == "Ann Alder"
    assert first.freshness is Freshness.FRESH and first.cqc_rating.value == "Good"
    assert [r.distance_km for r in answer.results] == sorted(r.distance_km for r in answer.results)


def test_search_leaves_out_old_bed_states_and_filters_by_funding(area):
    recent = area.search(BedSearch(frozenset({ND}), areas=BOTH, max_age=timedelta(days=7),
                                   origin=area.home_origin("1-900000006")))
    assert ids(recent) == ["1-900000005", "1-900000001"]  # Sale is 10 days old; Wythenshawe never confirmed
    chc = area.search(BedSearch(frozenset({ND}), funding=Funding.NHS_CHC, areas=BOTH))
    assert set(ids(chc)) == {"1-900000001", "1-900000005"}
    everywhere = area.search(BedSearch(frozenset({ND}), funding=Funding.NHS_CHC))
    assert set(ids(everywhere)) == {"1-900000001", "1-900000005", "1-900000008"}


def test_an_unknown_district_is_said_in_plain_words(area):
    with pytest.raises(AreaQueryError, match="No care home in the directory is in postcode district SK9"):
        area.district_origin("SK9 1AA")


def test_stale_list_oldest_first_with_manager_and_share(area):
    answer = area.stale(AreaRef.parse("icb:QOP"))
    assert [h.home_id for h in answer.homes] == ["1-900000007", "1-900000002"]  # never confirmed first
    assert answer.homes[1].days_since == 10 and answer.homes[0].days_since is None
    assert (answer.total_homes, answer.up_to_date) == (7, 5)
    assert answer.area.name == "NHS Greater Manchester Integrated Care Board"


def test_overview_drills_down_icb_to_authority_to_home_and_back(area):
    browser = AreaBrowser(area, AreaRef.parse("icb:QOP"))
    top = browser.current()
    assert top.totals.homes == 7 and top.totals.closed_homes == 1
    assert [row.area.name for row in top.children] == ["Manchester", "Trafford"]
    assert top.totals.beds[ND].vacant_accepting == 2 + 1 + 3 + 4 + 0 + 1
    assert top.totals.freshness[Freshness.STALE] == 1 and top.totals.freshness[Freshness.NEVER] == 1
    browser.open(top.children[1].area)
    trafford = browser.current()
    assert trafford.area.key == "la:Trafford" and [r.area.level for r in trafford.children] == [AreaLevel.HOME] * 4
    browser.open(trafford.children[0].area)
    assert browser.current().totals.homes == 1 and browser.can_go_back
    assert browser.back() and browser.back() and not browser.back()
    assert browser.area.key == "icb:QOP"


def test_device_answers_are_the_wire_bodies_of_the_domain_rules(area):
    from domain.area import overview, search_beds
    from protocol.area import OverviewAnswer, SearchAnswer

    query = BedSearch(frozenset({ND, BedCategory.NURSING}), areas=BOTH, origin=area.district_origin("M20"))
    assert area.search(query) == SearchAnswer.of(search_beds(area.homes(), query, NOW), NOW)
    assert area.overview_answer(TRAFFORD) == OverviewAnswer.of(overview(area.homes(), TRAFFORD, NOW), NOW)


def test_snapshots_are_built_once_and_again_only_after_a_change(device, area):
    area.homes()
    area.search(BedSearch(frozenset({ND})))
    area.stale(TRAFFORD)
    assert area.builds == 1
    device.store.set_meta("something", "else")  # not a record: no rebuild
    area.homes()
    assert area.builds == 1

    # A pull brings a new count for Chorlton: its dementia bed is found.
    record = next(r for r in device_records(NOW) if r.id == "1-900000006/nursing_dementia")
    changed = record.model_copy(update={"version": 5000, "data": {**record.data, "occupied": 9,
                                                                  "vacant_accepting": 1}})
    device.sync.apply_pull_page([changed], 5000)
    assert "1-900000006" in ids(area.search(BedSearch(frozenset({ND}), areas=BOTH)))
    assert (area.builds, area.updates) == (1, 1)  # only Chorlton was read again

    # A tombstone from the server: the home's count goes; a local save shows at once.
    device.sync.apply_pull_page([changed.model_copy(update={"version": 5001, "deleted": True})], 5001)
    assert "1-900000006" not in ids(area.search(BedSearch(frozenset({ND}), areas=BOTH)))
    device.store.save("bed_count", [BedCount(home_id="1-900000004", category="residential", max_capacity=25,
                                             occupied=25, vacant_reserved=0, vacant_accepting=0)])
    assert ids(area.search(BedSearch(frozenset({BedCategory.RESIDENTIAL})))) == []
    assert (area.builds, area.updates) == (1, 3)
    assert area.homes() == AreaData(device.store, now=lambda: NOW).homes()  # the same as a fresh build

    # A new day: everything is read again (a DSPT publication may have expired overnight).
    tomorrow = AreaData(device.store, now=lambda: NOW + timedelta(days=1))
    tomorrow.homes()
    tomorrow._now = lambda: NOW + timedelta(days=2)
    tomorrow.homes()
    assert tomorrow.builds == 2

    # Signing out removes the records: a full build, of nothing.
    device.store.wipe_account_data()
    assert area.homes() == [] and area.builds == 2


def test_an_unsent_confirmation_counts_from_its_own_time(device, area):
    # Wythenshawe's manager confirms on this device (as the bed state screen does): it is no longer stale.
    device.store.save_together([("home_status", HomeStatus(home_id="1-900000007")),
                                ("bed_count", BedCount(home_id="1-900000007", category=ND, max_capacity=18,
                                                       occupied=16, vacant_reserved=0, vacant_accepting=2))])
    home = next(h for h in area.homes() if h.home_id == "1-900000007")
    assert home.confirmed_at == NOW and home.beds[0].vacant_accepting == 2
    assert "1-900000007" not in [h.home_id for h in area.stale(TRAFFORD).homes + area.stale(MANCHESTER).homes]


def test_readiness_records_give_dspt_nhsmail_and_band(device, area):
    from domain.readiness import DsptStatus

    device.store.save("dspt_status", [DsptStatus(home_id="1-900000001", status="Standards Met", year="26/27")])
    totals = area.overview(TRAFFORD).totals
    assert totals.dspt == {"Standards Met": 1, "Not recorded": 3}
    assert totals.nhsmail["not started"] == 4


def test_a_champion_looks_at_the_narrowest_area_holding_her_homes(area):
    homes = area.homes()
    champion = Account(username="champion", display_name="C", role="digital_champion")
    assert account_area(champion, [h for h in homes if h.local_authority == "Trafford"]).key == "la:Trafford"
    assert account_area(champion, [h for h in homes if h.icb_code == "QOP"]).key == "icb:QOP"
    assert account_area(champion, homes).key == "region:North West"
    commissioner = Account(username="c", display_name="C", role="commissioner", area="icb:QOP")
    assert account_area(commissioner, []).key == "icb:QOP"


def test_data_age_line_says_when_and_plainly_when_offline(device):
    pulled = NOW - timedelta(hours=2)
    assert data_age_line(None, NOW, offline=False) == "Area data arrives with the first sync..."
    assert "no area data yet" in data_age_line(None, NOW, offline=True)
    local = pulled.astimezone()
    assert data_age_line(pulled, NOW, offline=False) == f"Area data from {local:%H:%M} today (2 hours ago)" \
        or local.date() != NOW.astimezone().date()
    assert data_age_line(pulled, NOW, offline=True).endswith("no connection now, showing what this device holds")
    note_synced(device.store, SyncStatus(state=SyncState.IDLE, last_success_at=pulled))
    assert device.store.get_meta(DATA_AT_META) == pulled.isoformat()
    note_synced(device.store, SyncStatus(state=SyncState.OFFLINE, last_success_at=NOW))  # not a success now
    assert device.store.get_meta(DATA_AT_META) == pulled.isoformat()


def _read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_every_table_exports_as_csv_that_round_trips(device, area):
    query = BedSearch(frozenset({ND}), areas=BOTH, origin=area.district_origin("WA15"))
    answer = area.search(query)
    search_file = search_csv(answer, [ND])
    rows = _read_csv(search_file.content())
    assert [r["home_id"] for r in rows] == ids(answer)
    assert rows[0]["nursing_dementia_vacant_accepting"] == "2" and rows[0]["phone"] == "0161 000 0001"
    assert rows[0]["freshness"] == "fresh" and float(rows[0]["distance_km"]) == answer.results[0].distance_km

    stale = _read_csv(stale_csv(area.stale(AreaRef.parse("icb:QOP"))).content())
    assert [(r["home_id"], r["days_since"]) for r in stale] == [("1-900000007", ""), ("1-900000002", "10")]

    overview_file = overview_csv(area.overview(AreaRef.parse("icb:QOP")), NOW)
    table = _read_csv(overview_file.content())
    assert [r["name"] for r in table] == ["Manchester", "Trafford", "NHS Greater Manchester Integrated Care Board"]
    assert table[-1]["homes"] == "7" and table[-1]["nursing_dementia_vacant_accepting"] == "11"

    # A cell a spreadsheet would run as a formula is written as text; the columns are the API's.
    from client.state.area import CsvFile

    risky = _read_csv(CsvFile("x.csv", ("name", "phone"), [{"name": "=HYPERLINK(1)", "phone": "+44 161"}]).content())
    assert risky == [{"name": "'=HYPERLINK(1)", "phone": "+44 161"}]
    assert list(rows[0])[:4] == ["home_id", "name", "local_authority", "icb"]

    # On the device's shelf (sealed), to be handed over: only the latest export is kept.
    put_csv(device.store, search_file)
    document = put_csv(device.store, overview_file)
    assert [d.id for d in device.store.documents.documents(EXPORT_GROUP)] == [document.id]
    assert device.store.documents.read(document.id)[1] == overview_file.content()
    assert document.name.startswith("overview-icb-qop-") and document.media_type == "text/csv"


# --- vacancy history: fetched once, kept for offline ---------------------------------------------------------------

HISTORY = {"area": {"level": "la", "code": "Trafford", "name": "Trafford"}, "interval": "day",
           "points": [{"day": "2026-11-23", "vacant_accepting": {"nursing_dementia": 3}, "max_capacity": {"nursing_dementia": 40}},
                      {"day": "2026-11-24", "vacant_accepting": {"nursing_dementia": 5}, "max_capacity": {"nursing_dementia": 40}}],
           "as_of": "2026-11-25T09:12:00Z"}


def api_answering(handler):
    return lambda: CentralApi("http://central.test", "token", transport=httpx.MockTransport(handler))


def test_history_is_kept_and_shown_offline_with_its_date(device):
    asked = []

    def central(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        return httpx.Response(200, json=HISTORY)

    online = AreaHistory(device.store, api_answering(central), now=lambda: NOW)
    shown = aio.run(online.load(TRAFFORD, "day", 30))
    assert asked == [{"area": "la:Trafford", "interval": "day", "days": "30"}]
    assert shown.series() == {ND: [(datetime(2026, 11, 23).date(), 3), (datetime(2026, 11, 24).date(), 5)]}

    def no_network(request):
        raise httpx.ConnectError("no route")

    offline = AreaHistory(device.store, api_answering(no_network), now=lambda: NOW + timedelta(hours=1))
    again = aio.run(offline.load(TRAFFORD, "day", 30))
    assert again.from_cache and again.answer == shown.answer
    assert again.line == f"Saved {NOW.astimezone():%H:%M} - no connection now"
    never = aio.run(offline.load(MANCHESTER, "week", 90))
    assert never.answer is None and never.line.startswith(NEVER_FETCHED)
