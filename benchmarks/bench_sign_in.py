"""Another home's push while 30 wrong sign-ins arrive at once from one address, against a baseline push
measured in the same run on the same server (no timed assertions: people read the figures).

    .venv/bin/python -m benchmarks.bench_sign_in [--database-url postgresql://...] [--rounds 5]

Prints, per round, the push during the burst and the ratio to the median quiet push
(target: the push during a burst under 1 s; the ratio says how much the burst costs it).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import httpx

from protocol.sync import SCHEMA_VERSION
from server_stub.demo_data import DEMO_PASSWORD, load_care_homes
from tests.support.server_process import start_server

PUSHING_HOME = "1-466088203"
BURST = 30  # the documented limit of sign-in attempts a minute from one address


def push_once(manager: httpx.Client, headers: dict[str, str]) -> float:
    """One bed count change of the pushing home, sent and answered: seconds."""
    state = manager.get(f"/homes/{PUSHING_HOME}/bed-state", headers=headers).json()
    bed = state["beds"][0]
    mutation = {"mutation_id": str(uuid.uuid4()), "kind": "bed_count", "record_id": f"{PUSHING_HOME}/{bed['category']}",
                "base_version": state["versions"][bed["category"]], "client_time": "2026-11-25T09:00:00+00:00",
                "data": bed}
    body = {"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION, "mutations": [mutation]}
    began = time.perf_counter()
    answer = manager.post("/sync/push", json=body, headers=headers)
    elapsed = time.perf_counter() - began
    answer.raise_for_status()
    return elapsed


def burst_of_wrong_sign_ins(url: str, usernames: list[str], address: str):
    """Wrong passwords for every user name at once, all from one loopback address (its own rate limit)."""
    start = threading.Barrier(len(usernames) + 1)

    def guess(username: str) -> int:
        start.wait()
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=120) as client:
            return client.post(f"{url}/auth/sign-in", json={"username": username, "password": "a wrong guess"}).status_code

    pool = ThreadPoolExecutor(len(usernames))
    return [pool.submit(guess, username) for username in usernames], start, pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    homes = [home.cqc_location_id for home in load_care_homes() if home.cqc_location_id != PUSHING_HOME]
    usernames = [f"manager-{home}" for home in homes[:BURST]]
    with tempfile.TemporaryDirectory() as workdir, \
            start_server(Path(workdir) / "central.sqlite3", database_url=args.database_url) as server:
        # The pushing manager connects from another loopback address, outside the burst's rate limit.
        with httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address="127.0.0.2"),
                          timeout=120) as manager:
            signed_in = manager.post("/auth/sign-in", json={"username": f"manager-{PUSHING_HOME}",
                                                            "password": DEMO_PASSWORD})
            headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
            quiet = statistics.median(push_once(manager, headers) for _ in range(10))
            print(f"{'round':<8}{'push during burst':>20}{'quiet push (median)':>22}{'ratio':>8}{'5xx':>6}")
            for round_number in range(1, args.rounds + 1):
                # Each burst from an address of its own: a fresh minute of the rate limit without waiting.
                answers, start, pool = burst_of_wrong_sign_ins(server.url, usernames, f"127.0.0.{10 + round_number}")
                start.wait()
                next(as_completed(answers))
                during = push_once(manager, headers)
                statuses = [answer.result() for answer in answers]
                pool.shutdown()
                server_errors = sum(status >= 500 for status in statuses)
                print(f"{round_number:<8}{during * 1000:>17.1f} ms{quiet * 1000:>19.1f} ms"
                      f"{during / quiet:>7.1f}x{server_errors:>6}")


if __name__ == "__main__":
    main()
