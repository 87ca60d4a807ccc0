"""The device database: atomic save + outbox (LocalStore), settling answers and pulls that keep pending edits
(SyncApplier, the engine's half)."""

import sqlite3
import uuid

import pytest

from client.store import ServerOnlyKind, open_device_store
from domain.beds import BedCount, HomeStatus
from protocol import MutationResult, MutationStatus
from tests.support.records import HOME_ID, bed_record, care_home_record


def nursing(**counts):
    values = {"max_capacity": 20, "occupied": 15, "vacant_reserved": 1, "vacant_accepting": 4, **counts}
    return BedCount(home_id=HOME_ID, category="nursing", **values)


def test_database_is_wal_and_migrated(tmp_path, store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"records", "outbox", "meta", "sync_log", "_sqlite_migrations"} <= set(store.db.table_names())
    # Reopening applies nothing twice and keeps the device id.
    device_id = store.device_id
    store.close()
    again, _ = open_device_store(tmp_path)
    assert again.device_id == device_id
    names = [row[0] for row in again.db.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert names == ["m001_records_outbox_meta", "m002_deletes_clock_notices", "m003_home_records_in_id_order",
                     "m004_conflict_copies", "m005_outbox_save_id", "m006_tombstone_seen_at"]


def test_save_writes_record_and_outbox_entry_together(store, sync):
    store.save("bed_count", [nursing(vacant_accepting=3)])
    record = store.record("bed_count", f"{HOME_ID}/nursing")
    assert record.data["vacant_accepting"] == 3 and record.pending
    [entry] = sync.pending(10)
    assert entry.base_version == 2 and entry.data["vacant_accepting"] == 3


def test_a_failing_save_leaves_nothing(store):
    with pytest.raises(TypeError):
        store.save("bed_count", [nursing(vacant_accepting=3), HomeStatus(home_id=HOME_ID)])
    assert store.pending_count() == 0
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 4


def test_devices_may_not_write_unknown_kinds(store):
    with pytest.raises(ValueError, match="unknown record kind"):
        store.save("invoice", [nursing()])


def test_devices_may_not_write_server_only_kinds_and_nothing_is_written(store):
    from domain.homes import CareHome

    home = CareHome.model_validate(care_home_record(1).data | {"name": "Renamed on a device"})
    with pytest.raises(ServerOnlyKind, match="only by the central API"):
        store.save_together([("bed_count", nursing(vacant_accepting=3)), ("care_home", home)])
    assert store.pending_count() == 0
    assert store.record("care_home", HOME_ID).data["name"] == "Allingham House Care Centre"
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 4


def test_pull_keeps_pending_edits_and_shows_server_once_settled(store, sync):
    [mutation_id] = store.save("bed_count", [nursing(vacant_accepting=3)])
    sync.apply_pull_page([bed_record("nursing", 9, occupied=10)], 9)
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 3  # still mine
    sync.settle([MutationResult(mutation_id=uuid.UUID(mutation_id), status=MutationStatus.CONFLICT,
                                message="Another device changed it", current=bed_record("nursing", 9, occupied=10))])
    record = store.record("bed_count", f"{HOME_ID}/nursing")
    assert record.data["occupied"] == 10 and record.data["vacant_accepting"] == 4 and not record.pending
    [log] = store.sync_log()
    assert log.status == "conflict" and "Another device" in log.message
    assert sync.pull_cursor == 9


def test_applied_answer_moves_the_base_version(store, sync):
    [first] = store.save("bed_count", [nursing(vacant_accepting=3)])
    [second] = store.save("bed_count", [nursing(vacant_accepting=2)])
    assert [e.base_version for e in sync.pending(10)] == [2, 2]
    sync.settle([MutationResult(mutation_id=uuid.UUID(first), status=MutationStatus.APPLIED, version=10)])
    # Settling the same answer again (a retried batch) changes nothing.
    sync.settle([MutationResult(mutation_id=uuid.UUID(first), status=MutationStatus.APPLIED, version=10)])
    assert store.pending_count() == 1
    sync.settle([MutationResult(mutation_id=uuid.UUID(second), status=MutationStatus.APPLIED, version=11)])
    record = store.record("bed_count", f"{HOME_ID}/nursing")
    assert record.base_version == 11 and record.data["vacant_accepting"] == 2 and not record.pending


def test_rejected_change_is_logged_and_reverted(store, sync):
    [mutation_id] = store.save("bed_count", [nursing(vacant_accepting=3)])
    sync.settle([MutationResult(mutation_id=uuid.UUID(mutation_id), status=MutationStatus.REJECTED,
                                message="You may not change another home's beds")])
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 4
    assert store.sync_log()[0].message == "You may not change another home's beds"


def test_save_is_durable_across_a_new_connection(tmp_path, store):
    store.save("home_status", [HomeStatus(home_id=HOME_ID)])
    raw = sqlite3.connect(tmp_path / "carehome-connect.sqlite3")
    assert raw.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 1


def test_data_dir_is_flets_app_storage_unless_overridden(monkeypatch, tmp_path):
    from client.store import default_data_dir

    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "flet"))
    assert default_data_dir() == tmp_path / "flet"
    assert default_data_dir(tmp_path / "mine") == tmp_path / "mine"
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    assert default_data_dir().name == "carehome-connect"
