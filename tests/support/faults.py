"""The core both fault injectors share: what the network does to each request, and the record of it.

Two injectors, because they break different things:

- ``FaultProxy`` (fault_proxy.py): a real TCP proxy between a client and a server
  process, for connection-level faults (refused, reset, nothing listening, cut
  after the server committed, a 503 from the network);
- ``FaultyTransport`` (faulty_transport.py): an httpx transport inside the test
  process, for message-level faults (dropped, duplicated, delayed and reordered,
  stalled while the test goes on).

Each decides a request's fault with a ``FaultSchedule`` and records it in a
``RequestLog``; both are thread-safe (the proxy runs on its own thread).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    method: str | None  # None: the connection was reset before a request was read
    path: str | None
    fault: str  # what the network did to it (the schedule's default when nothing)
    status: int | None = None  # the status the client received; None: it got no answer (yet)
    upstream_status: int | None = None  # the status the server answered; None: the server was not asked
    at: float = field(default_factory=time.monotonic)  # when it arrived


class RequestLog:
    """Every request the injector saw, in order of arrival, counted per fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> RequestRecord:
        with self._lock:
            self._records.append(record)
        return record

    def requests(self, *, path_prefix: str | None = None, method: str | None = None) -> list[RequestRecord]:
        with self._lock:
            records = sorted(self._records, key=lambda r: r.at)
        return [
            r for r in records
            if (path_prefix is None or (r.path or "").startswith(path_prefix)) and (method is None or r.method == method)
        ]

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(str(r.fault) for r in self._records))

    def count(self, fault: str) -> int:
        return self.counts.get(str(fault), 0)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.requests())

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)


@dataclass
class _Rule:
    fault: str
    remaining: int | None = None  # None: until changed
    path_prefix: str | None = None


class FaultSchedule:
    """The fault for each coming request, first that applies:

    1. ``quiet``: the default, whatever else is set;
    2. a planned sequence, one fault per request whatever its path (``plan``: what a
       Hypothesis state machine draws, so failures shrink and replay exactly);
    3. a standing rule (``set``): one fault for the next ``times`` requests whose path
       starts with ``path_prefix`` (all of them, if None), then back to the default;
    4. a seeded ``random.Random`` drawing faults by weight;
    5. the default.
    """

    def __init__(self, default: str, *, rng: random.Random | None = None,
                 weights: Mapping[str, float] | None = None) -> None:
        self.default = default
        self.quiet = False
        self._rng = rng
        self._weights = dict(weights or {})
        self._lock = threading.Lock()
        self._plan: deque[str] = deque()
        self._rule = _Rule(default)

    def plan(self, faults: Iterable[str]) -> None:
        with self._lock:
            self._plan.extend(faults)

    def clear_plan(self) -> None:
        with self._lock:
            self._plan.clear()

    def set(self, fault: str, *, times: int | None = None, path_prefix: str | None = None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._rule = _Rule(fault, times, path_prefix)

    @property
    def standing(self) -> str:
        """The standing rule's fault (the default when none is set)."""
        with self._lock:
            return self._rule.fault

    def next(self, path: str | None = None) -> str:
        """The fault for a request to path, spending it from the plan or the standing rule."""
        with self._lock:
            if self.quiet:
                return self.default
            if self._plan:
                return self._plan.popleft()
            rule = self._rule
            if rule.fault != self.default and (rule.path_prefix is None or (path or "").startswith(rule.path_prefix)):
                self._spend(rule)
                return rule.fault
            if self._rng is not None and self._weights:
                faults = list(self._weights)
                return self._rng.choices(faults, weights=[self._weights[f] for f in faults])[0]
            return self.default

    def spend_if_standing(self, fault: str) -> bool:
        """Whether the standing rule applies fault to every path; if so, one of its requests is spent.

        For a fault decided before any path is known (the proxy resetting a new connection).
        """
        with self._lock:
            rule = self._rule
            if self.quiet or rule.fault != fault or rule.path_prefix is not None:
                return False
            self._spend(rule)
            return True

    def _spend(self, rule: _Rule) -> None:
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                self._rule = _Rule(self.default)
