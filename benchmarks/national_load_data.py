"""The national load data set: every home in England with its people, in bulk, on SQLite or PostgreSQL.

    plan = build(database_url, homes=15_000)     # migrated + filled in well under a minute; returns who is who

What is in it (all seeded, all synthetic, placed over the real ICB lookup by benchmarks/national_data.py):
- ``homes`` care homes (the CQC file's layout, read by the real reader and placed by the real ICB lookup);
- per home its bed counts per category, settings, status (confirmation) and some readiness records;
- 90 days of bed-count history (a change every few days per category, the last one the current counts);
- a manager and a member of staff per home; digital champions with their homes; commissioners for England,
  every NHS region and every ICB; one supplier with an API key covering ``supplier_homes`` homes.

Rows go in with one multi-row insert per table (not the API's write path, which the load benchmark
measures): versions are numbered here and the change sequence set past them. Every account shares one
password hash (argon2 once, not 30,000 times). Sessions are not made here: the load benchmark inserts its
own tokens (load_setup.py) so the timed phases never wait for argon2.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from benchmarks.national_data import SEED, _home_records, write_hsca_csv
from protocol.area_records import AREA_KINDS
from server_stub import repository
from server_stub.area_repository import INDEX_DAY, _Row, index_rows
from server_stub.db import create_database_engine, parse_database_url, write_transaction
from server_stub.directory.icb_lookup import load_icb_lookup, place_homes
from server_stub.directory.reader import read_directory
from server_stub.migrations import upgrade_database
from server_stub.schema import (
    accounts,
    bed_history,
    champion_homes,
    home_beds,
    records,
    server_state,
    supplier_homes,
    supplier_keys,
    suppliers,
)
from server_stub.schema import homes as homes_table
from server_stub.security import hash_password, token_digest

PASSWORD = "national-load-password"
SUPPLIER_KEY = "national-load-supplier-key"  # its sha256 is stored, as for a key the API issued
SUPPLIER_NAME = "National Load Care Records"
HISTORY_DAYS = 90
HOMES_PER_CHAMPION = 25


def manager_of(home_id: str) -> str:
    return f"manager-{home_id}"


def staff_of(home_id: str) -> str:
    return f"staff-{home_id}"


@dataclass
class Plan:
    """Who is who in the built database (what the load generator needs to act as them)."""

    database_url: str
    homes: list[str]  # every home's CQC location ID, in order
    categories: dict[str, list[str]]  # home -> the bed categories it offers
    commissioners: dict[str, str] = field(default_factory=dict)  # username -> area
    champions: list[str] = field(default_factory=list)
    supplier_homes: list[str] = field(default_factory=list)
    records: int = 0
    history_rows: int = 0
    seconds: float = 0.0


def _insert(connection, table, rows: list[dict]) -> None:
    """Plain rows, fast: COPY on PostgreSQL, one executemany on SQLite (the DB-API's, not SQLAlchemy's,
    which spends more time building statements than SQLite spends inserting), in the open transaction."""
    if not rows:
        return
    columns = list(rows[0])
    values = [tuple(row[c] for c in columns) for row in rows]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = connection.connection.driver_connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
    finally:
        cursor.close()


def _care_homes(homes: int, seed: int):
    """The homes as the directory import makes them: the CQC file's rows, read and placed by the real code."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_hsca_csv(Path(folder) / "hsca.csv", homes, seed)
        directory = read_directory(path)
    return place_homes(directory.entries, load_icb_lookup())


