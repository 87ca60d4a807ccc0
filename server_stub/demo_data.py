"""Demo data: the 56 real Trafford care homes, stable made-up bed counts, and
one demo manager account per home (see data/README.md for sources and licences).

Home statuses are not seeded: no home has confirmed its bed state yet.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from pathlib import Path

from domain.beds import BedCategory, BedCount
from domain.homes import CareHome
from protocol.sync import Account
from server_stub import account_repository, repository
from server_stub.access import ADMINISTRATOR, COMMISSIONER, DIGITAL_CHAMPION, HOME_MANAGER, HOSPITAL_USER
from server_stub.clock import iso
from server_stub.db import Connection, write_transaction
from server_stub.security import hash_password

DATA_DIR = Path(__file__).parent / "data"
CARE_HOMES_CSV = DATA_DIR / "trafford_care_homes.csv"
ICB_LOOKUP_CSV = DATA_DIR / "icb-la-lookup.csv"
ICB_CODE_YEAR = 2022  # the lookup carries 2022 ICB codes

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

NURSING_CATEGORIES = (BedCategory.NURSING, BedCategory.NURSING_DEMENTIA)
RESIDENTIAL_CATEGORIES = (BedCategory.RESIDENTIAL, BedCategory.RESIDENTIAL_DEMENTIA)


def load_icb_lookup(path: Path = ICB_LOOKUP_CSV) -> dict[str, list[dict[str, str]]]:
    """Local authority name -> its ICB rows (some authorities span several ICBs)."""
    lookup: dict[str, list[dict[str, str]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lookup.setdefault(row["Location.Local.Authority"].strip(), []).append(row)
    return lookup


def load_care_homes(path: Path = CARE_HOMES_CSV, icb_lookup_path: Path = ICB_LOOKUP_CSV) -> list[CareHome]:
    icbs = load_icb_lookup(icb_lookup_path)
    homes = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            services = {part.strip() for part in row["type"].split("|")}
            with_nursing = "Nursing homes" in services
            categories: tuple[BedCategory, ...] = ()
            if "Residential homes" in services:
                categories += RESIDENTIAL_CATEGORIES
            if with_nursing:
                categories += NURSING_CATEGORIES
            authority = row["area_name"].strip()
            # An authority spanning several ICBs needs a postcode lookup we don't have: leave it unknown.
            icb_rows = icbs.get(authority, [])
            icb = icb_rows[0] if len(icb_rows) == 1 else None
            homes.append(
                CareHome(
                    cqc_location_id=row["cqc_id"].strip(),
                    ods_code=None,
                    name=row["name"].strip(),
                    address=", ".join(part.strip() for part in row["address"].split(",") if part.strip()),
                    postcode=row["postcode"].strip(),
                    local_authority=authority,
                    icb=icb["ICB22NM"] if icb else None,
                    icb_code=icb["ICB22CDH"] if icb else None,
                    icb_code_year=ICB_CODE_YEAR if icb else None,
                    region=icb["NHSER22NM"] if icb else None,
                    registered_beds=None,  # not in this source
                    with_nursing=with_nursing,
                    bed_categories=categories or RESIDENTIAL_CATEGORIES,
                )
            )
    return homes


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
                            role=HOSPITAL_USER, hospital_ods=DEMO_HOSPITAL_ODS))
    # A commissioner who sees (and changes nothing of) every Trafford home.
    accounts.append(Account(username=DEMO_COMMISSIONER, display_name="Demo commissioner, Trafford",
                            role=COMMISSIONER, area="la:Trafford"))
    demo_home = next((home for home in homes if home.cqc_location_id == DEMO_HOME_ID), None)
    if demo_home is not None:
        accounts.append(
            Account(username=DEMO_USERNAME, display_name=f"Demo manager, {demo_home.name}", role=HOME_MANAGER, home_id=DEMO_HOME_ID)
        )
    return accounts


def seed_demo_data(connection: Connection, now: datetime) -> bool:
    """Load the demo data into a database that has no care homes yet; True if it did."""
    if repository.count_records(connection, "care_home") > 0:
        return False
    homes = load_care_homes()
    # Argon2 is deliberately slow: hash the shared demo password once for all accounts.
    password_hash = hash_password(DEMO_PASSWORD)
    stamp = iso(now)
    with write_transaction(connection):
        if repository.count_records(connection, "care_home") > 0:  # another process got there first
            return False
        for home in homes:
            _put(connection, "care_home", home.cqc_location_id, home.cqc_location_id, home.model_dump(mode="json"), stamp)
            for count in demo_bed_counts(home):
                _put(connection, "bed_count", count.record_id, count.home_id, count.model_dump(mode="json"), stamp)
        repository.insert_accounts(connection, [(account, password_hash) for account in demo_accounts(homes)])
        account_repository.set_champion_homes(connection, DEMO_CHAMPION, list(DEMO_CHAMPION_HOMES))
    return True


def _put(connection: Connection, kind: str, record_id: str, home_id: str, data: dict, stamp: str) -> None:
    repository.upsert_record(
        connection, kind=kind, record_id=record_id, home_id=home_id, version=repository.next_version(connection),
        data=data, updated_at=stamp, updated_by_device=None,
    )
