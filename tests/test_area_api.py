"""GET /area/search, /area/stale, /area/overview and /area/history on the central API (issue 11, acceptance 3 and
4, the API side): exact answers over a small area of known homes (tests/support/area_homes.py), who may ask,
bad parameters named, CSV files that read back as the JSON.

The central API runs in-process on a real SQLite file (a copy of the demo database: 56 Trafford homes, never
confirmed) with a clock the test sets; the area's managers push their bed states as the app would.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from protocol.area import HistoryAnswer, OverviewAnswer, SearchAnswer, StaleAnswer
from server_stub.app import create_app
from server_stub.settings import Settings
from tests.support.area_homes import AREA_HOMES, add_to_directory, manager_of, mutation, push_body, seed_area
from tests.support.auth import sign_in
from tests.support.central_inprocess import FakeClock, serving

MANCHESTER = {"1-900000005", "1-900000006", "1-900000007"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def central(request, tmp_path_factory, demo_database):
    """The central API on SQLite, and again on PostgreSQL (the slow lane)."""
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgres_cluster").new_database()
        app, clock = create_app(Settings(database_url=database_url), clock=(clock := FakeClock())), clock
        running = TestClient(app, raise_server_exceptions=False)
        running.app_ref, running.clock = app, clock
    else:
        path = tmp_path_factory.mktemp("area-api") / "central.sqlite3"
        database_url = f"sqlite:///{path}"
        running = serving(path, template=demo_database)
    with running as client:
        seed_area(client, database_url)
        client.headers_of = {name: sign_in(client, name) for name in ("commissioner", "admin", "champion",
                                                                      "hospital", "demo")}
        yield client


def get(central, path, who="admin", **params):
    return central.get(path, params=params, headers=central.headers_of[who])


def ids(answer) -> list[str]:
    return [result["home_id"] for result in answer.json()["results"]]


# --- finding a bed -------------------------------------------------------------------------------------------------

def test_a_search_across_two_authorities_finds_exactly_the_open_homes_with_a_vacancy_nearest_first(central):
    both = {"category": "nursing_dementia", "area": ["la:Manchester", "la:Cheshire East"], "near": "53.39,-2.34"}
    answer = get(central, "/area/search", **both)
    assert answer.status_code == 200, answer.text
    # Chorlton (6) has no dementia bed free; Wythenshawe (7) 5.4 km, Didsbury (5) 7.8 km, Knutsford (8) 10.2 km.
    assert ids(answer) == ["1-900000007", "1-900000005", "1-900000008"]
    body = SearchAnswer.model_validate(answer.json())
    assert [round(r.distance_km) for r in body.results] == [5, 8, 10]
    assert body.results[1].vacancies == {"nursing_dementia": 4} and body.results[1].phone == "0161 000 0005"
    assert body.results[1].cqc_rating == "Outstanding" and body.results[1].freshness == "ageing"
    assert body.total == 3 and body.origin.label == "53.3900, -2.3400"

    # Fewer places than matches: the nearest are read from a growing radius, the total still counts them all.
    for limit in (1, 2):
        nearest = get(central, "/area/search", **both, limit=limit).json()
        assert [r["home_id"] for r in nearest["results"]] == ids(answer)[:limit] and nearest["total"] == 3
    assert ids(get(central, "/area/search", **both, max_age_days=7)) == ["1-900000005", "1-900000008"]
    assert ids(get(central, "/area/search", **both, funding="local_authority")) == ["1-900000007"]


def test_closed_homes_are_left_out_and_stale_ones_when_asked(central):
    query = {"category": "nursing_dementia", "area": ["la:Trafford", "la:Manchester"], "near_home": "1-900000001"}
    # Within 30 days: the demo's own Trafford homes never confirmed, so they drop out too.
    month = set(ids(get(central, "/area/search", **query, max_age_days=30)))
    assert month == {"1-900000001", "1-900000002", "1-900000005"}  # Urmston (3) is closed to admissions
    assert set(ids(get(central, "/area/search", **query, max_age_days=7))) == {"1-900000001", "1-900000005"}
    everything = get(central, "/area/search", **query, limit=200).json()
    assert "1-900000003" not in {r["home_id"] for r in everything["results"]}
    assert everything["total"] == len(everything["results"]) > 3  # the demo homes with a dementia bed free


def test_a_postcode_district_is_ordered_from_the_centre_of_its_homes_and_says_so(central):
    answer = get(central, "/area/search", "commissioner", category="nursing", near_district="m21")
    assert answer.status_code == 200, answer.text
    assert answer.json()["origin"]["label"] == "postcode district M21 (centre of 1 home)"
    assert ids(answer)[0] == "1-900000006"


def test_the_search_covers_only_what_the_account_may_see(central):
    # The commissioner's area is NHS Greater Manchester: Knutsford (Cheshire East) is not hers.
    found = ids(get(central, "/area/search", "commissioner", category="nursing_dementia",
                    area=["la:Cheshire East", "la:Manchester"], limit=200))
    assert "1-900000008" not in found and "1-900000005" in found
    # The champion sees her assigned homes only (none of these).
    assert not set(ids(get(central, "/area/search", "champion", category="nursing_dementia", limit=200))) & {
        h.id for h in AREA_HOMES}


@pytest.mark.parametrize(("params", "field"), [
    ({}, "category"),
    ({"category": "penthouse"}, "category"),
    ({"category": "nursing", "area": "county:Kent"}, "area"),
    ({"category": "nursing", "near": "north"}, "near"),
    ({"category": "nursing", "near": "95,0"}, "near"),
    ({"category": "nursing", "near": "53,-2", "near_home": "1-900000001"}, "near_home"),
    ({"category": "nursing", "near_district": "ZZ99"}, "near_district"),
    ({"category": "nursing", "near_home": "1-999"}, "near_home"),
    ({"category": "nursing", "max_age_days": "-1"}, "max_age_days"),
    ({"category": "nursing", "limit": "100000"}, "limit"),
    ({"category": "nursing", "format": "xlsx"}, "format"),
])
def test_a_search_that_cannot_be_answered_is_a_422_naming_the_parameter(central, params, field):
    answer = get(central, "/area/search", **params)
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["detail"])


# --- who may ask ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [("demo", 403), ("champion", 200), ("commissioner", 200),
                                            ("hospital", 200), ("admin", 200)])
def test_the_area_view_is_for_area_roles(central, who, status):
    for path, params in (("/area/search", {"category": "nursing"}), ("/area/stale", {}), ("/area/overview", {}),
                         ("/area/history", {"area": "la:Trafford"})):
        answer = get(central, path, who, **params)
        assert answer.status_code == status, (path, answer.text)
    assert central.get("/area/stale").status_code == 401


def test_a_manager_sees_her_own_homes_history_only(central):
    own = get(central, "/area/history", "demo", area="home:1-1938268568")
    assert own.status_code == 200 and own.json()["area"]["name"] == "Allingham House Care Centre"
    assert get(central, "/area/history", "demo", area="home:1-900000001").status_code == 403


def test_an_area_outside_the_account_shows_none_of_its_homes(central):
    answer = get(central, "/area/overview", "commissioner", area="la:Cheshire East")
    assert answer.status_code == 200 and answer.json()["totals"]["homes"] == 0 and answer.json()["children"] == []
    assert get(central, "/area/stale", "commissioner", area="la:Cheshire East").json()["homes"] == []


# --- who has not updated, the area at a glance ---------------------------------------------------------------------

def test_the_stale_list_is_oldest_first_with_who_to_call_and_the_share_up_to_date(central):
    body = StaleAnswer.model_validate(get(central, "/area/stale", "commissioner", area="la:Manchester").json())
    assert (body.total_homes, body.up_to_date, body.up_to_date_share) == (3, 2, 0.6667)
    assert [(h.home_id, h.days_since, h.phone) for h in body.homes] == [("1-900000007", None, "0161 000 0007")]
    two_days = StaleAnswer.model_validate(get(central, "/area/stale", "commissioner", area="la:Manchester",
                                              older_than_days=1).json())
    assert [h.home_id for h in two_days.homes] == ["1-900000007", "1-900000005"]  # never confirmed, then 2 days
    assert two_days.homes[1].manager_name == "Dev Patel" and two_days.homes[1].days_since == 2
    trafford = StaleAnswer.model_validate(get(central, "/area/stale", "commissioner", area="la:Trafford").json())
    assert trafford.total_homes == 60 and trafford.up_to_date == 3  # Sale (10 days) and 56 demo homes behind
    assert trafford.homes[-1].home_id == "1-900000002"
    assert trafford.behind == 57 and trafford.offset == 0 and len(trafford.homes) == 57

    # A page at a time: "behind" still counts them all; a CSV lists them all whatever the page.
    pages = [StaleAnswer.model_validate(get(central, "/area/stale", "commissioner", area="la:Trafford",
                                            offset=offset, limit=20).json()) for offset in (0, 20, 40)]
    assert [len(page.homes) for page in pages] == [20, 20, 17] and {page.behind for page in pages} == {57}
    assert [h for page in pages for h in page.homes] == trafford.homes and pages[2].offset == 40
    rows = rows_of(get(central, "/area/stale", "commissioner", area="la:Trafford", limit=5, format="csv"))
    assert [row["home_id"] for row in rows] == [h.home_id for h in trafford.homes]
    for bad in ({"limit": "0"}, {"limit": "5000"}, {"offset": "-1"}):
        answer = get(central, "/area/stale", "commissioner", **bad)
        assert answer.status_code == 422 and next(iter(bad)) in str(answer.json()["detail"]), answer.text


def test_the_overview_counts_match_the_data(central):
    body = OverviewAnswer.model_validate(get(central, "/area/overview", "commissioner", area="la:Manchester").json())
    totals = body.totals
    assert (totals.homes, totals.closed_to_admissions, totals.vacant_accepting) == (3, 0, 7)
    dementia = totals.beds["nursing_dementia"]
    assert (dementia.homes, dementia.max_capacity, dementia.occupied, dementia.vacant_accepting) == (3, 58, 53, 5)
    assert totals.beds["nursing"].vacant_accepting == 2
    assert totals.freshness == {"fresh": 1, "ageing": 1, "stale": 0, "never confirmed": 1}
    assert [row.area.name for row in body.children] == ["Chorlton Care Home", "Didsbury Nursing Centre",
                                                        "Wythenshawe Lodge"]
    icb = OverviewAnswer.model_validate(get(central, "/area/overview", "commissioner").json())
    assert icb.area.name == "NHS Greater Manchester Integrated Care Board"
    assert [(row.area.code, row.totals.homes) for row in icb.children] == [("Manchester", 3), ("Trafford", 60)]
    assert icb.totals.closed_to_admissions == 1


def rows_of(answer) -> list[dict]:
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="')
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_every_table_exports_as_csv_that_reads_back_as_the_json(central):
    overview = get(central, "/area/overview", "commissioner").json()
    rows = rows_of(get(central, "/area/overview", "commissioner", format="csv"))
    assert [row["code"] for row in rows] == ["Manchester", "Trafford", "QOP"]
    for row, child in zip(rows, [*overview["children"], {"totals": overview["totals"]}], strict=True):
        totals = child["totals"]
        assert int(row["homes"]) == totals["homes"] and int(row["vacant_accepting"]) == totals["vacant_accepting"]
        assert int(row["nursing_dementia_beds"]) == totals["beds"].get("nursing_dementia", {}).get("max_capacity", 0)
    stale = get(central, "/area/stale", "commissioner", area="la:Trafford").json()
    assert [row["home_id"] for row in rows_of(get(central, "/area/stale", "commissioner", area="la:Trafford",
                                                   format="csv"))] == [h["home_id"] for h in stale["homes"]]
    search = {"category": ["nursing_dementia", "nursing"], "area": "la:Manchester", "near": "53.4,-2.3"}
    found = get(central, "/area/search", **search).json()["results"]
    rows = rows_of(get(central, "/area/search", **search, format="csv"))
    assert [(row["home_id"], int(row["nursing_dementia_vacant_accepting"]), float(row["distance_km"]))
            for row in rows] == [(r["home_id"], r["vacancies"].get("nursing_dementia", 0), r["distance_km"])
                                 for r in found]


# --- vacancies over time -------------------------------------------------------------------------------------------

def test_vacancies_over_time_count_each_change_at_the_end_of_its_day_and_week(tmp_path, demo_database):
    path = tmp_path / "central.sqlite3"
    with serving(path, template=demo_database) as central:
        seed_area(central, f"sqlite:///{path}")  # Wythenshawe 30 days ago, Didsbury 2 days ago, Chorlton 5 hours ago
        didsbury = AREA_HOMES[4]
        central.clock.now += timedelta(minutes=1)
        change = mutation("bed_count", f"{didsbury.id}/nursing_dementia", {
            "home_id": didsbury.id, "category": "nursing_dementia", "max_capacity": 30, "occupied": 24,
            "vacant_reserved": 0, "vacant_accepting": 6})
        manager = sign_in(central, manager_of(didsbury))
        change["base_version"] = central.get(f"/homes/{didsbury.id}/bed-state", headers=manager).json()[
            "versions"]["nursing_dementia"]
        pushed = central.post("/sync/push", json=push_body([change]), headers=manager)
        assert pushed.json()["results"][0]["status"] == "applied"
        headers = sign_in(central, "commissioner")

        daily = HistoryAnswer.model_validate(central.get("/area/history", headers=headers, params={
            "area": "la:Manchester", "days": 5}).json())
        assert [str(p.day) for p in daily.points] == ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24",
                                                      "2026-11-25"]
        assert [p.vacant_accepting.get("nursing_dementia") for p in daily.points] == [1, 1, 5, 5, 7]
        assert [p.max_capacity.get("nursing_dementia") for p in daily.points] == [18, 18, 48, 48, 58]
        assert daily.points[-1].vacant_accepting["nursing"] == 2 and "nursing" not in daily.points[0].max_capacity

        weekly = HistoryAnswer.model_validate(central.get("/area/history", headers=headers, params={
            "area": "la:Manchester", "interval": "week", "days": 14}).json())
        assert [(str(p.day), p.vacant_accepting.get("nursing_dementia")) for p in weekly.points] == [
            ("2026-11-09", 1), ("2026-11-16", 1), ("2026-11-23", 7)]

        own = HistoryAnswer.model_validate(central.get("/area/history", headers=headers, params={
            "area": f"home:{didsbury.id}", "days": 3}).json())
        assert own.area.name == "Didsbury Nursing Centre"
        assert [p.vacant_accepting.get("nursing_dementia", 0) for p in own.points] == [4, 4, 6]
        as_csv = central.get("/area/history", headers=headers, params={"area": f"home:{didsbury.id}", "days": 3,
                                                                       "format": "csv"})
        assert [row["nursing_dementia_vacant_accepting"] for row in rows_of(as_csv)] == ["4", "4", "6"]
        assert central.get("/area/history", headers=headers, params={"days": 0}).status_code == 422


def test_a_deregistered_home_leaves_search_and_counts(tmp_path, demo_database):
    path = tmp_path / "central.sqlite3"
    with serving(path, template=demo_database) as central:
        seed_area(central, f"sqlite:///{path}")
        didsbury = AREA_HOMES[4].home.model_copy(update={"registered": False, "deregistered_on": date(2026, 11, 24)})
        add_to_directory(f"sqlite:///{path}", [replace(AREA_HOMES[4], home=didsbury)], "x",
                         stamp=central.clock.now.isoformat(), commissioner_area=None)
        headers = sign_in(central, "commissioner")
        found = central.get("/area/search", headers=headers, params={"category": "nursing_dementia",
                                                                     "area": "la:Manchester"}).json()
        assert [r["home_id"] for r in found["results"]] == ["1-900000007"]
        assert central.get("/area/overview", headers=headers, params={"area": "la:Manchester"}).json()[
            "totals"]["homes"] == 2


def test_a_database_from_before_the_area_view_gets_its_index_at_start(tmp_path, demo_database):
    import sqlite3

    path = tmp_path / "central.sqlite3"
    with serving(path, template=demo_database) as central:
        seed_area(central, f"sqlite:///{path}")
    with sqlite3.connect(path) as db:  # as an older server left it: area columns only, no bed rows
        db.execute("UPDATE homes SET name = NULL, confirmed_at = NULL, funding = ''")
        db.execute("DELETE FROM home_beds")
        db.execute("DELETE FROM server_state WHERE key = 'area_index_day'")
    with serving(path) as central:
        found = central.get("/area/search", headers=sign_in(central, "commissioner"), params={
            "category": "nursing_dementia", "area": "la:Manchester", "funding": "nhs_chc"}).json()
        assert [(r["home_id"], r["name"]) for r in found["results"]] == [("1-900000005", "Didsbury Nursing Centre")]


# --- workforce and outbreaks (issue 12, parts 3 and 4) ---------------------------------------------------------------

def test_the_overview_sums_the_workforce_and_counts_the_homes_in_an_outbreak(central):
    manchester = OverviewAnswer.model_validate(
        get(central, "/area/overview", "commissioner", area="la:Manchester").json()).totals
    # Didsbury and Chorlton reported (Wythenshawe has not); Chorlton has norovirus.
    assert manchester.workforce.model_dump() == {
        "homes": 2, "nurses_employed": 12, "nurses_agency": 2, "care_workers_employed": 45,
        "care_workers_agency": 7, "non_care_employed": 16, "non_care_agency": 1, "absent_today": 5}
    assert manchester.outbreak_homes == 1
    icb = OverviewAnswer.model_validate(get(central, "/area/overview", "commissioner").json())
    # Urmston's COVID-19 outbreak is over (29 days since its last case); Knutsford is outside her area.
    assert icb.totals.outbreak_homes == 1
    assert (icb.totals.workforce.homes, icb.totals.workforce.nurses_employed) == (3, 17)
    trafford = next(row.totals for row in icb.children if row.area.code == "Trafford")
    assert (trafford.workforce.homes, trafford.workforce.care_workers_employed, trafford.outbreak_homes) == (1, 20, 0)
    england = OverviewAnswer.model_validate(get(central, "/area/overview", "admin", area="england").json())
    assert (england.totals.outbreak_homes, england.totals.workforce.homes) == (2, 4)
    total = rows_of(get(central, "/area/overview", "commissioner", area="la:Manchester", format="csv"))[-1]
    assert (total["outbreak_homes"], total["workforce_homes"], total["workforce_care_workers_employed"]) == \
        ("1", "2", "45")


def test_search_results_say_which_homes_have_an_outbreak(central):
    found = SearchAnswer.model_validate(get(central, "/area/search", "commissioner", category="nursing",
                                            funding="nhs_chc", near_home="1-900000006").json())
    assert {result.home_id: result.outbreak for result in found.results} == {
        "1-900000006": "norovirus", "1-900000001": None}
    rows = rows_of(get(central, "/area/search", "commissioner", category="nursing", funding="nhs_chc",
                       near_home="1-900000006", format="csv"))
    assert {row["home_id"]: row["outbreak"] for row in rows} == {"1-900000006": "norovirus", "1-900000001": ""}


def test_an_outbreak_leaves_the_counts_28_days_after_its_last_new_case(tmp_path, demo_database):
    from server_stub.db import create_database_engine, parse_database_url
    from server_stub.services.area import keep_index_up_to_date

    path = tmp_path / "central.sqlite3"
    with serving(path, template=demo_database) as central:
        seed_area(central, f"sqlite:///{path}")
        start = central.clock.now
        engine = create_database_engine(parse_database_url(f"sqlite:///{path}"))
        try:
            for days_later, in_outbreak in ((25, 1), (26, 0)):  # Chorlton's last new case was 2 days before
                central.clock.now = start + timedelta(days=days_later)
                with engine.connect() as connection:
                    keep_index_up_to_date(connection, central.clock.now)  # the server's daily re-read
                totals = central.get("/area/overview", headers=sign_in(central, "commissioner"),
                                     params={"area": "la:Manchester"}).json()
                assert totals["totals"]["outbreak_homes"] == in_outbreak, days_later
        finally:
            engine.dispose()
