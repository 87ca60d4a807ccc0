"""Acceptance 4 (issue 13, part 3): where my change is - one count, honest words, one clock.

(a) one bed change shows "1 change waiting" (the state and the bed state screen's text);
(b) a blackholed network (a proxy that accepts and never answers) shows a waiting message with its time
    within 15 s: the real sync engine against the real central API over TCP, through the proxy;
(c) an offline confirmation keeps its confirmation time after sync: the server's confirmed_at is when the
    manager confirmed (corrected), received_at the arrival, and freshness is measured from the former;
(d) a device clock 2 h fast shows the same times as a correct one.

Real parts, no browser: the central API in-process on a real SQLite file (a clock the test moves), devices
with real device stores and sync engines.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from client.state.bed_state import BedStateScreen
from client.state.sync_status import not_applied_line
from client.sync import CentralApi, SyncState
from client.views.bed_state_view import BedStateView
from domain.freshness import Freshness
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.central_inprocess import Switchable, serving
from tests.support.devices import make_device
from tests.support.fault_proxy import FaultProxy
from tests.support.threaded_server import serving_over_tcp
from tests.support.waiting import eventually

pytestmark = pytest.mark.usefixtures("memory_keyring")

SERVER = "http://central.test"
FAST = timedelta(hours=2)  # a device clock two hours fast


def london(moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo('Europe/London')):%H:%M}"


@pytest.fixture
def central(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as client:
        yield client


@pytest.fixture
def network(central):
    return Switchable(central.app_ref)


def device_on(central, network, path, *, fast_by: timedelta = timedelta(0)):
    """A manager's device whose own clock is the server's plus ``fast_by``, signed in and synced once."""
    device = make_device(path, SERVER, now=lambda: central.clock.now + fast_by,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, DEMO_USER, DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    return device


def shown(device, screen: BedStateScreen) -> dict[str, str]:
    """The bed state screen's times as a person reads them."""
    view = BedStateView(screen, device.engine, account_line="Demo manager")
    screen.reload()  # as the view does on each sync status
    view.refresh(update=False)
    return {"confirmed": view.confirmed.value, "status": view.sync_status.value,
            "details": "\n".join(line.value for line in view.details.controls if "sync" in line.value)}


# -- (a) one save is one change -----------------------------------------------------------------------------


def test_one_bed_change_is_one_change_waiting(central, network, tmp_path):
    device = device_on(central, network, tmp_path / "device")
    screen = device.screen(DEMO_HOME)
    network.connected = False
    screen.decrement("nursing_dementia", "vacant_accepting")
    assert screen.save()
    # The save wrote two records (the count and the confirmation): a person saved one change.
    assert device.store.pending_count() == 2
    assert device.engine.status.pending == 1 and device.store.pending_saves() == 1
    assert "(1 change waiting)" in screen.status_line(device.engine.status)
    assert shown(device, screen)["status"] == "Sending now (1 change waiting)"

    assert not aio.run(device.engine.sync_once())  # the network is down: waiting, since when
    assert device.engine.status.pending == 1
    assert shown(device, screen)["status"] == \
        f"Waiting for the network since {london(central.clock.now)} - saved on this device (1 change waiting)"

    network.connected = True
    assert aio.run(device.engine.sync_once())
    assert shown(device, screen)["status"] == f"Sent {london(central.clock.now)}"
    device.close()


def test_after_her_password_is_reset_elsewhere_the_status_says_sign_in_again_not_sent(central, network, tmp_path):
    """A 401 the refresh cannot cure (an administrator reset her password): the line said "Sent 09:12" for ever."""
    device = device_on(central, network, tmp_path / "device")
    screen = device.screen(DEMO_HOME)
    last_sent = london(central.clock.now)
    admin = sign_in(central, "admin")
    code = central.post(f"/accounts/{DEMO_USER}/password-reset", headers=admin).json()["reset_code"]
    assert central.post("/auth/reset-password", json={"username": DEMO_USER, "reset_code": code,
                                                      "new_password": "a new password 1"}).status_code == 204
    central.clock.now += timedelta(minutes=5)
    assert aio.run(device.engine.sync_once())  # refused: nothing to retry until she signs in again
    assert device.engine.status.state is SyncState.SIGNED_OUT
    assert shown(device, screen)["status"] == \
        f"Your sign-in has ended - sign in again to keep this device up to date (last sent {last_sent})"
    device.close()