def _history(rng: random.Random, home_id: str, category: str, current: dict, confirmed: str,
             now: datetime) -> list[dict]:
    """A change every 1-5 days over the last 90 days, ending with the current counts at their confirmation."""
    capacity = current["max_capacity"]
    rows, at = [], now - timedelta(days=HISTORY_DAYS)
    end = datetime.fromisoformat(confirmed)
    while True:
        at += timedelta(days=rng.uniform(1, 5))
        if at >= end:
            break
        occupied = min(capacity, round(capacity * rng.uniform(0.75, 1.0)))
        free = capacity - occupied
        reserved = rng.randint(0, free // 3) if free else 0
        rows.append(dict(home_id=home_id, category=category, at=at.isoformat(), max_capacity=capacity,
                         occupied=occupied, vacant_reserved=reserved, vacant_accepting=free - reserved, deleted=0))
    rows.append(dict(home_id=home_id, category=category, at=confirmed, deleted=0,
                     **{k: current[k] for k in ("max_capacity", "occupied", "vacant_reserved", "vacant_accepting")}))
    return rows


def _index_rows(home_id: str, found_records: list[tuple[str, str, dict]], today: date) -> tuple[dict, list[dict]]:
    """The home's ``homes`` and ``home_beds`` rows, as the server's index computes them (area_repository.index_rows),
    so 15,000 homes go in with one insert; tests/test_load_short.py checks both give the same rows."""
    by_kind: dict[str, list] = defaultdict(list)
    for kind, _, data in sorted(found_records, key=lambda found: found[:2]):  # the order rebuild reads them in
        if kind in AREA_KINDS:
            by_kind[kind].append(_Row(data))
    return index_rows(home_id, by_kind, today)


def build(database_url: str, homes: int = 15_000, *, supplier_homes_count: int = 500, seed: int = SEED,
          now: datetime | None = None, log=print) -> Plan:
    """Migrate an empty database at ``database_url`` and fill it; returns the Plan (and how long it took)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    now = now or datetime.now(timezone.utc)
    stamp = now.isoformat()
    rng = random.Random(f"{seed}:load")
    care_homes = _care_homes(homes, seed)
    plan = Plan(database_url, [h.id for h in care_homes], {})
    record_rows, history_rows, index_rows, bed_rows, version = [], [], [], [], 0
    for home in care_homes:
        data = home.model_dump(mode="json")
        version += 1
        record_rows.append(dict(kind="care_home", id=home.id, home_id=home.id, version=version,
                                data=json.dumps(data, separators=(",", ":")), updated_at=stamp, deleted=0,
                                updated_by_device=None))
        confirmed, found = _home_records(data, now, rng)
        row, beds = _index_rows(home.id, [("care_home", home.id, data), *found], now.date())
        index_rows.append(row)
        bed_rows.extend(beds)
        plan.categories[home.id] = []
        for kind, record_id, record in found:
            version += 1
            record_rows.append(dict(kind=kind, id=record_id, home_id=home.id, version=version,
                                    data=json.dumps(record, separators=(",", ":")), updated_at=confirmed, deleted=0,
                                    updated_by_device=None))
            if kind == "bed_count":
                plan.categories[home.id].append(record["category"])
                history_rows.extend(_history(rng, home.id, record["category"], record, confirmed, now))
    plan.records, plan.history_rows = len(record_rows), len(history_rows)

    password_hash = hash_password(PASSWORD)
    people = []

    def person(username: str, role: str, *, home_id: str | None = None, area: str | None = None) -> None:
        people.append(dict(username=username, display_name=username, role=role, home_id=home_id, area=area,
                           password_hash=password_hash))

    for home_id in plan.homes:
        person(manager_of(home_id), "home_manager", home_id=home_id)
        person(staff_of(home_id), "home_staff", home_id=home_id)
    plan.commissioners["commissioner-england"] = "england"
    for region in sorted({h.region for h in care_homes if h.region}):
        plan.commissioners[f"commissioner-region-{region.lower().replace(' ', '-')}"] = f"region:{region}"
    for icb in sorted({h.icb_code for h in care_homes if h.icb_code}):
        plan.commissioners[f"commissioner-icb-{icb.lower()}"] = f"icb:{icb}"
    for username, area in plan.commissioners.items():
        person(username, "commissioner", area=area)
    champion_rows = []
    for n in range(max(1, homes // (HOMES_PER_CHAMPION * 6))):  # a champion for one home in six
        username = f"champion-{n}"
        plan.champions.append(username)
        person(username, "digital_champion")
        champion_rows.extend(dict(username=username, home_id=h)
                             for h in plan.homes[n * HOMES_PER_CHAMPION:(n + 1) * HOMES_PER_CHAMPION])
    # The supplier's homes are the last ones: the load generator's devices take homes from the front.
    plan.supplier_homes = plan.homes[-min(supplier_homes_count, len(plan.homes) // 4):]

    engine = create_database_engine(parse_database_url(database_url))
    try:
        upgrade_database(engine)
        with engine.connect() as connection, write_transaction(connection):
            _insert(connection, records, record_rows)
            _insert(connection, bed_history, history_rows)
            _insert(connection, accounts, people)
            _insert(connection, champion_homes, champion_rows)
            supplier_id = connection.execute(insert(suppliers).values(
                name=SUPPLIER_NAME, registered_at=stamp, registered_by="national-load").returning(suppliers.c.id)
            ).scalar_one()
            _insert(connection, supplier_homes, [dict(supplier_id=supplier_id, home_id=h) for h in plan.supplier_homes])
            connection.execute(insert(supplier_keys).values(key_hash=token_digest(SUPPLIER_KEY), supplier_id=supplier_id,
                                                            issued_at=stamp, issued_by="national-load"))
            _insert(connection, homes_table, index_rows)
            _insert(connection, home_beds, bed_rows)
            _insert(connection, server_state, [dict(key=INDEX_DAY, value=now.date().isoformat())])
            repository.continue_versions_after(connection, version)
        with engine.connect() as connection:  # statistics, as a database in use has them
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        engine.dispose()
    plan.seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # the wall time depends on what else the machine runs
    log(f"national data set: {homes:,} homes, {plan.records:,} records, {plan.history_rows:,} bed history rows, "
        f"{len(people):,} accounts, {len(plan.commissioners)} commissioners, {len(plan.champions)} champions, "
        f"{len(plan.supplier_homes)} supplier homes: built in {plan.seconds:.1f} s ({cpu:.1f} s of this process's CPU; {engine.dialect.name})")
    return plan
