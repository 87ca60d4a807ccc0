"""Run a coroutine to completion from a test.

Playwright's sync API keeps an event loop running on the main thread for the
whole session, so asyncio.run() there fails; a worker thread has none.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def in_worker_thread(function: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` (which may call asyncio.run itself) in a worker thread, away from Playwright's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
