"""Invite and reset codes read out over the phone: no look-alike characters, in groups, typed back any way."""

from __future__ import annotations

import re

import pytest

from domain.one_time_codes import ALPHABET, new_code, normalised
from server_stub.demo_data import DEMO_HOME_ID
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import serving

GROUPED = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}){2}$")


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def test_codes_have_no_look_alike_characters_and_come_in_groups_of_four():
    assert not set("01OIL") & set(ALPHABET) and not set("01OIL".lower()) & set(ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(GROUPED.match(code) for code in codes), [c for c in codes if not GROUPED.match(c)][:3]


def test_a_code_typed_back_with_or_without_dashes_in_any_case_with_spaces_is_the_same_code():
    assert {normalised(typed) for typed in ("K7XM-4QPR-9TWC", "k7xm4qpr9twc", " K7xm 4QPR - 9twc ",
                                            "k7xm-4qpr-9twc")} == {"K7XM4QPR9TWC"}


def test_an_invite_code_read_over_the_phone_and_typed_in_lower_case_without_dashes_registers(client):
    manager = sign_in(client, "demo")
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=manager).json()["invite_code"]
    assert GROUPED.match(code), code
    typed = " ".join(code.replace("-", "").lower())  # "k 7 x m ...": spaces between the characters read out
    body = {"invite_code": typed, "username": "nurse.jo", "display_name": "Jo", "password": "correct horse battery"}
    assert client.post("/accounts/register", json=body).status_code == 201, body
    again = client.post("/accounts/register", json={**body, "invite_code": code, "username": "nurse.jo2"})
    assert again.status_code == 400  # the same code, however typed, works once


def test_a_reset_code_is_grouped_and_accepted_in_lower_case_with_spaces(client):
    manager = sign_in(client, "demo")
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=manager).json()["invite_code"]
    client.post("/accounts/register", json={"invite_code": code, "username": "carer.sam", "display_name": "Sam",
                                            "password": "first passphrase"})
    reset = client.post("/accounts/carer.sam/password-reset", headers=manager).json()["reset_code"]
    assert GROUPED.match(reset), reset
    typed = reset.lower().replace("-", " ")
    done = client.post("/auth/reset-password", json={"username": "carer.sam", "reset_code": typed,
                                                     "new_password": "second passphrase"})
    assert done.status_code == 204, done.text
    assert sign_in_answer(client, "carer.sam", "second passphrase").status_code == 200
