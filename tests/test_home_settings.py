"""The manager's home settings: funding, the bed categories offered (the CQC-implied ones pre-ticked, her
correction then shown on the bed state screen), who discharge teams ask for; saved like every record and
accepted by the central API from the home's manager only."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from client.state.bed_state import BedStateScreen
from client.state.home_settings import HomeSettingsScreen, load_settings
from client.sync import CentralApi
from domain.beds import BedCategory
from domain.home_settings import Funding
from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD
from tests.support import aio
from tests.support.auth import bearer, sign_in, sign_in_token
from tests.support.central_inprocess import serving
from tests.support.devices import make_device
from tests.support.records import HOME_ID

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
SERVER = "http://central.test"


@pytest.fixture
def saves():
    return []


@pytest.fixture
def settings(store, saves):
    return HomeSettingsScreen(store, HOME_ID, "demo", on_saved=lambda: saves.append(1), now=lambda: NOW)


def test_the_categories_the_registration_implies_are_ticked_and_nothing_is_saved_yet(settings, store):
    assert settings.categories == {BedCategory.NURSING, BedCategory.NURSING_DEMENTIA}
    assert settings.categories_note == "As the CQC registration implies"
    assert settings.funding == set() and settings.changed_text == "Not saved yet"
    assert load_settings(store, HOME_ID) is None


def test_a_correction_is_saved_stamped_and_queued_and_the_bed_state_shows_exactly_those(settings, store, sync, saves):
    settings.set_funding(Funding.NHS_CHC, True)
    settings.set_funding(Funding.SELF_FUNDED, True)
    settings.set_category(BedCategory.NURSING_DEMENTIA, False)
    settings.set_category(BedCategory.SHORT_STAY, True)
    settings.manager_name, settings.contact_phone = "Grace Obi", "0161 912 2200"
    assert settings.save() and saves == [1] and not settings.message_is_error

    saved = load_settings(store, HOME_ID)
    assert saved.funding_accepted == (Funding.SELF_FUNDED, Funding.NHS_CHC)
    assert saved.bed_categories == (BedCategory.NURSING, BedCategory.SHORT_STAY)
    assert (saved.manager_name, saved.contact_phone) == ("Grace Obi", "0161 912 2200")
    assert (saved.changed_by, saved.changed_at) == ("demo", NOW)
    [queued] = sync.pending(10)
    assert queued.kind == "home_settings" and queued.record_id == f"{HOME_ID}/settings"
    assert settings.categories_note.startswith("Corrected by the home (the CQC registration implies: Nursing, ")

    beds = BedStateScreen(store, HOME_ID, now=lambda: NOW)
    assert [d.category for d in beds.categories] == [BedCategory.NURSING, BedCategory.SHORT_STAY]


def test_the_same_categories_as_the_registration_are_no_correction(settings, store):
    settings.set_funding("local_authority", True)
    assert settings.save()
    assert load_settings(store, HOME_ID).bed_categories is None


def test_no_category_or_a_phone_that_is_not_one_is_refused_and_nothing_is_stored(settings, store, sync):
    settings.set_category(BedCategory.NURSING, False)
    settings.set_category(BedCategory.NURSING_DEMENTIA, False)
    assert not settings.save()
    assert settings.message == "Not saved: tick at least one bed category the home offers"
    settings.set_category(BedCategory.NURSING, True)
    settings.contact_phone = "ring the office"
    assert not settings.save() and settings.message.startswith("Not saved: the phone number should be digits")
    settings.contact_phone, settings.manager_name = "", "x" * 201
    assert not settings.save() and settings.message.startswith("Not saved: Name to ask for can't be longer")
    assert sync.pending(10) == [] and load_settings(store, HOME_ID) is None


# -- synced: the manager's save is accepted by the central API, a carer's refused ------------------------------


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def device_of(client, tmp_path, username: str, password: str = DEMO_PASSWORD):
    transport = httpx.ASGITransport(app=client.app_ref)
    device = make_device(tmp_path / username, SERVER,
                         api_factory=lambda url, token: CentralApi(url, token, transport=transport))
    aio.run(device.session.sign_in(SERVER, username, password))
    assert aio.run(device.engine.sync_once())
    return device


def server_settings(client) -> dict | None:
    page = client.get("/sync/changes", params={"since": 0, "limit": 1000}, headers=sign_in(client, "demo")).json()
    found = [c for c in page["changes"] if c["kind"] == "home_settings"]
    return found[-1]["data"] if found else None


@pytest.mark.usefixtures("memory_keyring")
def test_the_managers_settings_reach_the_central_api_and_a_carers_are_refused(client, tmp_path):
    manager = device_of(client, tmp_path, "demo")
    screen = HomeSettingsScreen(manager.store, DEMO_HOME_ID, "demo", on_saved=manager.engine.local_change)
    screen.set_funding(Funding.NHS_CHC, True)
    screen.contact_phone = "0161 980 1234"
    assert screen.save()
    assert aio.run(manager.engine.sync_once()) and manager.store.pending_count() == 0
    on_server = server_settings(client)
    assert on_server["funding_accepted"] == ["nhs_chc"] and on_server["contact_phone"] == "0161 980 1234"
    assert on_server["changed_by"] == "demo"

    # A carer of the same home (registered with the manager's invite) may not change them.
    code = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID},
                       headers=bearer(sign_in_token(client, "demo"))).json()["invite_code"]
    assert client.post("/accounts/register", json={"invite_code": code, "username": "carer.one",
                                                   "display_name": "Carer One",
                                                   "password": "a long passphrase"}).status_code == 201
    carer = device_of(client, tmp_path, "carer.one", "a long passphrase")
    theirs = HomeSettingsScreen(carer.store, DEMO_HOME_ID, "carer.one")
    assert theirs.funding == {Funding.NHS_CHC}  # the manager's, synced to the home's devices
    theirs.set_funding(Funding.SELF_FUNDED, True)
    assert theirs.save()
    aio.run(carer.engine.sync_once())
    [refused] = carer.store.sync_log(5)
    assert refused.kind == "home_settings" and refused.status == "rejected"
    assert server_settings(client)["funding_accepted"] == ["nhs_chc"]
    assert HomeSettingsScreen(carer.store, DEMO_HOME_ID, "carer.one").funding == {Funding.NHS_CHC}
    for device in (manager, carer):
        device.close()
