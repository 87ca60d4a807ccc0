"""Acceptance 1 (issue 12): an alert sent while a home's device is offline arrives after it reconnects; its
acknowledgement, made offline, reaches the sender, who sees the right read / acknowledged / not yet lists.

Real parts, no browser: the central API in-process on a real SQLite file (a clock the test moves), the home's
device a real device store and sync engine talking to it through ``Switchable`` (a network the test cuts).
"""

from __future__ import annotations

from datetime import timedelta

import flet as ft
import pytest

from client.state.alerts import AlertsScreen, urgent_banner
from client.state.bed_state import BedStateScreen
from client.sync import CentralApi
from client.views.alerts_view import AlertBanner, AlertsView
from client.views.bed_state_view import BedStateView
from tests.support import aio
from tests.support.area_homes import AREA_HOMES, manager_of, mutation, push_body
from tests.support.auth import DEMO_PASSWORD, sign_in
from tests.support.central_inprocess import Switchable
from tests.support.devices import make_device

SERVER = "http://central.test"
ALTRINCHAM, SALE, URMSTON, TIMPERLEY = AREA_HOMES[:4]  # Trafford's homes of the area set


@pytest.fixture
def network(central):
    return Switchable(central.app_ref)


@pytest.fixture
def home_device(central, network, tmp_path, memory_keyring):
    """Altrincham's manager's device, synced once while online."""
    device = make_device(tmp_path / "device", SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, manager_of(ALTRINCHAM), DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    yield device
    device.close()


def send_urgent(central, homes: list[str]) -> str:
    reply = central.post("/alerts", headers=sign_in(central, "commissioner"), json={
        "title": "Norovirus outbreak in Trafford", "message": "Close to admissions after two cases; call us.",
        "priority": "urgent", "link": "https://www.gov.uk/norovirus",
        "homes": homes, "expires_at": (central.clock.now + timedelta(days=7)).isoformat()})
    assert reply.status_code == 201, reply.text
    return reply.json()["alert_id"]


def sender_sees(central, alert_id: str) -> dict:
    reply = central.get(f"/alerts/{alert_id}", headers=sign_in(central, "commissioner"))
    assert reply.status_code == 200, reply.text
    return reply.json()


def by_answer(status: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"acknowledged": set(), "read": set(), "not_yet": set()}
    for home in status["homes"]:
        found[home["answer"]].add(home["home_id"])
    return found


def test_an_alert_sent_while_offline_arrives_and_its_offline_acknowledgement_reaches_the_sender(
        central, network, home_device):
    store, engine = home_device.store, home_device.engine
    network.connected = False
    trafford = [h.id for h in (ALTRINCHAM, SALE, URMSTON, TIMPERLEY)]
    alert_id = send_urgent(central, trafford)
    assert not aio.run(engine.sync_once())  # no network: nothing arrives
    screen = AlertsScreen(store, ALTRINCHAM.id, manager_of(ALTRINCHAM), on_saved=engine.local_change)
    assert screen.alerts == [] and urgent_banner(store, ALTRINCHAM.id, central.clock.now) is None

    central.clock.now += timedelta(minutes=10)
    network.connected = True  # back in signal: the alert arrives with the next sync
    assert aio.run(engine.sync_once())
    screen.reload()
    [item] = screen.alerts
    assert item.alert.alert_id == alert_id and item.unread and item.alert.link == "https://www.gov.uk/norovirus"
    assert urgent_banner(store, ALTRINCHAM.id, central.clock.now) == "Urgent: Norovirus outbreak in Trafford"

    # Signal gone again: the manager reads and acknowledges it on the device; it waits in the outbox.
    network.connected = False
    assert screen.mark_read(alert_id) and screen.acknowledge(alert_id)
    assert screen.alerts[0].acknowledged and urgent_banner(store, ALTRINCHAM.id, central.clock.now) is None
    assert store.pending_count() >= 1
    assert not aio.run(engine.sync_once())
    assert by_answer(sender_sees(central, alert_id))["acknowledged"] == set()  # not arrived yet
    # Meanwhile Sale's staff read it (online) without acknowledging.
    central.post("/sync/push", headers=sign_in(central, manager_of(SALE)), json=push_body([mutation(
        "alert_ack", f"{alert_id}/{SALE.id}",
        {"alert_id": alert_id, "home_id": SALE.id, "read_at": central.clock.now.isoformat()})]))

    central.clock.now += timedelta(hours=3)
    arrival = central.clock.now
    network.connected = True
    assert aio.run(engine.sync_once())
    assert store.pending_count() == 0

    status = sender_sees(central, alert_id)
    answers = by_answer(status)
    assert answers == {"acknowledged": {ALTRINCHAM.id}, "read": {SALE.id}, "not_yet": {URMSTON.id, TIMPERLEY.id}}
    homes = {home["home_id"]: home for home in status["homes"]}
    acked = homes[ALTRINCHAM.id]
    # Who and when: the signed-in manager, the central API's clock when the acknowledgement arrived.
    assert acked["acknowledged_by"] == manager_of(ALTRINCHAM)
    assert acked["acknowledged_at"].startswith(arrival.isoformat()[:19])
    assert {homes[h]["phone"] for h in (URMSTON.id, TIMPERLEY.id)} == {"0161 000 0003", "0161 000 0004"}
    assert (status["summary"]["acknowledged"], status["summary"]["read"], status["summary"]["not_yet"]) == (1, 1, 2)

    # The sender reminds the rest: Altrincham's copy is left alone, the others' sync again with a reminder.
    reminded = central.post(f"/alerts/{alert_id}/remind", headers=sign_in(central, "commissioner"))
    assert reminded.status_code == 200 and reminded.json()["reminded"] == 3
    assert aio.run(engine.sync_once())
    screen.reload()
    assert screen.alerts[0].acknowledged and screen.alerts[0].alert.reminded_at is None


def test_the_banner_sits_on_top_of_the_bed_state_screen_and_opens_the_alerts(central, network, home_device):
    store, engine = home_device.store, home_device.engine
    opened = []
    banner = AlertBanner(store, ALTRINCHAM.id, on_open=lambda: opened.append(1), now=lambda: central.clock.now)
    beds = BedStateView(BedStateScreen(store, ALTRINCHAM.id, now=lambda: central.clock.now), engine,
                        account_line="Signed in", alert_banner=banner, on_alerts=lambda: opened.append(2))
    assert not banner.visible
    alert_id = send_urgent(central, [ALTRINCHAM.id])
    assert aio.run(engine.sync_once())
    beds.update = lambda: None  # no page: render without sending
    beds.on_sync_status(engine.status)  # the engine tells the open screen, which reloads its banner
    assert banner.visible and banner.text.value == "Urgent: Norovirus outbreak in Trafford"
    form = beds.form
    assert form.controls[0] is banner  # on top, its own control; the bed update's controls follow unchanged
    banner.on_click(None)
    assert opened == [1]

    screen = AlertsScreen(store, ALTRINCHAM.id, manager_of(ALTRINCHAM), now=lambda: central.clock.now)
    view = AlertsView(screen, on_back=lambda: None)
    view.update = lambda: None  # no page: render without sending
    view._open(alert_id)  # opening reads it
    assert not screen.alerts[0].unread and not screen.alerts[0].acknowledged
    assert any(isinstance(c, ft.Semantics) and c.identifier == f"alert-{alert_id}-acknowledge"
               for c in view.list.controls[0].content.content.controls)
    view._acknowledge(alert_id)
    assert screen.alerts[0].acknowledged and view.message.value.startswith("Acknowledged on this device")
    banner.reload(update=False)
    assert not banner.visible
