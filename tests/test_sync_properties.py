"""Randomised convergence: several devices, random edits, a network that misbehaves.

A Hypothesis state machine drives 2-3 devices of the demo home (each its own
LocalStore, SessionManager, SyncEngine and CentralApi) against one real
central API process. Every request goes through ``FaultyTransport``, which
drops requests, drops answers after the server committed, sends requests
twice at once, holds copies to deliver late and out of order, and stalls a
request or its answer while the test goes on (edits on the same device,
other devices syncing). Hypothesis draws each fault, so a failure shrinks to
a short, exact story.

When the example ends the network turns quiet: held copies are lost, stalled
requests go on, every device syncs until its outbox is empty and then once
more. Then:

(a) every device shows what the server holds (stored records, their
    versions, and the bed state screen);
(b) every change a device saved was answered by the server exactly once:
    the server's applied_mutations holds exactly the mutation ids the
    devices sent, each with the answer the device recorded, and the server's
    change sequence moved by exactly the number of applied changes;
(c) no outbox entry is still pending;
(d) conflicts follow the written rule (bed counts reject stale edits, never
    a device's own; confirmations never conflict), each is in the device's
    sync log, and no applied bed count skipped another device's write.

Between steps every device's store stays consistent: a record with nothing
pending shows exactly its last server copy.

Examples: 200 by default. For a long run set CHC_PROPERTY_EXAMPLES:

    CHC_PROPERTY_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_sync_properties.py -q -s

(about 0.2 s an example on two cores; ``-s`` prints what the examples
exercised: faults per request, stalls, late deliveries, conflicts).
CHC_PROPERTY_STEPS sets the steps per example (default 15).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from client.credentials import CredentialStore
from client.session import SessionManager
from client.state.bed_state import BedStateScreen
from client.store import LocalStore, open_device_store
from client.store.paths import DB_FILENAME
from client.sync import CentralApi, SyncEngine
from domain.beds import COUNT_FIELDS, BedCount, ClosureReason
from protocol import SCHEMA_VERSION
from tests.support.auth import DEMO_HOME, sign_in_answer
from tests.support.demo_database import copy_database
from tests.support.faulty_transport import Fault, FaultyTransport
from tests.support.keyring_backend import MemoryKeyring
from tests.support.server_process import ServerProcess, start_server
from tests.support.timing import scaled

pytestmark = pytest.mark.slow  # a real server process, and hundreds of examples
# Fields of a stored record the server stamps, whatever the device sent: when a confirmation happened (bounded by
# the server), when it arrived, who saved it.
SERVER_STAMPED = {"confirmed_at", "received_at", "changed_by"}

EXAMPLES = int(os.environ.get("CHC_PROPERTY_EXAMPLES", "200"))
STEPS = int(os.environ.get("CHC_PROPERTY_STEPS", "15"))
CATEGORIES = ("nursing", "nursing_dementia")  # what the demo home offers
TOKEN_MAX_AGE_S = 600  # tokens live 15 minutes; a long run signs in again well before
STEP_TIMEOUT_S = 60
# The test's time limit is its work: examples x (devices' first sync + steps), at several times what an idle
# 2-core machine needs (about 0.2 s an example), then stretched by the machine's slowness (tests/conftest.py).
EXAMPLE_BUDGET_S = 0.5
STEP_BUDGET_S = 0.05
SETUP_BUDGET_S = 30
HEALER_DEVICE = str(uuid.uuid4())  # puts deleted categories back between examples (see heal_home)
STATS: Counter[str] = Counter()  # what the examples exercised; printed at the end (pytest -s)

# Deliver is listed several times so that most requests get through.
SYNC_FAULTS = [Fault.DELIVER] * 2 + [
    Fault.DROP_REQUEST, Fault.DROP_RESPONSE, Fault.DUPLICATE, Fault.DELAY, Fault.DELIVER_AND_DELAY,
    Fault.STALL_REQUEST, Fault.STALL_RESPONSE,
]
CONCURRENT_FAULTS = [f for f in SYNC_FAULTS if f not in (Fault.STALL_REQUEST, Fault.STALL_RESPONSE)]


# -- the environment shared by every example -------------------------------------------------


class LoopThread:
    """One event loop on a worker thread for the whole module.

    The main thread may hold Playwright's loop (see tests/support/aio.py), and
    a sync that is stalled in the network must stay suspended between two
    steps of the state machine, so every coroutine runs here.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sync-properties-loop", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = STEP_TIMEOUT_S):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(scaled(timeout))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@dataclass
