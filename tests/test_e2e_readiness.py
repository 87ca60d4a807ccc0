"""Acceptance: digital readiness in the real UI (headless Chromium, real app and central API processes).

A digital champion, offline in a care home, records a WiFi result and moves
the home two NHSmail steps; back online, the central API holds both. A home
manager opens the same readiness screen from her bed state screen.
"""

import json
import sqlite3

import pytest

from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.timing import scaled_ms
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

CHAMPION_HOMES = {"1-1938268568", "1-8503184790", "1-127443456"}


def sign_in_as_champion(phone, app):
    phone.open(app.url)
    phone.page.get_by_label("User name", exact=True).wait_for(timeout=scaled_ms(20_000))
    phone.fill("User name", "champion")
    phone.fill("Password", DEMO_PASSWORD)
    phone.page.get_by_role("button", name="Sign in").click()
    phone.by_id("home-list").wait_for(timeout=scaled_ms(20_000))


def listed_homes(phone) -> set[str]:
    nodes = phone.page.locator('[flt-semantics-identifier^="home-1-"]')
    return {nodes.nth(i).get_attribute("flt-semantics-identifier").removeprefix("home-") for i in range(nodes.count())}


def server_records(central_api, kind: str, home_id: str = DEMO_HOME) -> list[dict]:
    with sqlite3.connect(f"file:{central_api.db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM records WHERE kind = ? AND home_id = ? AND deleted = 0", (kind, home_id))
        return [json.loads(data) for (data,) in rows]


def test_offline_champion_records_wifi_and_two_nhsmail_steps_then_they_reach_the_api(
        phone, make_app, central_api, artifacts_dir):
    app = make_app()
    sign_in_as_champion(phone, app)
    # Only her three assigned homes (they arrive with the first sync).
    wait_until(lambda: len(listed_homes(phone)) == 3, timeout=15, what="the champion's homes listed")
    assert listed_homes(phone) == CHAMPION_HOMES
    phone.wait_id_text("sync-status", "Sent ", timeout=15_000)  # the first sync has finished

    phone.tap_id(f"home-{DEMO_HOME}")
    phone.wait_id_text("readiness-home", "Allingham House Care Centre")
    phone.wait_id_text("band", "Minimum")

    central_api.stop()  # no signal in the home
    phone.tap_id("section-wifi")
    phone.type_into(phone.by_id("wifi-location").locator("input"), "Lounge")
    phone.tap_id("wifi-test")
    phone.wait_id_text("readiness-message", "Saved: no connection at Lounge")
    phone.wait_id_text("wifi-summary", "no connection: Lounge")

    phone.tap_id("section-nhsmail")
    phone.wait_id_text("nhsmail-step", "Step 1 of 9")
    phone.type_into(phone.by_id("nhsmail-ods").locator("input"), "VM4R7")
    phone.tap_id("nhsmail-ods-save")
    phone.wait_id_text("nhsmail-step", "Step 2 of 9")
    phone.tap_id("nhsmail-cqc-otp")
    phone.wait_id_text("nhsmail-step", "Step 3 of 9")
    phone.wait_id_text("nhsmail-current", "DSPT")
    phone.wait_id_text("sync-status", "saved on this device (3 changes waiting)")
    phone.page.screenshot(path=str(artifacts_dir / "readiness-phone.png"))
    phone.page.mouse.move(195, 600)
    phone.page.mouse.wheel(0, 350)  # down to the flow chart, its current step highlighted
    phone.page.wait_for_timeout(400)
    phone.page.screenshot(path=str(artifacts_dir / "readiness-phone-chart.png"))
    phone.tap_id("section-checklist")
    phone.wait_id_text("check-nhsmail-changed", "changed by champion")
    phone.page.screenshot(path=str(artifacts_dir / "readiness-phone-checklist.png"))

    central_api.start()
    wait_until(lambda: server_records(central_api, "wifi_result") and server_records(central_api, "nhsmail_progress")
               and server_records(central_api, "nhsmail_progress")[0]["step"] == "dspt",
               timeout=15, what="the WiFi result and NHSmail step 3 on the central API")
    [wifi] = server_records(central_api, "wifi_result")
    assert wifi["location"] == "Lounge" and wifi["no_connection"] is True and wifi["changed_by"] == "champion"
    [progress] = server_records(central_api, "nhsmail_progress")
    assert progress["ods_code"] == "VM4R7" and progress["one_time_passcode"] is True
    phone.wait_id_text("sync-status", "Sent ")

    # Back to the list: Allingham House now shows its NHSmail step.
    phone.tap_id("readiness-back")
    phone.by_id("home-list").wait_for(timeout=scaled_ms(10_000))
    assert listed_homes(phone) == CHAMPION_HOMES
    phone.page.screenshot(path=str(artifacts_dir / "home-list-phone.png"))


def test_the_manager_opens_digital_readiness_from_the_bed_state_and_comes_back(tablet, make_app, central_api):
    app = make_app()
    tablet.open(app.url)
    tablet.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    tablet.wait_id_text("home-name", "Allingham House Care Centre")
    tablet.tap_id("open-readiness")
    tablet.wait_id_text("band", "Digital maturity: Minimum")
    tablet.tap_id("section-maturity")
    tablet.wait_id_text("next-band", "For Core the home needs")
    tablet.tap_id("summary-pdf")  # the one-page summary, made on the device, to open or download
    tablet.by_id("summary-pdf-download").first.wait_for(timeout=scaled_ms(10_000))
    tablet.by_id("summary-pdf-preview").first.wait_for(timeout=scaled_ms(10_000))
    tablet.tap_id("readiness-back")
    tablet.wait_id_text("home-name", "Allingham House Care Centre")
    tablet.by_id("bed-confirm").wait_for(timeout=scaled_ms(10_000))
