"""Two devices and a real central API process: what one saves, the other receives."""

import pytest

from client.credentials import CredentialStore
from client.session import SessionManager
from client.state.bed_state import BedStateScreen
from client.store import open_device_store
from client.sync import SyncEngine, SyncState
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER

pytestmark = pytest.mark.usefixtures("memory_keyring")


def device(tmp_path, name, url):
    store, sync = open_device_store(tmp_path / name)
    session = SessionManager(store, CredentialStore(), url)
    return store, session, SyncEngine(sync, session, page_size=3)


def test_a_change_on_one_device_reaches_the_other(tmp_path, central_api, api):
    async def scenario():
        a_store, a_session, a_engine = device(tmp_path, "tablet", central_api.url)
        b_store, b_session, b_engine = device(tmp_path, "phone", central_api.url)
        for session in (a_session, b_session):
            await session.sign_in(central_api.url, DEMO_USER, DEMO_PASSWORD)
        assert await a_engine.sync_once() and await b_engine.sync_once()
        # Pages of 3: the first sync took several pages and ended with everything.
        assert a_store.record("care_home", DEMO_HOME) is not None
        assert len(a_store.records("bed_count", DEMO_HOME)) == 2

        screen = BedStateScreen(a_store, DEMO_HOME)
        before = screen.draft("nursing_dementia").counts["vacant_accepting"]
        screen.decrement("nursing_dementia", "vacant_accepting")
        assert screen.save()
        assert a_store.pending_count() == 2  # the bed count and the confirmation
        assert await a_engine.sync_once()
        assert a_engine.status.state is SyncState.IDLE and a_engine.status.pending == 0

        assert await b_engine.sync_once()
        b_screen = BedStateScreen(b_store, DEMO_HOME)
        assert b_screen.draft("nursing_dementia").counts["vacant_accepting"] == before - 1
        assert b_screen.confirmed_line().startswith("Last confirmed today")
        for store in (a_store, b_store):
            store.close()
        return before

    before = aio.run(scenario())
    assert api.beds("nursing_dementia")["vacant_accepting"] == before - 1


def test_another_account_on_the_device_pulls_its_own_home_from_the_start(tmp_path, central_api):
    other_home = "1-466088203"  # 10 Spennithorne Road

    async def scenario():
        store, session, engine = device(tmp_path, "shared-tablet", central_api.url)
        await session.sign_in(central_api.url, DEMO_USER, DEMO_PASSWORD)
        assert await engine.sync_once()
        assert int(store.get_meta("pull_cursor")) > 0
        await session.sign_in(central_api.url, f"manager-{other_home}", DEMO_PASSWORD)
        assert store.get_meta("pull_cursor") is None  # the next pull starts from the beginning
        assert await engine.sync_once()
        homes = {r.id for r in store.records("care_home")}
        store.close()
        return homes

    assert other_home in aio.run(scenario())
