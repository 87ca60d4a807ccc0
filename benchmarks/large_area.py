"""A central API database the size of England: 15,000 care homes, their bed counts, and who can see them.

Synthetic homes (the public directory is not shipped): valid per the domain
models, spread over the real ICB lookup's local authorities.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert

from domain.beds import BedCategory, BedCount
from domain.homes import CareHome
from protocol.sync import Account
from server_stub import repository
from server_stub.access import COMMISSIONER, HOME_MANAGER
from server_stub.app import create_app
from server_stub.area_repository import rebuild_area_index
from server_stub.clock import iso
from server_stub.db import write_transaction
from server_stub.demo_data import ICB_LOOKUP_CSV
from server_stub.schema import records
from server_stub.security import hash_password
from server_stub.settings import Settings

PASSWORD = "benchmark-password"
ENGLAND = "bench-england"
REGION = "bench-region"
# The NHS region with the most homes in the lookup (its local authorities' share of 15,000: about 2,900).
REGION_NAME = "North East and Yorkshire"
MANAGER = "bench-manager"


def home_id(n: int) -> str:
    return f"1-{9_000_000_000 + n}"


def seed(db_path: Path, homes: int = 15_000, seed_value: int = 2026) -> None:
    """The records in one executemany (versions 1..n), then the homes index from them at once: seconds, where
    writing each record through the write path (its index rows one by one) took minutes."""
    url = f"sqlite:///{db_path}"
    engine = create_app(Settings(database_url=url, seed_demo=False)).state.engine  # migrated
    rng = random.Random(seed_value)
    with open(ICB_LOOKUP_CSV, newline="") as f:
        areas = [(r["Location.Local.Authority"], r["ICB22CDH"], r["NHSER22NM"]) for r in csv.DictReader(f)]
    now = datetime.now(timezone.utc)
    stamp = iso(now)
    rows: list[dict] = []

    def put(kind: str, record_id: str, home: str, data: dict) -> None:
        rows.append(dict(kind=kind, id=record_id, home_id=home, version=len(rows) + 1,
                         data=json.dumps(data, separators=(",", ":")), updated_at=stamp, deleted=0,
                         updated_by_device=None))

    for n in range(homes):
        la, icb, region = rng.choice(areas)
        nursing = rng.random() < 0.4
        categories = ((BedCategory.NURSING, BedCategory.NURSING_DEMENTIA) if nursing
                      else (BedCategory.RESIDENTIAL, BedCategory.RESIDENTIAL_DEMENTIA))
        home = CareHome(cqc_location_id=home_id(n), name=f"Benchmark Care Home {n}", address=f"{n} High Street",
                        postcode="M1 1AA", local_authority=la, icb_code=icb, icb_code_year=2022, region=region,
                        with_nursing=nursing, bed_categories=categories)
        put("care_home", home.id, home.id, home.model_dump(mode="json"))
        for category in categories:
            capacity = rng.randint(5, 40)
            occupied = rng.randint(0, capacity)
            reserved = rng.randint(0, capacity - occupied)
            bed = BedCount(home_id=home.id, category=category, max_capacity=capacity, occupied=occupied,
                           vacant_reserved=reserved, vacant_accepting=capacity - occupied - reserved)
            put("bed_count", bed.record_id, home.id, bed.model_dump(mode="json"))
    with engine.connect() as connection, write_transaction(connection):
        connection.execute(insert(records), rows)
        repository.continue_versions_after(connection, len(rows))  # the next version follows the last
        rebuild_area_index(connection, now.date())
        password_hash = hash_password(PASSWORD)
        repository.insert_accounts(connection, [
            (Account(username=ENGLAND, display_name="All of England", role=COMMISSIONER, area="england"),
             password_hash),
            (Account(username=REGION, display_name=REGION_NAME, role=COMMISSIONER, area=f"region:{REGION_NAME}"),
             password_hash),
            (Account(username=MANAGER, display_name="Benchmark manager", role=HOME_MANAGER, home_id=home_id(0)),
             password_hash),
        ])
    engine.dispose()
