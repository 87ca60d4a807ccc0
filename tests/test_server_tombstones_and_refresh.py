"""Deletes as tombstones, their clean-up and the reset it forces; access tokens and their refresh."""

import uuid
from datetime import timedelta

import pytest

from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD
from server_stub.services.sync import purge_tombstones
from tests.support.auth import sign_in
from tests.support.central_inprocess import bed_mutation, nursing_version, push, serving


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database, token_ttl_seconds=30) as test_client:
        yield test_client


def delete_mutation(record_id: str, base_version: int | None) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": "bed_count", "op": "delete", "record_id": record_id,
            "base_version": base_version, "client_time": "2026-11-25T09:00:00+00:00"}


def pull_all(client, headers, since=0):
    changes = []
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 100}, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        changes += body["changes"]
        since = body["cursor"]
        if not body["has_more"]:
            return changes, since


def test_a_delete_leaves_a_tombstone_that_pulls_carry(client):
    headers = sign_in(client)
    device = str(uuid.uuid4())
    _, cursor = pull_all(client, headers)
    [applied] = push(client, headers, [bed_mutation(base_version=nursing_version(client, headers))], device).json()["results"]
    record_id = f"{DEMO_HOME_ID}/nursing"
    [deleted] = push(client, headers, [delete_mutation(record_id, applied["version"])], device).json()["results"]
    assert deleted["status"] == "applied" and deleted["version"] > applied["version"]
    changes, _ = pull_all(client, headers, cursor)
    assert [(c["id"], c["deleted"]) for c in changes] == [(record_id, True)]
    # A device starting from scratch never sees the tombstone at all.
    everything, _ = pull_all(client, headers)
    assert record_id not in {c["id"] for c in everything}
    # Deleting again is applied (idempotent) and changes nothing.
    [again] = push(client, headers, [delete_mutation(record_id, None)], device).json()["results"]
    assert again["status"] == "applied"
    assert pull_all(client, headers, cursor)[0] == changes


def test_a_stale_delete_from_another_device_is_a_conflict(client):
    headers = sign_in(client)
    [applied] = push(client, headers, [bed_mutation(base_version=nursing_version(client, headers))], str(uuid.uuid4())).json()["results"]
    [result] = push(client, headers, [delete_mutation(f"{DEMO_HOME_ID}/nursing", applied["version"] - 1)],
                    str(uuid.uuid4())).json()["results"]
    assert result["status"] == "conflict" and result["current"]["deleted"] is False


def test_care_homes_cannot_be_deleted_from_a_device(client):
    headers = sign_in(client)
    mutation = {**delete_mutation(DEMO_HOME_ID, None), "kind": "home_status"}
    [result] = push(client, headers, [mutation]).json()["results"]
    assert result["status"] == "rejected" and "cannot be deleted" in result["message"]


def test_a_put_without_data_is_422(client):
    headers = sign_in(client)
    mutation = {**delete_mutation(f"{DEMO_HOME_ID}/nursing", None), "op": "put"}
    response = push(client, headers, [mutation])
    assert response.status_code == 422 and "a put needs the record's data" in response.text


def test_a_device_behind_the_tombstone_horizon_is_told_to_reset(client):
    headers = sign_in(client)
    device = str(uuid.uuid4())
    _, old_cursor = pull_all(client, headers)
    [applied] = push(client, headers, [bed_mutation(base_version=nursing_version(client, headers))], device).json()["results"]
    push(client, headers, [delete_mutation(f"{DEMO_HOME_ID}/nursing", applied["version"])], device)
    _, current_cursor = pull_all(client, headers, old_cursor)

    client.clock.now += timedelta(days=31)
    headers = sign_in(client)
    with client.app_ref.state.engine.connect() as connection:
        horizon = purge_tombstones(connection, client.clock(), timedelta(days=30))
    assert old_cursor < horizon <= current_cursor
    gone = client.get("/sync/changes", params={"since": old_cursor}, headers=headers)
    assert gone.status_code == 410 and gone.json()["reset"] is True
    assert "download everything again" in gone.json()["detail"]
    # Up to date devices and full syncs are unaffected.
    assert client.get("/sync/changes", params={"since": current_cursor}, headers=headers).status_code == 200
    assert client.get("/sync/changes", params={"since": 0}, headers=headers).status_code == 200


def test_old_app_pulling_is_asked_to_update(client):
    headers = {**sign_in(client), "X-Schema-Version": "0"}
    response = client.get("/sync/changes", headers=headers)
    assert response.status_code == 426 and "please update" in response.json()["detail"]


def test_access_tokens_expire_and_a_refresh_token_works_once(client):
    signed = client.post("/auth/sign-in", json={"username": "demo", "password": DEMO_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {signed['token']}"}
    assert client.get("/sync/changes", headers=headers).status_code == 200
    client.clock.now += timedelta(seconds=31)
    assert client.get("/sync/changes", headers=headers).status_code == 401

    renewed = client.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert renewed.status_code == 200
    new = renewed.json()
    assert new["account"]["home_id"] == DEMO_HOME_ID and new["refresh_token"] != signed["refresh_token"]
    assert client.get("/sync/changes", headers={"Authorization": f"Bearer {new['token']}"}).status_code == 200
    # A refresh token is single use: a stolen, replayed one is refused.
    replay = client.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert replay.status_code == 401 and "sign in again" in replay.json()["detail"]


def test_an_expired_refresh_token_is_refused(client):
    signed = client.post("/auth/sign-in", json={"username": "demo", "password": DEMO_PASSWORD}).json()
    client.clock.now += timedelta(days=31)
    assert client.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]}).status_code == 401
