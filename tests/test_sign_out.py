"""Sign-out ends a sign-in on the server; a refresh token used twice ends its whole family (issue 10, 2 and 3)."""

from __future__ import annotations

import pytest

from server_stub.demo_data import DEMO_HOME_ID
from tests.support.auth import bearer, sign_in, sign_in_answer
from tests.support.central_inprocess import serving


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def works(client, tokens: dict) -> tuple[bool, bool]:
    """(the access token reads, the refresh token refreshes); the refresh is spent if it worked."""
    read = client.get("/sync/changes", headers=bearer(tokens["token"])).status_code
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
    assert read in (200, 401) and refreshed in (200, 401)
    return read == 200, refreshed == 200


def test_after_sign_out_the_old_access_and_refresh_tokens_are_refused(client):
    this_device, other_device = sign_in_answer(client).json(), sign_in_answer(client).json()
    answer = client.post("/auth/sign-out", headers=bearer(this_device["token"]),
                         json={"refresh_token": this_device["refresh_token"]})
    assert answer.status_code == 204
    assert works(client, this_device) == (False, False)
    assert works(client, other_device) == (True, True)  # the account's other sign-ins go on
    audit = client.get("/accounts/audit", params={"subject": "demo"}, headers=sign_in(client, "admin")).json()
    assert "signed_out" in [entry["action"] for entry in audit]


def test_sign_out_with_either_token_ends_the_whole_sign_in(client):
    refreshed_later = sign_in_answer(client).json()
    renewed = client.post("/auth/refresh", json={"refresh_token": refreshed_later["refresh_token"]}).json()
    # Only the refresh token (the access token has expired, say): the access token of the same sign-in ends too.
    assert client.post("/auth/sign-out", json={"refresh_token": renewed["refresh_token"]}).status_code == 204
    assert works(client, renewed) == (False, False)
    only_access = sign_in_answer(client).json()
    assert client.post("/auth/sign-out", headers=bearer(only_access["token"])).status_code == 204
    assert works(client, only_access) == (False, False)
    # Unknown tokens change nothing and say nothing.
    assert client.post("/auth/sign-out", json={"refresh_token": "not a token"}).status_code == 204
    assert client.post("/auth/sign-out").status_code == 204


def test_a_reused_refresh_token_revokes_every_token_issued_from_it(client):
    first = sign_in_answer(client).json()
    other_device = sign_in_answer(client).json()
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    third = client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}).json()
    # The first refresh token again (copied by someone): refused, and the sign-in it started ends.
    replay = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and "sign in again" in replay.json()["detail"]
    for tokens in (second, third):
        assert works(client, tokens) == (False, False)
    assert works(client, other_device) == (True, True)
    audit = client.get("/accounts/audit", params={"subject": "demo"}, headers=sign_in(client, "admin")).json()
    assert "refresh_token_reused" in [entry["action"] for entry in audit]


@pytest.mark.parametrize(("setting", "request_once"), [
    ("refresh_requests_per_minute",
     lambda client: client.post("/auth/refresh", json={"refresh_token": "not a token"})),
    ("code_requests_per_minute",
     lambda client: client.post("/auth/reset-password", json={"username": "demo", "reset_code": "not a code",
                                                              "new_password": "a new long passphrase"})),
    ("code_requests_per_minute",
     lambda client: client.post("/accounts/register", json={"invite_code": "not a code", "username": "someone",
                                                            "display_name": "X", "password": "a long passphrase"})),
])
def test_refresh_reset_and_registration_are_rate_limited_per_address(tmp_path, demo_database, setting, request_once):
    with serving(tmp_path / "central.sqlite3", template=demo_database, **{setting: 3}) as client:
        answers = [request_once(client).status_code for _ in range(4)]
        assert answers[:3] != [429] * 3 and answers[3] == 429
        assert request_once(client).headers["Retry-After"] == "60"


def test_a_manager_issuing_reset_codes_is_rate_limited(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database, code_requests_per_minute=2) as client:
        manager = sign_in(client, "demo")
        answers = [client.post(f"/accounts/manager-{DEMO_HOME_ID}/password-reset", headers=manager).status_code
                   for _ in range(3)]
        assert answers == [403, 403, 429]
