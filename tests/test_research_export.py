"""The research export (issue 12, part 5): GET /admin/research-export counts only the homes that chose research,
for bed numbers and digital readiness separately; rows over fewer than 3 homes are left out; administrators only;
the CSV files read back as the JSON; each export is in the audit log.

The central API runs in-process on a real SQLite file (a copy of the demo database) with the small area of
tests/support/area_homes.py; each home's manager pushes her choices as the app would (tests/test_sharing_api.py).
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import create_engine, text

import domain.research
from protocol.research import DSPT_KEYS
from tests.support.area_homes import AREA_HOMES, manager_of, mutation, push_body, seed_area
from tests.support.auth import sign_in
from tests.support.central_inprocess import serving
from tests.test_sharing_api import choose

ALTRINCHAM, SALE, URMSTON, TIMPERLEY = "1-900000001", "1-900000002", "1-900000003", "1-900000004"
DIDSBURY, CHORLTON, WYTHENSHAWE = "1-900000005", "1-900000006", "1-900000007"
NAMES_AND_IDS = [value for home in AREA_HOMES for value in (home.id, home.home.name)]


@pytest.fixture
def every_row(monkeypatch):
    """No small-number suppression, so a single home's presence shows (the rule has its own test)."""
    monkeypatch.setattr(domain.research, "SMALLEST_GROUP", 1)


def export(central, who: str = "admin", **params):
    answer = central.get("/admin/research-export", params=params, headers=sign_in(central, who))
    assert answer.status_code == 200, answer.text
    return answer


def beds(central) -> dict[tuple[str, str], dict]:
    return {(row["local_authority"], row["category"]): row for row in export(central).json()["beds"]}


def readiness(central) -> dict[str, dict]:
    return {row["local_authority"]: row for row in export(central).json()["digital_readiness"]}


def publish_dspt(central, home_id: str) -> None:
    home = next(h for h in AREA_HOMES if h.id == home_id)
    data = {"home_id": home_id, "status": "Not Published"}
    answer = central.post("/sync/push", headers=sign_in(central, manager_of(home)),
                          json=push_body([mutation("dspt_status", f"{home_id}/dspt", data)]))
    assert answer.json()["results"][0]["status"] == "applied", answer.text


def test_nothing_is_exported_until_a_home_says_yes(central, every_row):
    answer = export(central).json()
    assert answer["beds"] == [] and answer["digital_readiness"] == []
    assert "never named" in answer["note"] and "fewer than 3 homes" in answer["note"]


def test_a_home_that_says_yes_is_counted_and_one_that_says_no_is_absent(central, every_row):
    choose(central, ALTRINCHAM, ["research"], ["research"])
    choose(central, SALE, ["public"], [])  # public, not research: in neither table
    assert beds(central) == {
        ("Trafford", "nursing"): {"local_authority": "Trafford", "category": "nursing", "homes": 1,
                                  "max_capacity": 20, "occupied": 18, "vacant_reserved": 0, "vacant_accepting": 2},
        ("Trafford", "nursing_dementia"): {"local_authority": "Trafford", "category": "nursing_dementia",
                                           "homes": 1, "max_capacity": 10, "occupied": 8, "vacant_reserved": 0,
                                           "vacant_accepting": 2}}
    assert readiness(central)["Trafford"]["homes"] == 1

    choose(central, SALE, ["research"], ["research"])
    assert beds(central)[("Trafford", "nursing_dementia")] | {} == {
        "local_authority": "Trafford", "category": "nursing_dementia", "homes": 2, "max_capacity": 22,
        "occupied": 19, "vacant_reserved": 0, "vacant_accepting": 3}
    assert readiness(central)["Trafford"]["homes"] == 2

    choose(central, ALTRINCHAM, [], [])  # she changes her mind: out of both tables
    assert set(beds(central)) == {("Trafford", "nursing_dementia")}
    assert beds(central)[("Trafford", "nursing_dementia")]["homes"] == 1
    assert readiness(central)["Trafford"]["homes"] == 1


def test_bed_and_readiness_choices_are_independent(central, every_row):
    for home_id in (ALTRINCHAM, SALE, URMSTON):  # Trafford: beds only
        choose(central, home_id, ["research"], [])
    for home_id in (DIDSBURY, CHORLTON, WYTHENSHAWE):  # Manchester: digital readiness only
        choose(central, home_id, [], ["research"])
    publish_dspt(central, DIDSBURY)

    assert {authority for authority, _ in beds(central)} == {"Trafford"}
    assert beds(central)[("Trafford", "nursing_dementia")]["homes"] == 3
    assert readiness(central) == {"Manchester": {
        "local_authority": "Manchester", "homes": 3,
        "dspt": {key: {"Not Published": 1, "Not recorded": 2}.get(key, 0) for key in DSPT_KEYS},
        "nhsmail": {"not started": 3, "preparing": 0, "submitted": 0, "setting up": 0, "live": 0},
        "bands": {"minimum": 3, "core": 0, "enhanced": 0, "enhanced_plus": 0}}}


