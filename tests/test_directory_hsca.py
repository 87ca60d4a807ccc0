"""Acceptance 2 of issue #11: the CQC "HSCA Active Locations" file (tests/data/hsca_sample.csv: the real column
layout, a preamble, an extra column, dormant and non-care-home rows) imports only active care homes; a home in
a local authority spanning several ICBs, with no sub-ICB in the file, is listed for an administrator, who
decides (GET/PUT /admin/icb-decisions), and the decision survives a re-import. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.homes import CareHome, CqcRating, IcbChoice
from protocol.sync import Account
from server_stub import repository
from server_stub.app import create_app
from server_stub.db import write_transaction
from server_stub.security import hash_password
from server_stub.services.directory import import_homes
from server_stub.settings import Settings
from tests.support.auth import sign_in
from tests.support.central_inprocess import FakeClock

SAMPLE = Path(__file__).parent / "data" / "hsca_sample.csv"
HEARTLANDS = IcbChoice(code="QXU", name="NHS Surrey Heartlands Integrated Care Board", region="South East")
FRIMLEY = IcbChoice(code="QNQ", name="NHS Frimley Integrated Care Board", region="South East")
CAMBERLEY = "1-1000000002"  # Surrey, no sub-ICB in the file


@pytest.fixture
def client(database_url):
    clock = FakeClock()
    app = create_app(Settings(database_url=database_url), clock=clock)  # with the demo accounts
    with TestClient(app, raise_server_exceptions=False) as client:
        client.clock = clock
        client.engine = app.state.engine
        yield client


def import_sample(client: TestClient, *, dry_run: bool = False):
    with client.engine.connect() as connection:
        return import_homes(connection, SAMPLE, client.clock.now, dry_run=dry_run)


def stored_homes(client: TestClient) -> dict[str, CareHome]:
    with client.engine.connect() as connection:
        return {record.id: CareHome.model_validate(record.data)
                for record in repository.records_of_kind(connection, "care_home")}


def test_only_active_care_homes_are_imported_each_mapped_from_its_columns(client):
    summary = import_sample(client)

    assert summary.file_format == "hsca"
    assert summary.areas == ["Hampshire", "Manchester", "Southampton", "Surrey"]
    assert (summary.added, summary.updated, summary.deregistered, summary.awaiting_icb) == (6, 0, 0, 1)
    assert [(row.line, row.reason) for row in summary.bad_rows] == [(11, "beds is not a number ('forty')")]
    homes = stored_homes(client)
    assert "1-1000000005" not in homes and "1-1000000006" not in homes  # dormant; not a care home
    assert len(homes) == 56 + 6  # the demo's Trafford homes are not in the file's areas: untouched
    assert all(home.registered for home in homes.values())

    heathside = homes["1-1000000001"]
    assert heathside.model_dump(include={
        "name", "ods_code", "address", "postcode", "phone", "registered_manager", "provider", "registered_beds",
        "with_nursing", "bed_categories", "cqc_rating", "cqc_rating_date", "latitude", "longitude", "icb_code",
        "icb", "region", "icb_code_year"}) == {
        "name": "Heathside Nursing Home", "ods_code": "VABC1", "address": "12 Heath Road, Merrow, Guildford, Surrey",
        "postcode": "GU1 2AB", "phone": "01483 555001", "registered_manager": "Ruth Adebayo",
        "provider": "Heathside Care Ltd", "registered_beds": 60, "with_nursing": True,
        "bed_categories": ("nursing", "nursing_dementia"), "cqc_rating": CqcRating.GOOD,
        "cqc_rating_date": date(2023, 6, 14), "latitude": 51.2426, "longitude": -0.5416,
        "icb_code": "QXU", "icb": HEARTLANDS.name, "region": "South East", "icb_code_year": 2022,
    }
    didsbury = homes["1-1000000003"]  # a blank beds cell is unknown; "Not yet rated" is no rating
    assert (didsbury.registered_beds, didsbury.cqc_rating, didsbury.icb_code) == (None, None, "QOP")
    assert [c.value for c in didsbury.bed_categories] == ["residential", "residential_dementia", "mental_health"]
    fleet = homes["1-1000000004"]  # Hampshire spans two ICBs: the Commissioning CCG names Frimley
    assert (fleet.icb_code, fleet.cqc_rating, fleet.cqc_rating_date) == ("QNQ", CqcRating.OUTSTANDING, date(2022, 9, 2))
    assert [c.value for c in fleet.bed_categories] == ["residential", "nursing", "learning_disability",
                                                       "young_physically_disabled"]
    # Hampshire again: sub-ICB D9Y0V is named only by code, and a Southampton home in the file shows its ICB.
    assert homes["1-1000000009"].icb_code == homes["1-1000000008"].icb_code == "QRL"

    camberley = homes[CAMBERLEY]
    assert camberley.awaiting_icb_decision and (camberley.icb, camberley.icb_code) == (None, None)
    assert camberley.icb_candidates == (HEARTLANDS, FRIMLEY) and camberley.region == "South East"
    assert (camberley.phone, camberley.cqc_rating, camberley.cqc_rating_date) == (
        "01276555002", CqcRating.REQUIRES_IMPROVEMENT, date(2024, 2, 1))


def test_an_ambiguous_home_is_listed_decided_by_an_administrator_and_the_decision_survives_a_reimport(client):
    import_sample(client)
    admin = sign_in(client, "admin")

    waiting = client.get("/admin/icb-decisions", headers=admin)
    assert waiting.status_code == 200
    assert waiting.json() == [{"home_id": CAMBERLEY, "name": "Camberley Lodge", "local_authority": "Surrey",
                               "postcode": "GU15 3PQ", "candidates": [HEARTLANDS.model_dump(), FRIMLEY.model_dump()]}]

    wrong = client.put(f"/admin/icb-decisions/{CAMBERLEY}", json={"icb_code": "QOP"}, headers=admin)
    assert wrong.status_code == 422 and wrong.json()["detail"].startswith("ICB code: choose one of this home's ICBs")
    assert client.put("/admin/icb-decisions/1-1999999999", json={"icb_code": "QNQ"}, headers=admin).status_code == 404
    assert client.put("/admin/icb-decisions/nonsense", json={"icb_code": "QNQ"}, headers=admin).status_code == 422
    assert client.put(f"/admin/icb-decisions/{CAMBERLEY}", json={}, headers=admin).status_code == 422

    client.clock.now += timedelta(minutes=1)
    decided = client.put(f"/admin/icb-decisions/{CAMBERLEY}", json={"icb_code": "qnq"}, headers=admin)
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["icb_code"], body["icb"], body["region"], body["icb_candidates"]) == ("QNQ", FRIMLEY.name,
                                                                                         "South East", [])
    assert client.get("/admin/icb-decisions", headers=admin).json() == []
    audit = client.get("/accounts/audit", params={"subject": CAMBERLEY}, headers=admin).json()
    assert [(entry["actor"], entry["action"], entry["detail"]) for entry in audit] == [
        ("admin", "icb_decided", f"QNQ {FRIMLEY.name}")]

    again = import_sample(client)
    assert (again.added, again.updated, again.unchanged, again.awaiting_icb) == (0, 0, 6, 0)
    assert stored_homes(client)[CAMBERLEY].icb_code == "QNQ"
    latest = client.get("/admin/imports/latest", headers=admin)
    assert latest.status_code == 200 and latest.json()["file_name"] == "hsca_sample.csv"
    assert latest.json()["unchanged"] == 6 and latest.json()["bad_rows"] == [{"line": 11,
                                                                              "reason": "beds is not a number ('forty')"}]


@pytest.mark.parametrize("username", ["commissioner", "demo", "hospital", "champion"])
def test_only_administrators_see_and_decide(client, username):
    import_sample(client)
    headers = sign_in(client, username)
    for answer in (client.get("/admin/icb-decisions", headers=headers),
                   client.get("/admin/imports/latest", headers=headers),
                   client.put(f"/admin/icb-decisions/{CAMBERLEY}", json={"icb_code": "QNQ"}, headers=headers)):
        assert answer.status_code == 403
        assert answer.json()["detail"] == "Only an administrator may see and manage the care home directory"
    assert client.get("/admin/icb-decisions").status_code == 401
    assert stored_homes(client)[CAMBERLEY].awaiting_icb_decision


def test_the_demo_seed_is_the_first_import(client):
    admin = sign_in(client, "admin")
    first = client.get("/admin/imports/latest", headers=admin).json()
    assert (first["file_name"], first["file_format"], first["added"], first["dry_run"]) == (
        "trafford_care_homes.csv", "directory", 56, False)


def test_without_an_import_the_latest_is_404_in_plain_words(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'central.sqlite3'}", seed_demo=False),
                     clock=FakeClock())
    with app.state.engine.connect() as connection, write_transaction(connection):
        repository.insert_accounts(connection, [(Account(username="root", display_name="Root", role="administrator"),
                                                 hash_password("a long enough password"))])
    with TestClient(app) as client:
        answer = client.get("/admin/imports/latest", headers=sign_in(client, "root", "a long enough password"))
    assert answer.status_code == 404 and answer.json() == {"detail": "No directory file has been imported yet"}


def test_a_dry_run_of_the_hsca_file_changes_nothing(client):
    before = stored_homes(client)
    summary = import_sample(client, dry_run=True)
    assert summary.dry_run and summary.added == 6
    assert stored_homes(client) == before