class Environment:
    server: ServerProcess
    loop: LoopThread
    empty_device: Path  # a new device's database file, to copy (empty_device_database)
    _token: str | None = None
    _account: dict[str, Any] | None = None
    _signed_in_at: float = 0.0
    http: httpx.Client = field(default_factory=httpx.Client)  # one client (one TLS context) for every check

    def sign_in(self) -> tuple[str, dict[str, Any]]:
        """The demo manager's token and account (one sign-in reused: argon2 costs ~0.1 s)."""
        if self._token is None or time.monotonic() - self._signed_in_at > TOKEN_MAX_AGE_S:
            answer = sign_in_answer(self.server.url)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            self._token, self._account, self._signed_in_at = body["token"], body["account"], time.monotonic()
        return self._token, self._account

    def bed_state(self) -> dict[str, Any]:
        token, _ = self.sign_in()
        response = self.http.get(f"{self.server.url}/homes/{DEMO_HOME}/bed-state",
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        response.raise_for_status()
        return response.json()

    def heal_home(self) -> None:
        """Every example starts with all the home's categories in place, whatever earlier ones deleted.

        The server is shared by all examples, so without this an example's
        outcome (and its shrunk form) would depend on the ones before it.
        """
        with contextlib.closing(self.server_db()) as db:
            rows = {row["id"]: row for row in db.execute(
                "SELECT id, version, deleted FROM records WHERE kind = 'bed_count' AND home_id = ?", [DEMO_HOME])}
        mutations = []
        for category in CATEGORIES:
            row = rows.get(f"{DEMO_HOME}/{category}")
            if row is not None and not row["deleted"]:
                continue
            mutations.append({
                "mutation_id": str(uuid.uuid4()), "kind": "bed_count", "record_id": f"{DEMO_HOME}/{category}",
                "op": "put", "base_version": row["version"] if row is not None else None,
                "client_time": "2026-01-01T00:00:00+00:00",
                "data": {"home_id": DEMO_HOME, "category": category, "max_capacity": 10, "occupied": 5,
                         "vacant_reserved": 1, "vacant_accepting": 2},
            })
        if not mutations:
            return
        token, _ = self.sign_in()
        response = self.http.post(f"{self.server.url}/sync/push", timeout=10,
                              headers={"Authorization": f"Bearer {token}", "X-Schema-Version": str(SCHEMA_VERSION)},
                              json={"device_id": HEALER_DEVICE, "schema_version": SCHEMA_VERSION, "mutations": mutations})
        response.raise_for_status()
        assert all(r["status"] == "applied" for r in response.json()["results"]), response.json()

    def server_db(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.server.db_path, timeout=30)
        connection.row_factory = sqlite3.Row
        return connection


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    directory = tmp_path_factory.mktemp("sync-properties")
    server = start_server(directory / "central.sqlite3")
    loop = LoopThread()
    made = Environment(server, loop, empty_device_database(directory / "empty-device"))
    try:
        yield made
    finally:
        loop.close()
        made.http.close()
        server.stop()
        keyring.set_keyring(previous)


def empty_device_database(directory: Path) -> Path:
    """A device database as the app's migrations leave it, before it has a device id; each example's devices
    start from copies. Migrating one is a dozen durable commits (about 0.1 s on a busy disk), 2-3 devices an
    example; a copy is one. Nothing differs for the device: it makes its own id, and its key, when it opens the
    copy. (Measured side by side on a loaded machine: 442 s instead of 463 s for the 200 examples.)"""
    path = directory / DB_FILENAME
    opened = open_device_store(directory)
    opened.store.close()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'device_id'")
        assert db.execute("SELECT count(*) FROM meta").fetchone()[0] == 0, "a new device's database holds only its id"
    return path


# -- one device --------------------------------------------------------------------------------


@dataclass
class Device:
    name: str
    store: LocalStore
    session: SessionManager
    engine: SyncEngine
    transport: FaultyTransport
    reader: sqlite3.Connection  # a second connection to the device file, for checks only
    stalled: asyncio.Task | None = None  # a sync waiting in the network

    def screen(self) -> BedStateScreen:
        return BedStateScreen(self.store, DEMO_HOME, on_saved=self.engine.local_change)

    def outbox(self) -> list[sqlite3.Row]:
        return self.reader.execute(
            "SELECT mutation_id, kind, record_id, op, base_version, data, status, result_version FROM outbox ORDER BY seq"
        ).fetchall()


def make_device(env: Environment, directory: Path, name: str) -> Device:
    (directory / name).mkdir()
    copy_database(env.empty_device, directory / name / DB_FILENAME)  # migrated already: see empty_device_database
    store, sync = open_device_store(directory / name)
    transport = FaultyTransport()
    credentials = CredentialStore()
    session = SessionManager(store, credentials, env.server.url,
                             api_factory=lambda url, token: CentralApi(url, token, transport=transport))
    # Signed in as the demo manager, as SessionManager.sign_in leaves a device.
    token, account = env.sign_in()
    store.set_meta("account", json.dumps({"server_url": env.server.url, "account": account}))
    credentials.set_token(env.server.url, account["username"], token)
    engine = SyncEngine(sync, session, page_size=2, batch_size=3)
    reader = sqlite3.connect(store.path, timeout=30)
    reader.row_factory = sqlite3.Row
    return Device(name, store, session, engine, transport, reader)


# -- strategies ------------------------------------------------------------------------------------


@st.composite
def bed_counts(draw) -> dict[str, int]:
    max_capacity = draw(st.integers(0, 12))
    occupied = draw(st.integers(0, max_capacity))
    reserved = draw(st.integers(0, max_capacity - occupied))
    accepting = draw(st.integers(0, max_capacity - occupied - reserved))
    return {"max_capacity": max_capacity, "occupied": occupied, "vacant_reserved": reserved,
            "vacant_accepting": accepting}


statuses = st.one_of(
    st.none(),  # leave the home's status as it is
    st.just((False, None)),
    st.tuples(st.just(True), st.sampled_from(list(ClosureReason))),
)
fault_plans = st.lists(st.sampled_from(SYNC_FAULTS), max_size=6)
concurrent_fault_plans = st.lists(st.sampled_from(CONCURRENT_FAULTS), max_size=3)


# -- the state machine ---------------------------------------------------------------------------------


class SyncMachine(RuleBasedStateMachine):
    env: ClassVar[Environment]

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="chc-sync-props-"))
        self.devices: list[Device] = []
        self.start_versions: dict[str, int] = {}
        self.seq_before = 0

    def run(self, coro):
        return self.env.loop.run(coro)

    # -- setup ---------------------------------------------------------------------------------

    @initialize(count=st.integers(2, 3))
    def start_devices(self, count: int) -> None:
        self.env.heal_home()
        with contextlib.closing(self.env.server_db()) as db:
            self.seq_before = _change_seq(db)
            self.start_versions = {
                row["id"]: row["version"]
                for row in db.execute("SELECT id, version FROM records WHERE home_id = ? AND kind IN "
                                      "('bed_count', 'home_status')", [DEMO_HOME])
            }
        for index in range(count):
            device = make_device(self.env, self.directory, f"device-{index}")
            self.devices.append(device)
            # The first sync, on a clean network: the device starts with everything.
            assert self.run(device.engine.sync_once())
            assert device.store.record("care_home", DEMO_HOME) is not None

    # -- what the users do ---------------------------------------------------------------------------

    @rule(index=st.integers(0, 2), category=st.sampled_from(CATEGORIES), counts=bed_counts(), status=statuses)
    def edit_on_screen(self, index: int, category: str, counts: dict[str, int], status) -> None:
        """A manager types new counts (and perhaps opens or closes the home) and saves."""
        device = self.devices[index % len(self.devices)]
        STATS["edits during a stalled sync"] += device.stalled is not None
        screen = device.screen()
        for name in COUNT_FIELDS:
            screen.set_text(category, name, str(counts[name]))
        if status is not None:
            screen.set_closed(*status)
        assert screen.save(), screen.message

    @rule(index=st.integers(0, 2))
    def confirm_no_change(self, index: int) -> None:
        device = self.devices[index % len(self.devices)]
        screen = device.screen()
        assert screen.confirm_no_change(), screen.message

    @rule(index=st.integers(0, 2), category=st.sampled_from(CATEGORIES), counts=bed_counts())
    def save_counts_only(self, index: int, category: str, counts: dict[str, int]) -> None:
        """A bed count saved without a confirmation (straight through the store)."""
        device = self.devices[index % len(self.devices)]
        device.store.save("bed_count", [BedCount(home_id=DEMO_HOME, category=category, **counts)])
        device.engine.local_change()

    @rule(index=st.integers(0, 2), category=st.sampled_from(CATEGORIES))
    def delete_category(self, index: int, category: str) -> None:
        """A category entered by mistake is removed (a tombstone on the server)."""
        device = self.devices[index % len(self.devices)]
        record_id = f"{DEMO_HOME}/{category}"
        if device.store.record("bed_count", record_id) is None:
            return  # already gone on this device
        device.store.delete("bed_count", record_id)
        device.engine.local_change()
        STATS["deletes"] += 1

    # -- what the network does ---------------------------------------------------------------------------

    # No rule has a precondition and every rule draws the same things whatever the network did
    # (which request a stall lands on can vary with concurrent requests): Hypothesis replays and
    # shrinks a failure exactly. A rule that does not apply right now does nothing.

    @rule(index=st.integers(0, 2), faults=fault_plans)
    def sync(self, index: int, faults: list[Fault]) -> None:
        """One sync round of a device; the network does `faults` to its requests, in order."""
        device = self.devices[index % len(self.devices)]
        if device.stalled is not None:
            self._finish_stalled(device)  # its earlier sync goes on first
        device.transport.plan(faults)
        task = self.run(_start_sync(device))
        device.transport.clear_plan()
        if not task.done():
            device.stalled = task
            STATS["stalled syncs"] += 1
        else:
            task.result()

    @rule(index=st.integers(0, 2), faults_a=concurrent_fault_plans, faults_b=concurrent_fault_plans)
    def sync_two_at_once(self, index: int, faults_a: list[Fault], faults_b: list[Fault]) -> None:
        a = self.devices[index % len(self.devices)]
        b = self.devices[(index + 1) % len(self.devices)]
        for device in (a, b):
            if device.stalled is not None:
                self._finish_stalled(device)
        a.transport.plan(faults_a)
        b.transport.plan(faults_b)

        async def both():
            return await asyncio.gather(a.engine.sync_once(), b.engine.sync_once())

        self.run(both())
        a.transport.clear_plan()
        b.transport.clear_plan()

    @rule(index=st.integers(0, 2))
    def release_stalled(self, index: int) -> None:
        """A request (or its answer) that waited in the network goes on; that sync finishes."""
        stalled = [d for d in self.devices if d.stalled is not None]
        if stalled:
            self._finish_stalled(stalled[index % len(stalled)])

    def _finish_stalled(self, device: Device) -> None:
        task, device.stalled = device.stalled, None

        async def finish():
            device.transport.release()
            return await task  # the rest of that sync: its plan was cleared, so it does not stall again

        self.run(finish())

    @rule(index=st.integers(0, 2), which=st.integers(0, 7))
    def deliver_late(self, index: int, which: int) -> None:
        """A copy held in the network reaches the server, after newer requests (reordered)."""
        holding = [d for d in self.devices if d.transport.held]
        if not holding:
            return
        device = holding[index % len(holding)]
        status = self.run(device.transport.replay(which % len(device.transport.held)))
        STATS["late deliveries"] += 1
        assert status < 500, f"the server failed on a late copy ({status})"

    # -- between steps -----------------------------------------------------------------------------------

    @invariant()
    def settled_records_show_the_server_copy(self) -> None:
        for device in self.devices:
            rows = device.reader.execute(
                """SELECT kind, id, data, base_version, server_data, server_version, deleted FROM records r
                   WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.record_id = r.id
                                     AND o.status = 'pending')"""
            ).fetchall()
            for row in rows:
                if row["deleted"]:
                    # A hidden tombstone: deleted on the server, at the version a re-creation builds on.
                    assert row["server_data"] is None and row["server_version"] is not None, (
                        f"{device.name}: hidden {row['kind']} {row['id']} is not a settled tombstone")
                    assert row["base_version"] == row["server_version"]
                    continue
                assert row["server_data"] is not None and json.loads(row["data"]) == json.loads(row["server_data"]), (
                    f"{device.name}: {row['kind']} {row['id']} has nothing pending but shows {row['data']}, "
                    f"not its server copy {row['server_data']}"
                )
                assert row["base_version"] == row["server_version"], (
                    f"{device.name}: {row['kind']} {row['id']} base_version {row['base_version']} "
                    f"!= server_version {row['server_version']} with nothing pending"
                )

    # -- the end: quiet network, then everything must agree -----------------------------------------------------

    def teardown(self) -> None:
        try:
            if self.devices:
                self._quiet_down()
                self._check_converged()
                self._check_exactly_once()
                self._check_up_to_date_edits_apply()
        finally:
            self._close()

    def _quiet_down(self) -> None:
        for device in self.devices:
            device.transport.quiet = True
            device.transport.forget_held()
        for device in self.devices:
            if device.stalled is not None:
                self._finish_stalled(device)
        for device in self.devices:
            for _ in range(3):
                if device.store.pending_count() == 0:
                    break
                self.run(device.engine.sync_once())
            assert device.store.pending_count() == 0, f"{device.name} still has changes pending on a quiet network"
        for device in self.devices:  # now each pulls what the others sent
            assert self.run(device.engine.sync_once()), f"{device.name} could not sync on a quiet network"

    def _live_server_records(self) -> dict[str, tuple[int, dict[str, Any]]]:
        with contextlib.closing(self.env.server_db()) as db:
            return {
                row["id"]: (row["version"], json.loads(row["data"]))
                for row in db.execute("SELECT id, version, data FROM records WHERE home_id = ? AND deleted = 0 AND "
                                      "kind IN ('bed_count', 'home_status')", [DEMO_HOME])
            }

    def _check_converged(self) -> None:
        live = self._live_server_records()
        beds = {data["category"]: data for rid, (_, data) in live.items() if rid != DEMO_HOME}
        versions = {data["category"]: v for rid, (v, data) in live.items() if rid != DEMO_HOME}
        server_status = live.get(DEMO_HOME, (None, None))[1]
        if DEMO_HOME in live:
            versions["home_status"] = live[DEMO_HOME][0]
        # The API's view of the home is the database's.
        server = self.env.bed_state()
        assert {b["category"]: b for b in server["beds"]} == beds, (
            f"GET /homes/{DEMO_HOME}/bed-state shows {server['beds']}; the live records are {beds}"
        )
        assert server["status"] == server_status
        for device in self.devices:
            local_beds = {r.data["category"]: r for r in device.store.records("bed_count", DEMO_HOME)}
            assert {c: r.data for c, r in local_beds.items()} == beds, f"{device.name}'s bed counts differ from the server's"
            assert {c: r.base_version for c, r in local_beds.items()} == {c: versions[c] for c in beds}
            assert not any(r.pending for r in local_beds.values())
            status = device.store.record("home_status", DEMO_HOME)
            assert (status.data if status else None) == server_status, f"{device.name}'s home status differs"
            if status is not None:
                assert status.base_version == versions["home_status"] and not status.pending
            # What the manager sees on the screen.
            screen = device.screen()
            for category, counts in beds.items():
                assert screen.draft(category).counts == {name: counts[name] for name in COUNT_FIELDS}
            for category in set(CATEGORIES) - set(beds):  # deleted: the screen offers it empty
                assert screen.draft(category).saved is None
            if server_status is not None:
                assert screen.closed_to_admissions == server_status["closed_to_admissions"]
                assert (screen.closed_reason.value if screen.closed_reason else None) == server_status["closed_reason"]
                assert screen.confirmed_line().startswith("Last confirmed"), screen.confirmed_line()

    def _check_exactly_once(self) -> None:
        owners = {d.store.device_id: d for d in self.devices}
        sent: dict[str, tuple[Device, sqlite3.Row]] = {}
        for device in self.devices:
            for entry in device.outbox():
                assert entry["status"] != "pending"
                sent[entry["mutation_id"]] = (device, entry)
        with contextlib.closing(self.env.server_db()) as db:
            seq_after = _change_seq(db)
            placeholders = ", ".join("?" for _ in owners)
            rows = db.execute(
                f"SELECT mutation_id, device_id, result FROM applied_mutations WHERE device_id IN ({placeholders}) "
                "ORDER BY rowid",  # the order the server answered them in
                list(owners),
            ).fetchall()
            server_records = {
                row["id"]: (row["version"], json.loads(row["data"]), bool(row["deleted"]))
                for row in db.execute("SELECT id, version, data, deleted FROM records WHERE home_id = ? AND kind IN "
                                      "('bed_count', 'home_status')", [DEMO_HOME])
            }
        answers = {row["mutation_id"]: (row["device_id"], json.loads(row["result"])) for row in rows}
        answered_order = {mutation_id: n for n, mutation_id in enumerate(answers)}
        assert len(answers) == len(rows)
        # (b) the server answered exactly the changes the devices made, once each, as the devices recorded.
        assert set(answers) == set(sent), (
            f"never answered: {sorted(set(sent) - set(answers))}; unknown to any device: {sorted(set(answers) - set(sent))}"
        )
        writes: dict[str, list[tuple[int, str | None]]] = {rid: [(v, None)] for rid, v in self.start_versions.items()}
        applied: dict[int, list[tuple[Device, sqlite3.Row]]] = {}  # version -> the changes answered with it
        for mutation_id in sorted(sent, key=lambda m: answered_order.get(m, -1)):
            device, entry = sent[mutation_id]
            device_id, result = answers[mutation_id]
            assert owners[device_id] is device, f"{mutation_id} was recorded for another device"
            assert entry["status"] == result["status"], (
                f"{device.name} recorded {entry['status']} for {mutation_id}; the server answered {result['status']}"
            )
            assert entry["result_version"] == result.get("version")
            assert result["status"] != "rejected", f"a valid change was rejected: {result.get('message')}"
            if result["status"] == "applied":
                applied.setdefault(result["version"], []).append((device, entry))
        # Each new version is one change's effect: the first answered with it. Only a delete of what
        # is already deleted is applied without writing (answered with the tombstone's version).
        effects: list[tuple[int, Device, sqlite3.Row]] = []
        for version, changes in sorted(applied.items()):
            makers = changes[:1]
            if version <= self.seq_before:
                makers = []  # a tombstone from before this example
            assert len(makers) <= 1, f"v{version} answered {len(makers)} different writes"
            for d, e in changes:
                assert (d, e) in makers or e["op"] == "delete", f"{d.name}'s {e['mutation_id']} reused v{version}"
                assert e["record_id"] == changes[0][1]["record_id"]
            for d, e in makers:
                effects.append((version, d, e))
                writes.setdefault(e["record_id"], []).append((version, d.store.device_id))
        assert all(self.seq_before < v <= seq_after for v, _, _ in effects)
        assert seq_after - self.seq_before == len(effects), (
            f"the server wrote {seq_after - self.seq_before} versions for {len(effects)} applied changes"
        )
        # The newest applied change of each record is what the server holds.
        for record_id, record_writes in writes.items():
            newest_version, _ = max(record_writes)
            server_version = server_records[record_id][0]
            assert server_version == newest_version, f"{record_id}: server at v{server_version}, newest write v{newest_version}"
        for version, _device, entry in effects:
            server_version, stored, deleted = server_records[entry["record_id"]]
            if server_version == version:
                assert deleted == (entry["op"] == "delete")
                if not deleted:
                    data = json.loads(entry["data"])
                    # The server stamps when a confirmation happened and who saved it (docs/sync.md).
                    assert {k: v for k, v in stored.items() if k not in SERVER_STAMPED} == {
                        k: v for k, v in data.items() if k not in SERVER_STAMPED}
        statuses = [entry["status"] for _, entry in sent.values()]
        STATS["examples checked"] += 1
        STATS["changes applied"] += statuses.count("applied")
        STATS["new versions written"] += len(effects)
        STATS["changes in conflict"] += statuses.count("conflict")
        STATS["examples with a conflict"] += "conflict" in statuses
        for device in self.devices:
            STATS.update(f"request: {e.fault}" for e in device.transport.log)
        # (d) the conflict rules.
        # Reject stale: a bed count change (or delete) applies only over the version it was based on,
        # or over the same device's own write.
        for version, device, entry in effects:
            if entry["kind"] != "bed_count":
                continue
            base = entry["base_version"] or 0
            previous = max(((v, by) for v, by in writes[entry["record_id"]] if v < version), default=None)
            assert previous is None or previous[0] <= base or previous[1] == device.store.device_id, (
                f"{device.name}'s change made on v{base} was applied over another device's v{previous[0]}"
            )
        for mutation_id, (device, entry) in sent.items():
            if entry["status"] != "conflict":
                continue
            assert entry["kind"] == "bed_count", "a confirmation lost a conflict: the rule is last arrival wins"
            current = answers[mutation_id][1]["current"]
            by = dict(writes[entry["record_id"]]).get(current["version"], "unknown")
            assert by != device.store.device_id, f"{device.name} conflicted with its own write v{current['version']}"
            assert current["version"] > (entry["base_version"] or 0)
            logged = device.reader.execute(
                "SELECT 1 FROM sync_log WHERE kind = ? AND record_id = ? AND status = 'conflict'",
                [entry["kind"], entry["record_id"]],
            ).fetchone()
            assert logged, f"{device.name} lost a conflict on {entry['record_id']} without telling the user"

    def _check_up_to_date_edits_apply(self) -> None:
        """A device that holds everything the server has can always save over it: no endless conflicts
        (say, with a category another device deleted), whatever happened before."""
        for index, device in enumerate(self.devices):
            assert self.run(device.engine.sync_once())
            sent_before = {entry["mutation_id"] for entry in device.outbox()}
            screen = device.screen()
            for category in CATEGORIES:  # values no random edit uses, so every category changes
                counts = {"max_capacity": 100 + index, "occupied": 50, "vacant_reserved": 1, "vacant_accepting": 2}
                for name in COUNT_FIELDS:
                    screen.set_text(category, name, str(counts[name]))
            assert screen.save(), screen.message
            assert self.run(device.engine.sync_once())
            answers = [(e["kind"], e["record_id"], e["status"]) for e in device.outbox()
                       if e["mutation_id"] not in sent_before]
            assert len(answers) == len(CATEGORIES) + 1
            refused = [a for a in answers if a[2] != "applied"]
            assert not refused, (
                f"{device.name} was up to date with the server, yet its edit was not applied: {refused}; "
                f"sync log: {[(e.record_id, e.message) for e in device.store.sync_log(3)]}"
            )

    def _close(self) -> None:
        async def close_all():
            for device in self.devices:
                device.transport.quiet = True
                if device.stalled is not None:
                    device.transport.release()
                    await asyncio.gather(device.stalled, return_exceptions=True)
                api = device.session.api()
                if api is not None:
                    await api.aclose()
                await device.transport.shutdown()

        try:
            self.run(close_all())
        finally:
            for device in self.devices:
                device.reader.close()
                device.store.close()
            shutil.rmtree(self.directory, ignore_errors=True)


