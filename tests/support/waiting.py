"""Waiting for a condition, never for a fixed time: bounded by a deadline that scales with the machine.

``timeout`` is what the wait needs on an idle machine; the deadline is ``scaled(timeout)``
(tests/support/timing.py), so a loaded machine waits longer instead of failing. These
are bounds on waits, never timing assertions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from tests.support.timing import scaled

T = TypeVar("T")


def _timed_out(timeout: float, limit: float, what: str, last: object) -> AssertionError:
    return AssertionError(f"timed out after {limit:.1f} s ({timeout} s scaled for this machine) "
                          f"waiting for {what} (last: {last!r})")


def wait_until(probe: Callable[[], T], *, timeout: float, interval: float = 0.2, what: str = "condition") -> T:
    """Return the first truthy value of probe(); fail after the scaled timeout. A probe that raises counts as not yet."""
    limit = scaled(timeout)
    deadline = time.monotonic() + limit
    last: T | None = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except Exception as exc:  # noqa: BLE001 - a server still starting, say
            last = exc  # type: ignore[assignment]
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    raise _timed_out(timeout, limit, what, last)


async def eventually(probe: Callable[[], T], *, timeout: float, what: str, interval: float = 0.02) -> T:
    """wait_until for a test's own event loop (the code under test runs on it too, so never block it)."""
    limit = scaled(timeout)
    deadline = time.monotonic() + limit
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _timed_out(timeout, limit, what, value)
        await asyncio.sleep(interval)