# -- (b) a blackholed network: waiting, with its time, within 15 s -----------------------------------------


def test_a_blackholed_network_shows_waiting_since_with_its_time_within_15_seconds(central, tmp_path):
    with serving_over_tcp(central.app_ref) as url, FaultProxy.to(url) as proxy:
        device = make_device(tmp_path / "device", proxy.url, now=lambda: central.clock.now)
        aio.run(device.session.sign_in(proxy.url, DEMO_USER, DEMO_PASSWORD))
        assert aio.run(device.engine.sync_once())
        screen = device.screen(DEMO_HOME)
        proxy.set_mode("blackhole")

        async def scenario() -> str:
            device.engine.start()
            try:
                await eventually(lambda: device.engine.status.state is SyncState.IDLE, timeout=5, what="first round")
                screen.decrement("nursing_dementia", "vacant_accepting")
                started = time.monotonic()
                assert screen.save()  # saving never waits for the network
                await eventually(lambda: "Waiting for the network since" in screen.status_line(device.engine.status),
                                 timeout=15, what="the waiting message")
                assert time.monotonic() - started < 15  # on the real clock, not stretched for a slow machine
                return screen.status_line(device.engine.status)
            finally:
                await device.engine.stop()

        line = aio.run(scenario())
        assert proxy.count("blackhole") >= 1  # the push really went into the blackhole
        assert line == (f"Waiting for the network since {london(central.clock.now)} - saved on this device "
                        "(1 change waiting)")
        device.close()


# -- (c) an offline confirmation keeps its time ---------------------------------------------------------------


def test_an_offline_confirmation_keeps_its_confirmation_time_after_sync(central, network, tmp_path):
    # The device's clock is two hours fast too: what it claims is its clock corrected by the measured offset.
    device = device_on(central, network, tmp_path / "device", fast_by=FAST)
    network.connected = False
    central.clock.now += timedelta(hours=1)
    confirmed = central.clock.now  # "09:00": the manager confirms, offline
    screen = device.screen(DEMO_HOME)
    assert screen.confirm_no_change()
    assert screen.confirmed_line() == f"Confirmed on this device {london(confirmed)} - fresh"

    central.clock.now += timedelta(hours=2)  # "11:00": back online
    arrived = central.clock.now
    network.connected = True
    assert aio.run(device.engine.sync_once())

    status = central.get(f"/homes/{DEMO_HOME}/bed-state", headers=sign_in(central)).json()["status"]
    assert datetime.fromisoformat(status["confirmed_at"]) == confirmed
    assert datetime.fromisoformat(status["received_at"]) == arrived

    # A day after the confirmation (22 hours after it arrived) the home is no longer fresh: the manager's time
    # counts, on the device and in the area view (the server's index).
    central.clock.now = confirmed + timedelta(hours=24, minutes=1)
    assert aio.run(device.engine.sync_once())
    screen.reload()
    assert screen.freshness is Freshness.AGEING
    assert screen.confirmed_line().endswith("- ageing")
    stale = central.get("/area/stale", params={"older_than_days": 1}, headers=sign_in(central, "commissioner"))
    assert stale.status_code == 200, stale.text
    assert DEMO_HOME in stale.text  # not confirmed for over a day, by the manager's time
    device.close()


