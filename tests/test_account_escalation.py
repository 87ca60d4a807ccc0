"""The matrix cannot be side-stepped through accounts: invites, password resets (issue 10, section 2)."""

from __future__ import annotations

import pytest

from server_stub.demo_data import DEMO_HOME_ID
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import push, serving
from tests.test_red_bag_security import mutation, pulled_kinds, resident

CO_MANAGER = f"manager-{DEMO_HOME_ID}"  # the demo home's other manager, beside "demo"
PERSONAL_KINDS = {"resident", "transfer"}


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        # The demo home holds a resident: what an escalation would be after.
        [stored] = push(test_client, sign_in(test_client, "demo"), [mutation("resident", resident())]).json()["results"]
        assert stored["status"] == "applied"
        yield test_client


@pytest.mark.parametrize("issuer", ["champion", "admin"])
def test_an_invite_never_yields_personal_data_its_issuer_cannot_read(client, issuer):
    """A champion (the demo home is one of hers) or an administrator invites, registers, pulls: no resident."""
    headers = sign_in(client, issuer)
    assert not PERSONAL_KINDS & pulled_kinds(client, headers)  # the issuer reads none
    invite = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=headers)
    if invite.status_code == 201:
        registered = client.post("/accounts/register", json={
            "invite_code": invite.json()["invite_code"], "username": "sock.puppet", "display_name": "Sock",
            "password": "a long passphrase"})
        assert registered.status_code == 201
        puppet = sign_in(client, "sock.puppet", "a long passphrase")
        assert not PERSONAL_KINDS & pulled_kinds(client, puppet)
    else:
        assert invite.status_code == 403


def test_the_homes_manager_still_invites_her_staff_who_read_its_residents(client):
    invite = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=sign_in(client, "demo"))
    client.post("/accounts/register", json={"invite_code": invite.json()["invite_code"], "username": "carer.ann",
                                            "display_name": "Ann", "password": "a long passphrase"})
    assert "resident" in pulled_kinds(client, sign_in(client, "carer.ann", "a long passphrase"))


def test_a_manager_cannot_take_over_a_co_managers_account(client):
    reset = client.post(f"/accounts/{CO_MANAGER}/password-reset", headers=sign_in(client, "demo"))
    assert reset.status_code == 403
    # Nor with a code of her own: a reset code is bound to the account it was issued for.
    invite = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=sign_in(client, "demo"))
    client.post("/accounts/register", json={"invite_code": invite.json()["invite_code"], "username": "carer.bo",
                                            "display_name": "Bo", "password": "a long passphrase"})
    own_staff_code = client.post("/accounts/carer.bo/password-reset", headers=sign_in(client, "demo")).json()["reset_code"]
    taken = client.post("/auth/reset-password", json={"username": CO_MANAGER, "reset_code": own_staff_code,
                                                      "new_password": "the manager's now"})
    assert taken.status_code == 400
    assert sign_in_answer(client, CO_MANAGER).status_code == 200  # her password is still hers


@pytest.mark.parametrize(("issuer", "target", "allowed"), [
    ("admin", CO_MANAGER, True), ("admin", "champion", True), ("demo", "admin", False), ("champion", "demo", False)])
def test_only_a_higher_role_resets_a_password(client, issuer, target, allowed):
    answer = client.post(f"/accounts/{target}/password-reset", headers=sign_in(client, issuer))
    assert answer.status_code == (201 if allowed else 403)


def test_a_completed_reset_is_recorded_under_the_owners_name_with_its_issuer_and_signs_her_out(client):
    her_session = sign_in_answer(client, CO_MANAGER).json()
    admin = sign_in(client, "admin")
    code = client.post(f"/accounts/{CO_MANAGER}/password-reset", headers=admin).json()["reset_code"]
    done = client.post("/auth/reset-password", json={"username": CO_MANAGER, "reset_code": code,
                                                     "new_password": "a brand new passphrase"})
    assert done.status_code == 204
    # Her devices are signed out at once: she finds out, and the audit log says who issued the code.
    assert client.get("/sync/changes", headers={"Authorization": f"Bearer {her_session['token']}"}).status_code == 401
    entries = client.get("/accounts/audit", params={"subject": CO_MANAGER}, headers=admin).json()
    completed = next(entry for entry in entries if entry["action"] == "password_reset_completed")
    assert completed["actor"] == CO_MANAGER and completed["detail"] == "code issued by admin"
    assert any(entry["action"] == "password_reset_issued" and entry["actor"] == "admin" for entry in entries)
