"""Issue 13 part 5 in headless Chromium: a keyboard user reaches "No change - confirm" in a few presses of Tab and
sees at a glance where the focus is, and a status change is announced to a screen reader (Flutter web speaks a
live region's new words through its aria-live element).

One signed-in manager's phone for the module (tests/support/shared_device.py): the first test only moves the
focus; the second confirms, which the first does not look at. They run in this order (the second's tap moves
Chrome's starting point for Tab).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from tests.support.auth import DEMO_USER
from tests.support.flet_ui import FletPage
from tests.support.shared_device import SharedDevice, signed_in_device
from tests.support.timing import scaled_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAX_TAB_PRESSES = 5  # to "No change - confirm" from the top of the bed state screen
# Everything Flutter web has announced (its polite and assertive live elements), joined.
ANNOUNCED = """() => [...document.querySelectorAll('[aria-live]')]
    .filter(e => !e.closest('flt-semantics-host')).map(e => e.textContent).join(' | ')"""
FOCUSED = """() => (document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || '')
    .trim()"""


@pytest.fixture(scope="module")
def manager(browser, tmp_path_factory):
    with signed_in_device(browser, tmp_path_factory.mktemp("manager"), DEMO_USER) as device:
        device.phone.wait_id_text("home-name", "Allingham House Care Centre")
        yield device


def picture(phone: FletPage, box: dict) -> Image.Image:
    return Image.open(io.BytesIO(phone.page.screenshot(clip=box))).convert("RGB")


def changed_share(before: Image.Image, after: Image.Image) -> float:
    """The share of pixels that changed clearly (any channel by more than 40 of 255)."""
    difference = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 40 else 0)
    return difference.histogram()[255] / (before.width * before.height)


def test_a_keyboard_user_reaches_no_change_confirm_in_a_few_presses_and_the_focus_stands_out(manager: SharedDevice):
    phone = manager.phone
    button = phone.page.get_by_role("button", name="No change - confirm")
    box = button.bounding_box()
    unfocused = picture(phone, box)
    phone.page.evaluate("document.activeElement && document.activeElement.blur()")
    focused, presses = "", 0
    while focused != "No change - confirm" and presses < 40:
        phone.page.keyboard.press("Tab")
        presses += 1
        focused = phone.page.evaluate(FOCUSED)
    assert focused == "No change - confirm", f"Tab never reached 'No change - confirm' (last: {focused!r})"
    assert presses <= MAX_TAB_PRESSES, f"{presses} presses of Tab to reach 'No change - confirm'"
    deadline = phone.page.evaluate("Date.now()") + scaled_ms(10_000)
    share = 0.0  # Flutter paints the focus a frame later: look until the button's picture has changed
    while share < 0.3 and phone.page.evaluate("Date.now()") < deadline:
        share = changed_share(unfocused, picture(phone, box))
        if share < 0.3:
            phone.page.wait_for_timeout(100)
    assert share >= 0.3, f"only {share:.0%} of the focused button's pixels changed: the focus is hard to see"


def test_a_status_change_is_announced(manager: SharedDevice):
    phone = manager.phone
    phone.wait_id_text("sync-status", "Sent ")
    phone.tap_id("bed-confirm")
    deadline = phone.page.evaluate("Date.now()") + scaled_ms(15_000)
    announced = ""
    while "Confirmed" not in announced and "Sent" not in announced \
            and phone.page.evaluate("Date.now()") < deadline:
        phone.page.wait_for_timeout(100)
        announced = phone.page.evaluate(ANNOUNCED)
    assert "Confirmed" in announced or "Sent" in announced, f"nothing announced (live elements: {announced!r})"
