"""The pull cursor never skips a change that commits late (docs/sync.md, "How the cursor stays safe
without one global lock"), and writers of different homes no longer wait for one another.

On PostgreSQL writers of different homes run at once, so a version may commit after a higher one. Two
transactions are driven by hand on two connections of the server's own engine, in one thread (their order
is the order of the statements: no sleeps): writer A allocates the LOWER version and stays open, writer B
allocates a higher one and commits, a pull runs in between, then A commits.

- With the pull bound (db.pull_bound) the pull in between returns nothing past A's version and leaves
  the cursor below it; after A commits, the next pull from that cursor gets both changes.
- With the bound switched off the same pull returns B's change and moves the cursor past A's version,
  which the next pull then never returns: the test above fails without the bound.
- A mutation id reused on another home, pushed while its first copy is still uncommitted, is answered
  (refused: another account's id), never a server error; the second push waits on a row, not a home lock.

SQLite runs one writer at a time (BEGIN IMMEDIATE): a second writer cannot allocate while the first is open,
so the out-of-order case cannot happen there (and pull_bound is None).
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from domain.beds import BedCount
from protocol.kinds import RECORD_KINDS
from protocol.sync import SCHEMA_VERSION, Account, MutationStatus, PullResponse, PushRequest
from server_stub.app import create_app
from server_stub.db import home_write_transaction, pull_bound
from server_stub.demo_data import DEMO_HOME_ID, load_care_homes
from server_stub.services import sync
from server_stub.settings import Settings
from tests.support.central_inprocess import FakeClock, bed_mutation
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(120)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
OTHER_HOME = next(home.cqc_location_id for home in load_care_homes() if home.cqc_location_id != DEMO_HOME_ID)
READER = Account(username="reader", display_name="Reads every home", role="administrator")
BED_COUNT = RECORD_KINDS["bed_count"]


@pytest.fixture(scope="module")
def engine(postgres_cluster):
    """The server's engine on a database of its own, seeded with the demo homes (shared by this module's tests:
    each starts from the cursor where the last left off)."""
    app = create_app(Settings(database_url=postgres_cluster.new_database()), clock=FakeClock())
    yield app.state.engine
    app.state.engine.dispose()


def _write_beds(connection, home_id: str) -> int:
    """One bed count of the home through the server's one write path; its version."""
    count = BedCount(home_id=home_id, category="nursing", max_capacity=10, occupied=5, vacant_reserved=0,
                     vacant_accepting=5)
    return sync.write_record(connection, BED_COUNT, f"{home_id}/nursing", home_id, count.model_dump(mode="json"),
                             now=NOW, author="test", origin="test-device")


def _pull(connection, since: int):
    page = PullResponse.model_validate_json(sync.pull(connection, READER, since, 500, NOW))
    return {change.version for change in page.changes}, page


def _late_commit(engine):
    """Writer A (lower version) open, writer B (higher) committed: what a pull sees, then the next pull after A."""
    with engine.connect() as a, engine.connect() as b, engine.connect() as reader:
        _, start = _pull(reader, 0)
        with home_write_transaction(a, [DEMO_HOME_ID]):
            lower = _write_beds(a, DEMO_HOME_ID)
            with home_write_transaction(b, [OTHER_HOME]):  # not waiting for A: another home
                higher = _write_beds(b, OTHER_HOME)
            assert lower < higher
            between, page = _pull(reader, start.cursor)
        after, _ = _pull(reader, page.cursor)
    return lower, higher, between, page, after


def test_a_pull_never_moves_the_cursor_past_a_version_that_commits_later(engine):
    lower, higher, between, page, after = _late_commit(engine)
    assert higher not in between and lower not in between
    assert page.cursor < lower and not page.has_more  # nothing safe yet: the device comes back for it later
    assert {lower, higher} <= after


def test_without_the_pull_bound_the_late_commit_is_skipped(engine, monkeypatch):
    """The test above can fail: with the bound switched off, the cursor jumps past A's uncommitted version."""
    monkeypatch.setattr(sync, "pull_bound", lambda connection: None)
    lower, higher, between, page, after = _late_commit(engine)
    assert higher in between and page.cursor >= higher > lower
    assert lower not in after  # lost for this device: the failure the bound prevents


def test_the_bound_is_one_above_the_last_version_when_no_writer_is_open(engine):
    with engine.connect() as connection:
        with home_write_transaction(connection, [DEMO_HOME_ID]):
            version = _write_beds(connection, DEMO_HOME_ID)
        assert pull_bound(connection) == version + 1


def test_a_mutation_id_reused_on_another_home_at_the_same_moment_is_answered_not_a_server_error(engine, monkeypatch):
    first = Account(username="manager-a", display_name="A", role="home_manager", home_id=DEMO_HOME_ID)
    second = Account(username="manager-b", display_name="B", role="home_manager", home_id=OTHER_HOME)
    mutation_id = str(uuid.uuid4())

    def request(home_id: str) -> PushRequest:
        mutation = {**bed_mutation(home_id), "mutation_id": mutation_id}
        return PushRequest.model_validate({"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION,
                                           "mutations": [mutation]})

    # The first push stops just before its commit (its applied mutation row written) until released.
    stored, release = threading.Event(), threading.Event()
    note_contact = sync.repository.note_contact

    def held_note_contact(connection, device_id, username, at):
        note_contact(connection, device_id, username, at)
        if username == first.username:
            stored.set()
            assert release.wait(60)

    monkeypatch.setattr(sync.repository, "note_contact", held_note_contact)
    answers: dict[str, object] = {}

    def push(account: Account, home_id: str) -> None:
        with engine.connect() as connection:
            answers[account.username] = sync.push(connection, account, request(home_id), NOW)

    first_push = threading.Thread(target=push, args=(first, DEMO_HOME_ID))
    first_push.start()
    try:
        assert stored.wait(60)
        second_push = threading.Thread(target=push, args=(second, OTHER_HOME))
        second_push.start()
        with engine.connect() as watcher:  # the second push waits on the first's row (not on a home lock)
            wait_until(lambda: watcher.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'transactionid' "
                "AND datname = current_database()")).scalar_one() == 1, timeout=30, interval=0.02,
                what="the second push waiting for the first's applied mutation")
    finally:
        release.set()
        first_push.join(60)
    second_push.join(60)
    [decided] = answers[first.username].results
    [refused] = answers[second.username].results
    assert decided.status != MutationStatus.REJECTED  # decided (the demo home's seeded count: a conflict) and stored
    assert refused.status == MutationStatus.REJECTED and refused.message == sync.MUTATION_ID_TAKEN