def test_the_server_keeps_a_claimed_time_between_the_last_contact_and_the_arrival(central):
    from tests.support.central_inprocess import push

    device_id = "0d5a8c52-3b7f-4f63-9d7e-4b0c2b9a1e11"

    def confirm(claimed: datetime | None) -> dict:
        data = {"home_id": DEMO_HOME, "closed_to_admissions": False}
        if claimed is not None:
            data["confirmed_at"] = claimed.isoformat()
        mutation = {"mutation_id": str(uuid.uuid4()), "kind": "home_status", "record_id": DEMO_HOME,
                    "client_time": central.clock.now.isoformat(), "data": data}
        headers = sign_in(central)  # hours pass between the pushes: a fresh sign-in each time
        answer = push(central, headers, [mutation], device_id=device_id)
        assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied", answer.text
        return central.get(f"/homes/{DEMO_HOME}/bed-state", headers=headers).json()["status"]

    # A device the server has never heard from: its claim cannot be bounded, so the arrival counts.
    assert datetime.fromisoformat(confirm(central.clock.now - timedelta(hours=1))["confirmed_at"]) == central.clock.now
    central.clock.now += timedelta(hours=3)
    # An older app sends no time: the arrival is the confirmation.
    assert datetime.fromisoformat(confirm(None)["confirmed_at"]) == central.clock.now
    central.clock.now += timedelta(hours=3)
    # Never in the future ...
    assert datetime.fromisoformat(confirm(central.clock.now + timedelta(days=1))["confirmed_at"]) == central.clock.now
    last_contact = central.clock.now
    central.clock.now += timedelta(hours=3)
    # ... never before the device's last contact (it would have sent anything confirmed before then) ...
    assert datetime.fromisoformat(confirm(last_contact - timedelta(hours=5))["confirmed_at"]) == last_contact
    # ... and in between, the manager's time.
    central.clock.now += timedelta(hours=3)
    claimed = central.clock.now - timedelta(hours=2)
    status = confirm(claimed)
    assert datetime.fromisoformat(status["confirmed_at"]) == claimed
    assert datetime.fromisoformat(status["received_at"]) == central.clock.now


# -- (d) one clock: a device 2 h fast shows what a correct one shows --------------------------------------------


def test_a_device_clock_two_hours_fast_shows_the_same_times_as_a_correct_one(central, network, tmp_path):
    correct = device_on(central, network, tmp_path / "correct")
    fast = device_on(central, network, tmp_path / "fast", fast_by=FAST)
    texts = {}
    for name, device in (("correct", correct), ("fast", fast)):
        screen = device.screen(DEMO_HOME)
        network.connected = False
        assert screen.confirm_no_change()
        texts[name, "offline"] = shown(device, screen)
        assert not aio.run(device.engine.sync_once())
        texts[name, "waiting"] = shown(device, screen)
        network.connected = True
        assert aio.run(device.engine.sync_once())
        texts[name, "sent"] = shown(device, screen)
    for moment in ("offline", "waiting", "sent"):
        assert texts["fast", moment] == texts["correct", moment], moment
    now = london(central.clock.now)
    assert texts["fast", "offline"]["confirmed"] == f"Confirmed on this device {now} - fresh"
    assert texts["fast", "waiting"]["status"].startswith(f"Waiting for the network since {now}")
    assert texts["fast", "sent"]["status"] == f"Sent {now}"
    assert texts["fast", "sent"]["confirmed"] == f"Last confirmed today {now} - fresh"
    correct.close()
    fast.close()


def test_a_stalled_request_turns_into_waiting_after_the_bound(tmp_path):
    """The watchdog alone (no API timeout): a request that never answers is 'waiting', never endless 'Sending'."""
    import httpx

    from client.credentials import CredentialStore
    from client.session import SessionManager
    from client.store import open_device_store
    from client.sync import SyncEngine
    from domain.beds import HomeStatus

    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            await asyncio.Event().wait()  # never answers

    now = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
    store, sync = open_device_store(tmp_path / "device", now=lambda: now)
    session = SessionManager(store, CredentialStore(), SERVER,
                             api_factory=lambda url, token: CentralApi(url, token, transport=Hanging()))
    engine = SyncEngine(sync, session, now=lambda: now, stall_after=0.2)
    session.api = lambda: CentralApi(SERVER, "token", transport=Hanging())  # signed in, as far as it knows
    store.save("home_status", [HomeStatus(home_id=DEMO_HOME)])

    async def scenario():
        round_ = asyncio.create_task(engine.sync_once())
        await eventually(lambda: engine.status.state is SyncState.OFFLINE, timeout=5, what="waiting")
        round_.cancel()
        await asyncio.gather(round_, return_exceptions=True)

    aio.run(scenario())
    assert engine.status.waiting_since == now and engine.status.pending == 1


# -- a change that lost a conflict is not "Sent" -------------------------------------------------------------


