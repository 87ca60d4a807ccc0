"""An administrator finds accounts and unlocks one (GET /accounts?q=, POST /accounts/{username}/unlock),
on SQLite and PostgreSQL alike; nobody else may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from server_stub.app import create_app
from server_stub.demo_data import DEMO_HOME_ID
from server_stub.settings import Settings
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import FakeClock, make_app

OTHER_HOME = "1-466088203"
NOT_ADMINISTRATORS = ["demo", "champion", "commissioner", "hospital", f"manager-{OTHER_HOME}"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def client(request, tmp_path, demo_database):
    if request.param == "postgresql":
        clock = FakeClock()
        app = create_app(Settings(database_url=request.getfixturevalue("postgres_cluster").new_database()),
                         clock=clock)
    else:
        app, clock = make_app(tmp_path / "central.sqlite3", template=demo_database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.clock = clock
        yield test_client


def find(client, q: str, headers=None):
    return client.get("/accounts", params={"q": q}, headers=headers or sign_in(client, "admin"))


def lock(client, username: str) -> None:
    for _ in range(10):
        sign_in_answer(client, username, "wrong password")
    assert sign_in_answer(client, username).status_code == 423


def test_an_administrator_finds_accounts_by_user_name_name_or_home_never_a_password(client):
    by_name = find(client, "WARD CLERK")
    assert by_name.status_code == 200
    assert [a["username"] for a in by_name.json()] == ["hospital"]
    [hospital] = by_name.json()
    assert hospital["role"] == "hospital_user" and hospital["locked_until"] is None
    assert not {"password_hash", "password"} & set(hospital)

    by_home = [a["username"] for a in find(client, DEMO_HOME_ID).json()]
    assert by_home == sorted(by_home) and {"demo", f"manager-{DEMO_HOME_ID}"} <= set(by_home)
    assert all(a["home_id"] == DEMO_HOME_ID for a in find(client, DEMO_HOME_ID).json())
    # A champion's homes come with her account; "%" and "_" are letters here, not wildcards.
    [champion] = find(client, "champion").json()
    assert champion["assigned_homes"]
    assert find(client, "%").json() == [] and find(client, "_").json() == []


def test_the_find_answers_at_most_50(client):
    many = find(client, "manager-").json()  # one manager per demo home: 56 of them
    assert len(many) == 50 and [a["username"] for a in many] == sorted(a["username"] for a in many)


def test_an_administrator_unlocks_a_locked_account_at_once_and_it_is_audited(client):
    lock(client, "demo")
    [locked] = [a for a in find(client, "demo").json() if a["username"] == "demo"]
    assert locked["locked_until"] is not None

    unlocked = client.post("/accounts/demo/unlock", headers=sign_in(client, "admin"))
    assert unlocked.status_code == 200
    assert unlocked.json()["username"] == "demo" and unlocked.json()["locked_until"] is None
    assert unlocked.json()["failed_sign_ins"] == 0
    assert sign_in_answer(client, "demo").status_code == 200  # no waiting out the lock
    audit = client.get("/accounts/audit", params={"subject": "demo"}, headers=sign_in(client, "admin")).json()
    assert [(e["actor"], e["action"]) for e in audit if e["action"] == "account_unlocked"] == [("admin", "account_unlocked")]


def test_a_lock_that_has_run_out_is_not_reported(client):
    lock(client, "champion")
    client.clock.now += timedelta(hours=2)
    [champion] = find(client, "champion").json()
    assert champion["locked_until"] is None


def test_unknown_accounts_and_empty_searches_are_refused_in_plain_words(client):
    admin = sign_in(client, "admin")
    missing = client.post("/accounts/nobody-here/unlock", headers=admin)
    assert missing.status_code == 404 and missing.json()["detail"] == "No such account"
    empty = client.get("/accounts", params={"q": ""}, headers=admin)
    assert empty.status_code == 422 and "q" in str(empty.json()["detail"])
    assert client.get("/accounts", headers=admin).status_code == 422
    assert find(client, "x" * 101, admin).status_code == 422


@pytest.mark.parametrize("username", NOT_ADMINISTRATORS)
def test_only_administrators_find_or_unlock(client, username):
    headers = sign_in(client, username)
    refused = find(client, "demo", headers)
    assert refused.status_code == 403 and refused.json()["detail"] == "Only an administrator may look up accounts"
    unlock = client.post("/accounts/demo/unlock", headers=headers)
    assert unlock.status_code == 403 and unlock.json()["detail"] == "Only an administrator may unlock an account"
    assert client.get("/accounts", params={"q": "demo"}).status_code == 401  # no token at all
