"""Issue 13 acceptance 1 for the roles other than a care home's manager, end to end in headless Chromium: the
commissioner's area screens (overview, drill-down, find a bed, not updated, vacancy history, alerts to homes), the
hospital user's transfers (and her bed search for discharge) and the administrator's screen, each at 390x844,
820x1180 and 1366x768 and at 200% text: no control clipped or overlapping another, every touch target at least
48 px, every button, field and dropdown named on its own (tests/support/layout_walk.py); and the way on
(the screen's actions, Back, Sign out) in view without scrolling, also once the screen is scrolled to its end.

One app process per role (a fresh central API with the demo data each). The hospital user's screen is walked
empty, then with one transfer arriving.
"""

from __future__ import annotations

import pytest

from tests.support.auth import DEMO_PASSWORD, sign_in_answer
from tests.support.flet_ui import FletPage
from tests.support.layout_walk import Walk
from tests.test_e2e_hospital_admin import import_directory, send_margaret_to_hospital

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def first_id(fp: FletPage, prefix: str) -> str:
    """The semantics identifier of the first control whose identifier starts with ``prefix``."""
    node = fp.page.locator(f'[flt-semantics-identifier^="{prefix}"]').first
    node.wait_for()
    return node.get_attribute("flt-semantics-identifier")


def wait_not_text(fp: FletPage, identifier: str, fragment: str) -> None:
    fp.page.wait_for_function(
        """([id, fragment]) => { const n = document.querySelector(`[flt-semantics-identifier="${id}"]`);
             const said = n ? (n.innerText || n.getAttribute('aria-label') || '') : '';
             return said !== '' && !said.includes(fragment); }""", arg=[identifier, fragment])


@pytest.mark.timeout(900)
def test_every_commissioner_screen_at_three_sizes_and_200_percent_text(phone: FletPage, make_app):
    app = make_app("commissioner")
    walk = Walk(phone, "commissioner")
    phone.open(app.url)
    phone.sign_in(None, "commissioner", DEMO_PASSWORD, until="area-title")
    phone.wait_id_text("area-title", "Greater Manchester", timeout=30_000)
    phone.by_id("area-totals").first.wait_for(timeout=30_000)
    walk.audit("area overview", ("area-find-bed", "area-stale", "area-history", "area-alerts", "sign-out"))

    phone.tap_id(first_id(phone, "area-child-"))
    phone.wait_id_text("area-title", "Trafford")
    walk.audit("area drill-down", ("area-back", "area-find-bed", "sign-out"))
    phone.tap_id(first_id(phone, "area-child-"))  # down to one home
    phone.wait_id_text("area-totals", "1 home -")
    walk.audit("area drill-down: one home", ("area-back",))
    phone.tap_id("area-back")
    phone.wait_id_text("area-title", "Trafford")
    phone.tap_id("area-back")
    phone.wait_id_text("area-title", "Greater Manchester")

    phone.tap_id("area-find-bed")
    phone.by_id("search-run").first.wait_for()
    walk.audit("find a bed: the form")
    phone.type_in("search-district", "ZZ99")
    phone.tap_id("search-run")
    phone.by_id("search-problem").first.wait_for()
    walk.audit("find a bed: a district not known")
    phone.type_in("search-district", "")
    phone.tap_id("search-category-residential")
    phone.tap_id("search-run")
    phone.by_id("search-change").first.wait_for()
    walk.audit("find a bed: results", ("search-back",))
    phone.tap_id("search-back")

    phone.tap_id("area-stale")
    phone.wait_id_text("stale-share", "updated in the last 7 days")
    walk.audit("not updated", ("stale-back",))
    phone.tap_id("stale-back")

    phone.tap_id("area-history")
    phone.by_id("history-source").first.wait_for()
    wait_not_text(phone, "history-source", "Fetching")
    walk.audit("vacancy history", ("history-back",))
    phone.tap_id("history-back")

    phone.tap_id("area-alerts")
    phone.by_id("send-alert").first.wait_for()
    walk.audit("alerts to homes: the form")
    phone.tap_id("send-alert")
    phone.wait_id_text("send-result", "Not sent")
    walk.audit("alerts to homes: not sent")
    phone.type_in("send-title", "Heatwave")
    phone.type_into(phone.by_id("send-message").locator("textarea").first, "Keep residents cool and drinking.")
    phone.tap_id("send-alert")
    sent = phone.page.locator('[flt-semantics-identifier^="sent-"]:not([flt-semantics-identifier="sent-alerts"])')
    sent.first.wait_for()
    sent.first.click()
    phone.by_id("alert-remind").first.wait_for()
    walk.audit("alerts to homes: one sent, who has read it", ("send-back",))
    walk.check()


@pytest.mark.timeout(600)
def test_every_hospital_screen_at_three_sizes_and_200_percent_text(phone: FletPage, make_app, central_api):
    app = make_app("hospital")
    walk = Walk(phone, "hospital")
    phone.open(app.url)
    phone.sign_in(None, "hospital", DEMO_PASSWORD, until="hospital-summary")  # (an empty list is not shown)
    phone.wait_id_text("hospital-summary", "No residents are on a transfer")  # the first load has finished
    walk.audit("transfers to the hospital: none yet")
    send_margaret_to_hospital(central_api.url)
    phone.tap_id("hospital-refresh")
    phone.wait_id_text("hospital-summary", "1 arriving")
    walk.audit("transfers to the hospital", ("find-bed", "sign-out"))
    phone.tap_id("find-bed")
    phone.by_id("search-run").first.wait_for()
    walk.audit("find a bed for discharge", ("search-back",))
    walk.check()


@pytest.mark.timeout(600)
def test_every_administrator_screen_at_three_sizes_and_200_percent_text(phone: FletPage, make_app, central_api):
    import_directory(central_api)  # the last import's summary on the screen
    for _ in range(10):  # the champion locked herself out: her account shows Unlock
        sign_in_answer(central_api.url, "champion", "wrong password")
    app = make_app("admin")
    walk = Walk(phone, "admin")
    phone.open(app.url)
    phone.sign_in(None, "admin", DEMO_PASSWORD, until="import-status")
    phone.wait_id_text("import-status", "Last file: trafford_care_homes.csv")
    walk.audit("administration")
    phone.type_in("account-search", "demo")
    phone.tap_id("account-find")
    first_id(phone, "account-line-")
    walk.audit("administration: accounts found", ("sign-out",))
    phone.type_in("account-search", "champion")
    phone.tap_id("account-find")
    phone.by_id("unlock-champion").first.wait_for()
    walk.audit("administration: a locked account found")
    phone.tap_id("role-champion")
    phone.by_id("role-apply").first.wait_for()
    walk.audit("administration: changing a role")
    walk.check()
