"""Every role against every endpoint, as docs/security.md says; forged ids, tampered and expired tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from server_stub.app import create_app
from server_stub.demo_data import DEMO_CHAMPION_HOMES, DEMO_HOME_ID, DEMO_HOSPITAL_ODS
from server_stub.settings import Settings
from tests.support.auth import bearer, sign_in_answer, sign_in_token
from tests.support.central_inprocess import FakeClock, bed_mutation, make_app, push

OTHER_HOME = "1-466088203"  # 10 Spennithorne Road: not the demo home, not the champion's
STAFF = "carer.one"
ROLES = ["home_staff", "home_manager", "digital_champion", "commissioner", "hospital_user", "administrator"]
USER_OF = {"home_manager": "demo", "digital_champion": "champion", "commissioner": "commissioner",
           "hospital_user": "hospital", "administrator": "admin", "home_staff": STAFF}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def world(request, tmp_path_factory, demo_database):
    """The demo data with one account per role, on each database engine."""
    if request.param == "postgresql":
        clock = FakeClock()
        app = create_app(Settings(database_url=request.getfixturevalue("postgres_cluster").new_database()),
                         clock=clock)
    else:
        app, clock = make_app(tmp_path_factory.mktemp("matrix") / "central.sqlite3", template=demo_database)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.clock = clock
        tokens = {}
        for role, user in USER_OF.items():
            if role == "home_staff":
                continue
            tokens[role] = sign_in_token(client, user)
        # A carer registers herself with an invite from her manager.
        code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID},
                           headers=bearer(tokens["home_manager"])).json()["invite_code"]
        registered = client.post("/accounts/register", json={
            "invite_code": code, "username": STAFF, "display_name": "Carer One", "password": "a long passphrase"})
        assert registered.status_code == 201, registered.text
        tokens["home_staff"] = sign_in_token(client, STAFF, "a long passphrase")
        yield client, tokens


def homes_pulled(client, token) -> set[str]:
    homes, since = set(), 0
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 1000}, headers=bearer(token)).json()
        homes |= {c["home_id"] for c in page["changes"]}
        since = page["cursor"]
        if not page["has_more"]:
            return homes


EXPECTED_PULL = {
    "home_staff": {DEMO_HOME_ID},
    "home_manager": {DEMO_HOME_ID},
    "digital_champion": set(DEMO_CHAMPION_HOMES),
    "commissioner": "all Trafford",
    "hospital_user": "all Trafford",  # her area's homes and beds (never residents): bed search offline
    "administrator": "all Trafford",
}


@pytest.mark.parametrize("role", ROLES)
def test_pull_returns_exactly_the_roles_homes(world, role):
    client, tokens = world
    homes = homes_pulled(client, tokens[role])
    expected = EXPECTED_PULL[role]
    if expected == "all Trafford":
        assert len(homes) == 56 and DEMO_HOME_ID in homes and OTHER_HOME in homes
    else:
        assert homes == expected


@pytest.mark.parametrize(("role", "allowed"), [
    ("home_staff", True), ("home_manager", True), ("digital_champion", False), ("commissioner", False),
    ("hospital_user", False), ("administrator", False)])
def test_only_the_homes_staff_change_its_beds(world, role, allowed):
    client, tokens = world
    headers = bearer(tokens[role])
    version = client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=bearer(tokens["home_manager"])).json()
    [result] = push(client, headers, [bed_mutation(base_version=version["versions"]["nursing"])]).json()["results"]
    assert result["status"] == ("applied" if allowed else "rejected"), result


@pytest.mark.parametrize("role", ["home_staff", "home_manager"])
def test_a_forged_home_id_in_a_change_is_refused(world, role):
    client, tokens = world
    mutation = bed_mutation(home_id=OTHER_HOME, category="residential")
    [result] = push(client, bearer(tokens[role]), [mutation]).json()["results"]
    assert result["status"] == "rejected" and result["message"] == "You may not change another home's beds"


@pytest.mark.parametrize(("role", "demo_home", "other_home"), [
    ("home_staff", 200, 403), ("home_manager", 200, 403), ("digital_champion", 200, 403),
    ("commissioner", 200, 200), ("hospital_user", 200, 200), ("administrator", 200, 200)])
def test_bed_state_reads(world, role, demo_home, other_home):
    client, tokens = world
    assert client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=bearer(tokens[role])).status_code == demo_home
    assert client.get(f"/homes/{OTHER_HOME}/bed-state", headers=bearer(tokens[role])).status_code == other_home


@pytest.mark.parametrize(("role", "own_home", "other_home"), [
    ("home_staff", 403, 403), ("home_manager", 201, 403), ("digital_champion", 403, 403),
    ("commissioner", 403, 403), ("hospital_user", 403, 403), ("administrator", 403, 403)])
def test_invites(world, role, own_home, other_home):
    client, tokens = world
    headers = bearer(tokens[role])
    assert client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=headers).status_code == own_home
    assert client.post("/accounts/invites", json={"home_id": OTHER_HOME}, headers=headers).status_code == other_home


@pytest.mark.parametrize(("role", "own_staff", "other_homes_manager"), [
    ("home_staff", 403, 403), ("home_manager", 201, 403), ("digital_champion", 403, 403),
    ("commissioner", 403, 403), ("hospital_user", 403, 403), ("administrator", 201, 201)])
def test_password_resets(world, role, own_staff, other_homes_manager):
    client, tokens = world
    headers = bearer(tokens[role])
    assert client.post(f"/accounts/{STAFF}/password-reset", headers=headers).status_code == own_staff
    other = f"manager-{OTHER_HOME}"
    assert client.post(f"/accounts/{other}/password-reset", headers=headers).status_code == other_homes_manager


@pytest.mark.parametrize("role", ROLES)
def test_roles_and_the_audit_log_are_for_administrators(world, role):
    client, tokens = world
    headers = bearer(tokens[role])
    expected = 200 if role == "administrator" else 403
    assert client.get("/accounts/audit", headers=headers).status_code == expected
    # A role "change" to what the hospital user already is, at the same hospital, so the accounts stay as they
    # were for the tests after this one (without its hospital the hospital user would read no transfer pack).
    same_role = {"role": "hospital_user", "hospital_ods": DEMO_HOSPITAL_ODS}
    change = client.put("/accounts/hospital/role", json=same_role, headers=headers)
    assert change.status_code == expected
    if role == "administrator":
        signed_in = sign_in_answer(client, "hospital")  # a role change signs the account out
        assert signed_in.json()["account"]["hospital_ods"] == DEMO_HOSPITAL_ODS
        tokens["hospital_user"] = signed_in.json()["token"]


@pytest.mark.parametrize("endpoint", ["/sync/changes", f"/homes/{DEMO_HOME_ID}/bed-state", "/accounts/audit"])
def test_missing_tampered_and_expired_tokens_are_refused(world, endpoint):
    client, tokens = world
    token = tokens["administrator"]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(endpoint).status_code == 401
    assert client.get(endpoint, headers=bearer(tampered)).status_code == 401
    assert client.get(endpoint, headers={"Authorization": f"Basic {token}"}).status_code == 401
    fresh = sign_in_token(client, "admin")
    client.clock.now += timedelta(minutes=16)
    try:
        assert client.get(endpoint, headers=bearer(fresh)).status_code == 401
    finally:
        client.clock.now -= timedelta(minutes=16)


def test_a_device_id_in_the_request_grants_nothing(world):
    client, tokens = world
    body = {"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
        bed_mutation(home_id=OTHER_HOME, category="residential")]}
    answer = client.post("/sync/push", json=body, headers=bearer(tokens["commissioner"])).json()
    assert answer["results"][0]["status"] == "rejected"


@pytest.mark.parametrize(("role", "send", "acknowledge"), [
    ("home_staff", 403, "applied"), ("home_manager", 403, "applied"), ("digital_champion", 403, "rejected"),
    ("commissioner", 201, "rejected"), ("hospital_user", 403, "rejected"), ("administrator", 201, "rejected")])
def test_alerts_are_sent_by_commissioners_and_administrators_and_acknowledged_by_the_homes_staff(
        world, role, send, acknowledge):
    client, tokens = world
    headers = bearer(tokens[role])
    body = {"title": "Flu clinic", "message": "Thursday 10:00", "homes": [DEMO_HOME_ID],
            "expires_at": (client.clock.now + timedelta(days=3)).isoformat()}
    assert client.post("/alerts", json=body, headers=headers).status_code == send
    assert client.get("/alerts", headers=headers).status_code == (200 if send == 201 else 403)
    alert_id = client.post("/alerts", json=body, headers=bearer(tokens["commissioner"])).json()["alert_id"]
    assert client.get(f"/alerts/{alert_id}", headers=headers).status_code == {
        "commissioner": 200, "administrator": 200}.get(role, 403)
    ack = {"mutation_id": str(uuid.uuid4()), "kind": "alert_ack", "record_id": f"{alert_id}/{DEMO_HOME_ID}",
           "base_version": None, "client_time": "2026-11-25T09:00:00+00:00",
           "data": {"alert_id": alert_id, "home_id": DEMO_HOME_ID, "acknowledged_at": "2026-11-25T09:00:00+00:00"}}
    [result] = push(client, headers, [ack]).json()["results"]
    assert result["status"] == acknowledge, result


# --- the supplier API (issue 12): administrators manage suppliers; a supplier's API key is its only way in ------

SUPPLIER_BEDS = {"as_at": "2026-11-25T09:00:00Z", "beds": [  # the world's clock: newer than every save
    {"category": "nursing", "max_capacity": 30, "occupied": 20, "vacant_reserved": 2, "vacant_accepting": 5}]}


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_register_suppliers_and_issue_keys(world, role):
    client, tokens = world
    headers = bearer(tokens[role])
    allowed = role == "administrator"
    registered = client.post("/admin/suppliers", json={"name": f"Matrix supplier {role}", "homes": [DEMO_HOME_ID]},
                             headers=headers)
    assert registered.status_code == (201 if allowed else 403)
    assert client.get("/admin/suppliers", headers=headers).status_code == (200 if allowed else 403)
    supplier_id = registered.json()["supplier"]["id"] if allowed else 1
    for method, path, body in (("PUT", f"/admin/suppliers/{supplier_id}/homes", {"homes": [DEMO_HOME_ID]}),
                               ("POST", f"/admin/suppliers/{supplier_id}/key", None),
                               ("DELETE", f"/admin/suppliers/{supplier_id}/key", None)):
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == (200 if allowed else 403), (method, path, answer.text)


@pytest.mark.parametrize("role", ROLES)
def test_no_session_token_writes_through_the_supplier_api(world, role):
    """A person's token (any role) is not a supplier's key: the supplier API answers 401."""
    client, tokens = world
    answer = client.put(f"/supplier/homes/{DEMO_HOME_ID}/beds", json=SUPPLIER_BEDS,
                        headers={**bearer(tokens[role]), "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 401
    answer = client.put(f"/supplier/homes/{DEMO_HOME_ID}/beds", json=SUPPLIER_BEDS,
                        headers={"X-Api-Key": tokens[role], "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 401


def test_a_supplier_writes_only_its_own_homes(world):
    client, tokens = world
    admin = bearer(tokens["administrator"])
    key = client.post("/admin/suppliers", json={"name": "Matrix supplier scoped", "homes": [DEMO_HOME_ID]},
                      headers=admin).json()["api_key"]
    for home, expected in ((DEMO_HOME_ID, 200), (OTHER_HOME, 403)):
        answer = client.put(f"/supplier/homes/{home}/beds", json=SUPPLIER_BEDS,
                            headers={"X-Api-Key": key, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == expected, answer.text


def sharing_mutation(bed_state: list[str]) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": "sharing", "record_id": f"{DEMO_HOME_ID}/sharing",
            "base_version": None, "client_time": "2026-11-25T09:00:00+00:00",
            "data": {"home_id": DEMO_HOME_ID, "bed_state": bed_state}}


@pytest.mark.parametrize(("role", "allowed"), [
    ("home_staff", False), ("home_manager", True), ("digital_champion", False), ("commissioner", False),
    ("hospital_user", False), ("administrator", False)])
def test_only_the_homes_manager_makes_its_sharing_choices(world, role, allowed):
    client, tokens = world
    [result] = push(client, bearer(tokens[role]), [sharing_mutation([])]).json()["results"]
    assert result["status"] == ("applied" if allowed else "rejected"), result


def test_the_public_counts_hold_a_home_only_when_it_said_yes_for_every_reader(world):
    """Acceptance 4: whoever reads GET /public/vacancies (signed in with any role, or not at all), a home that
    says no adds nothing and one that says yes is counted; commissioners still see its bed state either way."""
    client, tokens = world
    manager = bearer(tokens["home_manager"])
    readers = [{}] + [bearer(tokens[role]) for role in ROLES]

    def trafford_homes(headers) -> int:
        answer = client.get("/public/vacancies", headers=headers)
        assert answer.status_code == 200, answer.text
        return sum(count["homes"] for count in answer.json()["counts"] if count["local_authority"] == "Trafford")

    assert push(client, manager, [sharing_mutation([])]).json()["results"][0]["status"] == "applied"
    assert [trafford_homes(headers) for headers in readers] == [0] * len(readers)
    assert push(client, manager, [sharing_mutation(["public"])]).json()["results"][0]["status"] == "applied"
    counted = [trafford_homes(headers) for headers in readers]
    assert counted[0] > 0 and counted == [counted[0]] * len(readers)
    push(client, manager, [sharing_mutation([])])
    assert [trafford_homes(headers) for headers in readers] == [0] * len(readers)
    assert client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=bearer(tokens["commissioner"])).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_download_the_research_export(world, role):
    """Issue 12 part 5: the research export (totals over the homes that chose research) is for administrators."""
    client, tokens = world
    expected = 200 if role == "administrator" else 403
    for params in ({}, {"format": "csv"}, {"format": "csv", "table": "digital_readiness"}):
        answer = client.get("/admin/research-export", params=params, headers=bearer(tokens[role]))
        assert answer.status_code == expected, (params, answer.text)
