"""Endurance (issue 14): devices saving, going offline and online against a real central API, for a bounded time.

    .venv/bin/python -m benchmarks.endurance [--minutes 5] [--devices 6] [--day-seconds 10] [--sample-seconds 10]

The central API is a real process (``python -m server_stub`` on an SQLite file, its demo homes). Each device is a
real device store and sync engine in this process, the manager of a Trafford home (two devices share one home, so
some saves lose a conflict), each behind its own fault proxy (tests/support/fault_proxy.py). Every device saves
its bed state every few seconds as the bed state screen does; now and then its network goes (refused, down, a
reply lost after the server committed) and comes back. Device clocks run fast (a device day every
``--day-seconds``: a few saves a day, as a home makes), so their daily housekeeping
(client/store/housekeeping.py) runs many times in a short run and settled outbox entries really go after their
7 device days (70 s by default: the outbox should be flat after that); the server keeps real time.

Every ``--sample-seconds``: this process's memory (all the devices), the server process's, the database files'
sizes (with their write-ahead logs), the devices' live data (pages in use) and their outbox rows. At the end every device comes back online and sends everything, then:
- nothing lost: every save answered (applied, or refused with a reason), no outbox entry pending;
- exactly once: every change a device saw applied is in the server's applied_mutations once with the same
  answer, every bed count change applied is one row of the server's bed history (no more: refused ones are
  absent), and every device shows what the server holds for its home.
Prints start, end and slope per minute of each sampled size (steady: a slope near zero after warm-up); exits 1
when the nothing-lost / exactly-once check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import keyring

from client.state.bed_state import BedStateScreen
from client.sync import CentralApi
from protocol import kind_of
from tests.support.devices import Device, make_device
from tests.support.fault_proxy import FaultProxy
from tests.support.keyring_backend import MemoryKeyring
from tests.support.server_process import start_server

PASSWORD = "carehome-demo"
OUTAGES = ("refuse", "down", "cut_after_request")


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def file_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()) / 1e6


class FastClock:
    """A device clock that runs ``speed`` times faster than the wall clock (its days pass in seconds)."""

    def __init__(self, speed: float) -> None:
        self.start, self.started, self.speed = datetime.now(timezone.utc), time.monotonic(), speed

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.started) * self.speed)


@dataclass
class Simulated:
    name: str
    home_id: str
    username: str
    device: Device
    proxy: FaultProxy
    saved: dict[str, tuple[str, str]] = field(default_factory=dict)  # mutation id -> (kind, record id)
    answers: dict[str, dict] = field(default_factory=dict)  # mutation id -> the server's answer as settled
    outages: Counter = field(default_factory=Counter)


def record_what_happens(sim: Simulated) -> None:
    """Keep every save's mutation ids and every answer the device records (its outbox forgets them in a week)."""
    store, applier = sim.device.store, sim.device.engine._sync
    save_together, settle = store.save_together, applier.settle

    def saving(edits):
        ids = save_together(edits)
        for mutation_id, (kind, model) in zip(ids, edits, strict=True):
            sim.saved[mutation_id] = (kind, kind_of(kind).record_id(model))
        return ids

    def settling(results):
        results = list(results)
        for result in results:
            sim.answers.setdefault(str(result.mutation_id), {"status": result.status.value,
                                                             "version": result.version})
        return settle(results)

    store.save_together = saving
    applier.settle = settling


def one_save(sim: Simulated, rng: random.Random) -> None:
    """What a manager does on the bed state screen: a resident admitted or gone home, or no change confirmed."""
    screen = BedStateScreen(sim.device.store, sim.home_id, on_saved=sim.device.engine.local_change)
    drafts = [d for d in screen.categories if d.counts.get("max_capacity")]
    if not drafts or rng.random() < 0.15:
        screen.confirm_no_change()
        return
    draft = rng.choice(drafts)
    counts = draft.counts
    admitted = counts["vacant_accepting"] > 0 and (rng.random() < 0.5 or counts["occupied"] == 0)
    if not admitted and counts["occupied"] == 0:
        screen.confirm_no_change()
        return
    screen.increment(draft.category, "occupied" if admitted else "vacant_accepting")
    screen.decrement(draft.category, "vacant_accepting" if admitted else "occupied")
    screen.save()