def test_a_change_that_lost_is_not_sent_and_is_saved_again_with_one_tap(central, network, tmp_path):
    mine = device_on(central, network, tmp_path / "mine")
    other = device_on(central, network, tmp_path / "other")
    other_screen = other.screen(DEMO_HOME)
    other_screen.decrement("nursing_dementia", "vacant_accepting")
    assert other_screen.save() and aio.run(other.engine.sync_once())
    theirs = other_screen.draft("nursing_dementia").counts["vacant_accepting"]

    screen = mine.screen(DEMO_HOME)  # has not seen the other device's change yet
    screen.decrement("nursing_dementia", "vacant_accepting")
    screen.decrement("nursing_dementia", "vacant_accepting")
    entered = screen.draft("nursing_dementia").counts["vacant_accepting"]
    assert screen.save() and aio.run(mine.engine.sync_once())

    texts = shown(mine, screen)
    assert not texts["status"].startswith("Sent")
    assert texts["status"] == "Not applied: 1 change - another device saved first, or it was refused; see the notice above"
    # It read "1 change lost to another device's or was refused" (and "2 changes ... was refused").
    assert not_applied_line(2) == \
        "Not applied: 2 changes - another device saved first, or they were refused; see the notice above"
    assert screen.status_look(mine.engine.status).value == "attention"
    [lost] = screen.lost_changes
    assert lost.title == "Nursing dementia beds"
    [difference] = [d for d in lost.differences if d.label == "Vacant accepting admissions"]
    assert (difference.yours, difference.theirs) == (str(entered), str(theirs))
    view = BedStateView(screen, mine.engine, account_line="Demo manager")
    view.refresh(update=False)
    assert view.notice_box.visible and len(view.lost.controls) == 1

    assert screen.save_mine_again(lost.copy_id)  # one tap
    assert screen.draft("nursing_dementia").counts["vacant_accepting"] == entered
    assert screen.status_line(mine.engine.status) == "Sending now (1 change waiting)"
    assert aio.run(mine.engine.sync_once())
    screen.reload()
    assert screen.lost_changes == [] and screen.status_line(mine.engine.status).startswith("Sent ")
    beds = central.get(f"/homes/{DEMO_HOME}/bed-state", headers=sign_in(central)).json()["beds"]
    assert [b["vacant_accepting"] for b in beds if b["category"] == "nursing_dementia"] == [entered]
    mine.close()
    other.close()


def test_a_pull_naming_its_device_is_the_contact_that_bounds_its_next_confirmation(database_url):
    """Both engines (SQLite, PostgreSQL): the pull's X-Device-Id is remembered as the device's last contact."""
    from fastapi.testclient import TestClient

    from server_stub.app import create_app
    from server_stub.settings import Settings
    from tests.support.central_inprocess import FakeClock, push

    clock = FakeClock()
    with TestClient(create_app(Settings(database_url=database_url), clock=clock)) as client:
        device_id = str(uuid.uuid4())
        pulled = client.get("/sync/changes", params={"since": 0, "limit": 1},
                            headers={**sign_in(client), "X-Device-Id": device_id})
        assert pulled.status_code == 200, pulled.text
        contact = clock.now
        clock.now += timedelta(hours=2)
        mutation = {"mutation_id": str(uuid.uuid4()), "kind": "home_status", "record_id": DEMO_HOME,
                    "client_time": clock.now.isoformat(),
                    "data": {"home_id": DEMO_HOME, "closed_to_admissions": False,
                             "confirmed_at": (contact - timedelta(hours=1)).isoformat()}}  # a clock an hour slow
        headers = sign_in(client)
        assert push(client, headers, [mutation], device_id=device_id).json()["results"][0]["status"] == "applied"
        status = client.get(f"/homes/{DEMO_HOME}/bed-state", headers=headers).json()["status"]
        assert datetime.fromisoformat(status["confirmed_at"]) == contact
        assert datetime.fromisoformat(status["received_at"]) == clock.now
        refused = client.get("/sync/changes", headers={**headers, "X-Device-Id": "not-a-device"})
        assert refused.status_code == 422 and "X-Device-Id" in refused.text  # names the header; never a 5xx
