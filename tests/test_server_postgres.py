"""The central API on PostgreSQL: the same API and sync tests as on SQLite, and several
server processes sharing one database.

- The in-process API tests (tests/test_server_api.py, tests/test_server_tombstones_and_refresh.py)
  and the real-process sync tests (tests/test_server_sync.py) are collected here a second
  time, with their `client` / `server` fixtures pointing at PostgreSQL: every test of those
  modules that needs nothing but those fixtures runs on both engines in the same run.
- Migrating and seeding twice, or from three processes at once, changes nothing (both
  engines, `database_url`); the migrations themselves: tests/test_migrations.py.
- Two `python -m server_stub` processes on one PostgreSQL database, three devices whose
  every request goes to either at random: all converge, every change is applied once.

PostgreSQL is a throwaway cluster for the session (tests/support/postgres.py); each test
(or module of tests sharing a server) gets a fresh database. Without PostgreSQL these
tests are skipped; under CI=true they fail.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient
from sqlalchemy import text

import tests.test_accounts as accounts_tests
import tests.test_server_api as api_tests
import tests.test_server_sync as sync_tests
import tests.test_server_tombstones_and_refresh as tombstone_tests
from client.sync import CentralApi
from domain.beds import BedCount, ClosureReason
from protocol.sync import SCHEMA_VERSION
from server_stub.app import create_app
from server_stub.db import parse_database_url
from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD
from server_stub.migrations import head_revision
from server_stub.settings import Settings
from tests.support import aio
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import FakeClock
from tests.support.devices import make_device
from tests.support.server_process import start_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(120)

# -- the SQLite tests, run again on PostgreSQL ------------------------------------------------------------

# Tests that say "sqlite" themselves; their PostgreSQL versions are below.
NOT_REUSED = {"test_health_and_openapi_are_served"}


def _reuse(module, fixtures: set[str]) -> list[str]:
    """Collect the module's tests that need only `fixtures` (and their parametrize arguments) here too."""
    taken = []
    for name, function in vars(module).items():
        if not name.startswith("test_") or not inspect.isfunction(function) or name in NOT_REUSED:
            continue
        params = set(inspect.signature(function).parameters)
        for mark in getattr(function, "pytestmark", []):
            if mark.name == "parametrize":
                names = mark.args[0]
                params -= {n.strip() for n in names.split(",")} if isinstance(names, str) else set(names)
        if params and params <= fixtures:
            assert name not in globals(), f"{name} is defined twice"
            globals()[name] = function
            taken.append(name)
    return taken


REUSED = {
    "api": _reuse(api_tests, {"client"}),
    "tombstones": _reuse(tombstone_tests, {"client"}),
    "sync": _reuse(sync_tests, {"http", "server"}),
    "accounts": _reuse(accounts_tests, {"client"}),
}


@pytest.fixture(scope="module")
def demo_database(postgres_cluster) -> str:
    """The seeded demo database made once, by the server's own start-up, as SQLite's ``demo_database`` fixture
    (tests/support/demo_database.py: the same cheap demo password hashes); each test's ``client`` starts from a
    copy of it. Seeding from scratch on PostgreSQL: test_migrations_and_seeding_run_once and the tests after it."""
    import psycopg

    url = postgres_cluster.new_database()
    with TestClient(create_app(Settings(database_url=url, token_ttl_seconds=30), clock=FakeClock())):
        pass  # start-up and shut-down (its connections closed): a template must have none
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(DEMO_PASSWORD)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE accounts SET password_hash = %s", [cheap])
    name = url.rsplit("/", 1)[1]
    # A copy needs the template to have no session: a pooled connection of the app above may linger (idle) until
    # it is collected, and a closed one's server process leaves a moment later.
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as connection:
        def none_left() -> bool:
            sessions = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            connection.execute(f"SELECT pg_terminate_backend(pid) {sessions}", [name])
            return connection.execute(f"SELECT count(*) {sessions}", [name]).fetchone()[0] == 0

        wait_until(none_left, timeout=10, interval=0.05, what=f"no session left on {name}")
    return name


