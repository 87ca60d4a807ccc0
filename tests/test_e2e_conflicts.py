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

from domain.residents import AboutMe, Resident
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.devices import make_device

pytestmark = pytest.mark.browser

OFFICE_TEXT = "Her cat Biscuit and Radio 4 in the morning"
LOUNGE_TEXT = "Seeing her daughter on Sundays"


@pytest.fixture
def shared_keyring(tmp_path, monkeypatch):
    """The key store the lounge app process will use (its token and its data key), used here first."""
    import keyring

    from tests.support.keyring_backend import TestFileKeyring

    monkeypatch.setenv("CHC_TEST_KEYRING_FILE", str(tmp_path / "lounge-keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(TestFileKeyring())
    yield
    keyring.set_keyring(previous)


def written_on_two_devices(tmp_path, server_url: str) -> tuple[Resident, int]:
    """Office and lounge edit Margaret offline; the office syncs first. Returns her and the lounge's copy id."""
    margaret = Resident(home_id=DEMO_HOME, resident_id=uuid.uuid4().hex, given_name="Margaret",
                        family_name="Oyelaran-Whitfield", date_of_birth=date(1934, 3, 2))

    async def scenario():
        office, lounge = (make_device(tmp_path / name, server_url) for name in ("office", "lounge"))
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


@pytest.mark.usefixtures("shared_keyring")
def test_a_carer_keeps_her_version_of_a_record_changed_on_two_devices(phone, make_app, central_api, tmp_path,
                                                                       artifacts_dir):
    margaret, copy_id = written_on_two_devices(tmp_path, central_api.url)
    lounge = make_app("lounge")  # the tablet's own data and key store: signed in, the copy waiting
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
