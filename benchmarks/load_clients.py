"""The load benchmark's simulated clients (asyncio + httpx): devices, commissioners, a supplier, sign-ins, /health.

Each actor loops until the phase's deadline and records every request in a Timings (operation -> latencies,
errors). Devices and the supplier also write down every change they send (load_check.Sent), with its answer,
for the exactly-once check. A change whose answer was lost (a connection error, a 5xx) is resent with the
same id after the phase, as a real device resends its outbox, until it is answered.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

from benchmarks.load_check import APPLIED, REJECTED, Sent
from domain.beds import BedCategory
from protocol.sync import DEVICE_ID_HEADER, SCHEMA_VERSION, SCHEMA_VERSION_HEADER

PULL_EVERY = 5  # a device pulls after every fifth push (the app pulls after pushing, and on a timer)
REFUSED_EVERY = 30  # one change in 30 (a device's 2nd, 32nd, ...) is for a category its home does not offer: refused
SUPPLIER_BATCH = 100  # homes per bulk request


@dataclass
class Timings:
    """Latencies (seconds) and errors per operation, with when each request started (for the burst window)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ok(self, operation: str, began: float) -> None:
        self.started[operation].append(began)
        self.latencies[operation].append(time.perf_counter() - began)

    def failed(self, operation: str, what: str) -> None:
        self.errors[operation].append(what)


async def timed(timings: Timings | None, operation: str, request: Awaitable[httpx.Response]) -> httpx.Response | None:
    """Send one request, noting its latency (a 200) or its error under ``operation``; the 200 answer, else None."""
    began = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        timings and timings.failed(operation, type(exc).__name__)
        return None
    if response.status_code != 200:
        timings and timings.failed(operation, f"HTTP {response.status_code}")
        return None
    timings and timings.ok(operation, began)
    return response


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def _counts(rng: random.Random, capacity: int) -> dict:
    occupied = rng.randint(0, capacity)
    reserved = rng.randint(0, capacity - occupied)
    return {"max_capacity": capacity, "occupied": occupied, "vacant_reserved": reserved,
            "vacant_accepting": capacity - occupied - reserved}


@dataclass
class Device:
    """A home manager's device: pushes bed counts and confirmations for its home, pulls its changes."""

    home_id: str
    token: str
    beds: dict[str, dict]  # category -> {"version", "max_capacity"}
    cursor: int
    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: list[Sent] = field(default_factory=list)
    unanswered: list[tuple[Sent, dict]] = field(default_factory=list)  # (change, its push body) to resend
    pushes: int = 0
    resent: int = 0  # changes whose first answer was lost (resent after the phase)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", SCHEMA_VERSION_HEADER: str(SCHEMA_VERSION),
                DEVICE_ID_HEADER: self.device_id}

    def next_change(self, rng: random.Random) -> tuple[Sent, dict]:
        mutation_id = str(uuid.uuid4())
        base = {"mutation_id": mutation_id, "op": "put", "client_time": now_iso()}
        offered = sorted(self.beds)
        roll = rng.random()
        if self.pushes % REFUSED_EVERY == 1:
            category = next(c.value for c in BedCategory if c.value not in self.beds)
            data = {"home_id": self.home_id, "category": category, **_counts(rng, 10)}
            mutation = {**base, "kind": "bed_count", "record_id": f"{self.home_id}/{category}", "data": data}
            return Sent(mutation_id, "bed_count", mutation["record_id"], self.home_id, REJECTED, data), mutation
        if roll < 0.3:  # a confirmation: "nothing changed" is a save too
            data = {"home_id": self.home_id, "closed_to_admissions": False, "confirmed_at": now_iso()}
            mutation = {**base, "kind": "home_status", "record_id": self.home_id, "data": data}
            return Sent(mutation_id, "home_status", self.home_id, self.home_id, APPLIED, data), mutation
        category = rng.choice(offered)
        data = {"home_id": self.home_id, "category": category, **_counts(rng, self.beds[category]["max_capacity"])}
        mutation = {**base, "kind": "bed_count", "record_id": f"{self.home_id}/{category}",
                    "base_version": self.beds[category]["version"], "data": data}
        return Sent(mutation_id, "bed_count", mutation["record_id"], self.home_id, APPLIED, data), mutation

    def take_answer(self, change: Sent, answer: dict) -> None:
        change.answer, change.version = answer["status"], answer.get("version")
        if change.answer == APPLIED and change.kind == "bed_count" and change.data["category"] in self.beds:
            self.beds[change.data["category"]]["version"] = change.version

    async def push(self, client: httpx.AsyncClient, change: Sent, mutation: dict, timings: Timings | None) -> bool:
        body = {"device_id": self.device_id, "schema_version": SCHEMA_VERSION, "mutations": [mutation]}
        response = await timed(timings, "push", client.post("/sync/push", json=body, headers=self.headers))
        if response is None:
            return False
        self.take_answer(change, response.json()["results"][0])
        return True

    async def pull(self, client: httpx.AsyncClient, timings: Timings) -> None:
        response = await timed(timings, "pull", client.get(
            "/sync/changes", params={"since": self.cursor, "limit": 500}, headers=self.headers))
        if response is None:
            return
        self.cursor = response.json()["cursor"]

    async def run(self, client: httpx.AsyncClient, deadline: float, timings: Timings, rng: random.Random) -> None:
        while time.perf_counter() < deadline:
            change, mutation = self.next_change(rng)
            self.sent.append(change)
            if not await self.push(client, change, mutation, timings):
                self.unanswered.append((change, mutation))
                self.resent += 1
                await asyncio.sleep(0.05)  # a device backs off after a failed push before its next save
            self.pushes += 1
            if self.pushes % PULL_EVERY == 0:
                await self.pull(client, timings)

    async def resend_unanswered(self, client: httpx.AsyncClient, deadline: float) -> None:
        """Resend each unanswered change with its id until answered (the server must apply it at most once), or
        until the deadline: what is still unanswered then stays in the outbox for the next round."""
        for change, mutation in self.unanswered:
            attempt = 0
            while time.perf_counter() < deadline and not await self.push(client, change, mutation, None):
                await asyncio.sleep(min(2.0, 0.1 * 2 ** attempt))
                attempt += 1
        self.unanswered = [(c, m) for c, m in self.unanswered if c.answer is None]


