"""A manager's device after a year of daily saves stays the size it was after three months (issue 14).

Real parts, no browser: the central API in-process on a copy of the demo database (a clock the test moves a
day at a time), the manager's device a real store and sync engine on the same simulated clock. Every day she
saves her bed state; every week she records a WiFi result and removes last week's (a tombstone); every month
another device changes a count first (a conflict, a sync log line, a copy she dismisses) and her commissioner
sends an alert that expires a week later. The rules of each clean-up are tested one by one below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from client.store.housekeeping import Housekeeping, HousekeepingRules
from client.sync import CentralApi
from domain.readiness import WifiSurveyResult
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.central_inprocess import Switchable, bed_mutation, nursing_version, push
from tests.support.devices import make_device

SERVER = "http://central.test"


@dataclass(frozen=True)
class Size:
    day: int
    outbox: int
    sync_log: int
    tombstones: int
    alerts: int
    pages_in_use: int  # the database's pages holding data (free pages are reused by later writes)


def measure(store, day: int) -> Size:
    db = store.db

    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return Size(day, one("SELECT count(*) FROM outbox"), one("SELECT count(*) FROM sync_log"),
                one("SELECT count(*) FROM records WHERE deleted = 1"),
                one("SELECT count(*) FROM records WHERE kind = 'alert'"),
                one("PRAGMA page_count") - one("PRAGMA freelist_count"))


@pytest.fixture
def manager_device(central, tmp_path, memory_keyring):
    network = Switchable(central.app_ref)
    device = make_device(tmp_path / "device", SERVER, now=lambda: central.clock.now,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, DEMO_USER, DEMO_PASSWORD))
    assert aio.run(device.engine.sync_once())
    yield device
    device.close()


def wifi_result(day: int, at) -> WifiSurveyResult:
    return WifiSurveyResult(home_id=DEMO_HOME, result_id=f"day-{day}", location="Lounge", measured_at=at,
                            latency_ms=20.0, download_mbps=50.0, upload_mbps=10.0)


def live_a_day(central, device, day: int) -> None:
    central.clock.now += timedelta(days=1)
    store, engine = device.store, device.engine
    if day % 30 == 15:  # another device saves first: her save below conflicts
        headers = sign_in(central)
        answer = push(central, headers, [bed_mutation(base_version=nursing_version(central, headers),
                                                      occupied=day % 20)])
        assert answer.status_code == 200
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


@pytest.mark.slow  # 365 sync rounds: about 20 s on an idle machine
def test_a_year_of_daily_saves_leaves_the_database_the_size_it_was_after_three_months(central, manager_device):
    sizes = {}
    for day in range(1, 366):
        live_a_day(central, manager_device, day)
        if day in (30, 90, 365):
            sizes[day] = measure(manager_device.store, day)
    # Day 90: every clean-up has begun (the longest wait is a tombstone's 60 days); after that nothing grows.
    month, year = sizes[90], sizes[365]
    # Something happened to clean up: a year left 730+ outbox rows, 52 tombstones, 12 conflicts, 12 alerts.
    assert sizes[30].outbox > 0 and year.sync_log > 0
    assert manager_device.store.pending_count() == 0  # the outbox empties
    assert year.outbox <= month.outbox + 2, sizes
    assert year.tombstones <= month.tombstones + 1, sizes
    assert year.sync_log <= month.sync_log + 1, sizes
    assert year.alerts <= month.alerts + 1, sizes
    assert year.pages_in_use <= month.pages_in_use * 1.1, sizes


# --- each rule -------------------------------------------------------------------------------------------------


class Clock:
    def __init__(self, start) -> None:
        self.now = start

    def __call__(self):
        return self.now


def settle_all(sync, status: str = "applied") -> None:
    from protocol import MutationResult, MutationStatus

    entries = sync.pending(100)
    sync.settle([MutationResult(mutation_id=e.mutation_id, status=MutationStatus(status), version=100 + n,
                                message=None if status == "applied" else "lost")
                 for n, e in enumerate(entries)])


def test_settled_outbox_entries_go_after_a_week_and_pending_ones_never(device_store, sample_bed_count):
    store, sync = device_store.store, device_store.sync
    database = sync.housekeeping._database
    store.save("bed_count", [sample_bed_count(3)])
    settle_all(sync)
    store.save("bed_count", [sample_bed_count(2)])  # waiting to be sent
    later = Clock(sync.housekeeping._now() + timedelta(days=6))
    assert Housekeeping(database, now=later).tidy().outbox == 0
    later.now += timedelta(days=2)
    assert Housekeeping(database, now=later).tidy().outbox == 1
    assert store.pending_count() == 1 and store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1


def test_seen_log_lines_go_after_a_month_unseen_ones_stay_but_never_past_the_cap(device_store, sample_bed_count):
    store, sync = device_store.store, device_store.sync
    database = sync.housekeeping._database
    for _ in range(3):
        store.save("bed_count", [sample_bed_count(1)])
        settle_all(sync, "rejected")
    [first, *_] = sorted(entry.id for entry in store.sync_log())
    store.mark_log_seen([first])
    later = Clock(sync.housekeeping._now() + timedelta(days=31))
    assert Housekeeping(database, now=later).tidy().sync_log == 1
    assert len(store.sync_log(unseen=True)) == 2
    capped = Housekeeping(database, now=later, rules=HousekeepingRules(log_lines_per_home=1))
    assert capped.tidy().sync_log == 1 and len(store.sync_log()) == 1


def test_a_settled_tombstone_goes_sixty_days_after_it_was_first_seen_and_a_revived_record_stays(device_store):
    from tests.support.records import bed_record  # noqa: PLC0415

    store, sync = device_store.store, device_store.sync
    database = sync.housekeeping._database
    tombstone = bed_record("nursing_dementia", 4).model_copy(update={"deleted": True, "data": None})
    sync.apply_pull_page([tombstone], 4)
    clock = Clock(sync.housekeeping._now())
    assert Housekeeping(database, now=clock).tidy().tombstones == 0  # first seen now
    clock.now += timedelta(days=59)
    assert Housekeeping(database, now=clock).tidy().tombstones == 0
    clock.now += timedelta(days=2)
    assert Housekeeping(database, now=clock).tidy().tombstones == 1
    assert store.db.execute("SELECT count(*) FROM records WHERE deleted = 1").fetchone()[0] == 0


def test_a_tombstone_with_a_delete_waiting_to_be_sent_stays(device_store):
    store, sync = device_store.store, device_store.sync
    database = sync.housekeeping._database
    store.delete("bed_count", f"{DEMO_HOME}/nursing")
    clock = Clock(sync.housekeeping._now())
    Housekeeping(database, now=clock).tidy()
    clock.now += timedelta(days=365)
    assert Housekeeping(database, now=clock).tidy().tombstones == 0
    assert store.pending_count() == 1


def test_it_runs_at_most_once_a_day(device_store):
    sync = device_store.sync
    clock = Clock(sync.housekeeping._now())
    housekeeping = Housekeeping(sync.housekeeping._database, now=clock)
    assert housekeeping.tidy_if_due() is not None
    clock.now += timedelta(hours=23)
    assert housekeeping.tidy_if_due() is None
    clock.now += timedelta(hours=1)
    assert housekeeping.tidy_if_due() is not None


@pytest.fixture
def sample_bed_count():
    from domain.beds import BedCount

    def make(vacant: int) -> BedCount:
        return BedCount(home_id=DEMO_HOME, category="nursing", max_capacity=20, occupied=19 - vacant,
                        vacant_reserved=1, vacant_accepting=vacant)

    return make
