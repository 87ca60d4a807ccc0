"""How slow this machine is right now, so that time limits scale with it instead of being one fixed budget.

Every limit in the tests is written for an idle 2-core machine; ``scaled(seconds)``
stretches it by ``slowness()``, the larger of

- the calibration: a fixed CPU-bound loop, timed once per process (at session start,
  see tests/conftest.py) against its time on an idle reference machine: a slower
  machine, or one already busy when the session starts, gets longer limits;
- the load now: the 1-minute load average per core, read at each call, so a second
  copy of the suite started later stretches the limits of tests that start after it.

``CHC_TIME_SCALE=<factor>`` sets the factor outright (under a debugger, or on a runner
known to be slow). Limits only ever grow (the factor is at least 1) and stop growing at
``MOST``: a hung test still ends.
"""

from __future__ import annotations

import functools
import os
import time

# The calibration loop takes about this long on an idle reference machine (2 cores, 2026).
REFERENCE_LOOP_S = 0.1
LOOP_ITERATIONS = 3_000_000
MOST = 8.0


@functools.cache
def calibration() -> float:
    """How many times longer than on the reference machine a fixed loop took here (once per process)."""
    started = time.perf_counter()
    total = 0
    for i in range(LOOP_ITERATIONS):
        total += i * i
    return (time.perf_counter() - started) / REFERENCE_LOOP_S


def load_per_core() -> float:
    """The 1-minute load average per core (0 where the platform has none)."""
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except (AttributeError, OSError):  # Windows
        return 0.0


def slowness() -> float:
    """The factor every time limit is multiplied by: 1 on an idle reference machine, up to MOST."""
    override = os.environ.get("CHC_TIME_SCALE")
    if override:
        return max(1.0, float(override))
    return min(MOST, max(1.0, calibration(), load_per_core()))


def scaled(seconds: float) -> float:
    """A limit written for an idle machine, stretched for this one as it is now."""
    return seconds * slowness()


def scaled_ms(milliseconds: float) -> float:
    """The same for Playwright, which counts in milliseconds."""
    return milliseconds * slowness()


def describe() -> str:
    """One line for the test report header."""
    return (f"time limits x{slowness():.1f} (calibration x{calibration():.1f}, "
            f"load {load_per_core():.1f} per core on {os.cpu_count()} cores)")
