"""Network faults between a real device and a real central API process, injected by a TCP proxy.

Each test builds an in-process device (LocalStore + SessionManager + SyncEngine)
whose server URL is a FaultProxy on loopback in front of a `python -m server_stub`
process, and checks what the server holds in its own database afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.credentials import CredentialStore
from client.session import SessionManager
from client.state.bed_state import BedStateScreen
from client.store import LocalStore, open_device_store
from client.sync import SyncEngine, SyncState
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.fault_proxy import FaultProxy
from tests.support.timing import scaled
from tests.support.waiting import eventually

CATEGORY, FIELD = "nursing_dementia", "vacant_accepting"
BED_RECORD_ID = f"{DEMO_HOME}/{CATEGORY}"


pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture
def proxy(central_api):
    with FaultProxy.to(central_api.url) as proxy:
        yield proxy


# -- a device ---------------------------------------------------------------------------------


@dataclass
class Device:
    store: LocalStore
    session: SessionManager
    engine: SyncEngine

    async def sign_in_and_sync(self, url: str) -> None:
        await self.session.sign_in(url, DEMO_USER, DEMO_PASSWORD)
        assert await self.engine.sync_once(), self.engine.status
        assert self.store.record("bed_count", BED_RECORD_ID) is not None

    def screen(self) -> BedStateScreen:
        return BedStateScreen(self.store, DEMO_HOME, on_saved=self.engine.local_change)

    def outbox(self) -> list[tuple[str, str, int | None]]:
        """(mutation_id, status, result_version) in queue order, read through a connection of its own."""
        with contextlib.closing(sqlite3.connect(f"file:{self.store.path}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT mutation_id, status, result_version FROM outbox ORDER BY seq").fetchall()

    def local_value(self) -> int:
        return self.store.record("bed_count", BED_RECORD_ID).data[FIELD]

    async def close(self) -> None:
        api = self.session.api()
        if api is not None:
            await api.aclose()
        self.store.close()


def make_device(tmp_path: Path, name: str, proxy: FaultProxy, **engine_options) -> Device:
    store, sync = open_device_store(tmp_path / name)
    session = SessionManager(store, CredentialStore(), proxy.url)
    return Device(store, session, SyncEngine(sync, session, **engine_options))


# -- what the server holds (its own SQLite file, read-only) ------------------------------------


def server_query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def applied_on_server(db_path: Path, device_id: str) -> list[str]:
    """Every row of applied_mutations for the device: one per mutation the server applied."""
    rows = server_query(db_path, "SELECT mutation_id FROM applied_mutations WHERE device_id = ? ORDER BY rowid",
                        (device_id,))
    return [r[0] for r in rows]


def server_max_version(db_path: Path) -> int:
    """The newest number of the server's change sequence held by any record."""
    return server_query(db_path, "SELECT coalesce(max(version), 0) FROM records")[0][0]


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled() or task.exception() is None


# -- a. the reply is lost after the server committed ---------------------------------------------


def test_a_reply_lost_after_the_server_committed_is_retried_and_applied_exactly_once(tmp_path, central_api, proxy, api):
    async def scenario():
        device = make_device(tmp_path, "tablet", proxy)
        await device.sign_in_and_sync(proxy.url)
        screen = device.screen()
        before = screen.draft(CATEGORY).counts[FIELD]
        assert before >= 1
        screen.decrement(CATEGORY, FIELD)
        assert screen.save()
        queued = device.outbox()
        mutation_ids = [m for m, _, _ in queued]
        assert len(mutation_ids) == 2 and {s for _, s, _ in queued} == {"pending"}  # bed_count + home_status
        version_before = server_max_version(central_api.db_path)

        proxy.set_mode("cut_after_request", times=1, path_prefix="/sync/push")
        assert await device.engine.sync_once() is False
        assert device.engine.status.state is SyncState.OFFLINE
        # The server committed the batch, but the device never heard back: both still queued.
        assert applied_on_server(central_api.db_path, device.store.device_id) == mutation_ids
        assert device.store.pending_count() == 2
        assert proxy.mode == "pass"  # the fault was for one push only

        assert await device.engine.sync_once() is True
        assert device.engine.status.state is SyncState.IDLE and device.engine.status.pending == 0
        settled = device.outbox()
        local = device.local_value()
        device_id = device.store.device_id
        await device.close()
        return before, mutation_ids, version_before, settled, local, device_id

    before, mutation_ids, version_before, settled, local, device_id = aio.run(scenario())

    # The push went to the server twice; the first answer was lost, the second was delivered.
    pushes = proxy.requests(path_prefix="/sync/push")
    assert [(p.fault, p.upstream_status, p.status) for p in pushes] == [
        ("cut_after_request", 200, None),
        ("pass", 200, 200),
    ]
    assert pushes[1].at > pushes[0].at
    assert proxy.count("cut_after_request") == 1

    # Exactly one effect: one applied_mutations row per id, and the change sequence moved on by exactly two.
    assert applied_on_server(central_api.db_path, device_id) == mutation_ids
    assert server_max_version(central_api.db_path) == version_before + 2
    state = api.bed_state()
    assert api.beds(CATEGORY)[FIELD] == before - 1 == local
    assert {state["versions"][CATEGORY], state["versions"]["home_status"]} == {version_before + 1, version_before + 2}

    # The device took the retried answer: everything applied, at the versions the server holds.
    assert [(m, s) for m, s, _ in settled] == [(m, "applied") for m in mutation_ids]
    assert [v for _, _, v in settled] == [state["versions"][CATEGORY], state["versions"]["home_status"]]


