"""Accounts: lockout, rate limiting, invites, password resets, role changes, and the audit log of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from server_stub.demo_data import DEMO_HOME_ID
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import make_app, serving


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def audit(client, subject=None) -> list[dict]:
    params = {"subject": subject} if subject else {}
    response = client.get("/accounts/audit", params=params, headers=sign_in(client, "admin"))
    assert response.status_code == 200
    return response.json()


def test_ten_wrong_passwords_in_a_row_lock_the_account_for_a_while_and_the_audit_log_shows_it(client):
    for attempt in range(9):
        assert sign_in_answer(client, "demo", "wrong password").status_code == 401, attempt
    tenth = sign_in_answer(client, "demo", "wrong password")
    assert tenth.status_code == 423 and "locked" in tenth.json()["detail"]
    # Locked: even the right password is refused, with when it opens again.
    locked = sign_in_answer(client, "demo")
    assert locked.status_code == 423 and "until 09:15" in locked.json()["detail"]  # UK time (GMT in November)
    actions = [e["action"] for e in audit(client, "demo")]
    assert actions.count("sign_in_failed") == 10 and "account_locked" in actions
    assert "sign_in_refused_locked" in actions
    client.clock.now += timedelta(minutes=16)
    assert sign_in_answer(client, "demo").status_code == 200


def test_a_right_password_resets_the_count(client):
    for _ in range(9):
        sign_in_answer(client, "demo", "wrong password")
    assert sign_in_answer(client, "demo").status_code == 200
    assert sign_in_answer(client, "demo", "wrong password").status_code == 401  # counting starts again


def test_an_unknown_user_gets_the_same_answer_and_is_audited(client):
    unknown = sign_in_answer(client, "nobody", "whatever")
    wrong = sign_in_answer(client, "demo", "wrong password")
    assert unknown.status_code == wrong.status_code == 401 and unknown.json() == wrong.json()
    assert any(e["action"] == "sign_in_failed" and e["subject"] == "nobody" for e in audit(client))


def test_too_many_attempts_from_one_address_are_slowed_down(tmp_path, demo_database):
    app, _ = make_app(tmp_path / "central.sqlite3", template=demo_database, sign_in_attempts_per_minute=5)
    with TestClient(app) as client:
        answers = [sign_in_answer(client, f"user{i}", "x").status_code for i in range(6)]
        assert answers == [401] * 5 + [429]
        refused = sign_in_answer(client, "demo")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"


def test_staff_register_with_an_invite_once(client):
    manager = sign_in(client, "demo")
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=manager).json()["invite_code"]
    body = {"invite_code": code, "username": "nurse.jo", "display_name": "Jo", "password": "correct horse battery"}
    created = client.post("/accounts/register", json=body)
    assert created.status_code == 201
    assert created.json() == {"username": "nurse.jo", "display_name": "Jo", "role": "home_staff",
                              "home_id": DEMO_HOME_ID, "area": None, "assigned_homes": [], "hospital_ods": None}
    again = client.post("/accounts/register", json={**body, "username": "nurse.jo2"})
    assert again.status_code == 400 and "not valid" in again.json()["detail"]
    assert sign_in_answer(client, "nurse.jo", "correct horse battery").json()["account"]["home_id"] == DEMO_HOME_ID
    assert [e["action"] for e in audit(client, "nurse.jo")][-1] == "account_registered"


def test_registration_refuses_a_taken_name_and_a_short_password(client):
    manager = sign_in(client, "demo")
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=manager).json()["invite_code"]
    short = client.post("/accounts/register", json={"invite_code": code, "username": "jo", "display_name": "Jo",
                                                    "password": "short"})
    assert short.status_code == 422 and "password" in short.text
    taken = client.post("/accounts/register", json={"invite_code": code, "username": "demo", "display_name": "X",
                                                    "password": "a long enough one"})
    assert taken.status_code == 409


def test_a_manager_resets_a_staff_password_which_unlocks_and_signs_out(client):
    manager = sign_in(client, "demo")
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=manager).json()["invite_code"]
    client.post("/accounts/register", json={"invite_code": code, "username": "carer.sam", "display_name": "Sam",
                                            "password": "first passphrase"})
    old_session = sign_in_answer(client, "carer.sam", "first passphrase").json()
    for _ in range(10):
        sign_in_answer(client, "carer.sam", "forgotten it")
    assert sign_in_answer(client, "carer.sam", "first passphrase").status_code == 423

    reset = client.post("/accounts/carer.sam/password-reset", headers=manager)
    assert reset.status_code == 201
    done = client.post("/auth/reset-password", json={"username": "carer.sam", "reset_code": reset.json()["reset_code"],
                                                     "new_password": "second passphrase"})
    assert done.status_code == 204
    assert sign_in_answer(client, "carer.sam", "first passphrase").status_code == 401
    assert sign_in_answer(client, "carer.sam", "second passphrase").status_code == 200
    # Sessions from before the reset are gone.
    assert client.post("/auth/refresh", json={"refresh_token": old_session["refresh_token"]}).status_code == 401
    reused = client.post("/auth/reset-password", json={"username": "carer.sam",
                                                       "reset_code": reset.json()["reset_code"],
                                                       "new_password": "third passphrase"})
    assert reused.status_code == 400


def test_an_administrator_changes_a_role_which_applies_at_once_and_is_audited(client):
    admin = sign_in(client, "admin")
    before = sign_in_answer(client, "commissioner").json()
    changed = client.put("/accounts/commissioner/role", headers=admin, json={
        "role": "digital_champion", "champion_homes": [DEMO_HOME_ID]})
    assert changed.status_code == 200
    assert changed.json()["role"] == "digital_champion" and changed.json()["assigned_homes"] == [DEMO_HOME_ID]
    assert client.get("/sync/changes", headers={"Authorization": f"Bearer {before['token']}"}).status_code == 401
    assert client.post("/auth/refresh", json={"refresh_token": before["refresh_token"]}).status_code == 401
    entry = next(e for e in audit(client, "commissioner") if e["action"] == "role_changed")
    assert entry["actor"] == "admin" and entry["detail"] == "commissioner -> digital_champion"
    missing_home = client.put("/accounts/commissioner/role", headers=admin, json={"role": "home_manager"})
    assert missing_home.status_code == 422 and missing_home.json()["detail"].startswith("Home: ")
