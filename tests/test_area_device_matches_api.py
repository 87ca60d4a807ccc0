"""Acceptance 3 (issue 11), the device side: the same data on the central API and synced to a commissioner's
device; the device, offline, answers a bed search exactly as GET /area/search answers online (the same domain
rule, the same wire body, field by field).

The central API runs in-process on a real SQLite file with a clock the test sets, so each home's confirmation
is stamped at a chosen time; the device syncs through the real sync engine, then loses its connection.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from client.state.area import AreaData, search_csv, stale_csv
from client.sync import CentralApi
from domain.area import AreaRef, BedSearch, point_origin
from domain.beds import BedCategory
from domain.home_settings import Funding
from protocol.area import OverviewAnswer, SearchAnswer, StaleAnswer
from tests.support import aio
from tests.support.auth import DEMO_PASSWORD, sign_in
from tests.support.central_inprocess import Switchable
from tests.support.devices import make_device

SERVER = "http://central.test"
ND = BedCategory.NURSING_DEMENTIA




QUERIES = [
    # (GET /area/search parameters, the same search on the device)
    ({"category": ["nursing_dementia"], "area": ["la:Trafford", "la:Manchester"], "near_district": "WA15"},
     lambda data: BedSearch(frozenset({ND}), areas=(AreaRef.parse("la:Trafford"), AreaRef.parse("la:Manchester")),
                            origin=data.district_origin("WA15"))),
    ({"category": ["nursing_dementia", "nursing"], "funding": "nhs_chc", "near_home": "1-900000006"},
     lambda data: BedSearch(frozenset({ND, BedCategory.NURSING}), funding=Funding.NHS_CHC,
                            origin=data.home_origin("1-900000006"))),
    ({"category": ["nursing_dementia"], "max_age_days": "7", "near": "53.4,-2.3"},
     lambda data: BedSearch(frozenset({ND}), max_age=timedelta(days=7),
                            origin=point_origin(53.4, -2.3))),
]


@pytest.fixture
def offline_device(central, tmp_path, memory_keyring):
    """The commissioner's device, synced once, then without a connection."""
    network = Switchable(central.app_ref)
    device = make_device(tmp_path / "device", SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, "commissioner", DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    network.connected = False  # no signal from here on: the device answers from what it holds
    yield device
    device.close()


def test_the_device_offline_answers_a_bed_search_as_the_api_does_online(central, offline_device):
    data = AreaData(offline_device.store, now=lambda: central.clock.now)
    assert {"1-900000001", "1-900000005"} <= {h.home_id for h in data.homes()}
    assert "1-900000008" not in {h.home_id for h in data.homes()}  # Cheshire East: not her area

    headers = sign_in(central, "commissioner")
    for params, device_query in QUERIES:
        online = central.get("/area/search", params=params, headers=headers)
        assert online.status_code == 200, online.text
        offline = data.search(device_query(data))
        assert offline.total > 0
        assert SearchAnswer.model_validate(online.json()) == offline, params
        # The CSV files match too (the device's download, the API's format=csv).
        as_csv = central.get("/area/search", params={**params, "format": "csv"}, headers=headers)
        categories = [BedCategory(c) for c in params["category"]]
        assert as_csv.text == search_csv(offline, categories).content().decode("utf-8")


def test_the_stale_list_and_overview_agree_with_the_api_too(central, offline_device):
    data = AreaData(offline_device.store, now=lambda: central.clock.now)
    headers = sign_in(central, "commissioner")
    for area in ("icb:QOP", "la:Manchester"):
        online = central.get("/area/stale", params={"area": area, "older_than_days": 7}, headers=headers)
        assert online.status_code == 200, online.text
        offline = data.stale(AreaRef.parse(area), timedelta(days=7))
        assert StaleAnswer.model_validate(online.json()) == offline
        as_csv = central.get("/area/stale", params={"area": area, "format": "csv"}, headers=headers)
        assert as_csv.text == stale_csv(data.stale(AreaRef.parse(area), limit=None)).content().decode("utf-8")
    # Page by page (the API's offset and limit, the screen's "Show more"): the same homes in the same order.
    whole = data.stale(AreaRef.parse("icb:QOP"), limit=None)
    assert whole.behind == len(whole.homes) > 10
    for offset, limit in ((0, 5), (5, 5), (whole.behind - 3, 10)):
        online = StaleAnswer.model_validate(central.get("/area/stale", params={
            "area": "icb:QOP", "offset": offset, "limit": limit}, headers=headers).json())
        assert online == data.stale(AreaRef.parse("icb:QOP"), offset=offset, limit=limit)
        assert online.homes == whole.homes[offset:offset + limit] and online.behind == whole.behind
    # The API counts the overview in SQL; the device adds up its homes with the rule: the same at every level.
    for area in ("england", "region:North West", "icb:QOP", "la:Manchester", "la:Trafford"):
        online = central.get("/area/overview", params={"area": area}, headers=headers)
        assert online.status_code == 200, online.text
        assert OverviewAnswer.model_validate(online.json()) == data.overview_answer(AreaRef.parse(area)), area


def test_workforce_totals_and_outbreaks_on_the_device_match_the_api(central, offline_device):
    """Issue 12 (parts 3 and 4): the workforce each home reported and its outbreak, synced to the commissioner's
    device, add up offline exactly as the API counts them in SQL; search results say which homes have one."""
    data = AreaData(offline_device.store, now=lambda: central.clock.now)
    headers = sign_in(central, "commissioner")
    for area in ("icb:QOP", "la:Manchester", "la:Trafford"):
        online = OverviewAnswer.model_validate(central.get("/area/overview", params={"area": area},
                                                           headers=headers).json())
        offline = data.overview_answer(AreaRef.parse(area))
        assert online.totals.workforce == offline.totals.workforce, area
        assert online.totals.outbreak_homes == offline.totals.outbreak_homes, area
        assert [row.totals.workforce for row in online.children] == [row.totals.workforce for row in offline.children]
    manchester = data.overview_answer(AreaRef.parse("la:Manchester")).totals
    assert (manchester.workforce.homes, manchester.workforce.care_workers_employed, manchester.outbreak_homes) == \
        (2, 45, 1)
    params, device_query = QUERIES[1]
    offline = data.search(device_query(data))
    assert {r.home_id: r.outbreak for r in offline.results}["1-900000006"] == "norovirus"
    assert SearchAnswer.model_validate(central.get("/area/search", params=params, headers=headers).json()) == offline


def test_the_not_yet_confirmed_this_collection_list_agrees_with_the_api(central, tmp_path, memory_keyring):
    """Issue 12, part 6: GET /area/stale?collection=current and the device's same option list the same homes,
    those with no confirmation since the month's window opened on the 8th (a "no change" confirmation counts)."""
    from datetime import datetime, timezone

    from tests.support.area_homes import AREA_HOMES, manager_of, mutation, push_body, status_data

    # December's window opens; Altrincham and Didsbury confirm "no change" on the 9th, the rest last did in November.
    confirming = [AREA_HOMES[0], AREA_HOMES[4]]
    central.clock.now = datetime(2026, 12, 9, 10, tzinfo=timezone.utc)
    for area_home in confirming:
        data = status_data(area_home, None)
        data.pop("confirmed_at")
        answer = central.post("/sync/push", headers=sign_in(central, manager_of(area_home)),
                              json=push_body([mutation("home_status", area_home.id, data)]))
        assert answer.json()["results"][0]["status"] == "applied", answer.text
    central.clock.now = datetime(2026, 12, 10, 15, tzinfo=timezone.utc)

    network = Switchable(central.app_ref)
    device = make_device(tmp_path / "device", SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, "commissioner", DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    network.connected = False
    data = AreaData(device.store, now=lambda: central.clock.now)
    headers = sign_in(central, "commissioner")
    for area in ("icb:QOP", "la:Manchester", "la:Trafford"):
        online = central.get("/area/stale", params={"area": area, "collection": "current", "limit": 1000},
                             headers=headers)
        assert online.status_code == 200, online.text
        offline = data.stale(AreaRef.parse(area), limit=1000, this_collection=True)
        assert StaleAnswer.model_validate(online.json()) == offline, area
        listed = {home.home_id for home in offline.homes}
        assert not listed & {h.id for h in confirming}
        assert str(offline.collection_opens) == "2026-12-08"
        as_csv = central.get("/area/stale", params={"area": area, "collection": "current", "format": "csv"},
                             headers=headers)
        assert as_csv.text == stale_csv(data.stale(AreaRef.parse(area), limit=None, this_collection=True)
                                        ).content().decode("utf-8")
    # Chorlton confirmed 5 hours before 25 November: up to date by age a day later, but not this collection.
    whole = data.stale(AreaRef.parse("la:Manchester"), limit=None, this_collection=True)
    assert {h.home_id for h in whole.homes} == {"1-900000006", "1-900000007"}
    assert whole.up_to_date == 1 and whole.behind == 2
    by_age = central.get("/area/stale", params={"area": "la:Manchester", "older_than_days": 30},
                         headers=headers).json()
    assert by_age["collection_opens"] is None and {h["home_id"] for h in by_age["homes"]} == {"1-900000007"}
    assert central.get("/area/stale", params={"collection": "last"}, headers=headers).status_code == 422
    device.close()
