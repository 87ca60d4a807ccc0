"""Issue 12, acceptance 3 in the real UI (headless Chromium against real app and central API processes): the
workforce section stays folded; opened, a bad headcount shows its message under the field and Save refuses
the whole update; corrected, one Save sends the bed change and the workforce together."""

import httpx
import pytest

from tests.support import timing
from tests.support.auth import DEMO_HOME
from tests.support.waiting import wait_until
from tests.test_e2e_bed_state import open_signed_in

pytestmark = pytest.mark.browser


def workforce_on_the_api(api) -> dict | None:
    answer = httpx.get(f"{api.url}/sync/changes", params={"since": 0, "limit": 1000}, headers=api.headers(),
                       timeout=timing.scaled(5))
    answer.raise_for_status()
    found = [c["data"] for c in answer.json()["changes"] if c["kind"] == "workforce"]
    return found[-1] if found else None


def scrolled_to(phone, field) -> bool:
    box = field.bounding_box()
    if box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 680:
        return True
    phone.page.mouse.move(195, 300)
    phone.page.mouse.wheel(0, 300)
    return False


def test_a_bad_headcount_refuses_the_save_and_a_good_one_goes_with_the_beds(phone, make_app, central_api, api):
    app = make_app()
    open_signed_in(phone, app, central_api.url)
    assert phone.by_id("workforce-care_workers_agency-value").count() == 0  # folded: not on the screen

    phone.tap_id("workforce")
    field = phone.by_id("workforce-care_workers_agency-value").locator("input")
    field.wait_for(timeout=timing.scaled_ms(10_000))
    # Flutter draws on a canvas: scroll the form itself until the field is on screen (a click where it is not
    # drawn yet would land on whatever is, e.g. a + above it).
    wait_until(lambda: scrolled_to(phone, field), timeout=10, what="the workforce field on screen")
    phone.type_into(field, "-2")
    phone.wait_id_text("workforce-care_workers_agency-error", "Care workers (agency) can't be less than 0")
    assert phone.by_id("bed-save").get_by_role("button").get_attribute("aria-disabled") == "true"

    phone.type_into(field, "3")
    phone.by_id("workforce-care_workers_agency-error").wait_for(state="detached", timeout=timing.scaled_ms(10_000))
    phone.page.mouse.wheel(0, -3000)  # back up to the beds
    before = api.beds("nursing_dementia")
    phone.tap_id("bed-nursing_dementia-vacant_accepting-minus")
    phone.wait_enabled("bed-save")
    phone.tap_id("bed-save")
    stored = wait_until(lambda: workforce_on_the_api(api), timeout=10, what="the workforce on the central API")
    assert stored["care_workers_agency"] == 3 and stored["home_id"] == DEMO_HOME
    assert api.beds("nursing_dementia")["vacant_accepting"] == before["vacant_accepting"] - 1
    phone.wait_id_text("save-message", "and the workforce")
