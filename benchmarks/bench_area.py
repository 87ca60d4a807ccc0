"""Area view benchmarks (issue 11, acceptance 6), each beside a floor measured in the same run (no timed asserts).

    .venv/bin/python -m benchmarks.bench_area [--homes 15000] [--requests 100] [--device-runs 50]

Over a national directory (benchmarks/national_data.py: an HSCA Active Locations file imported by the real
importer, bed states written through the central API's write path; cached under benchmarks/.cache/):
- import: the 15,000-home file into a fresh database (target < 30 s), beside reading the file with csv alone;
- central API (the real server process on loopback): search, stale list and overview for a commissioner of
  the largest ICB and for an England-wide one (her region), p50/p95 over N requests (target p95 < 50 ms),
  beside the floor: the equivalent raw SQL on the same SQLite file; GET /health is the loopback baseline;
- device: a commissioner's device holding her area's records (the largest ICB; all of England, the worst
  case): client.state.area.AreaData's answers after its first build (printed apart), p95 < 100 ms, beside
  the same raw SQL over the device's SQLite file.
Prints a table with PASS/MISS per target; exits 0 whatever it finds (it is a report).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import keyring
from argon2 import PasswordHasher, profiles

from benchmarks.national_data import CACHE_DIR, SEED, area_records_of, build_database, import_file, write_hsca_csv
from client.state.area import AreaData
from client.store import open_device_store
from domain.area import STALE_AFTER, STALE_PAGE, AreaRef, BedSearch, point_origin
from domain.beds import BedCategory
from protocol import Account, Record
from protocol.area import OverviewAnswer, SearchAnswer, StaleAnswer
from server_stub import repository
from server_stub.access import COMMISSIONER
from server_stub.db import create_database_engine, parse_database_url, write_transaction
from tests.support.keyring_backend import MemoryKeyring
from tests.support.server_process import start_server

API_TARGET_MS, DEVICE_TARGET_MS, IMPORT_TARGET_S = 50.0, 100.0, 30.0
PASSWORD = "benchmark-password"
ICB_USER, ENGLAND_USER = "bench-icb-commissioner", "bench-england-commissioner"
ND, NURSING = BedCategory.NURSING_DEMENTIA, BedCategory.NURSING
PULL_PAGE = 1000
AREA_JSON = {"icb": "icb_code", "region": "region", "la": "local_authority"}  # area prefix -> CareHome field


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed(run: Callable[[], object], n: int) -> tuple[list[float], object]:
    """Seconds of each of n runs after one untimed warm-up run (whose answer is returned, to check its shape)."""
    answer = run()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times, answer


@dataclass
class Row:
    measure: str
    times: list[float]  # seconds
    target_ms: float | None
    floor: list[float] | None  # seconds, measured the same way
    answer: str  # what came back, in words (so a wrong-shaped answer shows)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.times, 95) * 1000

    @property
    def floor_p95_ms(self) -> float | None:
        return percentile(self.floor, 95) * 1000 if self.floor else None

    @property
    def met(self) -> bool | None:
        return None if self.target_ms is None else self.p95_ms < self.target_ms


@dataclass(frozen=True)
class Areas:
    """Where the commissioners look: the largest ICB, a district in it, the largest NHS region."""

    icb: str
    icb_homes: int
    district: str
    near: tuple[float, float]  # the district's centre
    region: str
    region_homes: int


def choose_areas(database: Path) -> Areas:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        icb, icb_homes = db.execute("SELECT icb_code, count(*) FROM homes WHERE registered = 1 AND icb_code IS NOT"
                                    " NULL GROUP BY icb_code ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
        district, lat, lon = db.execute(
            "SELECT postcode_district, avg(latitude), avg(longitude) FROM homes WHERE icb_code = ?"
            " GROUP BY postcode_district ORDER BY count(*) DESC, 1 LIMIT 1", [icb]).fetchone()
        region, region_homes = db.execute("SELECT region, count(*) FROM homes WHERE registered = 1 AND region IS"
                                          " NOT NULL GROUP BY region ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
    finally:
        db.close()
    return Areas(icb, icb_homes, district, (round(lat, 4), round(lon, 4)), region, region_homes)


# --- import ---------------------------------------------------------------------------------------------------

def bench_import(csv_path: Path, workdir: Path) -> tuple[Row, str]:
    """The real import (the import-homes command's service call) into a fresh database, once."""
    started = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8") as handle:
        lines = sum(1 for _ in csv.reader(handle))
    reading = time.perf_counter() - started
    started = time.perf_counter()
    summary = import_file(f"sqlite:///{workdir / 'import.sqlite3'}", csv_path, datetime.now(timezone.utc))
    elapsed = time.perf_counter() - started
    answer = f"{summary.added:,} added, {len(summary.bad_rows)} bad rows"
    return Row("import the directory file", [elapsed], IMPORT_TARGET_S * 1000, [reading], answer), \
        f"{lines:,} lines"


# --- the central API -------------------------------------------------------------------------------------------

def add_accounts(database: Path, areas: Areas) -> None:
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(PASSWORD)  # sign-in is not measured here
    engine = create_database_engine(parse_database_url(f"sqlite:///{database}"))
    try:
        with engine.connect() as connection, write_transaction(connection):
            repository.insert_accounts(connection, [
                (Account(username=ICB_USER, display_name="ICB commissioner", role=COMMISSIONER,
                         area=f"icb:{areas.icb}"), cheap),
                (Account(username=ENGLAND_USER, display_name="England commissioner", role=COMMISSIONER,
                         area="england"), cheap),
            ])
    finally:
        engine.dispose()


def sql_timer(database: Path, sql: str, params: list, n: int) -> list[float]:
    """The floor: the raw query with sqlite3 on the same file, fetched in full, timed like the requests."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        times, _ = timed(lambda: db.execute(sql, params).fetchall(), n)
    finally:
        db.close()
    return times


def _in(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def server_floors(areas: Areas, cutoff: str) -> dict[str, tuple[str, list]]:
    """The raw SQL a hand-written answer would need, over the server's homes index (area: ICB or region)."""
    search = ("SELECT h.*, b.category, b.vacant_accepting FROM homes h JOIN home_beds b ON b.home_id = h.home_id"
              " WHERE {where} h.registered = 1 AND h.closed_to_admissions = 0 AND b.category IN ({cats})"
              " AND b.vacant_accepting > 0")
    stale = ("SELECT *, count(*) OVER () FROM homes WHERE {column} = ? AND registered = 1 AND (confirmed_at IS NULL"
             f" OR confirmed_at < ?) ORDER BY confirmed_at LIMIT {STALE_PAGE}")  # a page, and how many behind
    overview = ("SELECT h.{child}, b.category, count(DISTINCT h.home_id), sum(b.max_capacity),"
                " sum(b.vacant_accepting) FROM homes h JOIN home_beds b ON b.home_id = h.home_id"
                " WHERE h.{column} = ? AND h.registered = 1 GROUP BY 1, 2")
    return {
        "search icb": (search.format(where="h.icb_code = ? AND", cats="?"), [areas.icb, ND.value]),
        "search england": (search.format(where="", cats="?, ?"), [ND.value, NURSING.value]),
        "stale icb": (stale.format(column="icb_code"), [areas.icb, cutoff]),
        "stale region": (stale.format(column="region"), [areas.region, cutoff]),
        "overview icb": (overview.format(child="local_authority", column="icb_code"), [areas.icb]),
        "overview region": (overview.format(child="icb_code", column="region"), [areas.region]),
    }


def _homes(n: int) -> str:
    return f"{n:,} home{'' if n == 1 else 's'}"


def describe(kind: str, body: dict) -> str:
    """The answer checked against its wire model, in a few words."""
    if kind == "search":
        found = SearchAnswer.model_validate(body)
        return f"{_homes(found.total)} with a vacancy, {len(found.results)} listed"
    if kind == "stale":
        found = StaleAnswer.model_validate(body)
        return f"{found.behind:,} of {_homes(found.total_homes)} not updated, {len(found.homes)} listed"
    found = OverviewAnswer.model_validate(body)
    return (f"{_homes(found.totals.homes)}, {found.totals.vacant_accepting:,} vacant accepting,"
            f" {len(found.children)} rows")


def bench_api(database: Path, areas: Areas, n: int) -> list[Row]:
    add_accounts(database, areas)
    icb, region = f"icb:{areas.icb}", f"region:{areas.region}"
    requests = {  # measure -> (account, path, parameters)
        "search icb": (ICB_USER, "/area/search", {"category": ND.value, "area": icb,
                                                  "near_district": areas.district}),
        "search england": (ENGLAND_USER, "/area/search", {"category": [ND.value, NURSING.value],
                                                          "near": f"{areas.near[0]},{areas.near[1]}"}),
        "stale icb": (ICB_USER, "/area/stale", {"area": icb}),
        "stale region": (ENGLAND_USER, "/area/stale", {"area": region}),
        "overview icb": (ICB_USER, "/area/overview", {"area": icb}),
        "overview region": (ENGLAND_USER, "/area/overview", {"area": region}),
    }
    rows = []
    with start_server(database, seed_demo=False, extra_args=("--token-ttl-seconds", "7200")) as server, \
            httpx.Client(base_url=server.url, timeout=120) as client:
        tokens = {}
        for username in (ICB_USER, ENGLAND_USER):
            answer = client.post("/auth/sign-in", json={"username": username, "password": PASSWORD})
            answer.raise_for_status()
            tokens[username] = {"Authorization": f"Bearer {answer.json()['token']}"}
        health, _ = timed(lambda: client.get("/health").raise_for_status(), n)
        rows.append(Row("API GET /health (loopback)", health, None, None, "ok"))
        cutoff = (datetime.now(timezone.utc) - STALE_AFTER).isoformat()
        floors = server_floors(areas, cutoff)
        for measure, (username, path, params) in requests.items():
            def get(path=path, params=params, headers=tokens[username]):
                answer = client.get(path, params=params, headers=headers)
                answer.raise_for_status()
                return answer.json()

            times, body = timed(get, n)
            sql, sql_params = floors[measure]
            rows.append(Row(f"API {measure}", times, API_TARGET_MS, sql_timer(database, sql, sql_params, n),
                            describe(measure.split()[0], body)))
    return rows


# --- a commissioner's device -------------------------------------------------------------------------------------

def fill_device(folder: Path, database: Path, area_column: str | None, area_value: str | None, now: datetime):
    """A device holding what its commissioner pulls: the area's records, stored page by page as sync does."""
    device = open_device_store(folder, now=lambda: now)
    rows = area_records_of(database, area_column, area_value)
    for start in range(0, len(rows), PULL_PAGE):
        page = [Record(kind=r["kind"], id=r["id"], home_id=r["home_id"], version=r["version"],
                       updated_at=r["updated_at"], data=json.loads(r["data"]))
                for r in rows[start:start + PULL_PAGE]]
        device.sync.apply_pull_page(page, page[-1].version)
    return device, len(rows)


def device_floors(areas: Areas, cutoff: str) -> dict[str, tuple[str, list]]:
    """The same questions in raw SQL over the device's records table (JSON text, as the device keeps it)."""
    home = "json_extract(h.data, '$.{field}')"
    search = ("SELECT h.home_id, h.data, b.data FROM records h"
              " JOIN records b ON b.home_id = h.home_id AND b.kind = 'bed_count' AND b.deleted = 0"
              " LEFT JOIN records s ON s.kind = 'home_status' AND s.id = h.home_id AND s.deleted = 0"
              " WHERE h.kind = 'care_home' AND h.deleted = 0 {where}"
              " AND json_extract(b.data, '$.category') IN ({cats}) AND json_extract(b.data, '$.vacant_accepting') > 0"
              " AND coalesce(json_extract(s.data, '$.closed_to_admissions'), 0) = 0")
    stale = ("SELECT h.home_id, h.data, s.data, count(*) OVER () FROM records h"
             " LEFT JOIN records s ON s.kind = 'home_status' AND s.id = h.home_id AND s.deleted = 0"
             " WHERE h.kind = 'care_home' AND h.deleted = 0 AND {area} = ?"
             " AND coalesce(json_extract(s.data, '$.confirmed_at'), '') < ?"
             f" ORDER BY json_extract(s.data, '$.confirmed_at') LIMIT {STALE_PAGE}")
    overview = ("SELECT {child}, json_extract(b.data, '$.category'), count(DISTINCT h.home_id),"
                " sum(json_extract(b.data, '$.max_capacity')), sum(json_extract(b.data, '$.vacant_accepting'))"
                " FROM records h JOIN records b ON b.home_id = h.home_id AND b.kind = 'bed_count' AND b.deleted = 0"
                " WHERE h.kind = 'care_home' AND h.deleted = 0 AND {area} = ? GROUP BY 1, 2")
    icb, region = home.format(field="icb_code"), home.format(field="region")
    return {
        "search icb": (search.format(where=f"AND {icb} = ?", cats="?"), [areas.icb, ND.value]),
        "search england": (search.format(where="", cats="?, ?"), [ND.value, NURSING.value]),
        "stale icb": (stale.format(area=icb), [areas.icb, cutoff]),
        "stale region": (stale.format(area=region), [areas.region, cutoff]),
        "overview icb": (overview.format(child=home.format(field="local_authority"), area=icb), [areas.icb]),
        "overview region": (overview.format(child=icb, area=region), [areas.region]),
    }


def bench_device(label: str, folder: Path, database: Path, areas: Areas, england: bool, n: int,
                 now: datetime) -> tuple[list[Row], str]:
    started = time.perf_counter()
    device, stored = fill_device(folder, database, None if england else "icb_code", None if england else areas.icb,
                                 now)
    filled = time.perf_counter() - started
    try:
        data = AreaData(device.store, now=lambda: now)
        started = time.perf_counter()
        homes = len(data.homes())
        first_build = time.perf_counter() - started
        icb, region = AreaRef.parse(f"icb:{areas.icb}"), AreaRef.parse(f"region:{areas.region}")
        questions: dict[str, Callable[[], object]] = {
            "search icb": lambda: data.search(BedSearch(frozenset({ND}), areas=(icb,),
                                                        origin=data.district_origin(areas.district))),
            "stale icb": lambda: data.stale(icb),
            "overview icb": lambda: data.overview_answer(icb),
        }
        if england:
            questions = {
                "search england": lambda: data.search(BedSearch(frozenset({ND, NURSING}),
                                                                origin=point_origin(*areas.near))),
                "stale region": lambda: data.stale(region),
                "overview region": lambda: data.overview_answer(region),
            }
        floors = device_floors(areas, (now - STALE_AFTER).isoformat())
        rows = []
        for measure, ask in questions.items():
            times, answer = timed(ask, n)
            sql, params = floors[measure]
            rows.append(Row(f"device ({label}) {measure}", times, DEVICE_TARGET_MS,
                            sql_timer(device.store.path, sql, params, n),
                            describe(measure.split()[0], answer.model_dump(mode="json"))))
    finally:
        device.store.close()
    return rows, (f"device ({label}): {stored:,} records of {homes:,} homes stored in {filled:.1f} s;"
                  f" first build of its snapshots {first_build * 1000:,.0f} ms")


# --- the report ----------------------------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.1f} ms"


def print_table(rows: list[Row]) -> None:
    print(f"\n{'measure':42} {'p50':>10} {'p95':>10} {'target':>10} {'floor p95':>10} {'ratio':>7}  met   answer")
    for row in rows:
        floor = row.floor_p95_ms
        ratio = f"{row.p95_ms / floor:.1f}x" if floor else "-"
        target = f"< {_ms(row.target_ms)}" if row.target_ms else "-"
        met = "-" if row.met is None else ("PASS" if row.met else "MISS")
        print(f"{row.measure:42} {_ms(row.p50_ms):>10} {_ms(row.p95_ms):>10} {target:>10} {_ms(floor):>10}"
              f" {ratio:>7}  {met:5} {row.answer}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=15_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per API measure")
    parser.add_argument("--device-runs", type=int, default=50, help="timed answers per device measure")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())  # the device's data key, for this run only

    started = time.perf_counter()
    national = build_database(args.homes, args.seed, args.cache_dir)
    print(f"national data: {args.homes:,} homes, {national.records:,} bed state records"
          f" ({time.perf_counter() - started:.1f} s, cached under {args.cache_dir})", flush=True)
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = national.csv_path
        if not csv_path.exists():  # an older cache without its file
            csv_path = write_hsca_csv(workdir / "hsca.csv", args.homes, args.seed)
        import_row, lines = bench_import(csv_path, workdir)
        notes.append(f"import: {csv_path.name}, {lines} (floor: reading it with csv alone)")
        print(f"import done in {import_row.times[0]:.1f} s", flush=True)
        database = workdir / "central.sqlite3"
        with sqlite3.connect(national.database) as source, sqlite3.connect(database) as target:
            source.backup(target)  # the cached file stays as built
        areas = choose_areas(database)
        notes.append(f"largest ICB {areas.icb} ({areas.icb_homes:,} homes), district {areas.district},"
                     f" near {areas.near[0]},{areas.near[1]}; largest region {areas.region}"
                     f" ({areas.region_homes:,} homes)")
        rows = [import_row, *bench_api(database, areas, args.requests)]
        print("central API done", flush=True)
        now = datetime.now(timezone.utc)
        for label, england in (("ICB", False), ("England", True)):
            device_rows, note = bench_device(label, workdir / f"device-{label}", database, areas, england,
                                             args.device_runs, now)
            rows += device_rows
            notes.append(note)
        shutil.rmtree(workdir / "device-ICB", ignore_errors=True)
    print(f"\n{args.homes:,} homes; {args.requests} requests per API measure, {args.device_runs} answers per device"
          f" measure; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    for note in notes:
        print(f"  {note}")
    print_table(rows)


if __name__ == "__main__":
    main()
