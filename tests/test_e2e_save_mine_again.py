"""A lost bed change saved again with one tap while sync ticks keep coming (headless Chromium, real processes).

The manager's phone saves Nursing dementia beds while its network is down; meanwhile the office computer saves the
same category and gets there first. When the phone's network is back, its change loses: the bed state screen shows
what she entered beside what the office saved, with "Save mine again". The app syncs every 0.2 s, so the screen is
refreshed several times a second: before, each refresh replaced the button, and Flet dropped a tap (or a keyboard
user's place) on the control that was gone - some of the time, so this is the person's path, not the proof: the
identity tests (tests/test_sync_ticks_keep_controls.py) are what fail on the old code every time.
"""

from __future__ import annotations

import time

import pytest

from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.devices import make_device
from tests.support.fault_proxy import FaultProxy
from tests.support.timing import scaled_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("memory_keyring")]

CATEGORY = "nursing_dementia"
COUNT = f"bed-{CATEGORY}-vacant_accepting"
MAX_TAB_PRESSES = 6  # the first count's field, its minus, "OK, I have checked", Save mine again
TICK_S = 0.2  # the app's sync interval here: a sync status, so a screen refresh, several times a second
# Whether the control with this semantics identifier has the keyboard focus (the browser's focus follows Flutter's).
FOCUSED = """identifier => {
    const node = document.activeElement && document.activeElement.closest('[flt-semantics-identifier]');
    return node !== null && node.getAttribute('flt-semantics-identifier') === identifier;
}"""


def office_saves_first(tmp_path, server_url: str) -> int:
    """The office computer takes one off Nursing dementia's vacancies and sends it. Returns what it saved."""

    async def scenario() -> int:
        office = make_device(tmp_path / "office", server_url)
        try:
            await office.session.sign_in(server_url, DEMO_USER, DEMO_PASSWORD)
            assert await office.engine.sync_once()
            screen = office.screen(DEMO_HOME)
            screen.decrement(CATEGORY, "vacant_accepting")
            assert screen.save() and await office.engine.sync_once()
            return screen.draft(CATEGORY).counts["vacant_accepting"]
        finally:
            await office.session.api().aclose()
            office.close()

    return aio.run(scenario())


def rounds(proxy: FaultProxy) -> int:
    """Sync rounds the phone has finished (each pulls once)."""
    return sum(1 for r in proxy.requests(path_prefix="/sync/changes") if r.fault == "pass")


def wait_rounds(proxy: FaultProxy, count: int) -> None:
    deadline, goal = time.monotonic() + scaled_ms(10_000) / 1000, rounds(proxy) + count
    while rounds(proxy) < goal:
        assert time.monotonic() < deadline, "the phone stopped syncing"
        time.sleep(0.05)


def tab_back_to(phone, identifier: str) -> None:
    """From the first count's field (a click gives Flutter's own focus to it), Shift+Tab up to the control, as a
    keyboard user goes. (Tab from nowhere walks the browser's order of the page first: a focus Flutter does not
    hold, dropped at its next redraw whatever the screen does.)"""
    phone.by_id("bed-nursing-max_capacity-value").locator("input").first.click()
    for _ in range(MAX_TAB_PRESSES):
        if phone.page.evaluate(FOCUSED, identifier):
            return
        phone.page.keyboard.press("Shift+Tab")
    raise AssertionError(f"Shift+Tab never reached {identifier}")


def test_one_tap_on_save_mine_again_saves_her_change_while_sync_ticks_keep_coming(phone, make_app, central_api, api,
                                                                                  tmp_path):
    with FaultProxy.to(central_api.url) as proxy:
        app = make_app("phone", server_url=proxy.url, poll_interval=TICK_S)
        phone.open(app.url)
        phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
        before = api.beds(CATEGORY)["vacant_accepting"]

        proxy.set_mode("refuse")  # the phone's network is down: her save waits on the phone
        phone.tap_id(f"{COUNT}-minus")
        phone.tap_id(f"{COUNT}-minus")
        phone.wait_enabled("bed-save")
        phone.tap_id("bed-save")
        phone.wait_id_text("save-message", "Saved")
        entered = before - 2
        theirs = office_saves_first(tmp_path, central_api.url)
        proxy.set_mode("pass")
        phone.tap_button("Sync now")  # rather than wait for the back-off after the refused rounds

        # What she entered beside what the office saved, and the status line says it was not applied.
        phone.wait_text(f"Vacant accepting admissions: you entered {entered} - the other device saved {theirs}")
        phone.wait_id_text("sync-status", "Not applied")
        save_mine = phone.page.locator('[flt-semantics-identifier^="save-mine-"]').first
        identifier = save_mine.get_attribute("flt-semantics-identifier")

        # A keyboard user reaches the button (Shift+Tab from the counts below it) and stays on it through sync ticks.
        tab_back_to(phone, identifier)
        wait_rounds(proxy, 5)  # ten sync statuses, ten screen refreshes
        assert phone.page.evaluate(FOCUSED, identifier), "a sync tick took the focus off Save mine again"

        # One tap, while the ticks keep coming: hers is saved again and sent.
        save_mine.get_by_role("button").click()
        phone.wait_id_text("sync-status", "Sent ", timeout=15_000)
        assert phone.page.locator('[flt-semantics-identifier^="save-mine-"]').count() == 0
        assert api.beds(CATEGORY)["vacant_accepting"] == entered
