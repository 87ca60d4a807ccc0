"""Demo data: the 56 real Trafford care homes (imported like any directory file, services/directory.py),
stable made-up bed counts, and one demo manager account per home (see data/README.md for sources and
licences).

Home statuses are not seeded: no home has confirmed its bed state yet.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from domain.beds import BedCount
from domain.homes import CareHome
from protocol.sync import Account
from server_stub import account_repository, repository
from server_stub.access import ADMINISTRATOR, COMMISSIONER, DIGITAL_CHAMPION, HOME_MANAGER, HOSPITAL_USER
from server_stub.clock import iso
from server_stub.db import Connection, write_transaction
from server_stub.directory.icb_lookup import ICB_CODE_YEAR, LOOKUP_CSV, load_icb_lookup, place_homes
from server_stub.directory.reader import read_directory
from server_stub.security import hash_password
from server_stub.services.directory import apply_directory

DATA_DIR = Path(__file__).parent / "data"
CARE_HOMES_CSV = DATA_DIR / "trafford_care_homes.csv"
ICB_LOOKUP_CSV = LOOKUP_CSV
__all__ = ["ICB_CODE_YEAR", "ICB_LOOKUP_CSV", "load_care_homes", "seed_demo_data"]

DEMO_PASSWORD = "carehome-demo"
DEMO_COMMISSIONER = "commissioner"
DEMO_ADMIN = "admin"
DEMO_CHAMPION = "champion"
DEMO_HOSPITAL = "hospital"
DEMO_HOSPITAL_ODS = "R0A07"  # Wythenshawe Hospital (Manchester University NHS Foundation Trust)
# The champion's homes: the demo home and two neighbours.
DEMO_CHAMPION_HOMES = ("1-1938268568", "1-8503184790", "1-127443456")
DEMO_USERNAME = "demo"
DEMO_HOME_ID = "1-1938268568"  # Allingham House Care Centre

# The area of the demo commissioner and of the demo hospital user's discharge bed search:
# NHS Greater Manchester ICB, which covers Trafford (and Manchester).
DEMO_AREA = "icb:QOP"


def load_care_homes(path: Path = CARE_HOMES_CSV, icb_lookup_path: Path = ICB_LOOKUP_CSV) -> list[CareHome]:
    """The homes of a directory file as the importer reads and places them."""
    return place_homes(read_directory(path).entries, load_icb_lookup(icb_lookup_path))


def demo_bed_counts(home: CareHome) -> list[BedCount]:
    """Made-up but stable counts (derived from a hash of the home and category)."""
    counts = []
    for category in home.bed_categories:
        digest = hashlib.sha256(f"{home.cqc_location_id}/{category.value}".encode()).digest()
        capacity = 10 + digest[0] % 31
        occupied = digest[1] % (capacity + 1)
        free = capacity - occupied
        reserved = digest[2] % (min(free, 3) + 1)
        accepting = digest[3] % (free - reserved + 1)
        counts.append(
            BedCount(
                home_id=home.cqc_location_id, category=category, max_capacity=capacity,
                occupied=occupied, vacant_reserved=reserved, vacant_accepting=accepting,
            )
        )
    return counts


def demo_accounts(homes: list[CareHome]) -> list[Account]:
    accounts = [
        Account(username=f"manager-{home.cqc_location_id}", display_name=f"Manager, {home.name}", role=HOME_MANAGER, home_id=home.cqc_location_id)
        for home in homes
    ]
    # One of each other role, for trying the app and its permissions.
    accounts.append(Account(username=DEMO_ADMIN, display_name="Demo administrator", role=ADMINISTRATOR))
    accounts.append(Account(username=DEMO_CHAMPION, display_name="Demo digital champion, Trafford",
                            role=DIGITAL_CHAMPION))
    accounts.append(Account(username=DEMO_HOSPITAL, display_name="Demo ward clerk, Wythenshawe Hospital",
                            role=HOSPITAL_USER, hospital_ods=DEMO_HOSPITAL_ODS, area=DEMO_AREA))
    # A commissioner who sees (and changes nothing of) every home of NHS Greater Manchester.
    accounts.append(Account(username=DEMO_COMMISSIONER, display_name="Demo commissioner, NHS Greater Manchester",
                            role=COMMISSIONER, area=DEMO_AREA))
    demo_home = next((home for home in homes if home.cqc_location_id == DEMO_HOME_ID), None)
    if demo_home is not None:
        accounts.append(
            Account(username=DEMO_USERNAME, display_name=f"Demo manager, {demo_home.name}", role=HOME_MANAGER, home_id=DEMO_HOME_ID)
        )
    return accounts


def seed_demo_data(connection: Connection, now: datetime) -> bool:
    """Load the demo data into a database that has no care homes yet; True if it did.

    The homes come in through the directory import (so the first import's summary is there for the
    administrator), in the same transaction as their bed counts and the demo accounts.
    """
    if repository.count_records(connection, "care_home") > 0:
        return False
    directory = read_directory(CARE_HOMES_CSV)
    # Argon2 is deliberately slow: hash the shared demo password once for all accounts.
    password_hash = hash_password(DEMO_PASSWORD)
    stamp = iso(now)
    with write_transaction(connection):
        if repository.count_records(connection, "care_home") > 0:  # another process got there first
            return False
        apply_directory(connection, directory, now, dry_run=False)
        homes = [CareHome.model_validate(record.data) for record in repository.records_of_kind(connection, "care_home")]
        for home in homes:
            for count in demo_bed_counts(home):
                repository.upsert_record(
                    connection, kind="bed_count", record_id=count.record_id, home_id=count.home_id,
                    version=repository.next_version(connection), data=count.model_dump(mode="json"),
                    updated_at=stamp, updated_by_device=None,
                )
        repository.insert_accounts(connection, [(account, password_hash) for account in demo_accounts(homes)])
        account_repository.set_champion_homes(connection, DEMO_CHAMPION, list(DEMO_CHAMPION_HOMES))
    return True