async def _start_sync(device: Device) -> asyncio.Task:
    """Start a sync; return its task once it is done, or stalled in the network."""
    task = asyncio.ensure_future(device.engine.sync_once())
    stalled = asyncio.ensure_future(device.transport.stalled.wait())
    try:
        await asyncio.wait({task, stalled}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stalled.cancel()
    return task


def _change_seq(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_seq'").fetchone()
    return row[0] if row else 0


@pytest.mark.timeout(SETUP_BUDGET_S + EXAMPLES * (EXAMPLE_BUDGET_S + STEPS * STEP_BUDGET_S))
def test_devices_converge_through_a_faulty_network(environment):
    SyncMachine.env = environment
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        ),
    )
    print("\nsync properties:", dict(sorted(STATS.items())))



def test_the_faulty_transport_does_what_it_says(environment):
    """Each fault, one push at a time, against the real server."""
    import random

    from client.sync.api import Offline

    token, _ = environment.sign_in()
    device_id = str(uuid.uuid4())

    def mutation() -> dict[str, Any]:
        return {"mutation_id": str(uuid.uuid4()), "kind": "home_status", "record_id": DEMO_HOME, "op": "put",
                "base_version": None, "client_time": "2026-01-01T00:00:00+00:00",
                "data": {"home_id": DEMO_HOME, "closed_to_admissions": False}}

    def answered(mutation_id: str) -> int:
        with contextlib.closing(environment.server_db()) as db:
            return db.execute("SELECT count(*) FROM applied_mutations WHERE mutation_id = ?", [mutation_id]).fetchone()[0]

    async def scenario() -> None:
        transport = FaultyTransport()
        api = CentralApi(environment.server.url, token, transport=transport)
        try:
            for fault, reaches_server_now in [(Fault.DROP_REQUEST, False), (Fault.DROP_RESPONSE, True),
                                              (Fault.DELAY, False), (Fault.STALL_REQUEST, None)]:
                m = mutation()
                transport.plan([fault])
                if fault is Fault.STALL_REQUEST:
                    push = asyncio.ensure_future(api.push(device_id, [m]))
                    await transport.stalled.wait()
                    assert answered(m["mutation_id"]) == 0  # still in the network
                    transport.release()
                    assert (await push).results[0].status.value == "applied"
                    continue
                with pytest.raises(Offline):
                    await api.push(device_id, [m])
                assert answered(m["mutation_id"]) == int(reaches_server_now), fault
                if fault is Fault.DELAY:
                    assert await transport.replay(0) == 200 and not transport.held
                    assert answered(m["mutation_id"]) == 1
            m = mutation()
            transport.plan([Fault.DUPLICATE, Fault.DELIVER_AND_DELAY])
            first = await api.push(device_id, [m])
            second = await api.push(device_id, [m])
            assert await transport.replay(0) == 200
            assert first == second and answered(m["mutation_id"]) == 1
            assert [e.fault for e in transport.log][-3:] == [Fault.DUPLICATE, Fault.DELIVER_AND_DELAY, Fault.DELIVER]
        finally:
            await api.aclose()
            await transport.shutdown()

    environment.loop.run(scenario())

    # Seeded: the same seed draws the same faults.
    seeded = [FaultyTransport(rng=random.Random(seed)) for seed in (7, 7)]
    draws = [[transport.schedule.next() for _ in range(50)] for transport in seeded]
    assert draws[0] == draws[1] and len(set(draws[0])) > 3
