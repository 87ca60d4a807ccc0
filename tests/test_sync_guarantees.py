"""The sync guarantees (shared/sync-guarantees.md) against a real central API process.

Devices are in-process (store, session, engine) so a test can hold several and
stop time where it matters; every byte still goes over HTTP to a real server.
"""

import json
import math
import os
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from client.sync import CentralApi, SyncState
from domain.beds import BedCount
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.devices import make_device
from tests.support.server_process import start_server
from tests.support.timing import scaled
from tests.support.waiting import eventually

pytestmark = [pytest.mark.usefixtures("memory_keyring"), pytest.mark.slow]  # real server processes


def server_applied(server) -> dict[str, str]:
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT mutation_id, json_extract(result, '$.status') FROM applied_mutations").fetchall()
    return dict(rows)


def outbox(device) -> list[tuple[str, str, str]]:
    return device.store.db.execute("SELECT mutation_id, kind, status FROM outbox ORDER BY seq").fetchall()


async def signed_in(device, url):
    await device.session.sign_in(url, DEMO_USER, DEMO_PASSWORD)
    assert await device.engine.sync_once()
    return device


def bed(category="nursing", **counts):
    values = {"max_capacity": 21, "occupied": 15, "vacant_reserved": 1, "vacant_accepting": 5, **counts}
    return BedCount(home_id=DEMO_HOME, category=category, **values)


# -- 5. one poison change among five -----------------------------------------------


def test_a_poison_change_among_five_is_refused_visibly_and_the_other_four_apply(tmp_path, central_api, api):
    async def scenario():
        device = await signed_in(make_device(tmp_path / "d", central_api.url), central_api.url)
        store = device.store
        store.save("bed_count", [bed(vacant_accepting=4)])
        store.save("bed_count", [bed(vacant_accepting=3)])
        # The demo home is a nursing home: the server refuses residential beds every time.
        store.save("bed_count", [bed("residential", vacant_accepting=2)])
        store.save("bed_count", [bed(vacant_accepting=2)])
        store.save("bed_count", [bed("nursing_dementia", max_capacity=15, occupied=4, vacant_reserved=0,
                                     vacant_accepting=11)])
        assert await device.engine.sync_once()
        return device

    device = aio.run(scenario())
    statuses = [status for _, _, status in outbox(device)]
    assert statuses == ["applied", "applied", "rejected", "applied", "applied"]
    assert api.beds("nursing")["vacant_accepting"] == 2 and api.beds("nursing_dementia")["vacant_accepting"] == 11
    [notice] = device.screen(DEMO_HOME).notices
    assert notice == "Refused: Allingham House Care Centre does not offer Residential beds"
    assert device.store.record("bed_count", f"{DEMO_HOME}/residential") is None  # the refused edit is undone
    assert device.store.pending_count() == 0


# -- 6. short-lived tokens over a long run --------------------------------------------

