"""The device at national scale (issue 14), each figure beside a floor measured in the same run (no timed asserts).

    .venv/bin/python -m benchmarks.bench_device [--homes 15000] [--runs 50] [--year-days 365] [--database FILE]

1. An England commissioner's device after its first sync: every area record of the national data set
   (benchmarks/national_data.py), stored page by page as sync stores them (bench_area.fill_device). A fresh
   process then opens it as the app does and reports:
   - time to the first screen: open the store, build the snapshots of every home (client.state.area.AreaData),
     the overview of her area (England) and its Flet view (AreaOverviewView, built as the app builds it, without
     a page to show it on); floor: every one of those records read with sqlite3 and json.loads, the least any
     screen could do with them;
   - process memory (VmRSS and its peak VmHWM, /proc/self/status) after the first screen, target < 300 MB,
     beside the same process before it opened the store (the app's code imported: the floor);
   - search, stale list and overview p50/p95 (target p95 < 100 ms), beside the same question in raw SQL over the
     same file (bench_area.device_floors).
2. A manager's device through a year of daily saves (tests/support/manager_year.py: the central API in-process,
   one simulated clock): rows and file size after 30, 90 and 365 days, with housekeeping
   (client/store/housekeeping.py) and without it; the ratio year / 90 days is what must stay near 1.
Prints tables with PASS/MISS per target; exits 0 whatever it finds (it is a report).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

PROCESS_STARTED = time.perf_counter()  # before the app's modules are imported: the child's imports are timed

import keyring  # noqa: E402

from benchmarks.bench_area import (  # noqa: E402
    DEVICE_TARGET_MS,
    Areas,
    Row,
    choose_areas,
    describe,
    device_floors,
    fill_device,
    print_table,
    timed,
)
from benchmarks.national_data import CACHE_DIR, SEED, build_database  # noqa: E402
from tests.support.keyring_backend import MemoryKeyring  # noqa: E402

MEMORY_TARGET_MB = 300.0
FIRST_SCREEN_NOTE = "open the store, build every home's snapshot, the England overview and its view"


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc; psutil is not needed)."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) / 1024
    return found


# --- the commissioner's device, in a process of its own ----------------------------------------------------------

def first_screen(folder: Path, now: datetime) -> tuple[dict[str, float], object]:
    """What the app does when a commissioner opens it: her area's overview, built and drawn. Seconds per step."""
    import flet as ft  # noqa: F401 - imported before the clock starts, as the app has it loaded

    from client.state.area import AreaBrowser, AreaData
    from client.store import open_device_store
    from client.views.area_overview_view import AreaOverviewView
    from domain.area import AreaLevel, AreaRef

    steps: dict[str, float] = {}
    started = time.perf_counter()
    device = open_device_store(folder, now=lambda: now)
    steps["open the store"] = time.perf_counter() - started
    mark = time.perf_counter()
    data = AreaData(device.store, now=lambda: now)
    data.homes()
    steps["snapshots of every home"] = time.perf_counter() - mark
    mark = time.perf_counter()
    browser = AreaBrowser(data, AreaRef(AreaLevel.ENGLAND, "", "England"))
    browser.current()
    steps["England overview"] = time.perf_counter() - mark
    mark = time.perf_counter()
    view = AreaOverviewView(browser, device.store, None, on_search=lambda: None, on_stale=lambda area: None,
                            on_history=lambda area: None)
    assert view.body.controls, "the overview drew nothing"
    steps["its Flet view"] = time.perf_counter() - mark
    steps["first screen"] = time.perf_counter() - started
    return steps, (device, data)


def raw_read_floor(database: Path) -> float:
    """Every area record read with sqlite3 and parsed with json.loads: the least a first screen could do."""
    from protocol.area_records import AREA_KINDS

    started = time.perf_counter()
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        marks = ", ".join("?" for _ in AREA_KINDS)
        rows = db.execute(f"SELECT kind, id, home_id, data FROM records WHERE deleted = 0 AND kind IN ({marks})",
                          list(AREA_KINDS)).fetchall()
        parsed = [json.loads(row[3]) for row in rows]
    finally:
        db.close()
    assert parsed
    return time.perf_counter() - started