@dataclass
class Commissioner:
    """A discharge team or commissioner: searches for beds and opens the area overview, in turn."""

    token: str
    districts: list[str]

    async def run(self, client: httpx.AsyncClient, deadline: float, timings: Timings, rng: random.Random) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        turn = 0
        while time.perf_counter() < deadline:
            turn += 1
            if turn % 2:
                operation, path = "search", "/area/search"
                params = {"category": rng.choice(("residential", "nursing", "residential_dementia")),
                          "near_district": rng.choice(self.districts)}
            else:
                operation, path, params = "overview", "/area/overview", {}
            await timed(timings, operation, client.get(path, params=params, headers=headers))


@dataclass
class Supplier:
    """Another care record system: bulk bed states for its homes (POST /supplier/beds), 100 homes a request."""

    api_key: str
    homes: dict[str, dict[str, int]]  # home -> category -> max capacity
    sent: list[Sent] = field(default_factory=list)

    async def run(self, client: httpx.AsyncClient, deadline: float, timings: Timings, rng: random.Random) -> None:
        ids = sorted(self.homes)
        while time.perf_counter() < deadline:
            batch = rng.sample(ids, min(SUPPLIER_BATCH, len(ids)))
            key = str(uuid.uuid4())
            body, changes = {"homes": []}, {}
            for home_id in batch:
                beds = []
                for category, capacity in self.homes[home_id].items():
                    counts = _counts(rng, capacity)
                    beds.append({"category": category, **counts})
                    changes[(home_id, category)] = Sent(f"{key}/{home_id}/{category}", "bed_count",
                                                        f"{home_id}/{category}", home_id, APPLIED, counts,
                                                        from_supplier=True)
                body["homes"].append({"home_id": home_id, "as_at": now_iso(), "beds": beds})
            self.sent.extend(changes.values())
            answer = await self._post(client, key, body, timings)
            for attempt in range(20):  # resend the same request (same key) until it is answered
                if answer is not None or time.perf_counter() > deadline + 60:
                    break
                await asyncio.sleep(min(2.0, 0.1 * 2 ** attempt))
                answer = await self._post(client, key, body, None)
            for result in (answer or {}).get("results", []):
                applied = result.get("applied") or {}
                for category, version in applied.get("versions", {}).items():
                    change = changes.get((result["home_id"], category))
                    if change is not None:
                        change.answer, change.version = APPLIED, version
                if result["status"] != APPLIED:
                    for (home_id, _), change in changes.items():
                        if home_id == result["home_id"]:
                            change.answer = result["status"]

    async def _post(self, client: httpx.AsyncClient, key: str, body: dict, timings: Timings | None) -> dict | None:
        response = await timed(timings, "supplier", client.post(
            "/supplier/beds", json=body, headers={"X-Api-Key": self.api_key, "Idempotency-Key": key}))
        return response.json() if response is not None else None


async def health_loop(client: httpx.AsyncClient, deadline: float, timings: Timings) -> None:
    while time.perf_counter() < deadline:
        await timed(timings, "health", client.get("/health"))


async def sign_in_burst(clients: list[httpx.AsyncClient], usernames: list[str], password: str,
                        timings: Timings) -> tuple[float, float]:
    """All at once; returns when the burst began and ended (perf_counter), for the pushes' p99 inside it."""
    async def one(n: int, username: str) -> None:
        await timed(timings, "sign_in", clients[n % len(clients)].post(
            "/auth/sign-in", json={"username": username, "password": password}))

    began = time.perf_counter()
    await asyncio.gather(*(one(n, u) for n, u in enumerate(usernames)))
    return began, time.perf_counter()
