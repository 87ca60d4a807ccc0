"""Schema migrations (Alembic), on SQLite and PostgreSQL (the `database_url` fixture runs each test on both).

- A database made by the server before Alembic (schema_migrations at version 5,
  tests/support/legacy_schema.py) with data in it is adopted: its accounts sign
  in, its sessions still work, its records are pulled with their versions, the
  change sequence goes on without reusing a number, and a hospital sees the old
  active transfer.
- Upgrading an empty database gives exactly server_stub/schema.py's tables.
- A database from a newer version of the server, or too old to adopt, is refused
  with a plain message.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from domain.news2 import Consciousness, Observations
from domain.residents import Organisation, Resident
from domain.transfer import depart, start_transfer
from server_stub.__main__ import main
from server_stub.app import create_app
from server_stub.db import parse_database_url
from server_stub.demo_data import DEMO_HOME_ID, DEMO_HOSPITAL_ODS, DEMO_PASSWORD, load_care_homes
from server_stub.migrations import SchemaError, head_revision
from server_stub.schema import metadata
from server_stub.security import hash_password, token_digest
from server_stub.settings import Settings
from tests.support.auth import sign_in
from tests.support.central_inprocess import FakeClock, bed_mutation, push
from tests.support.legacy_schema import create_legacy_database

pytestmark = pytest.mark.timeout(120)

OLD_TOKEN = "a-token-handed-out-before-the-upgrade"
STAMP = "2026-11-20T08:00:00.000000Z"


def _plain_engine(database_url: str):
    """An engine without the server's hooks, to write and inspect the database as it is."""
    return create_engine(parse_database_url(database_url).url)


def _fill_legacy_database(database_url: str) -> dict[str, int]:
    """Today's schema (made the old way) with a home, its beds, a resident in hospital, accounts, sessions, audit rows."""
    create_legacy_database(database_url)
    home = next(home for home in load_care_homes() if home.cqc_location_id == DEMO_HOME_ID)
    margaret = Resident(home_id=DEMO_HOME_ID, resident_id="margaret", given_name="Margaret", family_name="Oyelaran",
                        date_of_birth=date(1934, 3, 2), nhs_number="943 476 5919")
    observations = Observations(respiration_rate=24, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
                                consciousness=Consciousness.NEW_CONFUSION, temperature=Decimal("38.4"))
    transfer = depart(start_transfer(margaret, "Short of breath", observations, transfer_id="t1",
                                     destination_hospital=Organisation(name="Wythenshawe", ods_code=DEMO_HOSPITAL_ODS)),
                      datetime(2026, 11, 20, 8, tzinfo=timezone.utc))
    records = [("care_home", home.id, home.model_dump_json()),
               ("resident", margaret.record_id, margaret.model_dump_json()),
               ("transfer", transfer.record_id, transfer.model_dump_json())]
    versions = {}
    engine = _plain_engine(database_url)
    try:
        with engine.begin() as connection:
            for kind, record_id, data in records:
                version = connection.execute(text("INSERT INTO change_seq DEFAULT VALUES RETURNING seq")).scalar_one()
                connection.execute(text(
                    "INSERT INTO records (kind, id, home_id, version, data, updated_at, deleted, updated_by_device) "
                    "VALUES (:kind, :id, :home_id, :version, :data, :stamp, 0, NULL)"),
                    {"kind": kind, "id": record_id, "home_id": DEMO_HOME_ID, "version": version, "data": data,
                     "stamp": STAMP})
                versions[record_id] = version
            connection.execute(text("INSERT INTO homes (home_id, local_authority, icb_code, region) "
                                    "VALUES (:id, 'Trafford', 'QOP', 'North West')"), {"id": home.id})
            password_hash = hash_password(DEMO_PASSWORD)
            connection.execute(text(
                "INSERT INTO accounts (username, display_name, role, home_id, area, password_hash, failed_sign_ins, "
                "locked_until, hospital_ods) VALUES (:username, :name, :role, :home_id, NULL, :hash, 0, NULL, :ods)"), [
                {"username": "manager", "name": "Old manager", "role": "home_manager", "home_id": DEMO_HOME_ID,
                 "hash": password_hash, "ods": None},
                {"username": "ward", "name": "Old ward", "role": "hospital_user", "home_id": None,
                 "hash": password_hash, "ods": DEMO_HOSPITAL_ODS},
            ])
            connection.execute(text("INSERT INTO sessions (token_hash, username, expires_at) "
                                    "VALUES (:hash, 'manager', '2099-01-01T00:00:00.000000Z')"),
                               {"hash": token_digest(OLD_TOKEN)})
            connection.execute(text("INSERT INTO audit_log (at, actor, action, subject, detail) "
                                    "VALUES (:at, 'manager', :action, 'manager', NULL)"),
                               [{"at": STAMP, "action": "sign_in"}, {"at": STAMP, "action": "invite_created"}])
            connection.execute(text("INSERT INTO server_state (key, value) VALUES ('tombstone_horizon', '0')"))
    finally:
        engine.dispose()
    return versions


