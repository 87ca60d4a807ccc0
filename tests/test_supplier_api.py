"""The supplier API (issue 12, part 2; acceptance point 2), over the real in-process app on a SQLite file.

An administrator registers a supplier (another care record system) with its homes and issues it an API key;
the supplier sends a home's bed state with PUT /supplier/homes/{id}/beds under an Idempotency-Key.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.auth import DEMO_HOME, sign_in
from tests.support.central_inprocess import bed_mutation, nursing_version, push, serving

OTHER_HOME = "1-466088203"  # in the directory, not one of the supplier's homes
SUPPLIER = "Example Care Records"
CLOCK_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)  # the fixture's clock


@pytest.fixture
def central(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as client:
        client.clock.now = CLOCK_NOW  # an hour after the demo data was seeded
        yield client


@pytest.fixture
def admin(central):
    return sign_in(central, "admin")


def register(central, admin, homes=(DEMO_HOME,), name=SUPPLIER) -> dict:
    answer = central.post("/admin/suppliers", json={"name": name, "homes": list(homes)}, headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def supplier(central, admin) -> dict:
    """The registered supplier and its first key (``api_key``)."""
    return register(central, admin)


def beds_body(minutes_ago: int = 5, **counts) -> dict:
    nursing = {"category": "nursing", "max_capacity": 21, "occupied": 17, "vacant_reserved": 1,
               "vacant_accepting": 3, **counts}
    return {"as_at": (CLOCK_NOW - timedelta(minutes=minutes_ago)).isoformat(), "beds": [nursing]}


def put_beds(central, key: str | None, body: dict, idempotency_key: str | None = None, home: str = DEMO_HOME):
    headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
    if key is not None:
        headers["X-Api-Key"] = key
    return central.put(f"/supplier/homes/{home}/beds", json=body, headers=headers)


def nursing(central) -> dict:
    state = central.get(f"/homes/{DEMO_HOME}/bed-state", headers=sign_in(central)).json()
    return next(b for b in state["beds"] if b["category"] == "nursing") | {"version": state["versions"]["nursing"]}


def bed_history_rows(central, category: str = "nursing") -> int:
    from sqlalchemy import create_engine, func, select

    from server_stub.schema import bed_history
    engine = create_engine(central.app_ref.state.settings.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(bed_history).where(
                bed_history.c.home_id == DEMO_HOME, bed_history.c.category == category)).scalar_one()
    finally:
        engine.dispose()


def test_an_update_is_applied_through_the_write_path_attributed_to_the_supplier(central, supplier):
    before, history = nursing(central), bed_history_rows(central)
    answer = put_beds(central, supplier["api_key"], beds_body())
    assert answer.status_code == 200, answer.text
    applied = answer.json()
    assert applied["supplier"] == SUPPLIER and applied["versions"]["nursing"] > before["version"]
    after = nursing(central)
    assert (after["occupied"], after["vacant_accepting"], after["changed_by"]) == (17, 3, SUPPLIER)
    assert after["version"] == applied["versions"]["nursing"]
    assert bed_history_rows(central) == history + 1  # the bed history (area view) has it too
    status = central.get(f"/homes/{DEMO_HOME}/bed-state", headers=sign_in(central)).json()["status"]
    assert status["changed_by"] == SUPPLIER and status["as_at"].startswith("2026-11-25T09:55")


def test_a_repeated_idempotency_key_with_the_same_body_applies_once_and_answers_alike(central, supplier):
    key = str(uuid.uuid4())
    first = put_beds(central, supplier["api_key"], beds_body(), key)
    version, history = nursing(central)["version"], bed_history_rows(central)
    central.clock.now += timedelta(minutes=1)
    again = put_beds(central, supplier["api_key"], beds_body(), key)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (200, first.json())
    assert nursing(central)["version"] == version and bed_history_rows(central) == history  # applied once


def test_the_same_idempotency_key_with_a_different_body_is_409(central, supplier):
    key = str(uuid.uuid4())
    assert put_beds(central, supplier["api_key"], beds_body(), key).status_code == 200
    version = nursing(central)["version"]
    other = put_beds(central, supplier["api_key"], beds_body(occupied=16, vacant_accepting=4), key)
    assert other.status_code == 409
    assert "Idempotency-Key was already used for a different request" in other.json()["detail"]
    assert nursing(central)["version"] == version and nursing(central)["occupied"] == 17
    # Another home under the same key is a different request too.
    assert put_beds(central, supplier["api_key"], beds_body(), key, home=OTHER_HOME).status_code == 409


def test_a_home_outside_the_suppliers_list_is_403(central, supplier):
    answer = put_beds(central, supplier["api_key"], beds_body(category="residential"), home=OTHER_HOME)
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("This supplier may not send bed states for this home")


def test_a_revoked_key_is_401(central, admin, supplier):
    revoked = central.delete(f"/admin/suppliers/{supplier['supplier']['id']}/key", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["key_issued_at"] is None
    answer = put_beds(central, supplier["api_key"], beds_body())
    assert answer.status_code == 401 and "not valid" in answer.json()["detail"]
    assert put_beds(central, None, beds_body()).status_code == 401  # and no key at all
    assert put_beds(central, "chc_supplier_made-up", beds_body()).status_code == 401


def test_a_rotated_key_old_one_401_new_one_works(central, admin, supplier):
    rotated = central.post(f"/admin/suppliers/{supplier['supplier']['id']}/key", headers=admin)
    assert rotated.status_code == 200
    new_key = rotated.json()["api_key"]
    assert new_key != supplier["api_key"]
    assert put_beds(central, supplier["api_key"], beds_body()).status_code == 401
    assert put_beds(central, new_key, beds_body()).status_code == 200


def test_the_key_is_shown_once_and_stored_only_as_a_digest(central, admin, supplier):
    listed = central.get("/admin/suppliers", headers=admin).json()
    assert [s["name"] for s in listed] == [SUPPLIER] and "api_key" not in listed[0]
    assert listed[0]["homes"] == [DEMO_HOME] and listed[0]["key_issued_at"] is not None
    database = central.app_ref.state.settings.database_url.removeprefix("sqlite:///")
    with open(database, "rb") as file:
        assert supplier["api_key"].encode() not in file.read()
    audit = central.get("/accounts/audit", headers=admin).json()
    assert any(entry["action"] == "supplier_registered" for entry in audit)


def test_a_stale_supplier_update_does_not_overwrite_a_newer_managers_save(central, supplier):
    manager = sign_in(central)
    central.clock.now += timedelta(minutes=1)  # 10:01: the manager saves 19 occupied
    [result] = push(central, manager, [bed_mutation(base_version=nursing_version(central, manager),
                                                    max_capacity=21, occupied=19, vacant_reserved=0,
                                                    vacant_accepting=2)]).json()["results"]
    assert result["status"] == "applied"
    central.clock.now += timedelta(minutes=1)
    # The supplier's system read the home at 09:55, before her save: refused, nothing changes.
    stale = put_beds(central, supplier["api_key"], beds_body(minutes_ago=5))
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Not applied: the home's staff (demo) saved Nursing beds at 25 Nov 2026 "
                                             "10:01")
    assert nursing(central)["occupied"] == 19
    # An update as at after her save is applied.
    newer = put_beds(central, supplier["api_key"], {**beds_body(), "as_at": "2026-11-25T10:01:30+00:00"})
    assert newer.status_code == 200, newer.text
    assert nursing(central)["occupied"] == 17


def test_a_managers_save_after_a_supplier_update_is_a_conflict_naming_the_supplier(central, supplier):
    manager = sign_in(central)
    base = nursing_version(central, manager)
    assert put_beds(central, supplier["api_key"], beds_body()).status_code == 200
    [result] = push(central, manager, [bed_mutation(base_version=base, max_capacity=21, occupied=19,
                                                    vacant_reserved=0, vacant_accepting=2)]).json()["results"]
    assert result["status"] == "conflict"
    assert result["message"].startswith(f"{SUPPLIER} (another care record system) changed Nursing beds")


def test_counts_are_checked_by_the_devices_rules_and_fields_are_named(central, supplier):
    key = supplier["api_key"]
    over = put_beds(central, key, beds_body(occupied=20))  # 20 + 1 + 3 > 21
    assert over.status_code == 422
    assert "can't be more than the maximum capacity (21)" in str(over.json()["detail"])
    not_offered = put_beds(central, key, beds_body(category="residential"))
    assert not_offered.status_code == 422
    assert not_offered.json()["detail"] == "beds: Allingham House Care Centre does not offer Residential beds"
    no_as_at = put_beds(central, key, {"beds": beds_body()["beds"]})
    assert no_as_at.status_code == 422 and no_as_at.json()["detail"][0]["loc"] == ["body", "as_at"]
    no_key = central.put(f"/supplier/homes/{DEMO_HOME}/beds", json=beds_body(), headers={"X-Api-Key": key})
    assert no_key.status_code == 422 and no_key.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    future = put_beds(central, key, beds_body(minutes_ago=-30))
    assert future.status_code == 422 and future.json()["detail"].startswith("as_at:")


def test_only_administrators_manage_suppliers_and_homes_must_exist(central, admin, supplier):
    manager = sign_in(central)
    assert central.post("/admin/suppliers", json={"name": "Other", "homes": []}, headers=manager).status_code == 403
    assert central.get("/admin/suppliers", headers=manager).status_code == 403
    taken = central.post("/admin/suppliers", json={"name": SUPPLIER, "homes": []}, headers=admin)
    assert taken.status_code == 409
    unknown = central.post("/admin/suppliers", json={"name": "Other", "homes": ["1-99999999"]}, headers=admin)
    assert unknown.status_code == 422 and "1-99999999" in unknown.json()["detail"]
    # The list of homes can change: then the other home is accepted.
    changed = central.put(f"/admin/suppliers/{supplier['supplier']['id']}/homes",
                          json={"homes": [DEMO_HOME, OTHER_HOME]}, headers=admin)
    assert changed.status_code == 200 and changed.json()["homes"] == sorted([DEMO_HOME, OTHER_HOME])
    assert central.post("/admin/suppliers/999/key", headers=admin).status_code == 404


def post_bulk(central, key: str, homes: list[dict], idempotency_key: str | None = None):
    return central.post("/supplier/beds", json={"homes": homes},
                        headers={"X-Api-Key": key, "Idempotency-Key": idempotency_key or str(uuid.uuid4())})


def test_a_bulk_request_answers_each_home_on_its_own(central, admin, supplier):
    central.put(f"/admin/suppliers/{supplier['supplier']['id']}/homes", json={"homes": [DEMO_HOME, OTHER_HOME]},
                headers=admin)
    homes = [{"home_id": DEMO_HOME, **beds_body()},
             {"home_id": OTHER_HOME, **beds_body()},  # it offers no nursing beds
             {"home_id": "1-900000001", **beds_body()}]  # not one of the supplier's homes
    key = str(uuid.uuid4())
    answer = post_bulk(central, supplier["api_key"], homes, key)
    assert answer.status_code == 200, answer.text
    results = {r["home_id"]: r for r in answer.json()["results"]}
    assert [results[h]["status"] for h in (DEMO_HOME, OTHER_HOME, "1-900000001")] == [
        "applied", "invalid", "not_your_home"]
    assert results[OTHER_HOME]["detail"].endswith("does not offer Nursing beds")
    assert (answer.json()["applied"], answer.json()["not_applied"]) == (1, 2)
    assert nursing(central)["occupied"] == 17
    # The same request again applies nothing and answers alike; the same key for another request is 409.
    version = nursing(central)["version"]
    assert post_bulk(central, supplier["api_key"], homes, key).json() == answer.json()
    assert nursing(central)["version"] == version
    assert post_bulk(central, supplier["api_key"], homes[:1], key).status_code == 409


def test_a_csv_upload_for_councils_without_an_api(central, supplier):
    as_at = beds_body()["as_at"]
    csv = ("cqc_location_id,as_at,category,max_capacity,occupied,vacant_reserved,vacant_accepting\r\n"
           f"{DEMO_HOME},{as_at},nursing,21,16,1,4\r\n"
           f"{DEMO_HOME},{as_at},nursing_dementia,15,5,0,9\r\n")
    headers = {"X-Api-Key": supplier["api_key"], "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "text/csv"}
    answer = central.post("/supplier/beds.csv", content=csv.encode(), headers=headers)
    assert answer.status_code == 200, answer.text
    [result] = answer.json()["results"]
    assert result["status"] == "applied" and set(result["applied"]["versions"]) == {"nursing", "nursing_dementia"}
    assert nursing(central)["occupied"] == 16
    bad = csv.replace(",16,1,4", ",16,1,9")
    refused = central.post("/supplier/beds.csv", content=bad.encode(),
                           headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(f"home {DEMO_HOME} (from line 2): Occupied, vacant reserved and vacant accepting beds together")


@pytest.mark.parametrize("as_at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1999-12-31T23:59:59Z"])
def test_an_as_at_outside_reason_is_refused_naming_it(central, supplier, as_at):
    answer = put_beds(central, supplier["api_key"], {**beds_body(), "as_at": as_at})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "as_at"]


def test_the_openapi_document_describes_the_supplier_api_with_examples(central):
    document = central.get("/openapi.json").json()
    operation = document["paths"]["/supplier/homes/{home_id}/beds"]["put"]
    assert operation["security"] == [{"APIKeyHeader": []}]
    assert document["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey", "in": "header", "name": "X-Api-Key",
        "description": "The supplier's API key, issued by an administrator (POST /admin/suppliers)"}
    assert {"401", "403", "404", "409", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in operation["parameters"])
    schemas = document["components"]["schemas"]
    assert schemas["BedStateUpdate"]["examples"][0]["beds"][0]["category"] == "nursing"
    assert schemas["BedStateApplied"]["examples"]
    assert "text/csv" in document["paths"]["/supplier/beds.csv"]["post"]["requestBody"]["content"]
    [tag] = [t for t in document["tags"] if t["name"] == "supplier API"]
    assert "Idempotency-Key" in tag["description"] and "curl" in tag["description"]


def test_answers_kept_for_retries_are_forgotten_after_30_days(central, supplier):
    from server_stub.services.suppliers import forget_old_requests

    key = str(uuid.uuid4())
    first = put_beds(central, supplier["api_key"], beds_body(), key).json()
    with central.app_ref.state.engine.connect() as connection:
        assert forget_old_requests(connection, CLOCK_NOW + timedelta(days=29)) == 0
        assert put_beds(central, supplier["api_key"], beds_body(), key).json() == first  # still a retry
        assert forget_old_requests(connection, CLOCK_NOW + timedelta(days=31)) == 1
    # The key is new again: the same body is a new request, applied again (no newer save since its as_at).
    again = put_beds(central, supplier["api_key"], beds_body(), key)
    assert again.status_code == 200 and again.json()["versions"]["nursing"] > first["versions"]["nursing"]


WORKFORCE = {"nurses_employed": 6, "nurses_agency": 1, "care_workers_employed": 24, "care_workers_agency": 3,
             "non_care_employed": 8, "non_care_agency": 0, "absent_today": 2}


def stored_workforce(central) -> dict | None:
    from sqlalchemy import create_engine, select

    from server_stub.schema import records
    engine = create_engine(central.app_ref.state.settings.database_url)
    try:
        with engine.connect() as connection:
            data = connection.execute(select(records.c.data).where(
                records.c.kind == "workforce", records.c.home_id == DEMO_HOME)).scalar()
    finally:
        engine.dispose()
    return json.loads(data) if data else None


def test_workforce_comes_with_the_beds_checked_as_the_app_checks_it(central, supplier):
    """Issue 12 part 3: the supplier API accepts the workforce the national collection asks for with the beds."""
    key = supplier["api_key"]
    absent_too_many = put_beds(central, key, beds_body() | {"workforce": WORKFORCE | {"absent_today": 99}})
    assert absent_too_many.status_code == 422 and "workforce" in str(absent_too_many.json()["detail"])
    assert "absent today" in str(absent_too_many.json()["detail"])
    assert stored_workforce(central) is None  # refused whole: nothing written
    answer = put_beds(central, key, beds_body() | {"workforce": WORKFORCE})
    assert answer.status_code == 200, answer.text
    stored = stored_workforce(central)
    assert {name: stored[name] for name in WORKFORCE} == WORKFORCE and stored["changed_by"] == SUPPLIER
    assert answer.json()["versions"]["workforce"] > answer.json()["versions"]["nursing"]