def child(folder: Path, areas: Areas, now: datetime, runs: int) -> dict:
    """Run in a fresh process: the first screen, memory, then the questions a commissioner asks, with floors."""
    from client.state.area import AreaData
    from domain.area import STALE_AFTER, AreaRef, BedSearch, point_origin
    from domain.beds import BedCategory

    keyring.set_keyring(MemoryKeyring())
    imported = time.perf_counter() - PROCESS_STARTED
    before = memory_mb()
    steps, (device, data) = first_screen(folder, now)
    after = memory_mb()
    data: AreaData
    nd, nursing = BedCategory.NURSING_DEMENTIA, BedCategory.NURSING
    icb, region = AreaRef.parse(f"icb:{areas.icb}"), AreaRef.parse(f"region:{areas.region}")
    questions = {
        "search england": lambda: data.search(BedSearch(frozenset({nd, nursing}), origin=point_origin(*areas.near))),
        "search icb": lambda: data.search(BedSearch(frozenset({nd}), areas=(icb,),
                                                    origin=data.district_origin(areas.district))),
        "stale region": lambda: data.stale(region),
        "overview region": lambda: data.overview_answer(region),
        "overview icb": lambda: data.overview_answer(icb),
    }
    floors = device_floors(areas, (now - STALE_AFTER).isoformat())
    from benchmarks.bench_area import sql_timer

    rows = []
    for measure, ask in questions.items():
        times, answer = timed(ask, runs)
        sql, params = floors[measure]
        rows.append({"measure": f"device (England) {measure}", "times": times,
                     "floor": sql_timer(device.store.path, sql, params, runs),
                     "answer": describe(measure.split()[0], answer.model_dump(mode="json"))})
    records, data_bytes = device.store.db.execute("SELECT count(*), sum(length(data)) FROM records").fetchone()
    homes, path = len(data.homes()), device.store.path
    device.store.close()
    return {"imported_s": imported, "steps": steps, "floor_s": raw_read_floor(path),
            "memory_before": before, "memory_after": after, "rows": rows, "homes": homes,
            "records": records, "data_bytes": data_bytes, "file_bytes": path.stat().st_size}


def bench_commissioner(database: Path, workdir: Path, runs: int) -> tuple[list[Row], list[str]]:
    areas = choose_areas(database)
    folder = workdir / "commissioner-england"
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    device, stored = fill_device(folder, database, None, None, now)
    device.store.close()
    filled = time.perf_counter() - started
    answer = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_device", "--child", str(folder), "--now", now.isoformat(),
         "--runs", str(runs), "--areas", json.dumps(asdict(areas))],
        capture_output=True, text=True, check=False)
    if answer.returncode != 0:
        raise RuntimeError(f"the device process failed:\n{answer.stderr}")
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    steps, floor = found["steps"], found["floor_s"]
    rows = [Row("device (England) first screen", [steps["first screen"]], None, [floor],
                f"{found['homes']:,} homes; {FIRST_SCREEN_NOTE}")]
    rows += [Row(r["measure"], r["times"], DEVICE_TARGET_MS, r["floor"], r["answer"]) for r in found["rows"]]
    before, after = found["memory_before"], found["memory_after"]
    notes = [
        f"device (England): {stored:,} records ({found['data_bytes'] / 1e6:.1f} MB of data; file"
        f" {found['file_bytes'] / 1e6:.1f} MB) stored page by page in {filled:.1f} s",
        f"a fresh process: imports {found['imported_s']:.2f} s, then "
        + ", ".join(f"{name} {seconds * 1000:,.0f} ms" for name, seconds in steps.items()),
        f"first screen floor (every area record read with sqlite3 + json.loads): {floor * 1000:,.0f} ms;"
        f" ratio {steps['first screen'] / floor:.1f}x",
        f"memory: {after['VmRSS']:.0f} MB resident after the first screen (peak {after['VmHWM']:.0f} MB),"
        f" target < {MEMORY_TARGET_MB:.0f} MB: {'PASS' if after['VmHWM'] < MEMORY_TARGET_MB else 'MISS'};"
        f" floor (the same process before opening the store) {before['VmRSS']:.0f} MB;"
        f" the data costs {after['VmRSS'] - before['VmRSS']:.0f} MB",
    ]
    return rows, notes


