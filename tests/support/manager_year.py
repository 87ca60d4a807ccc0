"""A manager's device living through days of simulated time against the central API in-process.

Used by tests/test_device_housekeeping.py and benchmarks/bench_device.py. The server and the device share one
clock the caller moves a day at a time. Each day the manager saves her bed state (a resident admitted or gone
home); every week she records a WiFi result and removes last week's (a tombstone); every month another device
changes a count first (a conflict, a sync log line, a conflict copy she dismisses) and her commissioner sends
an alert that expires a week later; then her device syncs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from client.sync import CentralApi
from domain.readiness import WifiSurveyResult
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.central_inprocess import Switchable, bed_mutation, make_app, nursing_version, push, serving
from tests.support.demo_database import with_cheap_demo_passwords
from tests.support.devices import Device, make_device

SERVER = "http://central.test"


@dataclass(frozen=True)
class Size:
    day: int
    outbox: int
    sync_log: int
    tombstones: int
    alerts: int
    pages_in_use: int  # the database's pages holding data (free pages are reused by later writes)
    file_bytes: int  # the database file
    wal_bytes: int  # its write-ahead log (cut back after checkpoints: client/store/device_db.py)


def measure(device: Device, day: int) -> Size:
    db = device.store.db

    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    path = device.store.path
    wal = path.with_name(path.name + "-wal")
    return Size(day, one("SELECT count(*) FROM outbox"), one("SELECT count(*) FROM sync_log"),
                one("SELECT count(*) FROM records WHERE deleted = 1"),
                one("SELECT count(*) FROM records WHERE kind = 'alert'"),
                one("PRAGMA page_count") - one("PRAGMA freelist_count"),
                path.stat().st_size, wal.stat().st_size if wal.exists() else 0)


@contextmanager
def manager_device(central, folder: Path) -> Iterator[Device]:
    """The demo manager's device, signed in and synced once, on the central API's clock."""
    network = Switchable(central.app_ref)
    device = make_device(folder, SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    try:
        aio.run(device.session.sign_in(SERVER, DEMO_USER, DEMO_PASSWORD))
        assert aio.run(device.engine.sync_once())
        yield device
    finally:
        device.close()


@contextmanager
def central_in_process(folder: Path) -> Iterator[object]:
    """The central API in-process on a freshly seeded demo database (cheap demo passwords), outside pytest."""
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "demo.sqlite3"
    make_app(template)
    with_cheap_demo_passwords(template)
    with serving(folder / "central.sqlite3", template=template) as client:
        yield client


def wifi_result(day: int, at) -> WifiSurveyResult:
    return WifiSurveyResult(home_id=DEMO_HOME, result_id=f"day-{day}", location="Lounge", measured_at=at,
                            latency_ms=20.0, download_mbps=50.0, upload_mbps=10.0)


def live_a_day(central, device: Device, day: int) -> None:
    central.clock.now += timedelta(days=1)
    store, engine = device.store, device.engine
    if day % 30 == 15:  # another device saves first: her save below conflicts
        headers = sign_in(central)
        answer = push(central, headers, [bed_mutation(base_version=nursing_version(central, headers),
                                                      occupied=day % 20)])
        assert answer.status_code == 200, answer.text
    if day % 30 == 20:  # her commissioner sends an alert that expires in a week
        answer = central.post("/alerts", headers=sign_in(central, "commissioner"), json={
            "title": f"Alert of day {day}", "message": "Please confirm your beds today.", "priority": "information",
            "homes": [DEMO_HOME], "expires_at": (central.clock.now + timedelta(days=7)).isoformat()})
        assert answer.status_code == 201, answer.text
    screen = device.screen(DEMO_HOME)
    counts = screen.draft("nursing").counts  # a resident admitted, or one gone home
    admitted = counts["vacant_accepting"] > 0 and (day % 2 or counts["occupied"] == 0)
    screen.increment("nursing", "occupied" if admitted else "vacant_accepting")
    screen.decrement("nursing", "vacant_accepting" if admitted else "occupied")
    assert screen.save(), screen.message
    if day % 7 == 0:  # a WiFi result recorded, last week's removed
        store.save("wifi_result", [wifi_result(day, central.clock.now)])
        if store.record("wifi_result", f"{DEMO_HOME}/wifi/day-{day - 7}") is not None:
            store.delete("wifi_result", f"{DEMO_HOME}/wifi/day-{day - 7}")
    assert aio.run(engine.sync_once())
    for copy in store.conflict_copies(DEMO_HOME):  # she keeps the other device's numbers
        store.resolve_conflict(copy.id, keep_mine=False)
    store.mark_log_seen(entry.id for entry in store.sync_log(50, home_id=DEMO_HOME, unseen=True))
