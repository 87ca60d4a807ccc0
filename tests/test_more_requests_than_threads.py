"""More requests at once than the server has worker threads and database connections are all answered.

Before, a request took a worker thread to check its connection out and waited there for one: with more
requests than threads, every thread waited for a connection while every connection was held by a request
waiting for a thread to run its handler, until the pool's 30 s timeout answered them 503 (issue 14: 200
pushes at once, none answered, on SQLite and PostgreSQL alike). A request now waits for its connection in
the event loop (server_stub/dependencies.py). A real server process; no timing is asserted: every
request must be answered 200 (the client waits up to 120 s for each).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from server_stub.dependencies import REQUEST_CONNECTIONS
from tests.support import aio
from tests.support.auth import sign_in
from tests.support.server_process import start_server

pytestmark = pytest.mark.timeout(300)
AT_ONCE = 150  # above the 40 worker threads and the pool's connections


def test_more_requests_at_once_than_threads_and_connections_are_all_answered(tmp_path):
    assert AT_ONCE > 40 + REQUEST_CONNECTIONS
    with start_server(tmp_path / "central.sqlite3") as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            headers = sign_in(client)
            cursor = client.get("/sync/changes", params={"since": 0, "limit": 1000}, headers=headers).json()["cursor"]

        async def burst() -> list[int]:
            limits = httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=AT_ONCE)
            async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
                answers = await asyncio.gather(*(
                    client.get("/sync/changes", params={"since": cursor}, headers=headers) for _ in range(AT_ONCE)))
            return [answer.status_code for answer in answers]

        statuses = aio.run(burst())
    assert statuses == [200] * AT_ONCE, {status: statuses.count(status) for status in set(statuses)}