# --- a manager's year ------------------------------------------------------------------------------------------

@contextmanager
def housekeeping(on: bool):
    from client.store.sync_applier import SyncApplier

    original = SyncApplier.tidy_if_due
    if not on:
        SyncApplier.tidy_if_due = lambda self: None
    try:
        yield
    finally:
        SyncApplier.tidy_if_due = original


def bench_year(workdir: Path, days: int, on: bool) -> dict[int, object]:
    from tests.support.manager_year import central_in_process, live_a_day, manager_device, measure

    sizes = {}
    label = "on" if on else "off"
    with housekeeping(on), central_in_process(workdir / f"year-{label}") as central, \
            manager_device(central, workdir / f"year-{label}" / "device") as device:
        sizes[0] = measure(device, 0)
        for day in range(1, days + 1):
            live_a_day(central, device, day)
            if day in (30, 90, days):
                sizes[day] = measure(device, day)
    return sizes


def print_year(results: dict[str, dict[int, object]], days: int) -> None:
    print(f"\nA manager's device, {days} days of daily saves (simulated clock): rows; pages holding data; the"
          " file and its write-ahead log")
    print(f"{'housekeeping':13} {'day':>5} {'outbox':>7} {'log':>5} {'tombst.':>8} {'alerts':>7} {'pages':>6}"
          f" {'file KB':>8} {'WAL KB':>7}")
    for label, sizes in results.items():
        for day, size in sizes.items():
            print(f"{label:13} {day:>5} {size.outbox:>7} {size.sync_log:>5} {size.tombstones:>8} {size.alerts:>7}"
                  f" {size.pages_in_use:>6} {size.file_bytes / 1024:>8.0f} {size.wal_bytes / 1024:>7.0f}")
    for label, sizes in results.items():
        if 90 in sizes and days > 90:
            quarter, year = sizes[90], sizes[days]
            print(f"  {label}: day {days} / day 90: outbox {year.outbox / max(quarter.outbox, 1):.2f}x,"
                  f" pages in use {year.pages_in_use / quarter.pages_in_use:.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=15_000)
    parser.add_argument("--runs", type=int, default=50, help="timed answers per device measure")
    parser.add_argument("--year-days", type=int, default=365, help="days of the manager's year (0: skip it)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--database", type=Path, help="a central SQLite database already holding the national data"
                        " (e.g. benchmarks.national_load_data's); default: national_data.py's, built and cached")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # the device process (internal)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--areas", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        result = child(args.child, Areas(**{k: tuple(v) if k == "near" else v
                                            for k, v in json.loads(args.areas).items()}),
                       datetime.fromisoformat(args.now), args.runs)
        print(json.dumps(result))
        return
    keyring.set_keyring(MemoryKeyring())
    started = time.perf_counter()
    if args.database is not None:  # read only: choose_areas and fill_device open it read-only
        database = args.database.resolve()
        print(f"national data: {database}", flush=True)
    else:
        national = build_database(args.homes, args.seed, args.cache_dir)
        database = national.database
        print(f"national data: {args.homes:,} homes, {national.records:,} bed state records"
              f" ({time.perf_counter() - started:.1f} s, cached under {args.cache_dir})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rows, notes = bench_commissioner(database, workdir, args.runs)
        print(f"\n{args.homes:,} homes; {args.runs} answers per device measure;"
              f" {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
        for note in notes:
            print(f"  {note}")
        print_table(rows)
        if args.year_days:
            results = {}
            for on in (True, False):
                started = time.perf_counter()
                results["on" if on else "off"] = bench_year(workdir, args.year_days, on)
                print(f"year with housekeeping {'on' if on else 'off'}: {time.perf_counter() - started:.0f} s",
                      flush=True)
            print_year(results, args.year_days)


if __name__ == "__main__":
    main()