@pytest.fixture()
def client(postgres_cluster, demo_database):
    """The in-process app (as in test_server_api / test_server_tombstones_and_refresh) on a fresh copy of the
    seeded PostgreSQL database."""
    clock = FakeClock()
    app = create_app(Settings(database_url=postgres_cluster.new_database(template=demo_database),
                              token_ttl_seconds=30), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.clock = clock
        test_client.app_ref = app
        yield test_client


@pytest.fixture(scope="module")
def server(postgres_cluster):
    """A real server process (as in test_server_sync) on a PostgreSQL database of its own."""
    with start_server(None, database_url=postgres_cluster.new_database()) as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_the_sqlite_tests_are_reused():
    assert len(REUSED["api"]) >= 8 and len(REUSED["tombstones"]) >= 6 and len(REUSED["sync"]) >= 12, REUSED
    assert "test_same_batch_three_times_concurrently_has_one_effect" in REUSED["sync"]
    assert "test_access_tokens_expire_and_a_refresh_token_works_once" in REUSED["tombstones"]
    assert "test_a_commissioner_reads_every_home_of_the_area_and_changes_none" in REUSED["api"]
    assert "test_ten_wrong_passwords_in_a_row_lock_the_account_for_a_while_and_the_audit_log_shows_it" in \
        REUSED["accounts"]


def test_health_names_postgresql(http):
    assert http.get("/health").json() == {"status": "ok", "schema_version": SCHEMA_VERSION, "database": "postgresql"}


# -- database URLs and migrations ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["postgresql://chc:secret@db.example:6543/central", "postgres://chc:secret@db.example:6543/central"])
def test_postgresql_urls_are_accepted_and_their_password_never_shown(url):
    location = parse_database_url(url)
    assert location.engine == "postgresql"
    assert location.url.render_as_string(hide_password=False) == "postgresql+psycopg://chc:secret@db.example:6543/central"
    assert "secret" not in repr(location) and "secret" not in location.describe()
    assert location.describe() == "PostgreSQL db.example:6543/central"


def test_migrations_and_seeding_run_once(database_url):
    first = create_app(Settings(database_url=database_url), clock=FakeClock())
    second = create_app(Settings(database_url=database_url), clock=FakeClock())  # a restart, or a second process
    assert first.state.demo_seeded and not second.state.demo_seeded
    with second.state.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
        assert connection.execute(text("SELECT COUNT(*) FROM records WHERE kind = 'care_home'")).scalar_one() == 56
        homes = connection.execute(text("SELECT COUNT(*) FROM homes WHERE local_authority = 'Trafford'")).scalar_one()
        assert homes == 56
        versions = connection.execute(text("SELECT version FROM records ORDER BY version")).scalars().all()
        # One sequence, no number used twice; on PostgreSQL the seeding transaction's slot (docs/sync.md) took 1.
        first = 2 if connection.dialect.name == "postgresql" else 1
        assert versions == list(range(first, len(versions) + first))
    second.state.engine.dispose()


def test_servers_starting_together_migrate_and_seed_once(postgres_url):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        apps = list(pool.map(lambda _: create_app(Settings(database_url=postgres_url), clock=FakeClock()), range(3)))
    assert sum(app.state.demo_seeded for app in apps) == 1
    with apps[0].state.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM records WHERE kind = 'care_home'")).scalar_one() == 56
    apps[0].state.engine.dispose()


# -- real processes: restart, purge, refresh, commissioner --------------------------------------------


def _push(client: httpx.Client, headers, mutations, device_id: str) -> list[dict]:
    body = {"device_id": device_id, "schema_version": SCHEMA_VERSION, "mutations": mutations}
    response = client.post("/sync/push", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _pull_all(client: httpx.Client, headers, since: int = 0) -> tuple[list[dict], int]:
    changes = []
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 500}, headers=headers)
        assert page.status_code == 200, page.text
        changes += page.json()["changes"]
        since = page.json()["cursor"]
        if not page.json()["has_more"]:
            return changes, since


