"""Fast checks of the central API in-process (FastAPI TestClient on a temp SQLite file)."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.beds import BedCount
from protocol.sync import SCHEMA_VERSION
from server_stub.__main__ import parse_args
from server_stub.db import parse_database_url
from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD, demo_bed_counts, load_care_homes
from server_stub.migrations import head_revision
from server_stub.settings import Settings
from tests.support.auth import sign_in
from tests.support.central_inprocess import bed_mutation, make_app, nursing_version, push, serving

OTHER_HOME = "1-8503184790"  # Amberley Care Home


@pytest.fixture()
def db_path(tmp_path) -> Path:
    return tmp_path / "central.sqlite3"


@pytest.fixture()
def client(db_path, demo_database):
    with serving(db_path, template=demo_database) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///var/central.sqlite3", "var/central.sqlite3"), ("sqlite:////tmp/x/central.db", "/tmp/x/central.db")],
)
def test_database_urls_are_relative_with_three_slashes_and_absolute_with_four(url, path):
    location = parse_database_url(url)
    assert location.engine == "sqlite" and str(location.path) == path


@pytest.mark.parametrize("url", ["mysql://localhost/chc", "sqlite:///:memory:", "sqlite:///"])
def test_unusable_database_urls_are_refused(url):
    with pytest.raises(ValueError):
        parse_database_url(url)


def test_settings_come_from_the_environment_and_the_command_line_overrides_them(monkeypatch):
    monkeypatch.setenv("CHC_DATABASE_URL", "sqlite:///env.sqlite3")
    monkeypatch.setenv("CHC_SERVER_PORT", "9100")
    monkeypatch.setenv("CHC_SEED_DEMO", "false")
    from_env = parse_args([])
    assert (from_env.database_url, from_env.port, from_env.seed_demo) == ("sqlite:///env.sqlite3", 9100, False)
    given = parse_args(["--port", "9200", "--database-url", "sqlite:///cli.sqlite3"])
    assert (given.database_url, given.port, given.seed_demo) == ("sqlite:///cli.sqlite3", 9200, False)
    assert Settings(port=9300, seed_demo=True).port == 9300  # keywords (tests) win over the environment too


def test_migrations_and_seeding_run_once(db_path):
    make_app(db_path)
    make_app(db_path)  # a restart: nothing applied or seeded twice
    with sqlite3.connect(db_path) as connection:
        assert [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] == [head_revision()]
        assert connection.execute("SELECT COUNT(*) FROM records WHERE kind = 'care_home'").fetchone()[0] == 56
        assert connection.execute("SELECT COUNT(*) FROM records WHERE kind = 'home_status'").fetchone()[0] == 0
        assert connection.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 61  # a manager per home, and a demo manager, commissioner, administrator, champion, hospital user
        hashes = {row[0] for row in connection.execute("SELECT password_hash FROM accounts")}
        assert len(hashes) == 1 and next(iter(hashes)).startswith("$argon2")
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_demo_homes_carry_their_icb_and_offered_categories():
    homes = {home.cqc_location_id: home for home in load_care_homes()}
    assert len(homes) == 56
    assert {(h.icb, h.icb_code, h.icb_code_year, h.region) for h in homes.values()} == {
        ("NHS Greater Manchester Integrated Care Board", "QOP", 2022, "North West")
    }
    allingham = homes[DEMO_HOME_ID]
    assert allingham.with_nursing and [c.value for c in allingham.bed_categories] == ["nursing", "nursing_dementia"]
    assert allingham.address == "Deansgate Lane, Timperley, Altrincham" and allingham.registered_beds is None
    spennithorne = homes["1-466088203"]
    assert not spennithorne.with_nursing and [c.value for c in spennithorne.bed_categories] == ["residential", "residential_dementia"]


def test_demo_bed_counts_are_valid_and_stable():
    for home in load_care_homes():
        counts = demo_bed_counts(home)
        assert counts == demo_bed_counts(home)
        assert [c.category for c in counts] == list(home.bed_categories)
        for count in counts:
            assert 10 <= count.max_capacity <= 40
            BedCount.model_validate(count.model_dump())  # the shared invariant holds


def test_no_demo_means_no_accounts(db_path):
    app, _ = make_app(db_path, seed_demo=False)
    with TestClient(app) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert client.post("/auth/sign-in", json={"username": "demo", "password": DEMO_PASSWORD}).status_code == 401


def test_only_the_token_digest_is_stored(client, db_path):
    headers = sign_in(client)
    token = headers["Authorization"].removeprefix("Bearer ")
    with sqlite3.connect(db_path) as connection:
        stored = [row[0] for row in connection.execute("SELECT token_hash FROM sessions")]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_an_expired_token_is_refused(db_path):
    app, clock = make_app(db_path, token_ttl_seconds=60)
    with TestClient(app) as client:
        headers = sign_in(client)
        assert client.get("/sync/changes", headers=headers).status_code == 200
        clock.now += timedelta(seconds=61)
        response = client.get("/sync/changes", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "expired" in response.json()["detail"]


def test_record_id_must_match_the_data(client):
    headers = sign_in(client)
    response = push(client, headers, [bed_mutation(record_id=f"{DEMO_HOME_ID}/nursing_dementia")])
    [result] = response.json()["results"]
    assert result["status"] == "rejected" and "record_id" in result["message"]


def test_a_repeated_mutation_id_inside_one_batch_applies_once(client):
    headers = sign_in(client)
    mutation = bed_mutation(occupied=1, base_version=nursing_version(client, headers))
    first, second = push(client, headers, [mutation, mutation]).json()["results"]
    assert first == second and first["status"] == "applied"
    since = first["version"] - 1
    changes = client.get("/sync/changes", params={"since": since}, headers=headers).json()["changes"]
    assert [c["version"] for c in changes] == [first["version"]]


def test_the_same_device_may_build_on_its_own_unsynced_edit(client):
    headers = sign_in(client)
    device = str(uuid.uuid4())
    base = nursing_version(client, headers)
    [one] = push(client, headers, [bed_mutation(base_version=base, occupied=1)], device).json()["results"]
    [two] = push(client, headers, [bed_mutation(base_version=base, occupied=2)], device).json()["results"]
    assert one["status"] == two["status"] == "applied" and two["version"] > one["version"]


def test_another_accounts_mutation_id_is_not_answered_with_its_result(client):
    demo = sign_in(client)
    other = sign_in(client, f"manager-{OTHER_HOME}")
    mutation = bed_mutation(occupied=3, base_version=nursing_version(client, demo))
    [applied] = push(client, demo, [mutation]).json()["results"]
    assert applied["status"] == "applied"
    [reused] = push(client, other, [mutation]).json()["results"]
    assert reused["status"] == "rejected" and "already used" in reused["message"]
    assert reused["version"] is None and reused["current"] is None


def test_bed_state_of_another_home_is_403(client):
    response = client.get(f"/homes/{OTHER_HOME}/bed-state", headers=sign_in(client))
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not see another home's beds"}


def test_newer_app_gets_426_saying_so(client):
    body = {"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION + 1, "mutations": []}
    response = client.post("/sync/push", json=body, headers=sign_in(client))
    assert response.status_code == 426 and "newer than the central API" in response.json()["detail"]


def test_unexpected_errors_are_500_without_internals(client):
    def explode():
        raise RuntimeError("secret internals: /var/db password=hunter2")

    client.app.add_api_route("/explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "hunter2" not in response.text


def test_a_commissioner_reads_every_home_of_the_area_and_changes_none(client):
    headers = sign_in(client, "commissioner")
    changes, since = [], 0
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 1000}, headers=headers).json()
        changes += page["changes"]
        since = page["cursor"]
        if not page["has_more"]:
            break
    homes = {c["home_id"] for c in changes if c["kind"] == "care_home"}
    assert len(homes) == 56  # every Trafford home
    assert client.get(f"/homes/{OTHER_HOME}/bed-state", headers=headers).status_code == 200
    [result] = push(client, headers, [bed_mutation(base_version=nursing_version(client, headers))]).json()["results"]
    assert result["status"] == "rejected"


def test_an_area_outside_the_commissioners_sees_nothing(db_path):
    from protocol.sync import Account
    from server_stub import repository
    from server_stub.access import Scope, scope_of

    elsewhere = Account(username="x", display_name="x", role="commissioner", area="la:Wirral")
    bogus = Account(username="y", display_name="y", role="commissioner", area="bogus")
    assert scope_of(elsewhere) == Scope(area_column="local_authority", area_value="Wirral")
    app, _ = make_app(db_path)
    with app.state.engine.connect() as connection:
        assert repository.changes_since(connection, scope_of(elsewhere), 0, 100) == []
        assert repository.changes_since(connection, scope_of(bogus), 0, 100) == []
        assert len(repository.changes_since(connection, scope_of(Account(
            username="z", display_name="z", role="commissioner", area="la:Trafford")), 0, 1000)) > 56
