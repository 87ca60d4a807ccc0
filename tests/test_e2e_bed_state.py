"""Acceptance: the real UI in headless Chromium, against real app and central API processes.

A manager confirms "no change" in one tap and changes one category's
vacancies in two; the central API then holds the new values.
"""

import pytest

from tests.support.auth import DEMO_PASSWORD, DEMO_USER
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser


def open_signed_in(phone, app, server_url):
    phone.open(app.url)
    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)  # the app was started with the server's address
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    phone.taps = 0


def count_value(phone, category, field):
    # The count's semantics label ends with its value, e.g. "Nursing Occupied 20".
    label = phone.by_id(f"bed-{category}-{field}-value").first.get_attribute("aria-label")
    return int(label.rsplit(" ", 1)[-1])


def test_confirm_is_one_tap_and_a_vacancy_change_is_two(phone, make_app, central_api, api, artifacts_dir):
    app = make_app()
    open_signed_in(phone, app, central_api.url)
    assert api.bed_state()["status"] is None  # the demo home has never confirmed

    phone.tap_id("bed-confirm")
    assert phone.taps == 1
    confirmed = wait_until(lambda: api.bed_state()["status"], timeout=10, what="confirmation on the central API")
    assert confirmed["confirmed_at"]
    phone.wait_id_text("confirmed-line", "Last confirmed today")

    before = api.beds("nursing_dementia")
    assert count_value(phone, "nursing_dementia", "vacant_accepting") == before["vacant_accepting"]
    # One fewer bed accepting admissions (the demo home has some), then Save.
    phone.taps = 0
    phone.tap_id("bed-nursing_dementia-vacant_accepting-minus")
    phone.wait_enabled("bed-save")  # a person's second tap comes after the screen has changed
    phone.tap_id("bed-save")
    assert phone.taps == 2
    expected = before["vacant_accepting"] - 1
    wait_until(lambda: api.beds("nursing_dementia")["vacant_accepting"] == expected, timeout=10,
               what="the new vacancy count on the central API")
    after = api.beds("nursing_dementia")
    assert {k: after[k] for k in ("max_capacity", "occupied", "vacant_reserved")} == \
        {k: before[k] for k in ("max_capacity", "occupied", "vacant_reserved")}
    phone.wait_id_text("sync-status", "Sent ", timeout=10_000)
    phone.page.screenshot(path=str(artifacts_dir / "bed-state-phone.png"))


def test_the_tokens_are_sealed_by_the_browser_never_readable_in_the_data_dir(phone, make_app, central_api):
    app = make_app()
    open_signed_in(phone, app, central_api.url)
    phone.wait_id_text("sync-status", "Sent ")  # synced, so everything the app writes is written
    browser_secret = phone.browser_secret()
    tokens = app.sealed_tokens(browser_secret).get_tokens(central_api.url, DEMO_USER)  # only with the secret
    secrets = [tokens.access, tokens.refresh, browser_secret]
    assert all(len(token) >= 32 for token in secrets)
    assert (app.device_dir() / "tokens.sealed").stat().st_mode & 0o077 == 0  # readable by its owner only
    files = [p for p in app.data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".sqlite3") for p in files)  # the device database is there
    for path in files:
        for token in secrets:
            assert token.encode() not in path.read_bytes(), path
    for token in secrets:
        assert token not in app.log()  # nor in what the app logs


def test_invalid_counts_are_refused_in_the_ui_and_nothing_reaches_the_api(phone, make_app, central_api, api):
    app = make_app()
    open_signed_in(phone, app, central_api.url)
    before = api.beds("nursing")
    field = phone.by_id("bed-nursing-occupied-value").locator("input")
    phone.type_into(field, str(before["max_capacity"] + 5))
    phone.wait_id_text("bed-nursing-occupied-error", "can't be more than the beds in this category")
    assert phone.by_id("bed-save").get_by_role("button").get_attribute("aria-disabled") == "true"

    phone.type_into(field, "many")
    phone.wait_id_text("bed-nursing-occupied-error", "Occupied must be a whole number")
    phone.tap_id("bed-save")  # disabled: nothing happens
    assert "waiting" not in phone.text_of("sync-status")
    assert api.beds("nursing") == before


def test_tablet_layout_shows_the_same_screen(tablet, make_app, central_api, artifacts_dir):
    app = make_app()
    open_signed_in(tablet, app, central_api.url)
    # The form stays a readable column in the middle of a wide screen (a phone uses the full width).
    title = tablet.by_id("home-name").bounding_box()
    confirm = tablet.by_id("bed-confirm").bounding_box()
    assert title["x"] >= (820 - 640) / 2 and confirm["x"] >= (820 - 640) / 2
    assert tablet.by_id("bed-nursing-occupied-plus").bounding_box()["x"] < 820 - (820 - 640) / 2
    tablet.page.screenshot(path=str(artifacts_dir / "bed-state-tablet.png"))
