"""A manager's device after a year of daily saves stays the size it was after three months (issue 14).

Real parts, no browser: the central API in-process on a copy of the demo database (a clock the test moves a
day at a time), the manager's device a real store and sync engine on the same simulated clock, living the days
of tests/support/manager_year.py (daily saves, weekly WiFi results removed a week later, a monthly conflict and
a monthly alert). The rules of each clean-up are tested one by one below.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from client.store.housekeeping import Housekeeping, HousekeepingRules
from tests.support.auth import DEMO_HOME
from tests.support.manager_year import live_a_day, manager_device, measure


@pytest.fixture
def manager(central, tmp_path, memory_keyring):
    with manager_device(central, tmp_path / "device") as device:
        yield device


@pytest.mark.slow  # 365 sync rounds: about 20 s on an idle machine
def test_a_year_of_daily_saves_leaves_the_database_the_size_it_was_after_three_months(central, manager):
    sizes = {}
    for day in range(1, 366):
        live_a_day(central, manager, day)
        if day in (30, 90, 365):
            sizes[day] = measure(manager, day)
    # Day 90: every clean-up has begun (the longest wait is a tombstone's 60 days); after that nothing grows.
    # Without clean-up a year leaves 700+ outbox rows, 52 tombstones, 12 log lines and 12 alerts behind.
    quarter, year = sizes[90], sizes[365]
    assert sizes[30].outbox > 0 and year.sync_log > 0  # the days did save, and did conflict
    assert manager.store.pending_count() == 0  # the outbox empties
    assert year.outbox <= quarter.outbox + 2, sizes
    assert year.tombstones <= quarter.tombstones + 1, sizes
    assert year.sync_log <= quarter.sync_log + 1, sizes
    assert year.alerts <= quarter.alerts + 1, sizes
    assert year.pages_in_use <= quarter.pages_in_use * 1.1, sizes


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
