"""Sync benchmarks, each against a baseline measured in the same run (no timed assertions anywhere).

    .venv/bin/python -m benchmarks.bench_sync [--homes 15000] [--saves 300] [--round-trips 100]

Prints a table:
- first sync of a whole country's homes and bed states into an empty device,
  against a floor: the same pages fetched with plain httpx plus the same rows
  inserted with one executemany (target: at most 2x the floor);
- a local save (the bed state screen's Save) with all those homes stored:
  p99, against a bare SQLite insert + commit with the same durability (target p99 < 10 ms);
- one change's round trip on loopback, save to acknowledged: p50, against
  GET /health (target p50 < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import keyring

from benchmarks.large_area import ENGLAND, MANAGER, PASSWORD, home_id, seed
from client.state.bed_state import BedStateScreen
from tests.support.devices import make_device
from tests.support.keyring_backend import MemoryKeyring
from tests.support.server_process import start_server

PAGE = 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def token_for(url: str, username: str) -> str:
    return httpx.post(f"{url}/auth/sign-in", json={"username": username, "password": PASSWORD}).json()["token"]


def floor_first_sync(url: str, token: str, workdir: Path) -> tuple[float, int]:
    """Plain httpx for the same pages, then one executemany of the same rows."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    bodies, since = [], 0
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while True:
            body = client.get("/sync/changes", params={"since": since, "limit": PAGE}).content
            bodies.append(body)
            page = json.loads(body)
            since = page["cursor"]
            if not page["has_more"]:
                break
    fetched = time.perf_counter() - started
    rows = [(c["kind"], c["id"], c["home_id"], c["version"], json.dumps(c["data"]))
            for body in bodies for c in json.loads(body)["changes"]]
    db = sqlite3.connect(workdir / "floor.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE records (kind TEXT, id TEXT, home_id TEXT, version INTEGER, data TEXT,"
               " PRIMARY KEY (kind, id))")
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows)
    inserted = time.perf_counter() - started
    db.close()
    return fetched + inserted, len(rows)


async def client_first_sync(url: str, workdir: Path):
    device = make_device(workdir, url, page_size=PAGE)
    await device.session.sign_in(url, ENGLAND, PASSWORD)
    started = time.perf_counter()
    assert await device.engine.sync_once()
    elapsed = time.perf_counter() - started
    return device, elapsed


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=15_000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--round-trips", type=int, default=100)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        seed(workdir / "central.sqlite3", args.homes)
        print(f"seeded {args.homes:,} homes in {time.perf_counter() - started:.1f} s", flush=True)
        server = start_server(workdir / "central.sqlite3", seed_demo=False)
        try:
            token = token_for(server.url, ENGLAND)
            warm = workdir / "warm-up"
            warm.mkdir()
            floor_first_sync(server.url, token, warm)  # the server's caches warm for both runs alike
            floor, rows = floor_first_sync(server.url, token, workdir)
            device, first_sync = asyncio.run(client_first_sync(server.url, workdir / "device"))
            stored = len(device.store.records("care_home"))
            saves = screen_saves(device, args.saves)
            device.close()
            bare = bare_commits(workdir, args.saves)
            trips, health = asyncio.run(round_trips(server.url, workdir / "manager-device", args.round_trips))
        finally:
            server.stop()

    save_p99, bare_p99 = percentile(saves, 99) * 1000, percentile(bare, 99) * 1000
    trip_p50, health_p50 = statistics.median(trips) * 1000, statistics.median(health) * 1000
    rows_out = [
        ("first sync, empty device", f"{first_sync:.2f} s", f"floor {floor:.2f} s", first_sync / floor,
         "<= 2.0x floor", first_sync / floor <= 2.0),
        ("local save p99", f"{save_p99:.2f} ms", f"bare commit {bare_p99:.2f} ms", save_p99 / bare_p99,
         "< 10 ms", save_p99 < 10),
        ("round trip p50 (save to ack)", f"{trip_p50:.1f} ms", f"GET /health {health_p50:.1f} ms",
         trip_p50 / health_p50, "< 50 ms", trip_p50 < 50),
    ]
    print(f"\n{rows:,} records ({stored:,} homes on the device); {args.saves} saves; {args.round_trips} round trips;"
          f" {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print(f"{'benchmark':32} {'measured':>12} {'baseline':>26} {'ratio':>7}  {'target':14} met")
    for name, measured, baseline, ratio, target, met in rows_out:
        print(f"{name:32} {measured:>12} {baseline:>26} {ratio:>6.2f}x  {target:14} {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