def test_after_a_restart_that_purges_tombstones_a_device_behind_is_told_to_reset(postgres_url):
    server = start_server(None, database_url=postgres_url)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            headers = sign_in(client)
            _, old_cursor = _pull_all(client, headers)
            device = str(uuid.uuid4())
            base = client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=headers).json()["versions"]["nursing"]
            [applied] = _push(client, headers, [sync_tests.bed_mutation(DEMO_HOME_ID, base_version=base)], device)
            delete = {"mutation_id": str(uuid.uuid4()), "kind": "bed_count", "op": "delete",
                      "record_id": f"{DEMO_HOME_ID}/nursing", "base_version": applied["version"],
                      "client_time": "2026-11-25T09:00:00+00:00"}
            [deleted] = _push(client, headers, [delete], device)
            assert deleted["status"] == "applied"
            tombstones, current_cursor = _pull_all(client, headers, old_cursor)
            assert [(c["id"], c["deleted"]) for c in tombstones] == [(f"{DEMO_HOME_ID}/nursing", True)]

        server.stop()
        server.extra_args = ("--tombstone-retention-seconds", "0")  # the restarted process purges at once
        server.start()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            # The access token outlived the restart: all state is in PostgreSQL.
            def purged():
                answer = client.get("/sync/changes", params={"since": old_cursor}, headers=headers)
                return answer if answer.status_code != 200 else None

            gone = wait_until(purged, timeout=15, interval=0.1, what="the tombstone purged")
            assert gone.status_code == 410 and gone.json()["reset"] is True
            assert client.get("/sync/changes", params={"since": current_cursor}, headers=headers).status_code == 200
            everything, _ = _pull_all(client, headers)
            assert f"{DEMO_HOME_ID}/nursing" not in {c["id"] for c in everything}
    finally:
        server.stop()


def test_refresh_token_works_once_and_commissioner_reads_the_area_across_processes(postgres_url):
    # Two processes on one database: whatever one issues or stores, the other honours.
    with start_server(None, database_url=postgres_url) as a, start_server(None, database_url=postgres_url) as b, \
            httpx.Client(base_url=a.url, timeout=30) as at_a, httpx.Client(base_url=b.url, timeout=30) as at_b:
        signed = sign_in_answer(at_a).json()
        renewed = at_b.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]})
        assert renewed.status_code == 200
        renewed_headers = {"Authorization": f"Bearer {renewed.json()['token']}"}
        assert at_a.get("/sync/changes", headers=renewed_headers).status_code == 200
        assert at_a.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]}).status_code == 401
        assert at_b.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]}).status_code == 401
        # A refresh token used twice ends its sign-in: the tokens renewed from it, at either process.
        assert at_b.get("/sync/changes", headers=renewed_headers).status_code == 401

        commissioner = sign_in(at_b, "commissioner")
        changes, _ = _pull_all(at_a, commissioner)
        assert len({c["home_id"] for c in changes if c["kind"] == "care_home"}) == 56
        [refused] = _push(at_a, commissioner, [sync_tests.bed_mutation(DEMO_HOME_ID)], str(uuid.uuid4()))
        assert refused["status"] == "rejected"


# -- acceptance: two server processes, devices alternating between them at random ---------------------------


class RandomServer(httpx.AsyncBaseTransport):
    """Sends each request to one of several servers, chosen at random (a load balancer with no stickiness)."""

    def __init__(self, servers: list, rng: random.Random, used: dict[int, int]) -> None:
        self.servers = servers
        self.rng = rng
        self.used = used
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        server = self.rng.choice(self.servers)
        request.url = request.url.copy_with(host=server.host, port=server.port)
        request.headers["Host"] = f"{server.host}:{server.port}"
        self.used[server.port] = self.used.get(server.port, 0) + 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


CATEGORIES = ("nursing", "nursing_dementia")  # what the demo home offers
ROUNDS = 30


def _random_counts(rng: random.Random) -> dict[str, int]:
    capacity = rng.randint(0, 12)
    occupied = rng.randint(0, capacity)
    reserved = rng.randint(0, capacity - occupied)
    return {"max_capacity": capacity, "occupied": occupied, "vacant_reserved": reserved,
            "vacant_accepting": rng.randint(0, capacity - occupied - reserved)}


