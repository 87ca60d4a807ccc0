"""A record changed on two devices, chosen by a person in the real UI (headless Chromium, real processes).

Two carers write Margaret's "what matters to me" differently while offline,
on the office computer and on the lounge tablet; the office's reaches the
central API first. On the lounge tablet the red bag then says a record was
changed on two devices; the carer reads both versions and keeps hers, and it
reaches the office too.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from client.context import build_browser_context, new_browser_secret
from domain.residents import AboutMe, Resident
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.devices import make_device

pytestmark = pytest.mark.browser

OFFICE_TEXT = "Her cat Biscuit and Radio 4 in the morning"
LOUNGE_TEXT = "Seeing her daughter on Sundays"


def written_on_two_devices(tmp_path, server_url: str, lounge_secret: str) -> tuple[Resident, int]:
    """Office and lounge edit Margaret offline; the office syncs first. Returns her and the lounge's copy id.

    The lounge tablet is a browser of the lounge app (web mode): its folder, sealed with its secret.
    """
    margaret = Resident(home_id=DEMO_HOME, resident_id=uuid.uuid4().hex, given_name="Margaret",
                        family_name="Oyelaran-Whitfield", date_of_birth=date(1934, 3, 2))

    async def scenario():
        office = make_device(tmp_path / "office", server_url)
        lounge = build_browser_context(tmp_path / "lounge", lounge_secret, server_url)
        for device in (office, lounge):
            await device.session.sign_in(server_url, DEMO_USER, DEMO_PASSWORD)
        office.store.save("resident", [margaret])
        assert await office.engine.sync_once() and await lounge.engine.sync_once()
        for device, text in ((office, OFFICE_TEXT), (lounge, LOUNGE_TEXT)):
            device.store.save("resident", [margaret.model_copy(update={"about_me": AboutMe(what_matters_to_me=text)})])
        assert await office.engine.sync_once() and await lounge.engine.sync_once()
        [copy] = lounge.store.conflict_copies(DEMO_HOME)
        for device in (office, lounge):
            await device.session.api().aclose()
            device.close()
        return copy.id

    return margaret, aio.run(scenario())


def what_matters_on_the_office(tmp_path, server_url: str, margaret: Resident) -> str:
    async def sync_and_read():
        office = make_device(tmp_path / "office", server_url)
        try:
            assert await office.engine.sync_once()
            return office.store.record("resident", margaret.record_id).data["about_me"]["what_matters_to_me"]
        finally:
            await office.session.api().aclose()
            office.close()

    return aio.run(sync_and_read())


@pytest.mark.usefixtures("memory_keyring")
def test_a_carer_keeps_her_version_of_a_record_changed_on_two_devices(phone, make_app, central_api, tmp_path,
                                                                       artifacts_dir):
    lounge_secret = new_browser_secret()
    margaret, copy_id = written_on_two_devices(tmp_path, central_api.url, lounge_secret)
    lounge = make_app("lounge")  # the tablet's browser signed in there before: the copy waiting
    phone.give_browser_secret(lounge_secret)
    phone.open(lounge.url)
    phone.wait_id_text("home-name", "Allingham House Care Centre", timeout=20_000)

    phone.tap_id("open-red-bag")
    phone.wait_id_text("conflict-notice", "1 record was changed on two devices: choose which to keep")
    phone.tap_id("conflict-open")
    phone.wait_id_text(f"conflict-title-{copy_id}", "Resident details: Margaret Oyelaran-Whitfield")
    phone.wait_text(f"Yours: {LOUNGE_TEXT}")
    phone.wait_text(f"Other device: {OFFICE_TEXT}")
    phone.page.screenshot(path=str(artifacts_dir / "conflicts-phone.png"))

    phone.tap_id(f"keep-mine-{copy_id}")
    phone.wait_id_text("conflicts-message", "Kept your version of Margaret Oyelaran-Whitfield")
    phone.wait_text("Nothing to choose")
    phone.tap_id("conflicts-back")
    phone.wait_id_text("resident-summary", "1 resident")
    assert phone.by_id("conflict-notice").count() == 0  # nothing left to choose: the notice is gone

    # The tablet sends it on the office's version; the office receives it.
    phone.tap_id(f"resident-{margaret.resident_id}")
    phone.wait_id_text("sync-status", "Sent ", timeout=15_000)
    lounge.stop()
    assert what_matters_on_the_office(tmp_path, central_api.url, margaret) == LOUNGE_TEXT
