"""Acceptance 2 (issue 12), the device side: a supplier's update reaches the home's device through the real
sync engine (the in-process central API on a SQLite file), and the bed state screen says where it came from.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from client.sync import CentralApi
from client.views.bed_state_view import BedStateView
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, sign_in
from tests.support.central_inprocess import Switchable, serving
from tests.support.devices import make_device

SERVER = "http://central.test"
SUPPLIER = "Example Care Records"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def central(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as client:
        client.clock.now = NOW
        yield client


@pytest.fixture
def manager_device(central, tmp_path, memory_keyring):
    """The demo manager's device, signed in and synced once."""
    network = Switchable(central.app_ref)
    device = make_device(tmp_path / "device", SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, "demo", DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    yield device
    device.close()


def send_supplier_update(central, as_at: datetime, occupied: int) -> None:
    key = central.post("/admin/suppliers", json={"name": SUPPLIER, "homes": [DEMO_HOME]},
                       headers=sign_in(central, "admin")).json()["api_key"]
    body = {"as_at": as_at.isoformat(), "beds": [{"category": "nursing", "max_capacity": 21, "occupied": occupied,
                                                   "vacant_reserved": 0, "vacant_accepting": 21 - occupied}]}
    answer = central.put(f"/supplier/homes/{DEMO_HOME}/beds", json=body,
                         headers={"X-Api-Key": key, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text


def test_a_supplier_update_reaches_the_homes_device_and_the_screen_names_its_source(central, manager_device):
    screen = manager_device.screen(DEMO_HOME)
    assert screen.source_line is None
    assert screen.draft("nursing").counts["occupied"] == 20

    central.clock.now += timedelta(minutes=10)
    send_supplier_update(central, as_at=NOW + timedelta(minutes=7), occupied=18)
    assert aio.run(manager_device.engine.sync_once())

    screen.reload()
    assert screen.draft("nursing").counts == {"max_capacity": 21, "occupied": 18, "vacant_reserved": 0,
                                              "vacant_accepting": 3}
    local_time = (NOW + timedelta(minutes=7)).astimezone().strftime("%H:%M")
    assert screen.source_line == f"Updated by {SUPPLIER} at {local_time}"
    record = manager_device.store.record("bed_count", f"{DEMO_HOME}/nursing")
    assert record.data["changed_by"] == SUPPLIER
    # The view shows the state's words under the confirmed line.
    view = BedStateView(screen, manager_device.engine, account_line="Demo manager")
    view.refresh(update=False)
    assert view.updated_by_box.visible and view.updated_by.value == screen.source_line

    # The manager's own save afterwards builds on it (no conflict) and the line goes: the state is hers again.
    screen.decrement("nursing", "occupied")
    assert screen.save()
    assert screen.source_line is None
    assert aio.run(manager_device.engine.sync_once())
    screen.reload()
    assert screen.source_line is None and manager_device.store.sync_log(5) == []
    state = central.get(f"/homes/{DEMO_HOME}/bed-state", headers=sign_in(central)).json()
    nursing = next(b for b in state["beds"] if b["category"] == "nursing")
    assert (nursing["occupied"], nursing["changed_by"], nursing["as_at"]) == (17, "demo", None)
