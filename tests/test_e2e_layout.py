"""Issue 13 acceptance 1, end to end in headless Chromium: at 390x844, 820x1180 and 1366x768 and at 200% text, on
every screen of every role, no control is clipped or overlaps another, every touch target is at least 48 px, and
every button, field and dropdown has an accessible name of its own (tests/support/ui_audit.py walks Flutter's
semantics tree). (A keyboard user's way to "No change - confirm": tests/test_e2e_announcements.py.)

One app process per role; one browser page per role, resized (and its text scaled) in place on each screen
(tests/support/layout_walk.py). The commissioner's, hospital user's and administrator's screens are walked in
tests/test_e2e_layout_roles.py; the manager's other screens and the digital champion's in
tests/test_e2e_layout_manager_more.py.
"""

from __future__ import annotations

import pytest

from tests.support.auth import DEMO_PASSWORD, DEMO_USER
from tests.support.flet_ui import FletPage
from tests.support.layout_walk import Walk, assert_200_percent_text_takes_effect
from tests.support.timing import scaled_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The way on from the bed state, in view without scrolling (issue 13 part 4); a sub-screen's is its Back.
BED_NAV = ("open-readiness", "open-red-bag", "open-settings", "open-alerts", "sync-now", "sign-out")


@pytest.mark.timeout(600)
def test_every_manager_screen_at_three_sizes_and_200_percent_text(phone: FletPage, make_app):
    app = make_app("manager")
    walk = Walk(phone, "manager")
    phone.open(app.url)
    phone.page.get_by_label("User name", exact=True).wait_for(timeout=scaled_ms(20_000))
    assert_200_percent_text_takes_effect(phone)  # else the walk's 200% would audit the usual size
    walk.audit("sign in")
    phone.tap_button("Register with an invite code")
    phone.page.get_by_label("Invite code", exact=True).wait_for()
    walk.audit("register")
    phone.tap_button("Back to sign in")
    phone.tap_button("I have a password reset code")
    phone.page.get_by_label("Reset code", exact=True).wait_for()
    walk.audit("reset password")
    phone.tap_button("Back to sign in")

    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    walk.audit("bed state", BED_NAV)
    closed = phone.page.get_by_role("switch", name="Closed to admissions")
    closed.click()
    phone.page.get_by_role("button", name="Reason for closing").wait_for()
    walk.audit("bed state, closed to admissions")
    closed.click()

    phone.tap_id("open-readiness")
    phone.wait_id_text("readiness-home", "Allingham House Care Centre")
    for section in ("checklist", "wifi", "maturity", "nhsmail"):
        phone.tap_id(f"section-{section}")
        walk.audit(f"readiness: {section}", ("readiness-back",))
    phone.tap_id("readiness-back")

    phone.tap_id("open-settings")
    phone.by_id("settings-save").wait_for()
    walk.audit("home settings", ("settings-back",))
    phone.tap_id("settings-back")

    phone.tap_id("open-alerts")
    phone.by_id("alerts-back").wait_for()
    walk.audit("alerts", ("alerts-back",))
    phone.tap_id("alerts-back")

    phone.tap_id("open-red-bag")
    phone.wait_id_text("resident-summary", "No residents")
    walk.audit("red bag list", ("red-bag-back", "add-resident"))
    phone.tap_id("add-resident")
    phone.by_id("new-save").wait_for()
    walk.audit("resident form", ("new-back", "new-save"))
    phone.type_in("new-given", "Margaret")
    phone.type_in("new-family", "Smith")
    phone.type_in("new-dob", "12/04/1938")
    phone.tap_id("new-nka")
    phone.tap_id("new-save")
    phone.wait_id_text("resident-name", "Margaret Smith")
    walk.audit("resident", ("resident-back", "start-transfer"))
    phone.tap_id("start-transfer")
    phone.by_id("send-to-hospital").wait_for()
    walk.audit("transfer", ("resident-back", "send-to-hospital"))
    phone.tap_id("obs-not-taken")
    phone.wait_id_text("news2", "NEWS2 not calculated")
    walk.audit("transfer, observations not taken", ("resident-back", "send-to-hospital"))
    walk.check()