# -- b. the server answers 503 for a while --------------------------------------------------------

MIN_BACKOFF, MAX_BACKOFF = 0.05, 0.8
OUTAGE_ATTEMPTS = 10
SLACK_S = 0.3  # scheduling and round-trip time on an idle machine; scaled() stretches it on a loaded one


def ceiling(failures: int) -> float:
    return min(MAX_BACKOFF, MIN_BACKOFF * 2 ** (failures - 1))


def test_b_backoff_grows_with_jitter_during_a_503_outage_and_the_queue_drains_after(tmp_path, central_api, proxy, api):
    async def scenario():
        device = make_device(tmp_path, "tablet", proxy, min_backoff=MIN_BACKOFF, max_backoff=MAX_BACKOFF,
                             poll_interval=30)
        await device.sign_in_and_sync(proxy.url)
        screen = device.screen()
        before = screen.draft(CATEGORY).counts[FIELD]
        assert before >= 1
        for change in (screen.decrement, screen.increment, screen.decrement):  # three saves, six mutations
            change(CATEGORY, FIELD)
            assert screen.save()
        mutation_ids = [m for m, _, _ in device.outbox()]
        assert len(mutation_ids) == 6 and device.store.pending_count() == 6
        version_before = server_max_version(central_api.db_path)

        proxy.set_mode("http_503")
        task = asyncio.create_task(device.engine.run())
        try:
            # Ten attempts: 0.2 s debounce, waits from 0.025 s growing to 0.4-0.8 s: about 4 s in all.
            await eventually(lambda: proxy.count("http_503") >= OUTAGE_ATTEMPTS, timeout=8, what="attempts in the outage")
            # Between two attempts the engine shows Offline (during one it shows Syncing: on a loaded machine the
            # proxy may have counted an attempt whose answer the engine has not handled yet).
            await eventually(lambda: device.engine.status.state is SyncState.OFFLINE, timeout=MAX_BACKOFF + 4,
                             what="offline shown")
            assert "not working just now" in (device.engine.status.message or "")  # the 503, in words
            assert device.store.pending_count() == 6  # nothing lost, nothing sent
            assert applied_on_server(central_api.db_path, device.store.device_id) == []
            proxy.set_mode("pass")
            recovered_at = time.monotonic()
            # No local change and no "Sync now": the engine's own retry drains the queue.
            await eventually(lambda: device.store.pending_count() == 0, timeout=MAX_BACKOFF + 4, what="queue drained")
            drained_after = time.monotonic() - recovered_at
            await eventually(lambda: device.engine.status.state is SyncState.IDLE, timeout=4, what="engine idle")
        finally:
            await stop(task)
        settled = device.outbox()
        device_id = device.store.device_id
        await device.close()
        return before, mutation_ids, version_before, settled, device_id, drained_after

    before, mutation_ids, version_before, settled, device_id, drained_after = aio.run(scenario())

    attempts = [r.at for r in proxy.requests(path_prefix="/sync/push") if r.fault == "http_503"]
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert len(gaps) >= OUTAGE_ATTEMPTS - 1, gaps
    # Each wait is at least half its ceiling ('equal jitter'), at most the ceiling, and never above max_backoff.
    slack = scaled(SLACK_S)
    for failures, gap in enumerate(gaps, start=1):
        assert ceiling(failures) / 2 <= gap <= ceiling(failures) + slack, (failures, gaps)
    assert max(gaps) <= MAX_BACKOFF + slack
    # The waits grow: the last ones are several times the first ones.
    assert statistics.mean(gaps[-3:]) > 2 * statistics.mean(gaps[:3]), gaps
    # Jitter: at the ceiling the waits are not all one length.
    at_ceiling = [gap for failures, gap in enumerate(gaps, start=1) if ceiling(failures) == MAX_BACKOFF]
    assert len(at_ceiling) >= 4, gaps
    assert max(at_ceiling) - min(at_ceiling) > 0.02, at_ceiling
    # Once the server was back, the next scheduled retry sent everything.
    assert drained_after <= MAX_BACKOFF + slack + scaled(1.0)

    assert applied_on_server(central_api.db_path, device_id) == mutation_ids
    assert [s for _, s, _ in settled] == ["applied"] * 6
    assert server_max_version(central_api.db_path) == version_before + 6
    assert api.beds(CATEGORY)[FIELD] == before - 1
    assert [r.fault for r in proxy.requests(path_prefix="/sync/")][-2:] == ["pass", "pass"]  # the push, then the pull