def test_a_database_made_before_alembic_is_adopted_with_its_data(database_url):
    versions = _fill_legacy_database(database_url)
    app = create_app(Settings(database_url=database_url, seed_demo=False), clock=FakeClock())
    with TestClient(app, raise_server_exceptions=False) as client:
        manager = sign_in(client, "manager")
        old_session = {"Authorization": f"Bearer {OLD_TOKEN}"}
        pulled = client.get("/sync/changes", params={"since": 0}, headers=old_session).json()
        assert {change["id"]: change["version"] for change in pulled["changes"]} == versions

        # The change sequence goes on from where it was: no version is handed out twice. (On PostgreSQL the
        # push's transaction first takes a slot, a number of the same sequence: docs/sync.md.)
        bed = bed_mutation(category="nursing", max_capacity=20, occupied=10, vacant_reserved=0, vacant_accepting=10)
        [result] = push(client, manager, [bed]).json()["results"]
        slots = 1 if app.state.engine.dialect.name == "postgresql" else 0
        assert result["status"] == "applied" and result["version"] == max(versions.values()) + 1 + slots

        [pack] = client.get("/hospital/transfers", headers=sign_in(client, "ward")).json()
        assert pack["transfer"]["transfer_id"] == "t1" and pack["resident"]["given_name"] == "Margaret"

    with app.state.engine.connect() as connection:
        actions = connection.execute(text("SELECT id, action FROM audit_log ORDER BY id")).all()
        assert [action for _, action in actions][:2] == ["sign_in", "invite_created"]
        assert "personal_data_read" in {action for _, action in actions}
        assert [row_id for row_id, _ in actions] == sorted({row_id for row_id, _ in actions})
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert not inspect(connection).has_table("schema_migrations")
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        if connection.dialect.name == "sqlite":
            # What SQLite's old DDL said differently changes nothing there (nullable TEXT primary keys,
            # INTEGER for BIGINT, how an inline ON DELETE reads back), so it is left as it was.
            assert {name: {c["name"] for c in inspect(connection).get_columns(name)} for name in metadata.tables} == \
                {name: set(table.columns.keys()) for name, table in metadata.tables.items()}
        else:
            assert differences == []
    app.state.engine.dispose()


def test_an_empty_database_is_upgraded_to_exactly_the_schema(database_url):
    app = create_app(Settings(database_url=database_url, seed_demo=False))
    with app.state.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
    app.state.engine.dispose()


def test_a_database_from_a_newer_server_is_refused(database_url):
    create_app(Settings(database_url=database_url, seed_demo=False))
    engine = _plain_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaError, match="newer version of the central API"):
        create_app(Settings(database_url=database_url, seed_demo=False))
    with pytest.raises(SystemExit) as stopped:
        main(["--database-url", database_url, "--no-demo"])
    assert "Cannot start: The database has schema revision '0099_from_the_future'" in str(stopped.value.code)


def test_a_database_older_than_the_last_hand_written_migration_is_refused(database_url):
    create_legacy_database(database_url)
    engine = _plain_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM schema_migrations WHERE version > 3"))
    engine.dispose()
    with pytest.raises(SchemaError, match="old schema version 3"):
        create_app(Settings(database_url=database_url, seed_demo=False))
