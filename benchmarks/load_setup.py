"""What the load benchmark sets up around the timed phases: server processes, tokens, devices, the insert floor.

Tokens are inserted as session rows (the sha256 of a random token, as POST /auth/sign-in stores them) before
any phase: a thousand argon2 sign-ins would take minutes and are not what the push phases measure (the
sign-in burst is measured on its own, through the API).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text

from benchmarks.load_clients import Commissioner, Device, Supplier
from benchmarks.national_load_data import SUPPLIER_KEY, Plan, manager_of
from server_stub.access import AREA_COLUMNS
from server_stub.clock import iso
from server_stub.db import create_database_engine, parse_database_url, read_transaction, write_transaction
from server_stub.schema import homes, records, sessions
from server_stub.security import token_digest
from tests.support.server_process import ServerProcess

# Every server process: sign-ins from one address are rate limited (30 a minute by default): the burst of 50
# comes from this one machine, as 50 homes behind one address would not.
SERVER_ENV = {"CHC_SIGN_IN_ATTEMPTS_PER_MINUTE": "100000"}


@contextmanager
def servers(database_url: str, count: int):
    """``count`` central API processes on one database; each one's exit (code and last log lines) is reported."""
    previous = {name: os.environ.get(name) for name in SERVER_ENV}
    os.environ.update(SERVER_ENV)
    started: list[ServerProcess] = []
    try:
        for _ in range(count):
            started.append(ServerProcess(None, seed_demo=False, database_url=database_url).start())
        yield started
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for server in started:
            server.stop()


def exited(processes: list[ServerProcess]) -> list[str]:
    """The processes that are no longer running, with their exit code and the end of their output."""
    gone = []
    for server in processes:
        process = server.process
        if process is not None and process.poll() is not None:
            tail = "\n".join(server.output().splitlines()[-15:])
            gone.append(f"server on port {server.port} exited with {process.returncode}; its last output:\n{tail}")
    return gone


def server_errors(processes: list[ServerProcess]) -> list[str]:
    """The distinct errors the servers logged (the last line of each traceback), with how often, for the report."""
    found: dict[str, int] = {}
    for server in processes:
        lines = server.output().splitlines()
        for n, line in enumerate(lines):
            if line.startswith("Traceback"):
                end = next((m for m in range(n + 1, len(lines)) if lines[m] and not lines[m].startswith(" ")), None)
                following = next((lines[m] for m in range(end + 1, len(lines)) if lines[m].strip()), "") \
                    if end is not None else ""
                if following.startswith(("The above exception", "During handling")):
                    continue  # the cause of the next traceback in the chain: that one is counted
                if end is not None:
                    found[lines[end][:300]] = found.get(lines[end][:300], 0) + 1
    return [f"{count} x {error}" for error, count in sorted(found.items(), key=lambda item: -item[1])]


def issue_tokens(engine, usernames: list[str]) -> dict[str, str]:
    """A session for each user name, as a sign-in would leave it; returns user name -> token."""
    tokens = {username: secrets.token_urlsafe(32) for username in usernames}
    expires = iso(datetime.now(timezone.utc) + timedelta(days=1))
    rows = [{"token_hash": token_digest(token), "username": username, "expires_at": expires,
             "family": str(uuid.uuid4())} for username, token in tokens.items()]
    with engine.connect() as connection, write_transaction(connection):
        for start in range(0, len(rows), 1000):
            connection.execute(sessions.insert(), rows[start:start + 1000])
    return tokens