async def live(sim: Simulated, until: float, rng: random.Random) -> None:
    next_outage = time.monotonic() + rng.uniform(5, 30)
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        await asyncio.to_thread(one_save, sim, rng)
        if time.monotonic() >= next_outage:
            mode = rng.choice(OUTAGES)
            sim.outages[mode] += 1
            if mode == "cut_after_request":  # the server commits, the reply is lost: the retry must not apply twice
                sim.proxy.set_mode(mode, times=1, path_prefix="/sync/push")
            else:
                sim.proxy.set_mode(mode)
                await asyncio.sleep(rng.uniform(3, 15))
                sim.proxy.set_mode("pass")
            next_outage = time.monotonic() + rng.uniform(10, 40)


@dataclass
class Sample:
    at: float  # minutes since the start
    values: dict[str, float]


def data_mb_and_outbox(path: Path) -> tuple[float, int]:
    """The pages holding data (free pages are reused) and the outbox rows, read on a connection of its own."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        pages, free, size = (db.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
        return (pages - free) * size / 1e6, db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        db.close()


def sample(started: float, sims: list[Simulated], server_pid: int, server_db: Path) -> Sample:
    found = [data_mb_and_outbox(sim.device.store.path) for sim in sims]
    values = {"devices process RSS MB": rss_mb(), "server process RSS MB": rss_mb(server_pid),
              "server database + WAL MB": file_mb(server_db),
              "devices' data MB (sum)": sum(mb for mb, _ in found),
              "devices' files + WALs MB (sum)": sum(file_mb(sim.device.store.path) for sim in sims),
              "devices' outbox rows (sum)": sum(rows for _, rows in found)}
    return Sample((time.monotonic() - started) / 60, values)


async def sampler(samples: list[Sample], started: float, until: float, every: float, sims, server_pid, server_db):
    while time.monotonic() < until:
        samples.append(sample(started, sims, server_pid, server_db))
        for sim in sims:  # the proxies' request logs would otherwise grow in the memory measured
            sim.proxy.clear_log()
        await asyncio.sleep(every)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (units per minute)."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def print_samples(samples: list[Sample]) -> None:
    warm = [s for s in samples if s.at >= samples[-1].at / 4] or samples  # the first quarter is warm-up
    print(f"\n{'measure':32} {'start':>8} {'end':>8} {'slope/min':>10} {'slope after warm-up':>20}"
          f"  (warm-up: the first quarter)")
    for name in samples[0].values:
        everything = [(s.at, s.values[name]) for s in samples]
        after = [(s.at, s.values[name]) for s in warm]
        print(f"{name:32} {everything[0][1]:>8.2f} {everything[-1][1]:>8.2f} {slope(everything):>10.3f}"
              f" {slope(after):>20.3f}")


async def drain(sims: list[Simulated]) -> None:
    """Everyone online; every engine stopped, then synced until nothing waits (a few rounds at most)."""
    for sim in sims:
        sim.proxy.set_mode("pass")
        await sim.device.engine.stop()
    for _ in range(10):
        for sim in sims:
            await sim.device.engine.sync_once()
        if all(sim.device.store.pending_count() == 0 for sim in sims):
            break
    for sim in sims:  # one more pull each: the other device of a shared home may have saved after this one pulled
        await sim.device.engine.sync_once()


def check(sims: list[Simulated], server_db: Path, history_before: Counter) -> list[str]:
    """Nothing lost, everything exactly once. Returns the problems (none: passed)."""
    problems = []
    db = sqlite3.connect(f"file:{server_db}?mode=ro", uri=True)
    try:
        applied_bed_changes: Counter = Counter()
        for sim in sims:
            pending = sim.device.store.pending_count()
            if pending:
                problems.append(f"{sim.name}: {pending} changes still waiting")
            unanswered = set(sim.saved) - set(sim.answers)
            if unanswered:
                problems.append(f"{sim.name}: {len(unanswered)} saves never answered")
            ids = list(sim.answers)
            stored = {}
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                stored.update(db.execute(f"SELECT mutation_id, result FROM applied_mutations WHERE mutation_id IN"
                                         f" ({', '.join('?' for _ in batch)})", batch).fetchall())
            for mutation_id, answer in sim.answers.items():
                on_server = json.loads(stored[mutation_id]) if mutation_id in stored else None
                if on_server is None:
                    problems.append(f"{sim.name}: {mutation_id} answered {answer['status']} but unknown to the server")
                elif on_server["status"] != answer["status"]:
                    problems.append(f"{sim.name}: {mutation_id} is {on_server['status']} on the server,"
                                    f" {answer['status']} on the device")
                kind, record_id = sim.saved.get(mutation_id, ("?", "?"))
                if kind == "bed_count" and answer["status"] == "applied":
                    applied_bed_changes[record_id] += 1
        history_after = bed_history(db)
        for record_id in set(applied_bed_changes) | set(history_after) - set(history_before):
            grew = history_after[record_id] - history_before[record_id]
            if grew != applied_bed_changes[record_id]:
                problems.append(f"{record_id}: {applied_bed_changes[record_id]} bed count changes applied,"
                                f" {grew} bed history rows written")
        for sim in sims:
            server = {(k, i): (v, json.loads(d)) for k, i, v, d in db.execute(
                "SELECT kind, id, version, data FROM records WHERE home_id = ? AND deleted = 0"
                " AND kind IN ('bed_count', 'home_status')", [sim.home_id])}
            device = {(r.kind, r.id): (r.base_version, r.data) for kind in ("bed_count", "home_status")
                      for r in sim.device.store.records(kind, sim.home_id)}
            if server != device:
                problems.append(f"{sim.name}: the device's bed state differs from the server's")
    finally:
        db.close()
    return problems


def bed_history(db: sqlite3.Connection) -> Counter:
    return Counter({f"{home}/{category}": n for home, category, n in db.execute(
        "SELECT home_id, category, count(*) FROM bed_history GROUP BY 1, 2")})


async def run(args, workdir: Path) -> int:
    server_db = workdir / "central.sqlite3"
    with start_server(server_db) as server:
        db = sqlite3.connect(f"file:{server_db}?mode=ro", uri=True)
        homes = db.execute("SELECT username, home_id FROM accounts WHERE username LIKE 'manager-%'"
                           " ORDER BY username LIMIT ?", [max(args.devices - 1, 1)]).fetchall()
        history_before = bed_history(db)
        db.close()
        clock = FastClock(86400 / args.day_seconds)
        sims = []
        for n in range(args.devices):
            username, home_id = homes[n] if n < len(homes) else homes[0]  # the last shares the first's home
            proxy = FaultProxy.to(server.url).start()
            device = make_device(workdir / f"device-{n}", proxy.url, now=clock,
                                 api_factory=lambda url, token: CentralApi(url, token))
            await device.session.sign_in(proxy.url, username, PASSWORD)
            sim = Simulated(f"device {n}", home_id, username, device, proxy)
            record_what_happens(sim)
            sims.append(sim)
        for sim in sims:
            assert await sim.device.engine.sync_once(), f"{sim.name} did not sync"
            sim.device.engine.start()
        started = time.monotonic()
        until = started + args.minutes * 60
        samples: list[Sample] = []
        print(f"{len(sims)} devices ({len(homes)} homes) against {server.url}, {args.minutes:g} minutes;"
              f" a device day every {args.day_seconds:g} s", flush=True)
        await asyncio.gather(sampler(samples, started, until, args.sample_seconds, sims, server.process.pid,
                                     server_db),
                             *(live(sim, until, random.Random(f"{args.seed}:{n}")) for n, sim in enumerate(sims)))
        samples.append(sample(started, sims, server.process.pid, server_db))
        await drain(sims)
        problems = check(sims, server_db, history_before)
        server_alive = server.process.poll() is None
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # connections the proxies cut as they stop
        for sim in sims:
            sim.proxy.stop()
            sim.device.close()
    print_samples(samples)
    saves = sum(len(s.saved) for s in sims)
    statuses = Counter(a["status"] for s in sims for a in s.answers.values())
    outages = sum((s.outages for s in sims), Counter())
    print(f"\n{saves:,} changes saved ({', '.join(f'{n:,} {k}' for k, n in sorted(statuses.items()))});"
          f" outages: {', '.join(f'{n} {k}' for k, n in sorted(outages.items())) or 'none'};"
          f" server process {'still running' if server_alive else 'EXITED'}")
    if problems or not server_alive:
        print("NOTHING LOST / EXACTLY ONCE: FAILED")
        for problem in problems[:50]:
            print(f"  {problem}")
        return 1
    print("NOTHING LOST / EXACTLY ONCE: PASSED (every save answered; every applied change on the server once, one"
          " bed history row each; refused ones absent; every device shows the server's bed state)")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--devices", type=int, default=6)
    parser.add_argument("--day-seconds", type=float, default=10.0, help="wall seconds per device day")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        sys.exit(asyncio.run(run(args, Path(tmp))))


if __name__ == "__main__":
    main()
