"""The central API as a real process on loopback, driven over HTTP (httpx)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest

from protocol.sync import MAX_PAGE, SCHEMA_VERSION
from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD, load_care_homes
from tests.support.auth import sign_in
from tests.support.server_process import start_server

pytestmark = pytest.mark.slow  # one real server process for the module

HOMES = load_care_homes()
# Homes offering exactly nursing and nursing dementia beds (the demo account's home left out).
NURSING_HOMES = [
    home for home in HOMES
    if [c.value for c in home.bed_categories] == ["nursing", "nursing_dementia"] and home.cqc_location_id != DEMO_HOME_ID
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_server(tmp_path_factory.mktemp("central") / "central.sqlite3") as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def manager(http: httpx.Client, home_index: int) -> tuple[str, dict[str, str]]:
    """A home of its own for each test, so tests sharing the server don't meet."""
    home_id = NURSING_HOMES[home_index].cqc_location_id
    return home_id, sign_in(http, f"manager-{home_id}")


def bed_mutation(home_id: str, category: str = "nursing", base_version: int | None = None, **counts) -> dict:
    values = {"max_capacity": 30, "occupied": 20, "vacant_reserved": 2, "vacant_accepting": 5, **counts}
    return {
        "mutation_id": str(uuid.uuid4()),
        "kind": "bed_count",
        "record_id": f"{home_id}/{category}",
        "base_version": base_version,
        "client_time": datetime.now(timezone.utc).isoformat(),
        "data": {"home_id": home_id, "category": category, **values},
    }


def push_body(mutations: list[dict], device_id: str | None = None, schema_version: int = SCHEMA_VERSION) -> dict:
    return {"device_id": device_id or str(uuid.uuid4()), "schema_version": schema_version, "mutations": mutations}


def pull_all(http: httpx.Client, headers: dict[str, str], since: int = 0) -> list[dict]:
    changes = []
    while True:
        page = http.get("/sync/changes", params={"since": since, "limit": MAX_PAGE}, headers=headers).json()
        changes += page["changes"]
        since = page["cursor"]
        if not page["has_more"]:
            return changes