def make_devices(engine, plan: Plan, count: int) -> list[Device]:
    """The first ``count`` homes' managers' devices, each knowing its home's bed count versions (a synced device)."""
    chosen = [h for h in plan.homes if h not in set(plan.supplier_homes)][:count]
    tokens = issue_tokens(engine, [manager_of(h) for h in chosen])
    beds: dict[str, dict] = {h: {} for h in chosen}
    with engine.connect() as connection, read_transaction(connection):
        cursor = connection.execute(select(func.max(records.c.version))).scalar_one()
        for start in range(0, len(chosen), 500):
            for home_id, version, data in connection.execute(
                    select(records.c.home_id, records.c.version, records.c.data)
                    .where(records.c.kind == "bed_count", records.c.home_id.in_(chosen[start:start + 500]))):
                found = json.loads(data)
                beds[home_id][found["category"]] = {"version": version, "max_capacity": found["max_capacity"]}
    return [Device(h, tokens[manager_of(h)], beds[h], cursor) for h in chosen]


def make_commissioners(engine, plan: Plan, count: int) -> list[Commissioner]:
    """England's, the regions' and the ICBs' commissioners in turn, each searching near its own area's districts."""
    names = [list(plan.commissioners)[n % len(plan.commissioners)] for n in range(max(1, count))]
    tokens = issue_tokens(engine, sorted(set(names)))
    found = []
    with engine.connect() as connection, read_transaction(connection):
        for name in names:
            level, _, value = plan.commissioners[name].partition(":")
            query = select(homes.c.postcode_district).distinct()
            if level in AREA_COLUMNS:
                query = query.where(getattr(homes.c, AREA_COLUMNS[level]) == value)
            districts = sorted(d for d in connection.execute(query).scalars() if d)
            found.append(Commissioner(tokens[name], districts))
    return found


def make_supplier(plan: Plan) -> Supplier:
    return Supplier(SUPPLIER_KEY, {h: {c: 0 for c in plan.categories[h]} for h in plan.supplier_homes})


def supplier_capacities(engine, supplier: Supplier) -> None:
    """The supplier's homes' registered capacities (what its system would send)."""
    ids = sorted(supplier.homes)
    with engine.connect() as connection, read_transaction(connection):
        for start in range(0, len(ids), 500):
            for home_id, data in connection.execute(
                    select(records.c.home_id, records.c.data)
                    .where(records.c.kind == "bed_count", records.c.home_id.in_(ids[start:start + 500]))):
                found = json.loads(data)
                supplier.homes[home_id][found["category"]] = found["max_capacity"]


def insert_floor(database_url: str, rows: int = 2000) -> dict:
    """The raw insert rate of rows like the records a push writes, into a scratch table of the same database:
    all in one executemany (the bulk rate), and one transaction per row (what a push's commit costs at least)."""
    engine = create_database_engine(parse_database_url(database_url))
    values = [{"kind": "bed_count", "id": f"floor-{n}", "home_id": f"home-{n % 500}", "version": n,
               "data": '{"home_id":"1-5000000001","category":"residential","max_capacity":30,"occupied":26,'
                       '"vacant_reserved":1,"vacant_accepting":3,"changed_by":"manager"}',
               "updated_at": iso(datetime.now(timezone.utc))} for n in range(rows)]
    statement = text("INSERT INTO load_floor (kind, id, home_id, version, data, updated_at) "
                     "VALUES (:kind, :id, :home_id, :version, :data, :updated_at)")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS load_floor")
            connection.exec_driver_sql("CREATE TABLE load_floor (kind TEXT, id TEXT, home_id TEXT, version BIGINT, "
                                       "data TEXT, updated_at TEXT, PRIMARY KEY (kind, id))")
            connection.commit()
            began = time.perf_counter()
            connection.execute(statement, values)
            connection.commit()
            bulk = rows / (time.perf_counter() - began)
            connection.exec_driver_sql("DELETE FROM load_floor")
            connection.commit()
            single = values[: rows // 4]
            began = time.perf_counter()
            for value in single:
                connection.execute(statement, value)
                connection.commit()
            per_commit = len(single) / (time.perf_counter() - began)
            connection.exec_driver_sql("DROP TABLE load_floor")
            connection.commit()
    finally:
        engine.dispose()
    return {"bulk_rows_per_s": bulk, "commit_per_row_per_s": per_commit}