@pytest.mark.usefixtures("memory_keyring")
def test_two_server_processes_on_one_database_devices_alternating_at_random_converge(tmp_path, postgres_url):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    used: dict[int, int] = {}
    with start_server(None, database_url=postgres_url) as a, start_server(None, database_url=postgres_url) as b:
        servers = [a, b]

        def api_factory(url: str, token: str | None) -> CentralApi:
            return CentralApi(url, token, transport=RandomServer(servers, rng, used))

        devices = [make_device(tmp_path / f"device-{n}", a.url, api_factory=api_factory, page_size=3, batch_size=2)
                   for n in range(3)]

        async def scenario() -> None:
            for device in devices:
                await device.session.sign_in(a.url, "demo", DEMO_PASSWORD)
                assert await device.engine.sync_once()
            for _ in range(ROUNDS):
                device = rng.choice(devices)
                action = rng.random()
                category = rng.choice(CATEGORIES)
                if action < 0.6:
                    device.store.save("bed_count", [BedCount(home_id=DEMO_HOME_ID, category=category,
                                                             **_random_counts(rng))])
                elif action < 0.75 and device.store.record("bed_count", f"{DEMO_HOME_ID}/{category}") is not None:
                    device.store.delete("bed_count", f"{DEMO_HOME_ID}/{category}")
                elif action < 0.9:
                    screen = device.screen(DEMO_HOME_ID)
                    closed = rng.random() < 0.3
                    screen.set_closed(closed, rng.choice(list(ClosureReason)) if closed else None)
                    assert screen.confirm_no_change(), screen.message
                # Sync now and then: one device, or two at once (their requests land on both servers).
                if rng.random() < 0.5:
                    syncing = rng.sample(devices, rng.choice((1, 2)))
                    await asyncio.gather(*(d.engine.sync_once() for d in syncing))
            # Quiet: every device sends everything, then every device pulls what the others sent.
            for device in devices:
                for _ in range(5):
                    if device.store.pending_count() == 0:
                        break
                    await device.engine.sync_once()
            for device in devices:
                assert await device.engine.sync_once()

        try:
            aio.run(scenario())
            _check_converged_and_applied_once(devices, postgres_url, seed)
        finally:
            for device in devices:
                device.close()
        assert used.get(a.port, 0) > 5 and used.get(b.port, 0) > 5, used


def _check_converged_and_applied_once(devices, postgres_url: str, seed: int) -> None:
    import psycopg

    with psycopg.connect(postgres_url) as db:
        live = {
            (kind, record_id): (version, json.loads(data))
            for kind, record_id, version, data in db.execute(
                "SELECT kind, id, version, data FROM records WHERE home_id = %s AND deleted = 0 "
                "AND kind IN ('bed_count', 'home_status')", (DEMO_HOME_ID,))
        }
        device_ids = [device.store.device_id for device in devices]
        applied = db.execute("SELECT mutation_id, result FROM applied_mutations WHERE device_id = ANY(%s)",
                             (device_ids,)).fetchall()
    story = f"(random seed {seed})"
    for n, device in enumerate(devices):
        mine = {(r.kind, r.id): (r.base_version, r.data) for kind in ("bed_count", "home_status")
                for r in device.store.records(kind, DEMO_HOME_ID)}
        assert mine == live, f"device {n} differs from the server {story}"
        assert not any(r.pending for kind in ("bed_count", "home_status") for r in device.store.records(kind))
    sent = []
    for device in devices:
        with closing(sqlite3.connect(Path(device.store.path))) as local:
            outbox = local.execute("SELECT mutation_id, status FROM outbox").fetchall()
        assert all(status != "pending" for _, status in outbox), story
        sent += [mutation_id for mutation_id, _ in outbox]
    answered = [mutation_id for mutation_id, _ in applied]
    assert len(answered) == len(set(answered)), f"a mutation answered twice {story}"
    assert sorted(answered) == sorted(sent), f"the server's answers and the devices' changes differ {story}"
    assert len(sent) > 10, story
