"""The sharing choices on the home settings screen (issue 12, part 5): plain words for each option, the national
defaults until the manager chooses, saved with the settings only when they changed, synced, and then enforced
by the central API (the public counts)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from client.state.home_settings import HomeSettingsScreen, load_sharing
from client.sync import CentralApi
from domain.sharing import ALWAYS_SHARED, OPTIONS, Audience, SharedData
from server_stub.demo_data import DEMO_HOME_ID
from tests.support import aio
from tests.support.auth import sign_in
from tests.support.central_inprocess import serving
from tests.support.devices import make_device
from tests.support.records import HOME_ID

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
SERVER = "http://central.test"
PUBLIC = "bed_state-public"
NEIGHBOURS = "bed_state-neighbouring_discharge_teams"


@pytest.fixture
def settings(store):
    return HomeSettingsScreen(store, HOME_ID, "demo", now=lambda: NOW)


def test_nothing_beyond_commissioners_is_ticked_until_the_manager_chooses_and_each_option_is_in_plain_words(settings):
    assert [ticked for _, ticked in settings.sharing_options] == [False] * len(OPTIONS)
    assert settings.always_shared == ALWAYS_SHARED and "always see your bed state" in ALWAYS_SHARED
    assert settings.sharing_changed_text == "Not chosen yet: commissioners only"
    for option, _ in settings.sharing_options:
        assert "_" not in option.label and option.label[0].isupper()
    assert {o.key for o in OPTIONS} == {PUBLIC, NEIGHBOURS, "bed_state-research", "digital_readiness-research"}


def test_a_choice_is_saved_stamped_and_queued_with_the_settings(settings, store, sync):
    settings.set_sharing(PUBLIC, True)
    settings.set_sharing(NEIGHBOURS, True)
    settings.set_sharing(NEIGHBOURS, False)
    assert settings.save() and not settings.message_is_error
    saved = load_sharing(store, HOME_ID)
    assert saved.bed_state == (Audience.PUBLIC,) and saved.digital_readiness == ()
    assert saved.shares(SharedData.BED_STATE, Audience.PUBLIC)
    assert (saved.changed_by, saved.changed_at) == ("demo", NOW)
    assert sorted(entry.kind for entry in sync.pending(10)) == ["home_settings", "sharing"]
    assert dict((o.key, t) for o, t in settings.sharing_options)[PUBLIC]
    assert settings.sharing_changed_text.startswith("Changed by demo")


def test_a_save_that_does_not_change_the_choices_sends_none(settings, store, sync):
    settings.set_sharing(PUBLIC, True)
    settings.set_sharing(PUBLIC, False)
    assert settings.save()
    assert load_sharing(store, HOME_ID) is None
    assert [entry.kind for entry in sync.pending(10)] == ["home_settings"]


@pytest.mark.usefixtures("memory_keyring")
def test_the_managers_choice_reaches_the_central_api_which_counts_her_home_publicly(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as client:
        transport = httpx.ASGITransport(app=client.app_ref)
        device = make_device(tmp_path / "demo", SERVER,
                             api_factory=lambda url, token: CentralApi(url, token, transport=transport))
        aio.run(device.session.sign_in(SERVER, "demo", "carehome-demo"))
        assert aio.run(device.engine.sync_once())
        assert client.get("/public/vacancies").json()["counts"] == []

        screen = HomeSettingsScreen(device.store, DEMO_HOME_ID, "demo", on_saved=device.engine.local_change)
        screen.set_sharing(PUBLIC, True)
        assert screen.save()
        assert aio.run(device.engine.sync_once()) and device.store.pending_count() == 0
        counts = client.get("/public/vacancies").json()["counts"]
        assert counts and {c["local_authority"] for c in counts} == {"Trafford"}
        audit = client.get("/accounts/audit", params={"subject": DEMO_HOME_ID}, headers=sign_in(client, "admin"))
        assert [e["actor"] for e in audit.json() if e["action"] == "sharing_changed"] == ["demo"]
        device.close()


def test_the_settings_view_shows_each_option_and_forwards_a_tick(settings):
    from client.views.home_settings_view import HomeSettingsView
    from client.views.widgets import checkbox_label

    view = HomeSettingsView(settings, on_back=lambda: None)
    assert set(view.sharing) == {o.key for o in OPTIONS}
    assert [checkbox_label(box) for box in view.sharing.values()] == [o.label for o in OPTIONS]
    settings.set_sharing(PUBLIC, True)
    view.render(update=False)
    assert view.sharing[PUBLIC].value is True and view.sharing[NEIGHBOURS].value is False