# -- c. connection refused while offline ----------------------------------------------------------


@pytest.mark.parametrize("fault", ["refuse", "down"])
def test_c_saves_keep_working_while_connections_are_refused_and_drain_after(tmp_path, central_api, proxy, api, fault):
    """refuse: the proxy accepts and resets every connection; down: nothing listens (ECONNREFUSED)."""

    async def scenario():
        device = make_device(tmp_path, "phone", proxy, min_backoff=0.05, max_backoff=0.4, poll_interval=30)
        await device.sign_in_and_sync(proxy.url)
        screen = device.screen()
        before = screen.draft(CATEGORY).counts[FIELD]
        assert before >= 2

        proxy.set_mode(fault)
        task = asyncio.create_task(device.engine.run())
        try:
            await eventually(lambda: device.engine.status.state is SyncState.OFFLINE, timeout=5, what="offline")
            assert "Cannot reach the central API" in device.engine.status.message
            # Saving never waits for the network: two saves while refused, each shown at once.
            for expected in (before - 1, before - 2):
                screen.decrement(CATEGORY, FIELD)
                started = time.monotonic()
                assert screen.save()
                assert time.monotonic() - started < scaled(0.5)
                assert device.local_value() == expected
                assert device.store.record("bed_count", BED_RECORD_ID).pending
            assert device.store.pending_count() == 4
            # Two saves (each the count and the confirmation): two changes as the person counts them.
            await eventually(lambda: device.engine.status.pending == 2, timeout=2, what="status shows 2 waiting")
            if fault == "refuse":  # the engine keeps trying while refused
                await eventually(lambda: proxy.count("refuse") >= 3, timeout=5, what="repeated attempts")
            else:
                await asyncio.sleep(1.0)
            # Between two attempts it says offline (during one it says syncing).
            await eventually(lambda: device.engine.status.state is SyncState.OFFLINE, timeout=2, what="offline again")
            assert applied_on_server(central_api.db_path, device.store.device_id) == []

            proxy.set_mode("pass")
            await eventually(lambda: device.store.pending_count() == 0, timeout=5, what="queue drained")
            await eventually(lambda: device.engine.status.state is SyncState.IDLE, timeout=4, what="engine idle")
        finally:
            await stop(task)
        mutation_ids = [m for m, s, _ in device.outbox() if s == "applied"]
        device_id = device.store.device_id
        local = device.local_value()
        await device.close()
        return before, mutation_ids, device_id, local

    before, mutation_ids, device_id, local = aio.run(scenario())
    assert len(mutation_ids) == 4
    assert applied_on_server(central_api.db_path, device_id) == mutation_ids
    assert api.beds(CATEGORY)[FIELD] == before - 2 == local
    assert all(r.upstream_status is None for r in proxy.requests() if r.fault == fault)  # the server saw none of them


# -- d. the server asks for a pause -------------------------------------------------------------------


def test_d_retry_after_from_an_overloaded_server_is_honoured(tmp_path, central_api, proxy):
    async def scenario():
        device = make_device(tmp_path, "tablet", proxy, min_backoff=0.02, max_backoff=0.1, poll_interval=30)
        await device.sign_in_and_sync(proxy.url)
        screen = device.screen()
        screen.decrement(CATEGORY, FIELD)
        assert screen.save()
        proxy.retry_after = 1
        proxy.set_mode("http_503")
        task = asyncio.create_task(device.engine.run())
        try:
            await eventually(lambda: proxy.count("http_503") >= 3, timeout=6, what="three refused attempts")
            proxy.set_mode("pass")
            await eventually(lambda: device.store.pending_count() == 0, timeout=4, what="queue drained")
        finally:
            await stop(task)
        await device.close()

    aio.run(scenario())
    attempts = [r.at for r in proxy.requests(path_prefix="/sync/push") if r.fault == "http_503"]
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    # Without Retry-After the waits would be at most 0.1 s; the server asked for 1 s.
    assert gaps and all(gap >= 0.95 for gap in gaps), gaps