def test_rows_counting_fewer_than_three_homes_are_left_out(central):
    for home_id in (ALTRINCHAM, SALE, URMSTON, TIMPERLEY):  # Trafford: 3 offer nursing dementia, 1 nursing, ...
        choose(central, home_id, ["research"], ["research"])
    choose(central, DIDSBURY, ["research"], ["research"])  # Manchester: one home alone

    answer = export(central).json()
    assert [(row["local_authority"], row["category"], row["homes"]) for row in answer["beds"]] == [
        ("Trafford", "nursing_dementia", 3)]
    assert answer["beds_left_out"] == 3  # Trafford nursing (1 home) and residential (1); Manchester's (1)
    assert [(row["local_authority"], row["homes"]) for row in answer["digital_readiness"]] == [("Trafford", 4)]
    assert answer["digital_readiness_left_out"] == 1  # Manchester (1 home)
    assert "fewer than 3 homes is left out" in answer["note"]

    choose(central, SALE, [], ["research"])  # two homes left in the row: no longer shown
    answer = export(central).json()
    assert answer["beds"] == [] and answer["beds_left_out"] == 4


def test_the_csv_files_read_back_as_the_json_and_name_no_home(central, every_row):
    for home_id in (ALTRINCHAM, SALE, TIMPERLEY, DIDSBURY):
        choose(central, home_id, ["research"], ["research"])
    publish_dspt(central, SALE)
    answer = export(central).json()

    beds_file = export(central, format="csv", table="beds")
    assert beds_file.headers["content-type"].startswith("text/csv")
    assert beds_file.headers["content-disposition"].startswith('attachment; filename="research-beds-')
    rows = list(csv.DictReader(io.StringIO(beds_file.text)))
    numbers = ("homes", "max_capacity", "occupied", "vacant_reserved", "vacant_accepting")
    assert [row | {name: int(row[name]) for name in numbers} for row in rows] == answer["beds"]

    readiness_file = export(central, format="csv", table="digital_readiness")
    assert 'filename="research-digital-readiness-' in readiness_file.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(readiness_file.text)))
    read_back = []
    for row in rows:
        counts = {name: int(value) for name, value in row.items() if name != "local_authority"}
        read_back.append({
            "local_authority": row["local_authority"], "homes": counts["homes"],
            "dspt": {key: counts["dspt_" + key.lower().replace(" ", "_")] for key in DSPT_KEYS},
            "nhsmail": {stage: counts["nhsmail_" + stage.replace(" ", "_")]
                        for stage in ("not started", "preparing", "submitted", "setting up", "live")},
            "bands": {band: counts[f"band_{band}"] for band in ("minimum", "core", "enhanced", "enhanced_plus")}})
    assert read_back == answer["digital_readiness"] and len(read_back) == 2

    for body in (beds_file.text, readiness_file.text, export(central).text):
        assert not any(value in body for value in NAMES_AND_IDS)


@pytest.mark.parametrize("who", ["commissioner", "champion", "hospital", "demo", manager_of(AREA_HOMES[0])])
def test_only_administrators_may_export(central, who):
    for params in ({}, {"format": "csv"}):
        answer = central.get("/admin/research-export", params=params, headers=sign_in(central, who))
        assert answer.status_code == 403
        assert answer.json()["detail"] == "Only an administrator may download the research export"
    assert central.get("/admin/research-export").status_code == 401


def test_each_export_is_in_the_audit_log_with_who_and_when(central):
    export(central)
    central.clock.now = central.clock.now.replace(microsecond=0)
    export(central, format="csv", table="digital_readiness")
    entries = [e for e in central.get("/accounts/audit", params={"limit": 50}, headers=sign_in(central, "admin")
                                      ).json() if e["action"] == "research_export"]
    assert [(e["actor"], e["detail"]) for e in entries] == [
        ("admin", "CSV digital readiness: 0 bed rows, 0 digital readiness rows"),
        ("admin", "JSON: 0 bed rows, 0 digital readiness rows")]
    assert entries[0]["at"].startswith(central.clock.now.isoformat()[:19])


def test_a_bad_format_or_table_is_refused_naming_it(central):
    for params, field in (({"format": "xlsx"}, "format"), ({"format": "csv", "table": "homes"}, "table")):
        answer = central.get("/admin/research-export", params=params, headers=sign_in(central, "admin"))
        assert answer.status_code == 422 and field in answer.text


def test_choices_made_before_the_upgrade_are_in_the_export_after_it(tmp_path, demo_database, every_row):
    """Migration 0010: a database from before it (homes had chosen, the index had no column for it) is upgraded
    and its homes' records read into the index again at start, so their readiness choices count at once."""
    path = tmp_path / "central.sqlite3"
    with serving(path, template=demo_database) as client:
        seed_area(client, f"sqlite:///{path}")
        for home_id in (DIDSBURY, CHORLTON):
            choose(client, home_id, [], ["research"])
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # the database as the server at 0009 left it
        connection.execute(text("ALTER TABLE homes DROP COLUMN shares_readiness_for_research"))
        connection.execute(text("DROP TABLE device_contacts"))  # 0011's, after 0009 too
        connection.execute(text("DROP INDEX records_home_version_kind"))  # 0013's, and the index it replaced
        connection.execute(text("CREATE INDEX records_home_version ON records (home_id, version)"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0009_sharing_choices'"))
    engine.dispose()

    with serving(path) as client:
        assert readiness(client)["Manchester"]["homes"] == 2
