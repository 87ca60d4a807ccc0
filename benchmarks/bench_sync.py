"""Sync benchmarks, each against a baseline measured in the same run (no timed assertions anywhere).

    .venv/bin/python -m benchmarks.bench_sync [--homes 15000] [--saves 300] [--round-trips 100] [--repeat 3]

Prints a table:
- first sync into an empty device of an England commissioner (every home and bed state) and of a region's
  commissioner (about 2,900 homes), each against its floor: the same bytes the API sent, served by a trivial
  server, plus one executemany of the same rows (benchmarks/sync_floor.py; target: England at most 2x the
  floor, the region under 3 s on loopback); the API's own time for those pages against the trivial server's;
- a local save (the bed state screen's Save) with all those homes stored:
  p99, against a bare SQLite insert + commit with the same durability (target p99 < 10 ms);
- one change's round trip on loopback, save to acknowledged: p50, against
  GET /health (target p50 < 50 ms).
Each first sync and each part of its floor is the best of --repeat runs. The seeded database is cached under
benchmarks/.cache/ (gitignored), so later runs start in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import keyring

from benchmarks.large_area import ENGLAND, MANAGER, PASSWORD, REGION, REGION_NAME, home_id, seed
from benchmarks.sync_floor import Floor, measure_floor
from client.state.bed_state import BedStateScreen
from client.sync.engine import PAGE_SIZE
from tests.support.devices import make_device
from tests.support.keyring_backend import MemoryKeyring
from tests.support.server_process import start_server

CACHE_DIR = Path(__file__).resolve().parent / ".cache"  # gitignored
SEED_VERSION = 3  # bump when large_area.seed changes what it writes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def token_for(url: str, username: str) -> str:
    return httpx.post(f"{url}/auth/sign-in", json={"username": username, "password": PASSWORD}).json()["token"]


def seeded_database(homes: int, into: Path) -> None:
    """The large area's database, seeded once per size and kept (seeding 15,000 homes takes a minute or two)."""
    cached = CACHE_DIR / f"bench-sync-{homes}-v{SEED_VERSION}.sqlite3"
    if not cached.exists():
        CACHE_DIR.mkdir(exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        seed(partial, homes)
        partial.rename(cached)
    shutil.copyfile(cached, into)


async def client_first_sync(url: str, workdir: Path, username: str):
    """The app's own first sync (the engine's page size and all) into an empty device; (device, seconds)."""
    device = make_device(workdir, url)
    await device.session.sign_in(url, username, PASSWORD)
    started = time.perf_counter()
    assert await device.engine.sync_once()
    elapsed = time.perf_counter() - started
    return device, elapsed


def best_first_sync(url: str, workdir: Path, username: str, repeat: int):
    """The best of `repeat` first syncs, each into a new empty device; (the last device, seconds)."""
    times, device = [], None
    for attempt in range(repeat):
        if device is not None:
            device.close()
        device, elapsed = asyncio.run(client_first_sync(url, workdir / f"device-{attempt}", username))
        times.append(elapsed)
    return device, min(times)


def bare_commits(workdir: Path, n: int) -> list[float]:
    db = sqlite3.connect(workdir / "bare.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)")
    times = []
    for i in range(n):
        started = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO t (data) VALUES (?)", (f"row {i}",))
        db.execute("COMMIT")
        times.append(time.perf_counter() - started)
    db.close()
    return times


def screen_saves(device, n: int) -> list[float]:
    """The user's Save: one category changed, plus the confirmation."""
    times = []
    screen = BedStateScreen(device.store, home_id(1))
    category = screen.categories[0].category
    for i in range(n):
        if i % 2:
            screen.increment(category, "max_capacity")
        else:
            screen.decrement(category, "max_capacity") if screen.draft(category).counts["max_capacity"] > 40 \
                else screen.increment(category, "max_capacity")
        started = time.perf_counter()
        assert screen.save()
        times.append(time.perf_counter() - started)
    return times


async def round_trips(url: str, workdir: Path, n: int) -> tuple[list[float], list[float]]:
    device = make_device(workdir, url)  # the app's own settings, debounce included
    await device.session.sign_in(url, MANAGER, PASSWORD)
    assert await device.engine.sync_once()
    drained = asyncio.Event()
    device.engine.subscribe(lambda status: drained.set() if status.pending == 0 else None)
    task = asyncio.create_task(device.engine.run())
    await asyncio.sleep(0.2)
    screen = BedStateScreen(device.store, home_id(0), on_saved=device.engine.local_change)
    category = screen.categories[0].category
    times = []
    for i in range(n):
        drained.clear()
        (screen.increment if i % 2 == 0 else screen.decrement)(category, "max_capacity")
        started = time.perf_counter()
        assert screen.save()
        await asyncio.wait_for(drained.wait(), timeout=10)
        times.append(time.perf_counter() - started)
    task.cancel()
    health = []
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(n):
            started = time.perf_counter()
            (await client.get("/health")).raise_for_status()
            health.append(time.perf_counter() - started)
    device.close()
    return times, health


@dataclass(frozen=True)
class FirstSync:
    who: str
    app: float
    floor: Floor
    homes_on_device: int


def first_syncs(url: str, workdir: Path, repeat: int) -> tuple[list[FirstSync], object]:
    """England's and the region's first syncs and floors; returns them and England's device (left open)."""
    results, england_device = [], None
    for username, who in ((REGION, f"region ({REGION_NAME})"), (ENGLAND, "England")):
        token = token_for(url, username)
        floor = measure_floor(url, token, PAGE_SIZE, workdir / f"floor-{username}", repeat)
        device, app = best_first_sync(url, workdir / username, username, repeat)
        results.append(FirstSync(who, app, floor, len(device.store.records("care_home"))))
        if username == ENGLAND:
            england_device = device
        else:
            device.close()
    return results, england_device


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=15_000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--round-trips", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="first syncs and floors: the best of this many runs")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        seeded_database(args.homes, workdir / "central.sqlite3")
        print(f"{args.homes:,} homes ready in {time.perf_counter() - started:.1f} s", flush=True)
        server = start_server(workdir / "central.sqlite3", seed_demo=False)
        try:
            syncs, device = first_syncs(server.url, workdir, args.repeat)
            saves = screen_saves(device, args.saves)
            device.close()
            bare = bare_commits(workdir, args.saves)
            trips, health = asyncio.run(round_trips(server.url, workdir / "manager-device", args.round_trips))
        finally:
            server.stop()

    save_p99, bare_p99 = percentile(saves, 99) * 1000, percentile(bare, 99) * 1000
    trip_p50, health_p50 = statistics.median(trips) * 1000, statistics.median(health) * 1000
    rows_out = []
    for sync in syncs:
        floor = sync.floor
        england = sync.who == "England"
        rows_out += [
            (f"first sync, {sync.who}", f"{sync.app:.2f} s", f"floor {floor.floor:.2f} s", sync.app / floor.floor,
             "<= 2.0x floor" if england else "< 3 s", sync.app / floor.floor <= 2.0 if england else sync.app < 3),
            ("  its pages from the API only", f"{floor.api_only:.2f} s", f"trivial server {floor.trivial:.2f} s",
             floor.api_only / floor.trivial, "", None),
        ]
    rows_out += [
        ("local save p99", f"{save_p99:.2f} ms", f"bare commit {bare_p99:.2f} ms", save_p99 / bare_p99,
         "< 10 ms", save_p99 < 10),
        ("round trip p50 (save to ack)", f"{trip_p50:.1f} ms", f"GET /health {health_p50:.1f} ms",
         trip_p50 / health_p50, "< 50 ms", trip_p50 < 50),
    ]
    print(f"\n{args.saves} saves; {args.round_trips} round trips; best of {args.repeat};"
          f" {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    for sync in syncs:
        floor = sync.floor
        print(f"{sync.who}: {floor.rows:,} records ({sync.homes_on_device:,} homes on the device),"
              f" {floor.json_bytes / 1e6:.1f} MB of JSON, {floor.wire_bytes / 1e6:.1f} MB on the wire;"
              f" floor = trivial server {floor.trivial:.2f} s + executemany {floor.insert:.2f} s")
    print(f"\n{'benchmark':32} {'measured':>12} {'baseline':>26} {'ratio':>7}  {'target':14} met")
    for name, measured, baseline, ratio, target, met in rows_out:
        verdict = "" if met is None else ("yes" if met else "NO")
        print(f"{name:32} {measured:>12} {baseline:>26} {ratio:>6.2f}x  {target:14} {verdict}")


if __name__ == "__main__":
    main()
