"""Sign-out ends a sign-in on the server; a refresh token used twice ends its whole family (issue 10, 2 and 3)."""

from __future__ import annotations

import httpx
import pytest

from client.sync import CentralApi
from server_stub.demo_data import DEMO_HOME_ID
from tests.support import aio
from tests.support.auth import DEMO_PASSWORD, DEMO_USER, bearer, sign_in, sign_in_answer
from tests.support.central_inprocess import serving
from tests.support.devices import make_device


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


# -- the app signs out on the server too ----------------------------------------------------------------------

SERVER = "http://central.test"


def device_on(tmp_path, transport: httpx.AsyncBaseTransport):
    return make_device(tmp_path / "device", SERVER,
                       api_factory=lambda url, token: CentralApi(url, token, transport=transport))


@pytest.mark.usefixtures("memory_keyring")
def test_signing_out_in_the_app_ends_its_sign_in_on_the_server(client, tmp_path):
    device = device_on(tmp_path, httpx.ASGITransport(app=client.app_ref))
    aio.run(device.session.sign_in(SERVER, DEMO_USER, DEMO_PASSWORD))
    tokens = device.session.credentials.get_tokens(SERVER, DEMO_USER)
    aio.run(device.session.sign_out())
    assert device.session.current() is None
    assert works(client, {"token": tokens.access, "refresh_token": tokens.refresh}) == (False, False)
    device.close()


@pytest.mark.usefixtures("memory_keyring")
def test_signing_out_offline_still_signs_out_on_the_device(client, tmp_path):
    online = httpx.ASGITransport(app=client.app_ref)
    offline = httpx.MockTransport(lambda request: (_ for _ in ()).throw(httpx.ConnectError("no network")))
    transport = {"now": online}

    class Switchable(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            return await transport["now"].handle_async_request(request)

    device = device_on(tmp_path, Switchable())
    aio.run(device.session.sign_in(SERVER, DEMO_USER, DEMO_PASSWORD))
    transport["now"] = offline
    aio.run(device.session.sign_out())
    assert device.session.current() is None and device.session.credentials.get_tokens(SERVER, DEMO_USER) is None
    device.close()
