"""Pushes from many homes at once on PostgreSQL, beside GET /health (and a 404 that skips the database) at
the same concurrency, measured in the same run: the write path's cost as a ratio, not an absolute time.

    .venv/bin/python -m benchmarks.bench_write_concurrency [--server-root PATH] [--devices 1,50,200]
                                                           [--seconds 5] [--processes 1] [--homes 250]

A throwaway PostgreSQL cluster (tests/support/postgres.py), the real directory import of a synthetic file
(benchmarks/national_data.py), a manager account and a session per home, then ``--processes`` real
``python -m server_stub`` processes run from ``--server-root`` (another checkout: "before" figures from the
same script). Each device pushes one bed count change of its own home after another (base version from its
last answer, so none conflicts) for ``--seconds``; requests go round robin over the processes. At the end,
every change a device saw applied must be stored exactly once, and nothing else (a refused change absent).

The load generator shares the machine's cores with the servers and PostgreSQL: at high concurrency it is part
of what is measured (as it is for the /health floor it is compared with).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from benchmarks.national_data import write_hsca_csv
from protocol.sync import SCHEMA_VERSION
from server_stub.security import token_digest
from tests.support.ports import free_port
from tests.support.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a benchmark manager's password"


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    connections_opened: int = 0
    why: dict[str, int] = field(default_factory=dict)  # errors by what they were (a status, an exception)

    def row(self, name: str, floor: float | None = None) -> str:
        rate = len(self.latencies) / self.seconds if self.seconds else 0.0
        ordered = sorted(self.latencies) or [0.0]

        def pct(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        ratio = f"{floor / rate:6.2f}x" if floor and rate else "     -"
        return (f"{name:<26} {rate:9.1f}/s  p50 {pct(0.50):7.1f} ms  p95 {pct(0.95):7.1f} ms  "
                f"p99 {pct(0.99):7.1f} ms  errors {self.errors:4d}  floor/this {ratio}  "
                f"connections opened {self.connections_opened}" + (f"  errors: {self.why}" if self.why else ""))

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def seed(database_url: str, homes: int, server_root: Path, work: Path) -> dict[str, tuple[str, str]]:
    """The directory import of ``homes`` homes (the server root's own code), and per home a manager's session:
    {home_id: (token, bed category)}."""
    import psycopg

    csv = write_hsca_csv(work / "homes.csv", homes=homes)
    subprocess.run([sys.executable, "-m", "server_stub", "import-homes", str(csv), "--database-url", database_url],
                   cwd=server_root, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(server_root)})
    sessions = {}
    password_hash = PasswordHasher().hash(PASSWORD)  # the server's argon2 parameters (its default hasher)
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute("SELECT id, data FROM records WHERE kind = 'care_home'").fetchall()
        with db.transaction():
            for n, (home, data) in enumerate(rows):
                categories = json.loads(data).get("bed_categories") or []
                if not categories:
                    continue
                token = uuid.uuid4().hex
                db.execute("INSERT INTO accounts (username, display_name, role, home_id, password_hash) "
                           "VALUES (%s, %s, 'home_manager', %s, %s)", (f"m{n}", f"Manager {n}", home, password_hash))
                db.execute("INSERT INTO sessions (token_hash, username, expires_at, family) VALUES (%s, %s, %s, %s)",
                           (token_digest(token), f"m{n}", "2099-01-01T00:00:00.000000Z", uuid.uuid4().hex))
                sessions[home] = (token, categories[0])
    return sessions


def start_servers(database_url: str, count: int, server_root: Path, stack: ExitStack) -> list[str]:
    urls = []
    for _ in range(count):
        port = free_port()
        log = stack.enter_context(tempfile.TemporaryFile())
        process = subprocess.Popen(
            [sys.executable, "-m", "server_stub", "--port", str(port), "--database-url", database_url, "--no-demo"],
            cwd=server_root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(server_root), "CHC_SIGN_IN_ATTEMPTS_PER_MINUTE": "100000"})
        stack.callback(_stop, process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)  # start-up poll, not a measurement
        urls.append(url)
    return urls


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:  # requests it cannot finish: say so, and end it
        print(f"server {process.pid} did not stop in 30 s after SIGTERM: killed", flush=True)
        process.kill()
        process.wait(30)


async def _run(concurrency: int, seconds: float, request, alongside=None) -> Phase:
    """``concurrency`` workers sending ``request`` one after another for ``seconds``; ``alongside(client)``
    (a burst of sign-ins) at the same time, if given."""
    phase = Phase()
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def worker(n: int) -> None:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    ok = await request(client, n)
                except httpx.HTTPError as error:
                    ok = type(error).__name__
                if ok is True:
                    phase.latencies.append(time.perf_counter() - began)
                else:
                    phase.errors += 1
                    phase.why[str(ok)] = phase.why.get(str(ok), 0) + 1

        began = time.perf_counter()
        extra = [asyncio.create_task(alongside(client))] if alongside is not None else []
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        phase.seconds = time.perf_counter() - began
        await asyncio.gather(*extra)
    return phase


def measure(database_url: str, urls: list[str], sessions: dict[str, tuple[str, str]], concurrency: int, seconds: float,
            acknowledged: set[str], refused: set[str], burst: int = 0) -> list[str]:
    homes = sorted(sessions)[:concurrency]
    assert len(homes) == concurrency, f"{concurrency} devices need as many homes ({len(sessions)} seeded)"
    base: dict[str, int | None] = {home: None for home in homes}

    async def health(client: httpx.AsyncClient, n: int) -> bool:
        return (await client.get(f"{urls[n % len(urls)]}/health")).status_code == 200

    async def missing(client: httpx.AsyncClient, n: int) -> bool:
        return (await client.get(f"{urls[n % len(urls)]}/no-such-page")).status_code == 404

    async def push(client: httpx.AsyncClient, n: int) -> bool:
        home = homes[n]
        token, category = sessions[home]
        mutation_id = str(uuid.uuid4())
        counts = {"max_capacity": 20, "occupied": 10 + (n % 5), "vacant_reserved": 0}
        counts["vacant_accepting"] = 20 - counts["occupied"]
        mutation = {"mutation_id": mutation_id, "kind": "bed_count", "record_id": f"{home}/{category}",
                    "base_version": base[home], "client_time": datetime.now(timezone.utc).isoformat(),
                    "data": {"home_id": home, "category": category, **counts}}
        body = {"device_id": str(uuid.UUID(int=n + 1)), "schema_version": SCHEMA_VERSION, "mutations": [mutation]}
        answer = await client.post(f"{urls[n % len(urls)]}/sync/push", json=body,
                                   headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}"
        [result] = answer.json()["results"]
        if result["status"] != "applied":
            refused.add(mutation_id)
            return result["status"]
        acknowledged.add(mutation_id)
        base[home] = result["version"]
        return True

    def run(request, alongside=None) -> Phase:
        opened = _sessions_opened(database_url)
        phase = asyncio.run(_run(concurrency, seconds, request, alongside))
        phase.connections_opened = _sessions_opened(database_url) - opened
        return phase

    signed_in: list[int] = []

    async def sign_ins(client: httpx.AsyncClient) -> None:
        """``burst`` sign-ins at once (managers of the seeded homes, right password), a second into the phase."""
        await asyncio.sleep(1.0)  # the pushes are under way first: this sets the burst in the phase, measures nothing
        answers = await asyncio.gather(*(
            client.post(f"{urls[n % len(urls)]}/auth/sign-in", json={"username": f"m{n}", "password": PASSWORD})
            for n in range(burst)), return_exceptions=True)
        signed_in.extend(getattr(answer, "status_code", 0) for answer in answers)

    floor, skip, pushes = run(health), run(missing), run(push)
    rows = [floor.row(f"GET /health x{concurrency}"), skip.row(f"GET 404 x{concurrency}", floor.rate),
            pushes.row(f"push x{concurrency}", floor.rate)]
    if burst:
        during = run(push, sign_ins)
        rows.append(during.row(f"push x{concurrency}, {burst} sign-ins", floor.rate)
                    + f"  sign-ins answered 200: {signed_in.count(200)} of {burst}")
    return rows


def _sessions_opened(database_url: str) -> int:
    """PostgreSQL's count of connections ever opened to the database (pg_stat_database.sessions, PostgreSQL 14+;
    the statistics may lag a moment), this one included."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        return db.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def check_exactly_once(database_url: str, acknowledged: set[str], refused: set[str]) -> str:
    import psycopg

    with psycopg.connect(database_url) as db:
        stored = db.execute("SELECT mutation_id, result FROM applied_mutations").fetchall()
    ids = [mutation_id for mutation_id, _ in stored]
    applied = {mutation_id for mutation_id, result in stored if json.loads(result)["status"] == "applied"}
    assert len(ids) == len(set(ids)), "a mutation stored twice"
    assert acknowledged <= applied, f"{len(acknowledged - applied)} acknowledged changes missing"
    assert not (refused & applied), "a refused change was applied"
    return (f"exactly once: {len(acknowledged)} acknowledged changes each stored once; "
            f"{len(refused)} refused, none applied; {len(applied - acknowledged)} applied without an answer "
            "(cut off at a phase's end)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-root", type=Path, default=ROOT, help="the checkout whose server is measured")
    parser.add_argument("--devices", default="1,50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--homes", type=int, default=250)
    parser.add_argument("--sign-in-burst", type=int, default=0,
                        help="also push while this many managers sign in at once (their rate limit raised)")
    args = parser.parse_args(argv)
    concurrencies = [int(n) for n in args.devices.split(",")]
    cluster = PostgresCluster.start()
    try:
        with ExitStack() as stack, tempfile.TemporaryDirectory() as work:
            database_url = cluster.new_database()
            sessions = seed(database_url, args.homes, args.server_root.resolve(), Path(work))
            urls = start_servers(database_url, args.processes, args.server_root.resolve(), stack)
            print(f"server: {args.server_root.resolve()} x{args.processes} processes; {len(sessions)} homes; "
                  f"{os.cpu_count()} cores; {args.seconds:g} s a phase", flush=True)
            acknowledged: set[str] = set()
            refused: set[str] = set()
            for concurrency in concurrencies:
                for line in measure(database_url, urls, sessions, concurrency, args.seconds, acknowledged, refused,
                                    args.sign_in_burst):
                    print(line, flush=True)
            print(check_exactly_once(database_url, acknowledged, refused), flush=True)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
