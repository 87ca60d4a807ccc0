"""Sign-in cannot stall the service, nor be rate limited around (issue 10, section 3), against real server processes.

- 30 wrong sign-ins at once from one address (the documented limit): no 5xx, and
  another home's push made meanwhile completes quickly, on SQLite and PostgreSQL
  (generous limits here; the figure itself: benchmarks/bench_sign_in.py).
- X-Forwarded-For changes the rate-limit key only when it comes from a proxy the
  operator named (--forwarded-allow-ips).
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed

import httpx
import pytest

from protocol.sync import SCHEMA_VERSION
from server_stub.demo_data import load_care_homes
from tests.support.auth import DEMO_PASSWORD, bearer
from tests.support.central_inprocess import bed_mutation
from tests.support.server_process import start_server
from tests.support.timing import scaled

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

OTHER_HOME = "1-466088203"  # its manager pushes while other managers' passwords are being guessed at
BURST = 30  # docs/security.md: 30 sign-in attempts a minute from one address
PUSH_LIMIT_S = 1.0


def wrong_sign_in(url: str, headers: dict[str, str] | None = None, username: str = "demo") -> int:
    return httpx.post(f"{url}/auth/sign-in", json={"username": username, "password": "a wrong guess"},
                      headers=headers, timeout=scaled(60)).status_code


def guessed_accounts() -> list[str]:
    """One wrong password each for 30 managers (as credential stuffing would): no lockout cuts the work short."""
    homes = [home.cqc_location_id for home in load_care_homes() if home.cqc_location_id != OTHER_HOME]
    return [f"manager-{home}" for home in homes[:BURST]]


def test_thirty_wrong_sign_ins_at_once_neither_fail_nor_hold_up_another_homes_push(tmp_path, database_url):
    with start_server(tmp_path / "unused.sqlite3", database_url=database_url) as server:
        # The pushing manager connects from another loopback address: her sign-in is not one of the burst's 30.
        other_address = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=server.url, transport=other_address, timeout=scaled(60)) as manager:
            signed_in = manager.post("/auth/sign-in", json={"username": f"manager-{OTHER_HOME}",
                                                            "password": DEMO_PASSWORD})
            assert signed_in.status_code == 200, signed_in.text
            headers = bearer(signed_in.json()["token"])
            state = manager.get(f"/homes/{OTHER_HOME}/bed-state", headers=headers).json()
            category = state["beds"][0]["category"]
            version = state["versions"][category]
            body = {"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION,
                    "mutations": [bed_mutation(home_id=OTHER_HOME, category=category, base_version=version)]}
            start = threading.Barrier(BURST + 1)

            def guess(username: str) -> int:
                start.wait()
                return wrong_sign_in(server.url, username=username)

            with ThreadPoolExecutor(BURST) as pool:
                answers = [pool.submit(guess, username) for username in guessed_accounts()]
                start.wait()
                # Once the first guess is answered, the others are being checked (or queue for the write lock).
                next(as_completed(answers))
                began = time.perf_counter()
                pushed = manager.post("/sync/push", json=body, headers=headers)
                push_seconds = time.perf_counter() - began
                statuses = [answer.result() for answer in answers]
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "applied", pushed.text
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) == {401}, statuses  # within the limit: never 429
    assert push_seconds < scaled(PUSH_LIMIT_S), f"the push took {push_seconds:.2f} s during the burst"


def test_x_forwarded_for_from_an_untrusted_peer_does_not_change_the_rate_limit_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CHC_SIGN_IN_ATTEMPTS_PER_MINUTE", "3")
    with start_server(tmp_path / "central.sqlite3") as server:
        spoofed = [wrong_sign_in(server.url, {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(4)]
    assert spoofed == [401, 401, 401, 429]


def test_x_forwarded_for_from_a_named_proxy_names_the_client(tmp_path, monkeypatch):
    monkeypatch.setenv("CHC_SIGN_IN_ATTEMPTS_PER_MINUTE", "3")
    with start_server(tmp_path / "central.sqlite3", extra_args=("--forwarded-allow-ips", "127.0.0.1")) as server:
        behind_proxy = [wrong_sign_in(server.url, {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(4)]
        one_client = [wrong_sign_in(server.url, {"X-Forwarded-For": "203.0.113.99"}) for _ in range(4)]
    assert behind_proxy == [401] * 4  # four clients behind the proxy, one attempt each
    assert one_client == [401, 401, 401, 429]