def bed_state(http: httpx.Client, headers: dict[str, str], home_id: str) -> dict:
    response = http.get(f"/homes/{home_id}/bed-state", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_health_and_openapi_are_served(http):
    health = http.get("/health")
    assert health.json() == {"status": "ok", "schema_version": SCHEMA_VERSION, "database": "sqlite"}
    spec = http.get("/openapi.json").json()
    assert spec["info"]["title"] == "Care Home Connect central API"
    assert {"/health", "/auth/sign-in", "/sync/push", "/sync/changes", "/homes/{home_id}/bed-state"} <= set(spec["paths"])


def test_sign_in_with_the_demo_account_names_the_home(http):
    response = http.post("/auth/sign-in", json={"username": "demo", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["account"]["home_id"] == DEMO_HOME_ID and body["account"]["role"] == "home_manager"
    assert len(body["token"]) >= 40
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(timezone.utc)


@pytest.mark.parametrize("username", ["demo", "nobody-here"])
def test_wrong_password_and_unknown_user_get_the_same_401(http, username):
    response = http.post("/auth/sign-in", json={"username": username, "password": "not-the-password"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong user name or password"}


def test_sync_needs_a_valid_token(http):
    assert http.get("/sync/changes").status_code == 401
    response = http.get("/sync/changes", headers={"Authorization": "Bearer made-up-token"})
    assert response.status_code == 401
    assert "sign in again" in response.json()["detail"]


def test_push_applies_and_pull_and_bed_state_return_it(http):
    home_id, headers = manager(http, 0)
    before = bed_state(http, headers, home_id)
    mutation = bed_mutation(home_id, base_version=before["versions"]["nursing"], occupied=21, vacant_accepting=4)
    response = http.post("/sync/push", json=push_body([mutation]), headers=headers)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["status"] == "applied" and result["version"] > before["versions"]["nursing"]

    changes = pull_all(http, headers, since=before["versions"]["nursing"])
    mine = [c for c in changes if c["id"] == f"{home_id}/nursing"]
    assert mine[-1]["version"] == result["version"]
    assert mine[-1]["data"]["occupied"] == 21 and mine[-1]["data"]["vacant_accepting"] == 4

    after = bed_state(http, headers, home_id)
    nursing = next(b for b in after["beds"] if b["category"] == "nursing")
    assert (nursing["max_capacity"], nursing["occupied"], nursing["vacant_reserved"], nursing["vacant_accepting"]) == (30, 21, 2, 4)
    assert after["versions"]["nursing"] == result["version"]


def test_first_pull_holds_only_the_accounts_own_home(http):
    home_id, headers = manager(http, 1)
    changes = pull_all(http, headers)
    assert {c["home_id"] for c in changes} == {home_id}
    kinds = sorted(c["kind"] for c in changes)
    assert kinds == ["bed_count", "bed_count", "care_home"]  # nursing + nursing dementia, no status yet
    home = next(c for c in changes if c["kind"] == "care_home")["data"]
    assert home["icb"] == "NHS Greater Manchester Integrated Care Board" and home["icb_code_year"] == 2022


def test_same_batch_twice_is_applied_once_with_identical_answers(http):
    home_id, headers = manager(http, 2)
    cursor = bed_state(http, headers, home_id)["versions"]["nursing"]
    body = push_body([bed_mutation(home_id, base_version=cursor, occupied=11)])
    first = http.post("/sync/push", json=body, headers=headers).json()
    second = http.post("/sync/push", json=body, headers=headers).json()
    assert first == second
    assert first["results"][0]["status"] == "applied"
    nursing_changes = [c for c in pull_all(http, headers, since=cursor) if c["id"] == f"{home_id}/nursing"]
    assert len(nursing_changes) == 1 and nursing_changes[0]["version"] == first["results"][0]["version"]


def test_same_batch_three_times_concurrently_has_one_effect(http, server):
    home_id, headers = manager(http, 3)
    start = bed_state(http, headers, home_id)["versions"]
    cursor = max(start.values())
    body = push_body([
        bed_mutation(home_id, "nursing", base_version=start["nursing"], occupied=12),
        bed_mutation(home_id, "nursing_dementia", base_version=start["nursing_dementia"], occupied=3),
    ])

    def send(_):
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return client.post("/sync/push", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(send, range(3)))
    answers = [r.json() for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert answers[0] == answers[1] == answers[2]
    assert [r["status"] for r in answers[0]["results"]] == ["applied", "applied"]
    changes = [c for c in pull_all(http, headers, since=cursor) if c["kind"] == "bed_count"]
    assert len(changes) == 2
    assert sorted(c["version"] for c in changes) == sorted(r["version"] for r in answers[0]["results"])


@pytest.mark.parametrize(
    ("counts", "field", "words"),
    [
        ({"occupied": 20, "vacant_reserved": 6, "vacant_accepting": 5}, "vacant_accepting", "can't be more than the maximum capacity"),
        ({"occupied": -1}, "occupied", "Occupied can't be less than 0"),
    ],
)
def test_invalid_bed_counts_are_422_naming_the_field_and_nothing_is_stored(http, counts, field, words):
    home_id, headers = manager(http, 4)
    before = pull_all(http, headers)
    good = bed_mutation(home_id, "nursing_dementia")
    bad = bed_mutation(home_id, **counts)
    response = http.post("/sync/push", json=push_body([good, bad]), headers=headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "mutations", 1, "bed_count", "data", field]
    assert words in error["msg"]
    assert pull_all(http, headers) == before  # not even the valid mutation in the batch


def test_unknown_bed_category_is_422(http):
    home_id, headers = manager(http, 4)
    cursor = max(bed_state(http, headers, home_id)["versions"].values())
    response = http.post("/sync/push", json=push_body([bed_mutation(home_id, "penthouse")]), headers=headers)
    assert response.status_code == 422
    assert any(e["loc"][-1] == "category" for e in response.json()["detail"])
    assert pull_all(http, headers, since=cursor) == []


def test_category_the_home_does_not_offer_is_rejected(http):
    home_id, headers = manager(http, 5)
    response = http.post("/sync/push", json=push_body([bed_mutation(home_id, "residential")]), headers=headers)
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert "does not offer Residential beds" in result["message"]
    assert "residential" not in bed_state(http, headers, home_id)["versions"]


def test_mutation_for_another_home_is_rejected_and_the_rest_apply(http):
    home_id, headers = manager(http, 6)
    other_home = NURSING_HOMES[7].cqc_location_id
    other_headers = sign_in(http, f"manager-{other_home}")
    other_before = bed_state(http, other_headers, other_home)
    response = http.post(
        "/sync/push",
        json=push_body([bed_mutation(other_home, occupied=0), bed_mutation(home_id, "nursing_dementia", base_version=0)]),
        headers=headers,
    )
    first, second = response.json()["results"]
    assert first["status"] == "rejected" and first["message"] == "You may not change another home's beds"
    assert second["status"] in ("applied", "conflict")  # one refusal never blocks the rest
    assert bed_state(http, other_headers, other_home) == other_before
    assert http.get(f"/homes/{other_home}/bed-state", headers=headers).status_code == 403


def test_stale_edit_from_another_device_is_a_conflict_with_the_current_record(http):
    home_id, headers = manager(http, 8)
    base = bed_state(http, headers, home_id)["versions"]["nursing"]
    device_a, device_b = str(uuid.uuid4()), str(uuid.uuid4())
    a = http.post("/sync/push", json=push_body([bed_mutation(home_id, base_version=base, occupied=10)], device_a), headers=headers)
    [applied] = a.json()["results"]
    assert applied["status"] == "applied"

    b = http.post("/sync/push", json=push_body([bed_mutation(home_id, base_version=base, occupied=23)], device_b), headers=headers)
    [conflict] = b.json()["results"]
    assert conflict["status"] == "conflict"
    assert conflict["message"].startswith("Another device changed Nursing beds after you last synced")
    assert conflict["current"]["version"] == applied["version"] and conflict["current"]["data"]["occupied"] == 10
    nursing = next(x for x in bed_state(http, headers, home_id)["beds"] if x["category"] == "nursing")
    assert nursing["occupied"] == 10

    # Device B re-saves on top of what it was shown: now it applies.
    again = http.post(
        "/sync/push", json=push_body([bed_mutation(home_id, base_version=applied["version"], occupied=23)], device_b), headers=headers
    )
    assert again.json()["results"][0]["status"] == "applied"


def test_home_status_confirmation_is_stamped_by_the_server_clock(http):
    home_id, headers = manager(http, 9)
    assert bed_state(http, headers, home_id)["status"] is None
    mutation = {
        "mutation_id": str(uuid.uuid4()), "kind": "home_status", "record_id": home_id,
        "client_time": "2001-01-01T00:00:00+00:00",
        "data": {"home_id": home_id, "closed_to_admissions": True, "closed_reason": "staffing", "confirmed_at": "2001-01-01T00:00:00+00:00"},
    }
    before = datetime.now(timezone.utc)
    [result] = http.post("/sync/push", json=push_body([mutation]), headers=headers).json()["results"]
    assert result["status"] == "applied"
    status = bed_state(http, headers, home_id)["status"]
    assert status["closed_reason"] == "staffing"
    assert datetime.fromisoformat(status["confirmed_at"]) >= before.replace(microsecond=0)


def test_out_of_date_schema_version_gets_426(http):
    home_id, headers = manager(http, 10)
    response = http.post("/sync/push", json=push_body([bed_mutation(home_id)], schema_version=SCHEMA_VERSION - 1), headers=headers)
    assert response.status_code == 426
    assert response.json()["detail"] == f"This app is out of date: please update it (server speaks schema version {SCHEMA_VERSION})"
    # An old app whose batch does not even parse any more is still told to update.
    old = push_body([{"mutation_id": str(uuid.uuid4()), "kind": "beds"}], schema_version=0)
    assert http.post("/sync/push", json=old, headers=headers).status_code == 426


def test_changes_come_in_pages_of_limit(http):
    home_id, headers = manager(http, 11)
    everything = pull_all(http, headers)
    pages, since = [], 0
    while True:
        page = http.get("/sync/changes", params={"since": since, "limit": 1}, headers=headers).json()
        pages.append(page)
        since = page["cursor"]
        if not page["has_more"]:
            break
    assert all(len(p["changes"]) == 1 for p in pages)
    assert [p["remaining"] for p in pages] == [2, 1, 0]  # progress for a long first sync
    assert [p["changes"][0] for p in pages] == everything
    versions = [c["version"] for c in everything]
    assert versions == sorted(versions) and len(versions) == 3
    empty = http.get("/sync/changes", params={"since": since, "limit": 1}, headers=headers).json()
    assert {k: empty[k] for k in ("changes", "cursor", "has_more", "remaining")} == \
        {"changes": [], "cursor": since, "has_more": False, "remaining": 0}
    assert http.get("/sync/changes", params={"limit": MAX_PAGE + 1}, headers=headers).status_code == 422


def test_body_over_one_mib_is_413(http):
    home_id, headers = manager(http, 12)
    cursor = max(bed_state(http, headers, home_id)["versions"].values())
    huge = push_body([bed_mutation(home_id)])
    huge["padding"] = "x" * (1024 * 1024 + 1)
    response = http.post("/sync/push", json=huge, headers=headers)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]

    def chunks():  # no Content-Length: the streamed size is counted
        for _ in range(17):
            yield b" " * 65536

    chunked = http.post("/sync/push", content=chunks(), headers={**headers, "Content-Type": "application/json"})
    assert chunked.status_code == 413
    assert pull_all(http, headers, since=cursor) == []


def test_data_and_sessions_survive_a_restart_on_the_same_port(tmp_path):
    server = start_server(tmp_path / "restart.sqlite3")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            headers = sign_in(client, "demo")
            base = bed_state(client, headers, DEMO_HOME_ID)["versions"]["nursing"]
            body = push_body([bed_mutation(DEMO_HOME_ID, base_version=base, occupied=7)])
            first = client.post("/sync/push", json=body, headers=headers).json()
        url = server.url
        server.stop()
        server.start()
        assert server.url == url
        with httpx.Client(base_url=server.url, timeout=30) as client:
            # Same token still valid, same answer for the retried batch, no second effect.
            assert client.post("/sync/push", json=body, headers=headers).json() == first
            state = bed_state(client, headers, DEMO_HOME_ID)
            assert state["versions"]["nursing"] == first["results"][0]["version"]
            assert len([c for c in pull_all(client, headers) if c["kind"] == "care_home"]) == 1  # not seeded twice
    finally:
        server.stop()
