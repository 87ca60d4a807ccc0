"""Acceptance (issue 4, the Capacity Tracker way): a manager invites a carer, who registers herself on her phone."""

import re

import pytest

from tests.support.auth import DEMO_PASSWORD, DEMO_USER

pytestmark = pytest.mark.browser


def test_a_manager_invites_and_a_carer_registers_on_her_own_phone(tablet, phone, make_app):
    office = make_app("office-tablet")
    tablet.open(office.url)
    tablet.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    tablet.wait_id_text("home-name", "Allingham House Care Centre")
    tablet.page.get_by_role("button", name="Staff accounts").click()
    tablet.tap_id("create-invite")
    message = tablet.wait_id_text("staff-message", "Invite code ")
    code = re.search(r"Invite code (\S+):", message).group(1)

    carers_phone = make_app("carers-phone")
    phone.open(carers_phone.url)
    phone.page.get_by_role("button", name="Register with an invite code").click()
    phone.fill("Invite code", code)
    phone.fill("Your name", "Carer Ann")
    phone.fill("Choose a user name", "carer.ann")
    phone.fill("Choose a password (10 characters or more)", "a long passphrase")
    phone.page.get_by_role("button", name="Register").click()
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    assert "Signed in as Carer Ann" in phone.page.content()
