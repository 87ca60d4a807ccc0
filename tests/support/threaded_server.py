"""The central API served over real TCP on loopback from a thread of the test process (uvicorn).

For tests that need a real network path (a FaultProxy in front) without the start-up cost of a server
process, so they stay in the fast lane. The app is the in-process one (tests/support/central_inprocess.py:
its clock is the test's).

    with serving_over_tcp(app) as url:
        FaultProxy.to(url) ...
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tests.support.waiting import wait_until


@contextmanager
def serving_over_tcp(app) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="central-api-tcp", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=10, interval=0.02, what="the central API listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
