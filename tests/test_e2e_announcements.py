"""Issue 13 part 5 in headless Chromium: where the keyboard focus is shows at a glance, and a status change is
announced to a screen reader (Flutter web speaks a live region's new words through its aria-live element)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from tests.support.auth import DEMO_PASSWORD, DEMO_USER
from tests.support.flet_ui import FletPage
from tests.support.timing import scaled_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Everything Flutter web has announced (its polite and assertive live elements), joined.
ANNOUNCED = """() => [...document.querySelectorAll('[aria-live]')]
    .filter(e => !e.closest('flt-semantics-host')).map(e => e.textContent).join(' | ')"""


def signed_in(phone: FletPage, make_app) -> None:
    phone.open(make_app("device").url)
    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")


def picture(phone: FletPage, box: dict) -> Image.Image:
    return Image.open(io.BytesIO(phone.page.screenshot(clip=box))).convert("RGB")


def changed_share(before: Image.Image, after: Image.Image) -> float:
    """The share of pixels that changed clearly (any channel by more than 40 of 255)."""
    difference = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 40 else 0)
    return difference.histogram()[255] / (before.width * before.height)


def test_the_focused_button_stands_out(phone: FletPage, make_app):
    signed_in(phone, make_app)
    button = phone.page.get_by_role("button", name="No change - confirm")
    box = button.bounding_box()
    unfocused = picture(phone, box)
    phone.page.evaluate("document.activeElement && document.activeElement.blur()")
    deadline = phone.page.evaluate("Date.now()") + scaled_ms(10_000)
    focused = ""
    while focused != "No change - confirm" and phone.page.evaluate("Date.now()") < deadline:
        phone.page.keyboard.press("Tab")
        focused = phone.page.evaluate("() => (document.activeElement?.getAttribute('aria-label')"
                                      " || document.activeElement?.textContent || '').trim()")
    assert focused == "No change - confirm"
    share = 0.0  # Flutter paints the focus a frame later: look until the button's picture has changed
    while share < 0.3 and phone.page.evaluate("Date.now()") < deadline:
        share = changed_share(unfocused, picture(phone, box))
        if share < 0.3:
            phone.page.wait_for_timeout(100)
    assert share >= 0.3, f"only {share:.0%} of the focused button's pixels changed: the focus is hard to see"


def test_a_status_change_is_announced(phone: FletPage, make_app):
    signed_in(phone, make_app)
    phone.wait_id_text("sync-status", "Sent ")
    phone.tap_id("bed-confirm")
    deadline = phone.page.evaluate("Date.now()") + scaled_ms(15_000)
    announced = ""
    while "Confirmed" not in announced and "Sent" not in announced \
            and phone.page.evaluate("Date.now()") < deadline:
        phone.page.wait_for_timeout(100)
        announced = phone.page.evaluate(ANNOUNCED)
    assert "Confirmed" in announced or "Sent" in announced, f"nothing announced (live elements: {announced!r})"
