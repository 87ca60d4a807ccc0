"""A national care home directory for the area benchmarks: 15,000 homes over England's local authorities.

    write_hsca_csv(path, homes=15_000)           # the CQC's "HSCA Active Locations" layout, for the real importer
    database = build_database(15_000)            # imported + bed states, cached under benchmarks/.cache/

The homes are synthetic (the public directory is not shipped) but placed with the real ICB lookup
(/work/shared/data, as server_stub/data/icb-la-lookup.csv), so ICBs and regions are real. Each local
authority gets a centre derived from its name and the seed, inside its ONS region's rough box, and a few
postcode districts of its own; homes are jittered around them. Everything is seeded: the same parameters
give the same file and the same database.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from domain.beds import BedCategory
from domain.readiness import Broadband, DsptLevel, DsptStatus
from protocol.area_records import AREA_KINDS
from server_stub import repository
from server_stub.area_repository import rebuild_area_index
from server_stub.db import create_database_engine, parse_database_url, read_transaction, write_transaction
from server_stub.directory.icb_lookup import LOOKUP_CSV
from server_stub.migrations import upgrade_database
from server_stub.schema import records
from server_stub.services.directory import import_homes

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = Path(__file__).resolve().parent / ".cache"  # gitignored
COLUMNS_FILE = ROOT / "tests" / "data" / "hsca_sample.csv"  # its header line is the CQC's column layout
SEED = 2026
NON_CARE_HOMES_PER_HOME = 0.25  # the real file lists domiciliary and other services too: the importer passes them

# Rough centres (latitude, longitude) and spread of England's ONS regions: enough for distances to mean something.
REGION_CENTRES = {
    "North East": (54.85, -1.65, 0.35), "North West": (53.65, -2.65, 0.45),
    "Yorkshire and The Humber": (53.85, -1.30, 0.45), "East Midlands": (52.95, -0.95, 0.45),
    "West Midlands": (52.50, -2.05, 0.40), "East of England": (52.25, 0.45, 0.50),
    "London": (51.51, -0.12, 0.12), "South East": (51.25, -0.60, 0.55), "South West": (50.95, -3.30, 0.65),
}
RATINGS = (("Outstanding", 5), ("Good", 70), ("Requires improvement", 18), ("Inadequate", 2), ("", 5))
FIRST_NAMES = ("Ann", "Bola", "Ceri", "Dev", "Ewa", "Farah", "Gus", "Hana", "Ivan", "Jo", "Kemi", "Liam", "Mei",
               "Nia", "Omar", "Priya", "Ravi", "Sian", "Tom", "Uma", "Vic", "Wren", "Yusuf", "Zoe")
SURNAMES = ("Adebayo", "Brown", "Chen", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
            "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Quinn", "Roberts", "Smith", "Taylor", "Walsh", "Young")
HOME_WORDS = ("Lodge", "House", "Court", "Manor", "Grange", "Nursing Home", "Care Home", "View", "Gardens", "Hall")
PLACE_WORDS = ("Oak", "Beech", "Willow", "Heath", "Meadow", "River", "Park", "Church", "Mill", "Orchard", "Elm",
               "Ash", "Cedar", "Brook", "Hill", "Vale", "Abbey", "Rose", "Holly", "Maple")


@dataclass(frozen=True)
class Authority:
    name: str
    ons_region: str
    icbs: tuple[tuple[str, str, str], ...]  # (code, name, NHS region): several for the few that span ICBs
    latitude: float
    longitude: float
    districts: tuple[tuple[str, float, float], ...]  # postcode district, its centre


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def authorities(seed: int = SEED) -> list[Authority]:
    """England's local authorities from the ICB lookup, each with a seeded centre and postcode districts."""
    icbs: dict[str, list[tuple[str, str, str]]] = {}
    regions: dict[str, str] = {}
    with open(LOOKUP_CSV, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            name = row["Location.Local.Authority"].strip()
            regions[name] = row["Location.Region"].strip()
            choice = (row["ICB22CDH"].strip(), row["ICB22NM"].strip(), row["NHSER22NM"].strip())
            if choice not in icbs.setdefault(name, []):
                icbs[name].append(choice)
    rng = random.Random(seed)
    prefixes = [a + b for a in "ABCDEFGHIJKLMNOPRSTUWYZ" for b in "ABCDEFGHJKLMNOPRSTUWY"]
    rng.shuffle(prefixes)
    found = []
    for index, name in enumerate(sorted(icbs)):
        local = random.Random(f"{seed}:{name}")  # each authority's own: adding one moves no other
        centre_lat, centre_lon, spread = REGION_CENTRES.get(regions[name], (52.5, -1.5, 0.8))
        lat = centre_lat + local.gauss(0, spread * 0.6)
        lon = centre_lon + local.gauss(0, spread * 0.9)
        districts = tuple((f"{prefixes[index]}{n}", lat + local.gauss(0, 0.05), lon + local.gauss(0, 0.07))
                          for n in range(1, local.randint(2, 6) + 1))
        found.append(Authority(name, regions[name], tuple(icbs[name]), round(lat, 5), round(lon, 5), districts))
    return found


# --- the HSCA Active Locations file --------------------------------------------------------------------------

def hsca_columns() -> list[str]:
    """The column names of the CQC's file, in its order (the header line of the sample file in tests/data)."""
    with open(COLUMNS_FILE, newline="", encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if "Location ID" in row:
                return row
    raise ValueError(f"{COLUMNS_FILE} has no header line")


def home_id(n: int) -> str:
    return f"1-{5_000_000_000 + n}"


def _sub_icb(code: str, name: str) -> tuple[str, str]:
    """A sub-ICB location as the CQC's file names it ("NHS Frimley ICB - 15A"): its name names its ICB."""
    digest = hashlib.sha256(code.encode()).hexdigest().upper()
    sub_code = f"{int(digest[:4], 16) % 90 + 10}{digest[4]}"
    return sub_code, f"{name.replace('Integrated Care Board', 'ICB')} - {sub_code}"


def _rows(homes: int, seed: int, places: list[Authority]) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    weights = [random.Random(f"{seed}:weight:{a.name}").uniform(0.4, 2.5) for a in places]
    n_other = 0
    for n in range(homes):
        place = rng.choices(places, weights=weights)[0]
        icb_code, icb_name, nhs_region = rng.choice(place.icbs)
        district, d_lat, d_lon = rng.choice(place.districts)
        nursing = rng.random() < 0.42
        both = nursing and rng.random() < 0.25
        word, kind = rng.choice(PLACE_WORDS), rng.choice(HOME_WORDS)
        manager = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        rating = _weighted(rng, RATINGS)
        sub_code, sub_name = _sub_icb(icb_code, icb_name)
        row = {
            "Location ID": home_id(n), "Location HSCA start date": f"{rng.randint(1, 28):02d}/04/{rng.randint(2010, 2024)}",
            "Dormant (Y/N)": "N", "Care home?": "Y", "Location Name": f"{word} {kind} {n}",
            "Location ODS Code": f"V{rng.randint(1000, 9999)}" if rng.random() < 0.6 else "",
            "Location Telephone Number": f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            "Registered manager": manager, "Care homes beds": str(rng.randint(8, 120)),
            "Location Type/Sector": "Social Care Org", "Location Inspection Directorate": "Adult social care",
            "Location Primary Inspection Category": "Residential social care",
            "Location Latest Overall Rating": rating,
            "Publication Date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2019, 2026)}"
            if rating else "",
            "Location Region": place.ons_region, "Location NHS Region": nhs_region,
            "Location Local Authority": place.name,
            "Location ONSPD CCG Code": sub_code, "Location ONSPD CCG": sub_name,
            "Location Street Address": f"{rng.randint(1, 200)} {rng.choice(PLACE_WORDS)} Road",
            "Location City": place.name, "Location Postal Code": f"{district} {rng.randint(1, 9)}"
                                                                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                                                                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            "Location Latitude": f"{d_lat + rng.gauss(0, 0.03):.5f}",
            "Location Longitude": f"{d_lon + rng.gauss(0, 0.045):.5f}",
            "Provider ID": f"1-{100_000_000 + n // 3}", "Provider Name": f"{word} Care Group {n // 3}",
            "Regulated activity - Accommodation for persons who require nursing or personal care": "Y",
            "Regulated activity - Nursing care": "Y" if nursing else "",
            "Service type - Care home service with nursing": "Y" if nursing else "",
            "Service type - Care home service without nursing": "Y" if both or not nursing else "",
            "Service user band - Dementia": "Y" if rng.random() < 0.65 else "",
            "Service user band - Learning disabilities or autistic spectrum disorder":
                "Y" if rng.random() < 0.10 else "",
            "Service user band - Mental Health": "Y" if rng.random() < 0.08 else "",
            "Service user band - Older People": "Y",
            "Service user band - Physical Disability": "Y" if rng.random() < 0.10 else "",
        }
        yield row
        while n_other < (n + 1) * NON_CARE_HOMES_PER_HOME:  # a domiciliary agency nearby: passed over
            n_other += 1
            yield {"Location ID": f"1-{7_000_000_000 + n_other}", "Dormant (Y/N)": "N", "Care home?": "N",
                   "Location Name": f"{word} Home Support {n_other}", "Location Local Authority": place.name,
                   "Location Postal Code": row["Location Postal Code"], "Location Region": place.ons_region,
                   "Service type - Domiciliary care service": "Y"}


def write_hsca_csv(path: Path, homes: int = 15_000, seed: int = SEED) -> Path:
    """The directory as the CQC publishes it: a preamble, the header line, one row per location."""
    columns = hsca_columns()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["HSCA Active Locations"] + [""] * (len(columns) - 1))
        writer.writerow(["Data as at 01 November 2026"] + [""] * (len(columns) - 1))
        writer.writerow(columns)
        for row in _rows(homes, seed, authorities(seed)):
            writer.writerow([row.get(column, "") for column in columns])
    return path


# --- the import (the real service, as python -m server_stub import-homes runs it) ----------------------------

def import_file(database_url: str, path: Path, now: datetime):
    """Migrate the database and import the file (what the import-homes command does, without its progress bar)."""
    engine = create_database_engine(parse_database_url(database_url))
    try:
        upgrade_database(engine)
        with engine.connect() as connection:
            return import_homes(connection, path, now, dry_run=False)
    finally:
        engine.dispose()


# --- bed states, through the central API's own write path ----------------------------------------------------

def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(1, max(1, total - 1)) for _ in range(parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return [max(1, size) for size in sizes]


def _home_records(data: dict, now: datetime, rng: random.Random) -> tuple[str, list[tuple[str, str, dict]]]:
    """One home's bed counts, settings, status (and some readiness): (when it confirmed, [(kind, id, data)])."""
    hid = data["cqc_location_id"]
    categories = data["bed_categories"]
    confirmed = now - timedelta(seconds=rng.uniform(0, 30 * 86400))  # spread over the last 30 days
    found: list[tuple[str, str, dict]] = []
    for category, capacity in zip(categories, _split(data.get("registered_beds") or 30, len(categories), rng),
                                  strict=True):
        occupied = min(capacity, round(capacity * rng.uniform(0.78, 1.0)))
        free = capacity - occupied
        reserved = rng.randint(0, free // 3) if free else 0
        found.append(("bed_count", f"{hid}/{category}", {
            "home_id": hid, "category": BedCategory(category).value, "max_capacity": capacity,
            "occupied": occupied, "vacant_reserved": reserved, "vacant_accepting": free - reserved}))
    funding = [f for f, share in (("self_funded", 0.85), ("local_authority", 0.7), ("nhs_chc", 0.45))
               if rng.random() < share]
    found.append(("home_settings", f"{hid}/settings", {
        "home_id": hid, "funding_accepted": funding, "manager_name": data.get("registered_manager")}))
    closed = rng.random() < 0.06
    if rng.random() < 0.97:  # a few homes have never confirmed their bed state
        found.append(("home_status", hid, {
            "home_id": hid, "closed_to_admissions": closed,
            "closed_reason": rng.choice(("infection_outbreak", "staffing", "refurbishment")) if closed else None,
            "confirmed_at": confirmed.isoformat()}))
    if rng.random() < 0.7:
        broadband = Broadband(home_id=hid, provider=rng.choice(("BT", "Virgin Media", "Zen", "Sky")),
                              contracted_down_mbps=rng.choice((35.0, 80.0, 150.0, 500.0)),
                              contracted_up_mbps=rng.choice((10.0, 20.0, 50.0)))
        found.append(("broadband", broadband.record_id, broadband.model_dump(mode="json")))
    if rng.random() < 0.6:
        level = rng.choice((DsptLevel.STANDARDS_MET, DsptLevel.STANDARDS_MET, DsptLevel.APPROACHING_STANDARDS,
                            DsptLevel.NOT_PUBLISHED))
        published = level is not DsptLevel.NOT_PUBLISHED
        dspt = DsptStatus(home_id=hid, status=level, year="25/26" if published else None,
                          published_on=(now - timedelta(days=rng.randint(10, 200))).date() if published else None)
        found.append(("dspt_status", dspt.record_id, dspt.model_dump(mode="json")))
    return confirmed.isoformat(), found


def add_bed_states(database_url: str, now: datetime, seed: int = SEED) -> int:
    """Bed counts, settings, confirmations (0..30 days old, a share closed) for every home, written with
    ``repository.upsert_record`` as the central API writes them; then the area index rebuilt. Returns records."""
    rng = random.Random(f"{seed}:beds")
    engine = create_database_engine(parse_database_url(database_url))
    written = 0
    try:
        with engine.connect() as connection:
            # Without statistics SQLite reads a home's records (area_repository.reindex_home, on every write)
            # through the tombstone index, i.e. every live record: a 75,000-record build would take most of an
            # hour. ANALYZE makes it take the home's index; the statistics go again at the end, so the
            # benchmark's server plans its queries as on a database nobody analysed.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
            with read_transaction(connection):
                directory = [json.loads(text) for text in connection.execute(
                    records.select().with_only_columns(records.c.data)
                    .where(records.c.kind == "care_home", records.c.deleted == 0).order_by(records.c.id)).scalars()]
            with write_transaction(connection):
                for data in directory:
                    stamp, found = _home_records(data, now, rng)
                    for kind, record_id, record in found:
                        repository.upsert_record(connection, kind=kind, record_id=record_id,
                                                 home_id=data["cqc_location_id"],
                                                 version=repository.next_version(connection), data=record,
                                                 updated_at=stamp, updated_by_device=None)
                        written += 1
                rebuild_area_index(connection, now.date())  # the homes index from every home's records at once
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
            connection.commit()
    finally:
        engine.dispose()
    return written


# --- the cache --------------------------------------------------------------------------------------------------

def _source_digest() -> str:
    """What the built database depends on: this generator, the schema and how the index reads records."""
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "server_stub" / "schema.py", ROOT / "server_stub" / "area_repository.py",
                 ROOT / "protocol" / "area_records.py", ROOT / "server_stub" / "directory" / "reader.py",
                 COLUMNS_FILE, LOOKUP_CSV, *sorted((ROOT / "server_stub" / "migrations").rglob("*.py"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class National:
    csv_path: Path
    database: Path  # imported, with bed states: copy it before use (a server writes to it)
    homes: int
    records: int
    now: datetime


def build_database(homes: int = 15_000, seed: int = SEED, cache_dir: Path = CACHE_DIR, *,
                   now: datetime | None = None, log=print) -> National:
    """The directory file and a database holding it with bed states; cached per parameters and day (the
    confirmations' ages count from the day it was built)."""
    now = now or datetime.now(timezone.utc)
    key = f"national-{homes}-{seed}-{now:%Y%m%d}-{_source_digest()}"
    folder = cache_dir / key
    csv_path, database = folder / "hsca_active_locations.csv", folder / "central.sqlite3"
    built_at = folder / "built_at"
    if built_at.exists():
        return National(csv_path, database, homes, int(built_at.read_text().split()[1]),
                        datetime.fromisoformat(built_at.read_text().split()[0]))
    if folder.exists():
        shutil.rmtree(folder)  # a build that did not finish
    for stale in cache_dir.glob(f"national-{homes}-{seed}-*"):
        shutil.rmtree(stale, ignore_errors=True)  # yesterday's: its confirmations have aged a day
    folder.mkdir(parents=True)
    log(f"building the national data set ({homes:,} homes) in {folder} ...")
    write_hsca_csv(csv_path, homes, seed)
    url = f"sqlite:///{database}"
    import_file(url, csv_path, now)
    written = add_bed_states(url, now, seed)
    built_at.write_text(f"{now.isoformat()} {written}")
    return National(csv_path, database, homes, written, now)


def area_records_of(database: Path, column: str | None = None, value: str | None = None) -> list[dict]:
    """The records a device of that area pulls (AREA_KINDS of the homes whose index row matches), as rows."""
    import sqlite3

    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        marks = ", ".join("?" for _ in AREA_KINDS)
        sql = (f"SELECT r.kind, r.id, r.home_id, r.version, r.data, r.updated_at FROM records r"
               f" WHERE r.deleted = 0 AND r.kind IN ({marks})")
        params: list = list(AREA_KINDS)
        if column is not None:
            assert column in ("icb_code", "region", "local_authority")  # a column name, never a value
            sql += f" AND r.home_id IN (SELECT home_id FROM homes WHERE {column} = ?)"
            params.append(value)
        rows = db.execute(sql + " ORDER BY r.version", params).fetchall()
    finally:
        db.close()
    return [dict(zip(("kind", "id", "home_id", "version", "data", "updated_at"), row, strict=True)) for row in rows]
