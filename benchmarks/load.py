"""The central API under national load, on PostgreSQL and SQLite, one server process and several.

    python -m benchmarks.load [--database sqlite|postgresql|both] [--processes 1,2] [--levels 1,10,50,200,1000]
                              [--seconds 10] [--homes 15000] [--quick]

For each database: the national data set (benchmarks/national_load_data.py) in a fresh database (PostgreSQL:
a throw-away cluster of its own), then for each number of server processes and each level of concurrency:
- the floor: GET /health from as many clients at once, for the same time;
- the load: that many home managers' devices pushing bed counts and confirmations (one change a push,
  a pull every fifth), one commissioner per ten devices searching for beds and opening the overview, and a
  supplier sending 100 homes a request; at the burst level, 50 sign-ins at once a third of the way in.
Then a table (throughput, p50/p95/p99, errors, ratios against the floors measured in the same run) and, last,
the exactly-once check: every acknowledged change on the server exactly once, every refused one absent.
The raw insert rate of the same rows into the same database is the other floor. No figure is asserted: on a
shared 2-core machine they move between runs, the ratios much less. A JSON copy goes to benchmarks/.results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import load_setup
from benchmarks.load_check import check_exactly_once, read_server_state
from benchmarks.load_phases import (
    COMMISSIONERS_PER_DEVICES,
    MAX_COMMISSIONERS,
    health_phase,
    mixed_phase,
    resend_outboxes,
)
from benchmarks.national_load_data import PASSWORD, build, manager_of
from server_stub.db import create_database_engine, parse_database_url, read_transaction

RESULTS_DIR = Path(__file__).resolve().parent / ".results"  # gitignored
BURST_SIGN_INS = 50
FINAL_RESEND_S = 120.0  # at most, after a process count's last phase: devices resend what is unanswered
DEFAULT_LEVELS = (1, 10, 50, 200, 1000)
QUICK = {"levels": (1, 10, 50), "seconds": 3.0, "processes": (1,)}


def run_database(kind: str, database_url: str, *, homes: int, processes: tuple[int, ...], levels: tuple[int, ...],
                 seconds: float, max_connections: int, burst_level: int | None, with_supplier: bool = True,
                 log=print) -> dict:
    """Build the data set in ``database_url``, run every phase, check exactly-once; the results as a dict."""
    plan = build(database_url, homes, supplier_homes_count=max(20, homes // 30), log=log)
    log(HEADER)
    started = datetime.now(timezone.utc).isoformat()
    engine = create_database_engine(parse_database_url(database_url))
    result: dict = {"database": kind, "homes": homes, "data_set_seconds": plan.seconds, "levels": [], "exits": [],
                    "server_errors": []}
    try:
        result["insert_floor"] = load_setup.insert_floor(database_url)
        devices = load_setup.make_devices(engine, plan, max(levels))
        commissioners = load_setup.make_commissioners(
            engine, plan, min(MAX_COMMISSIONERS, max(1, max(levels) // COMMISSIONERS_PER_DEVICES)))
        supplier = load_setup.make_supplier(plan)
        load_setup.supplier_capacities(engine, supplier)
        burst_users = [manager_of(h) for h in plan.homes[-BURST_SIGN_INS:]]
        for count in processes:
            with load_setup.servers(database_url, count) as running:
                urls = [server.url for server in running]
                for level in levels:
                    row = {"processes": count, "level": level, "seconds": seconds}
                    row["health"] = asyncio.run(health_phase(urls, level, seconds, max_connections))
                    n_commissioners = min(len(commissioners), max(1, level // COMMISSIONERS_PER_DEVICES))
                    row.update(asyncio.run(mixed_phase(
                        urls, devices[:level], commissioners[:n_commissioners], supplier if with_supplier else None,
                        seconds, max_connections,
                        burst=(burst_users, PASSWORD) if level == burst_level else None, seed=level)))
                    result["levels"].append(row)
                    log(line(kind, row, result["insert_floor"]))
                    gone = load_setup.exited(running)
                    if gone:
                        result["exits"].extend(gone)
                        log("\n".join(gone))
                        break
                if not result["exits"]:  # before the servers stop: answers lost in the last phases are fetched
                    asyncio.run(resend_outboxes(urls, devices, FINAL_RESEND_S, max_connections))
                errors = [f"{count} process(es): {error}" for error in load_setup.server_errors(running)]
                result["server_errors"].extend(errors)
                for error in errors:
                    log(f"server error logged: {error}")
        sent = [change for device in devices for change in device.sent] + supplier.sent
        with engine.connect() as connection, read_transaction(connection):
            state = read_server_state(connection, sent, started)
        problems = check_exactly_once(sent, state)
        result["exactly_once"] = {
            "changes": len(sent), "applied": sum(s.answer == "applied" for s in sent),
            "refused": sum(s.answer == "rejected" for s in sent),
            "resent": sum(device.resent for device in devices),  # answers lost under load, then resent
            "problems": problems,
        }
    finally:
        engine.dispose()
    return result


def _f(value, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float, floor: float) -> str:
    return "-" if not floor else f"{value / floor:.3g}"


HEADER = (f"{'db':<10} {'proc':>4} {'level':>5} {'conns':>5} {'push/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
          f"{'health/s':>8} {'÷health':>7} {'÷commit':>7} {'pull p95':>8} {'search p95':>10} {'overview p95':>12} "
          f"{'supplier/s':>10} {'errors':>6} {'client cpu':>10}")


def line(kind: str, row: dict, floor: dict) -> str:
    push, health = row["push"], row["health"]
    errors = sum(row[name]["errors"] for name in ("push", "pull", "search", "overview", "supplier", "sign_in"))
    errors += health["errors"]
    text = (f"{kind:<10} {row['processes']:>4} {row['level']:>5} {row['connections']:>5} {_f(push['per_s']):>7} "
            f"{_f(push['p50_ms']):>6} {_f(push['p95_ms']):>6} {_f(push['p99_ms']):>6} {_f(health['per_s']):>8} "
            f"{_ratio(push['per_s'], health['per_s']):>7} "
            f"{_ratio(push['per_s'], floor['commit_per_row_per_s']):>7} {_f(row['pull']['p95_ms']):>8} "
            f"{_f(row['search']['p95_ms']):>10} {_f(row['overview']['p95_ms']):>12} "
            f"{_f(row['supplier']['per_s'], 1):>10} {errors:>6} {row['client_cpu_s'] / row['wall_s']:>9.0%}")
    if "burst" in row:
        burst, sign_in = row["burst"], row["sign_in"]
        text += (f"\n{'':<10} burst of {burst['sign_ins']} sign-ins in {burst['seconds']:.1f} s "
                 f"(p50 {_f(sign_in['p50_ms'])} ms, p99 {_f(sign_in['p99_ms'])} ms, {sign_in['errors']} errors): "
                 f"push p99 {_f(burst['push_p99_ms_during'])} ms during it ({burst['pushes_during']} pushes), "
                 f"{_f(burst['push_p99_ms_otherwise'])} ms otherwise")
    return text


def report(results: list[dict], log=print) -> bool:
    """The table, the floors and the exactly-once check; True when nothing was lost or duplicated."""
    log("\nLatencies in ms. ÷health: push throughput over GET /health's at the same concurrency (same run);")
    log("÷commit: over the raw insert rate of the same rows, one commit per row, one connection (same database).")
    log("client cpu: the load generator's own CPU over the phase (near 100%: it, not the server, may be the limit).")
    log(HEADER)
    for result in results:
        for row in result["levels"]:
            log(line(result["database"], row, result["insert_floor"]))
    all_good = True
    for result in results:
        floor = result["insert_floor"]
        log(f"\n{result['database']}: data set of {result['homes']:,} homes built in {result['data_set_seconds']:.1f} s; "
            f"insert floor {floor['bulk_rows_per_s']:,.0f} rows/s in one executemany, "
            f"{floor['commit_per_row_per_s']:,.0f} rows/s one commit per row")
        for error in result["server_errors"]:
            log(f"server error logged ({result['database']}): {error}")
        for gone in result["exits"]:
            all_good = False
            log(f"A SERVER PROCESS EXITED: {gone}")
        check = result["exactly_once"]
        verdict = "OK" if not check["problems"] else f"FAILED ({len(check['problems'])} problems)"
        log(f"exactly-once ({result['database']}): {check['changes']:,} changes sent, {check['applied']:,} "
            f"acknowledged applied, {check['refused']:,} refused, {check['resent']:,} resent after a lost answer: {verdict}")
        for problem in check["problems"][:20]:
            log(f"  - {problem}")
        all_good = all_good and not check["problems"]
    return all_good


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--processes", help="server process counts, comma-separated (default 1,2; --quick: 1)")
    parser.add_argument("--levels", help="concurrent devices (default 1,10,50,200,1000; --quick: 1,10,50)")
    parser.add_argument("--seconds", type=float, help="each phase's length (default 10; --quick: 3)")
    parser.add_argument("--homes", type=int, default=15_000)
    parser.add_argument("--max-connections", type=int, default=500, help="open connections at most (client side)")
    parser.add_argument("--no-supplier", dest="supplier", action="store_false",
                        help="leave the supplier's bulk requests out (each holds the write lock for its whole batch)")
    parser.add_argument("--quick", action="store_true", help="levels 1,10,50, 3 s phases, one process (unless given)")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"levels": DEFAULT_LEVELS, "seconds": 10.0, "processes": (1, 2)}
    levels = tuple(int(n) for n in args.levels.split(",")) if args.levels else defaults["levels"]
    processes = tuple(int(n) for n in args.processes.split(",")) if args.processes else defaults["processes"]
    seconds = args.seconds or defaults["seconds"]
    burst_level = 200 if 200 in levels else max(levels)
    kinds = ("postgresql", "sqlite") if args.database == "both" else (args.database,)
    print(f"load: {args.homes:,} homes, levels {levels}, {seconds:g} s a phase, processes {processes}, "
          f"at most {args.max_connections} connections, supplier {'on' if args.supplier else 'off'}; burst of {BURST_SIGN_INS} sign-ins at level {burst_level}")
    results = []
    began = time.perf_counter()
    for kind in kinds:
        with _database(kind) as url:
            results.append(run_database(kind, url, homes=args.homes, processes=processes, levels=levels,
                                        seconds=seconds, max_connections=args.max_connections,
                                        burst_level=burst_level, with_supplier=args.supplier))
    good = report(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"load-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"argv": sys.argv[1:], "seconds": seconds, "run_seconds": time.perf_counter() - began,
                               "results": results}, indent=1))
    print(f"\nresults: {out} (whole run {time.perf_counter() - began:.0f} s)")
    return 0 if good else 1


class _database:
    """A fresh database of that kind: a throw-away PostgreSQL cluster, or a SQLite file in a temporary folder."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.cluster = None
        self.folder = None

    def __enter__(self) -> str:
        if self.kind == "postgresql":
            from tests.support.postgres import PostgresCluster
            self.cluster = PostgresCluster.start()
            return self.cluster.new_database()
        self.folder = Path(tempfile.mkdtemp(prefix="chc-load-"))
        return f"sqlite:///{self.folder / 'central.sqlite3'}"

    def __exit__(self, *exc_info) -> None:
        if self.cluster is not None:
            self.cluster.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
