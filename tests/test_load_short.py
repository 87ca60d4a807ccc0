"""The load benchmark, short (acceptance 2 of issue 14): 20 devices for a few seconds against a real server
process on each database, with commissioners and a supplier; nothing lost, nothing applied twice, no errors.

Nothing here is timed: the figures are the benchmark's to print. The exactly-once checker is tested on its own
too (it must fail on a duplicated, missing or wrongly present change), and the data set's bulk-built area index
must be the one the server itself builds from the same records.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from benchmarks.load import run_database
from benchmarks.load_check import APPLIED, REJECTED, Sent, ServerState, check_exactly_once
from benchmarks.national_load_data import build
from server_stub.area_repository import rebuild_area_index
from server_stub.db import create_database_engine, parse_database_url, read_transaction, write_transaction
from server_stub.schema import home_beds, homes
from tests.support.aio import in_worker_thread

pytestmark = pytest.mark.slow  # starts a central API process

OPERATIONS = ("push", "pull", "search", "overview", "supplier", "health")


@pytest.mark.timeout(120)
def test_a_short_load_loses_nothing_and_applies_nothing_twice(database_url):
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    # In a worker thread: the benchmark calls asyncio.run, and a browser test before it may hold this thread's loop.
    result = in_worker_thread(run_database, kind, database_url, homes=150, processes=(1,), levels=(20,), seconds=3.0,
                          max_connections=100, burst_level=None, log=lambda *_: None)

    (row,) = result["levels"]
    assert result["exits"] == [] and result["server_errors"] == []
    assert {name: row[name]["errors"] for name in OPERATIONS} == dict.fromkeys(OPERATIONS, 0)
    assert row["push"]["count"] > 0 and row["search"]["count"] > 0 and row["overview"]["count"] > 0
    check = result["exactly_once"]
    assert check["problems"] == []
    assert check["applied"] > 0 and check["refused"] > 0  # both halves of the check had something to check


def test_the_bulk_built_area_index_is_the_one_the_server_builds(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    build(url, 60, supplier_homes_count=5, log=lambda *_: None)
    engine = create_database_engine(parse_database_url(url))

    def index() -> tuple[list, list]:
        with engine.connect() as connection, read_transaction(connection):
            return (sorted(tuple(r) for r in connection.execute(select(homes))),
                    sorted(tuple(r) for r in connection.execute(select(home_beds))))

    try:
        built = index()
        with engine.connect() as connection, write_transaction(connection):
            connection.execute(home_beds.delete())
            connection.execute(homes.delete())
            rebuild_area_index(connection, date.today())
        assert len(built[0]) == 60
        assert index() == built
    finally:
        engine.dispose()


# --- the checker can fail --------------------------------------------------------------------------------------

def _run() -> tuple[list[Sent], ServerState]:
    counts = {"max_capacity": 10, "occupied": 8, "vacant_reserved": 1, "vacant_accepting": 1}
    later = {**counts, "occupied": 9, "vacant_accepting": 0}
    sent = [
        Sent("m1", "bed_count", "h1/residential", "h1", APPLIED, counts, answer=APPLIED, version=101),
        Sent("m2", "bed_count", "h1/residential", "h1", APPLIED, later, answer=APPLIED, version=105),
        Sent("m3", "home_status", "h1", "h1", APPLIED, {}, answer=APPLIED, version=106),
        Sent("m4", "bed_count", "h1/nursing", "h1", REJECTED, counts, answer=REJECTED),
    ]
    state = ServerState(
        stored_answers={"m1": [{"status": "applied", "version": 101}], "m2": [{"status": "applied", "version": 105}],
                        "m3": [{"status": "applied", "version": 106}], "m4": [{"status": "rejected", "version": None}]},
        records={("bed_count", "h1/residential"): {"version": 105, "data": later},
                 ("home_status", "h1"): {"version": 106, "data": {}}},
        history={"h1/residential": [counts, later]},
    )
    return sent, state


def test_the_checker_passes_a_run_where_each_change_is_there_once():
    assert check_exactly_once(*_run()) == []


def test_the_checker_finds_a_change_applied_twice():
    sent, state = _run()
    state.history["h1/residential"].insert(1, state.history["h1/residential"][0])
    assert any("history rows" in problem for problem in check_exactly_once(sent, state))


def test_the_checker_finds_an_acknowledged_change_missing():
    sent, state = _run()
    state.records[("bed_count", "h1/residential")]["version"] = 101  # the last acknowledged write is not there
    state.history["h1/residential"].pop()
    problems = check_exactly_once(sent, state)
    assert any("last acknowledged v105" in problem for problem in problems)
    assert any("1 history rows" in problem for problem in problems)


def test_the_checker_finds_a_refused_change_on_the_server():
    sent, state = _run()
    state.records[("bed_count", "h1/nursing")] = {"version": 107, "data": {}}
    assert any("refused, yet the server holds it" in problem for problem in check_exactly_once(sent, state))


def test_the_checker_finds_an_answer_stored_twice_or_never_given():
    sent, state = _run()
    state.stored_answers["m3"].append({"status": "applied", "version": 106})
    sent.append(Sent("m5", "home_status", "h2", "h2", APPLIED, {}))  # never answered
    problems = check_exactly_once(sent, state)
    assert any("m3: 2 stored answers" in problem for problem in problems)
    assert any("never got an answer" in problem for problem in problems)


def test_the_checker_finds_one_version_acknowledged_twice():
    sent, state = _run()
    sent[2].version = 105
    assert any("versions acknowledged for two changes" in p for p in check_exactly_once(sent, state))
