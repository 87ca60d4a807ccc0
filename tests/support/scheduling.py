"""The order test modules are handed to pytest-xdist workers in: the longest first.

``python3 dev.py test`` runs ``--dist loadscope --no-loadscope-reorder``: a module goes whole to one worker, in
collection order. xdist's own order (most tests first) put a module of one or two long tests (the sync property
test, a browser walk) near the end, where one worker ran it alone while the other had nothing left to do. Handing
out the longest modules first and the many short ones last lets both workers finish within seconds of each other
(longest processing time first).

A module's cost is guessed from what its tests declare, so a new test is placed without a table to keep up to date:

- its own ``timeout`` mark above the run's default: a budget written for an idle machine; a test needs about a
  quarter of it (tests/conftest.py, ``_budget``);
- else ``browser`` (Chromium and an app process), else ``slow`` (real processes), else in-process.
"""

from __future__ import annotations

from collections import defaultdict

BROWSER_S = 15.0
SLOW_S = 3.0
IN_PROCESS_S = 0.05
BUDGET_SHARE = 0.25  # of a test's own (idle-machine) time limit


def estimated_seconds(item, default_budget: float) -> float:
    marker = item.get_closest_marker("timeout")
    own = float(marker.args[0] if marker.args else marker.kwargs.get("timeout", 0)) if marker is not None else 0.0
    if own > default_budget:
        return own * BUDGET_SHARE
    if item.get_closest_marker("browser") is not None:
        return BROWSER_S
    if item.get_closest_marker("slow") is not None:
        return SLOW_S
    return IN_PROCESS_S


def scope_of(nodeid: str) -> str:
    """What ``--dist loadscope`` keeps together: the module, or the class (as xdist splits it)."""
    return nodeid.rsplit("::", 1)[0]


def longest_scopes_first(items: list, default_budget: float) -> None:
    """Reorder ``items`` in place: scopes by estimated cost, longest first; tests keep their order inside one."""
    cost: dict[str, float] = defaultdict(float)
    for item in items:
        cost[scope_of(item.nodeid)] += estimated_seconds(item, default_budget)
    first_seen = {scope: n for n, scope in enumerate(dict.fromkeys(scope_of(item.nodeid) for item in items))}
    items.sort(key=lambda item: (-cost[scope_of(item.nodeid)], first_seen[scope_of(item.nodeid)]))
