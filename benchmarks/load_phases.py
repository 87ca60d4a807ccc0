"""One level of the load benchmark: the /health floor, then devices, commissioners and a supplier at once.

    result = asyncio.run(run_level(urls, devices, commissioners, supplier, level=200, seconds=10, burst=[...]))

Clients share one httpx.AsyncClient per server process, its connections capped (``max_connections``) so a
thousand devices do not open a thousand sockets each from a 2-core machine; the cap is in the result.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from benchmarks.load_clients import Commissioner, Device, Supplier, Timings, health_loop, sign_in_burst

COMMISSIONERS_PER_DEVICES = 10  # one discharge team or commissioner searching for every ten devices pushing
MAX_COMMISSIONERS = 20
BURST_AFTER = 1 / 3  # of the phase: the sign-in burst starts then, so pushes run before, during and after it


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(timings: Timings, operation: str, seconds: float) -> dict:
    latencies = timings.latencies.get(operation, [])
    errors = timings.errors.get(operation, [])
    return {"count": len(latencies), "per_s": len(latencies) / seconds, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5],
            **{f"p{q}_ms": (None if (p := percentile(latencies, q)) is None else p * 1000) for q in (50, 95, 99)}}


def _clients(urls: list[str], connections: int) -> list[httpx.AsyncClient]:
    per_server = max(1, connections // len(urls))
    limits = httpx.Limits(max_connections=per_server, max_keepalive_connections=per_server)
    return [httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(30.0, pool=60.0)) for url in urls]


async def health_phase(urls: list[str], level: int, seconds: float, max_connections: int) -> dict:
    clients = _clients(urls, min(level, max_connections))
    timings = Timings()
    try:
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        await asyncio.gather(*(health_loop(clients[n % len(clients)], deadline, timings) for n in range(level)))
        seconds = time.perf_counter() - began  # with the answers still coming after the deadline
    finally:
        for client in clients:
            await client.aclose()
    return summary(timings, "health", seconds)


async def mixed_phase(urls: list[str], devices: list[Device], commissioners: list[Commissioner],
                      supplier: Supplier | None, seconds: float, max_connections: int,
                      burst: tuple[list[str], str] | None = None, seed: int = 0) -> dict:
    """Devices push and pull, commissioners search and open overviews, the supplier sends bulk updates; with
    ``burst`` (user names, password), that many sign-ins start at once a third of the way in."""
    actors = len(devices) + len(commissioners) + (supplier is not None)
    connections = min(actors, max_connections)
    clients = _clients(urls, connections)
    timings = Timings()
    rng = random.Random(seed)
    window = None
    cpu_began, wall_began = time.process_time(), time.perf_counter()
    try:
        deadline = time.perf_counter() + seconds
        tasks = [d.run(clients[n % len(clients)], deadline, timings, random.Random(rng.random()))
                 for n, d in enumerate(devices)]
        tasks += [c.run(clients[n % len(clients)], deadline, timings, random.Random(rng.random()))
                  for n, c in enumerate(commissioners)]
        if supplier is not None:
            tasks.append(supplier.run(clients[0], deadline, timings, random.Random(rng.random())))

        async def burst_later() -> None:
            nonlocal window
            await asyncio.sleep(seconds * BURST_AFTER)
            window = await sign_in_burst(clients, burst[0], burst[1], timings)

        if burst is not None:
            tasks.append(burst_later())
        await asyncio.gather(*tasks)
        ran = time.perf_counter() - wall_began  # the phase and the answers still coming after its deadline
        # Changes whose answer was lost are resent with their ids after the phase (as a device's outbox is).
        resend_until = time.perf_counter() + max(10.0, seconds)
        await asyncio.gather(*(d.resend_unanswered(clients[n % len(clients)], resend_until)
                               for n, d in enumerate(devices)))
    finally:
        for client in clients:
            await client.aclose()
    result = {name: summary(timings, name, ran)  # per second of the time they really took
              for name in ("push", "pull", "search", "overview", "supplier", "sign_in")}
    result["ran_s"] = ran
    result["connections"] = connections
    result["client_cpu_s"] = time.process_time() - cpu_began
    result["wall_s"] = time.perf_counter() - wall_began  # the phase, its last answers and the resends
    if window is not None:
        began, ended = window
        pushes = list(zip(timings.started["push"], timings.latencies["push"], strict=True))
        # A push overlapping the burst (started before it ended, finished after it began) ran during it.
        during = [start <= ended and start + latency >= began for start, latency in pushes]
        inside = [latency for (_, latency), overlaps in zip(pushes, during, strict=True) if overlaps]
        outside = [latency for (_, latency), overlaps in zip(pushes, during, strict=True) if not overlaps]
        result["burst"] = {"sign_ins": len(burst[0]), "seconds": ended - began,
                           "push_p99_ms_during": _ms(percentile(inside, 99)), "pushes_during": len(inside),
                           "push_p99_ms_otherwise": _ms(percentile(outside, 99))}
    return result


async def resend_outboxes(urls: list[str], devices: list[Device], seconds: float, max_connections: int) -> int:
    """Every device resends what is still unanswered (the servers quiet now); returns how many stay unanswered."""
    clients = _clients(urls, min(len(devices), max_connections))
    try:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(d.resend_unanswered(clients[n % len(clients)], until) for n, d in enumerate(devices)))
    finally:
        for client in clients:
            await client.aclose()
    return sum(len(d.unanswered) for d in devices)


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000