class CountingApi:
    """Counts the central API's answers by status code, as the device saw them."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def factory(self, url, token):
        async def record(response):
            self.statuses.append(response.status_code)

        api = CentralApi(url, token)
        api._client.event_hooks["response"].append(record)
        return api


def test_tokens_that_expire_every_few_seconds_lose_no_write_and_never_loop(tmp_path):
    # CHC_LONG_RUN=1 runs the figures: tokens of 30 s over three minutes.
    long_run = os.environ.get("CHC_LONG_RUN") == "1"
    ttl, duration = (30, 180) if long_run else (2, 10)
    server = start_server(tmp_path / "central.sqlite3", extra_args=("--token-ttl-seconds", str(ttl)))
    counting = CountingApi()

    async def scenario():
        import asyncio

        device = make_device(tmp_path / "d", server.url, api_factory=counting.factory, poll_interval=0.3,
                             debounce=0.05, max_backoff=0.5)
        await signed_in(device, server.url)
        task = asyncio.create_task(device.engine.run())
        saved = 0
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            saved += 1
            device.screen(DEMO_HOME).store.save("bed_count", [bed(vacant_accepting=saved % 6)])
            device.engine.local_change()
            await asyncio.sleep(0.25)
        await eventually(lambda: device.store.pending_count() == 0, timeout=10, interval=0.1, what="queue drained")
        task.cancel()
        return device, saved

    try:
        device, saved = aio.run(scenario())
        applied = server_applied(server)
    finally:
        server.stop()
    sent = [m for m, kind, status in outbox(device) if status == "applied"]
    assert len(sent) == saved and set(sent) == set(applied)  # every write, once
    assert device.engine.status.state is not SyncState.SIGNED_OUT
    refusals = counting.statuses.count(401)
    # At most one refused request per token lifetime (then a refresh), never a loop.
    assert 1 <= refusals <= duration / ttl + 2, counting.statuses


def test_offline_with_an_expired_token_local_saves_still_work(tmp_path):
    server = start_server(tmp_path / "central.sqlite3", extra_args=("--token-ttl-seconds", "1"))

    async def scenario(step):
        return await step()

    device = make_device(tmp_path / "d", server.url)
    try:
        aio.run(signed_in(device, server.url))
        server.stop()
        time.sleep(1.2)  # the access token expires while the server is away
        device.store.save("bed_count", [bed(vacant_accepting=1)])
        assert aio.run(device.engine.sync_once()) is False
        assert device.engine.status.state is SyncState.OFFLINE and device.store.pending_count() == 1
        server.start()
        assert aio.run(device.engine.sync_once()) is True  # refreshed by itself, then sent
        assert device.store.pending_count() == 0
        assert device.session.current().token is not None
    finally:
        server.stop()


def test_a_refused_refresh_asks_for_sign_in_once_and_keeps_the_change(tmp_path):
    # Long enough for the sign-in and its first sync on a loaded machine, short enough to wait out.
    lifetime = math.ceil(scaled(2))
    server = start_server(tmp_path / "central.sqlite3", extra_args=(
        "--token-ttl-seconds", str(lifetime), "--refresh-token-ttl-seconds", str(lifetime)))
    counting = CountingApi()
    device = make_device(tmp_path / "d", server.url, api_factory=counting.factory)
    try:
        issued = time.monotonic()
        aio.run(signed_in(device, server.url))
        # Waiting for time itself to pass: both tokens expire, only signing in again helps.
        time.sleep(max(0.0, issued + lifetime + 0.2 - time.monotonic()))
        device.store.save("bed_count", [bed(vacant_accepting=1)])
        assert aio.run(device.engine.sync_once()) is True
        assert aio.run(device.engine.sync_once()) is True
        assert device.engine.status.state is SyncState.SIGNED_OUT
        assert counting.statuses.count(401) == 2  # the push, the refresh; then nothing until sign-in
        assert device.store.pending_count() == 1
        aio.run(device.session.sign_in(server.url, DEMO_USER, DEMO_PASSWORD))
        assert aio.run(device.engine.sync_once()) and device.store.pending_count() == 0
    finally:
        server.stop()


# -- 7. two devices, one bed category ---------------------------------------------------


def test_same_category_edited_offline_on_two_devices_the_rule_decides_and_both_converge(tmp_path, central_api, api):
    async def scenario():
        tablet = await signed_in(make_device(tmp_path / "tablet", central_api.url), central_api.url)
        phone = await signed_in(make_device(tmp_path / "phone", central_api.url), central_api.url)
        # Both offline: each edits Nursing on the version it has.
        tablet_screen, phone_screen = tablet.screen(DEMO_HOME), phone.screen(DEMO_HOME)
        tablet_screen.set_text("nursing", "occupied", "19")
        phone_screen.set_text("nursing", "occupied", "18")
        assert tablet_screen.save() and phone_screen.save()
        # The tablet reaches the server first; the phone's edit was made on an older version.
        assert await tablet.engine.sync_once()
        assert await phone.engine.sync_once()
        assert await tablet.engine.sync_once()
        return tablet, phone

    tablet, phone = aio.run(scenario())
    assert api.beds("nursing")["occupied"] == 19
    for device in (tablet, phone):
        assert device.store.record("bed_count", f"{DEMO_HOME}/nursing").data["occupied"] == 19
        assert device.store.pending_count() == 0
    phone_screen = phone.screen(DEMO_HOME)
    assert phone_screen.draft("nursing").counts["occupied"] == 19
    [notice] = phone_screen.notices
    assert notice.startswith("Not applied: Another device changed Nursing beds")
    assert tablet.screen(DEMO_HOME).notices == []
    # The phone's user re-confirms on the winning numbers: it now applies.
    phone_screen.dismiss_notices()
    assert phone.screen(DEMO_HOME).notices == []
    phone_screen.set_text("nursing", "occupied", "18")
    assert phone_screen.save() and aio.run(phone.engine.sync_once())
    assert api.beds("nursing")["occupied"] == 18


def test_different_categories_edited_on_two_devices_both_survive(tmp_path, central_api, api):
    async def scenario():
        tablet = await signed_in(make_device(tmp_path / "tablet", central_api.url), central_api.url)
        phone = await signed_in(make_device(tmp_path / "phone", central_api.url), central_api.url)
        tablet_screen, phone_screen = tablet.screen(DEMO_HOME), phone.screen(DEMO_HOME)
        tablet_screen.set_text("nursing", "occupied", "19")
        phone_screen.set_text("nursing_dementia", "occupied", "5")
        assert tablet_screen.save() and phone_screen.save()
        for device in (phone, tablet, phone):
            assert await device.engine.sync_once()
        return tablet, phone

    tablet, phone = aio.run(scenario())
    assert api.beds("nursing")["occupied"] == 19 and api.beds("nursing_dementia")["occupied"] == 5
    for device in (tablet, phone):
        screen = device.screen(DEMO_HOME)
        assert screen.draft("nursing").counts["occupied"] == 19
        assert screen.draft("nursing_dementia").counts["occupied"] == 5
        assert screen.notices == []


# -- 8. device clocks a day off ---------------------------------------------------------------


def test_device_clocks_a_day_fast_or_slow_change_nothing(tmp_path, central_api, api):
    day = timedelta(days=1)

    def fast():
        return datetime.now(timezone.utc) + day

    def slow():
        return datetime.now(timezone.utc) - day

    async def scenario():
        ahead = await signed_in(make_device(tmp_path / "ahead", central_api.url, now=fast), central_api.url)
        behind = await signed_in(make_device(tmp_path / "behind", central_api.url, now=slow), central_api.url)
        # The device whose clock is ahead saves first; the one behind saves later, on the newer version.
        ahead_screen = ahead.screen(DEMO_HOME)
        ahead_screen.set_text("nursing", "occupied", "19")
        assert ahead_screen.save() and await ahead.engine.sync_once()
        assert await behind.engine.sync_once()
        behind_screen = behind.screen(DEMO_HOME)
        behind_screen.set_text("nursing", "occupied", "17")
        assert behind_screen.save() and await behind.engine.sync_once()
        assert await ahead.engine.sync_once()
        return ahead, behind

    started = datetime.now(timezone.utc)
    ahead, behind = aio.run(scenario())
    state = api.bed_state()
    assert api.beds("nursing")["occupied"] == 17  # the later save wins, whatever the clocks say
    confirmed = datetime.fromisoformat(state["status"]["confirmed_at"])
    assert abs(confirmed - started) < timedelta(minutes=1)  # stamped by the server's clock
    for device in (ahead, behind):
        screen = device.screen(DEMO_HOME)
        assert screen.draft("nursing").counts["occupied"] == 17
        assert screen.confirmed_line().endswith("- fresh")  # ages use the server's clock
        assert screen.notices == []


# -- deletes: tombstones, clean-up, reset -----------------------------------------------------------


def test_a_device_offline_past_the_clean_up_horizon_resets_keeps_its_edits_and_converges(tmp_path):
    server = start_server(tmp_path / "central.sqlite3")
    try:
        async def before_cleanup():
            away = await signed_in(make_device(tmp_path / "away", server.url), server.url)
            other = await signed_in(make_device(tmp_path / "other", server.url), server.url)
            other.store.delete("bed_count", f"{DEMO_HOME}/nursing_dementia")
            assert await other.engine.sync_once()
            away.store.save("bed_count", [bed(occupied=12)])  # made offline, not yet sent
            return away

        away = aio.run(before_cleanup())
        cursor_before = int(away.store.get_meta("pull_cursor"))
        server.stop()
        server.extra_args = ("--tombstone-retention-seconds", "0")
        server.start()  # the clean-up runs at start: the delete is forgotten

        headers = sign_in(server.url)
        gone = httpx.get(f"{server.url}/sync/changes", params={"since": cursor_before}, headers=headers)
        assert gone.status_code == 410

        assert aio.run(away.engine.sync_once())
        assert away.store.pending_count() == 0
        ids = {r.id for r in away.store.records("bed_count", DEMO_HOME)}
        assert ids == {f"{DEMO_HOME}/nursing"}  # the deleted category is gone here too
        assert away.store.record("bed_count", f"{DEMO_HOME}/nursing").data["occupied"] == 12
        state = httpx.get(f"{server.url}/homes/{DEMO_HOME}/bed-state", headers=headers).json()
        assert [(b["category"], b["occupied"]) for b in state["beds"]] == [("nursing", 12)]
    finally:
        server.stop()


def test_a_deleted_record_does_not_come_back(tmp_path, central_api):
    async def scenario():
        first = await signed_in(make_device(tmp_path / "first", central_api.url), central_api.url)
        second = await signed_in(make_device(tmp_path / "second", central_api.url), central_api.url)
        first.store.delete("bed_count", f"{DEMO_HOME}/nursing_dementia")
        # A pull before the delete is sent must not resurrect it on this device.
        assert first.store.record("bed_count", f"{DEMO_HOME}/nursing_dementia") is None
        assert await first.engine.sync_once()
        assert await second.engine.sync_once()
        assert await first.engine.sync_once()
        return first, second

    first, second = aio.run(scenario())
    for device in (first, second):
        assert {r.id for r in device.store.records("bed_count")} == {f"{DEMO_HOME}/nursing"}
    assert json.loads(first.store.get_meta("pull_cursor")) == json.loads(second.store.get_meta("pull_cursor"))


def test_a_record_deleted_on_one_device_can_be_created_again_on_another(tmp_path, central_api, api):
    async def scenario():
        first = await signed_in(make_device(tmp_path / "first", central_api.url), central_api.url)
        second = await signed_in(make_device(tmp_path / "second", central_api.url), central_api.url)
        first.store.delete("bed_count", f"{DEMO_HOME}/nursing")
        assert await first.engine.sync_once()
        assert await second.engine.sync_once()  # the tombstone arrives
        assert second.store.record("bed_count", f"{DEMO_HOME}/nursing") is None
        second.store.save("bed_count", [bed(occupied=9)])
        assert await second.engine.sync_once()
        assert await first.engine.sync_once()
        return first, second

    first, second = aio.run(scenario())
    assert [status for _, _, status in outbox(second)] == ["applied"]
    assert api.beds("nursing")["occupied"] == 9
    assert first.store.record("bed_count", f"{DEMO_HOME}/nursing").data["occupied"] == 9


# -- signing out ---------------------------------------------------------------------------------------------


def test_sign_out_sends_first_or_discards_on_request_and_leaves_no_personal_data(tmp_path, central_api):
    from client.session import UnsentChanges

    device = make_device(tmp_path / "d", central_api.url)
    aio.run(signed_in(device, central_api.url))
    device.store.save("bed_count", [bed(occupied=13)])
    with pytest.raises(UnsentChanges) as refused:
        aio.run(device.session.sign_out())
    assert refused.value.count == 1 and device.store.pending_count() == 1
    assert aio.run(device.engine.sync_once())
    pack = device.store.documents.put("transfer-pack.pdf", b"%PDF a transfer pack", group=f"{DEMO_HOME}/transfer/x",
                                      media_type="application/pdf")
    device.store.documents.open_copy(pack.id)  # as opened in the desktop's viewer
    aio.run(device.session.sign_out())
    assert not (device.store.path.parent / "reports").exists()  # documents made on the device go too
    assert device.session.current() is None and device.session.api() is None
    database = device.store.path.read_bytes() + device.store.path.with_name(device.store.path.name + "-wal").read_bytes()
    assert b"Allingham House" not in database and DEMO_HOME.encode() not in database

    # Unsent changes go only when the user says so.
    aio.run(signed_in(device, central_api.url))
    device.store.save("bed_count", [bed(occupied=14)])
    aio.run(device.session.sign_out(discard_unsent=True))
    assert device.store.pending_count() == 0 and device.store.records("bed_count") == []
