"""A home's own vacancy history on its bed state screen: "Last 30 days".

From the central API (``GET /area/history?area=home:<id>&days=30``); the last
answer is kept in the device's meta (``home_history``: vacancy counts, no
personal data, removed at sign-out), so offline the screen shows it with the
day it is from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from client.store import LocalStore
from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.beds import BedCategory
from domain.uk_time import uk_day_and_time
from protocol.area import HistoryAnswer

META_KEY = "home_history"
DAYS = 30


@dataclass(frozen=True)
class HistoryLine:
    """One bed category over the days shown."""

    category: BedCategory
    vacancies: list[int]  # vacant accepting admissions, oldest day first

    @property
    def text(self) -> str:
        now, low, high = self.vacancies[-1], min(self.vacancies), max(self.vacancies)
        return f"{self.category.label}: {now} vacant now; lowest {low}, highest {high}"


class HomeHistory:
    def __init__(self, store: LocalStore, home_id: str, api: Callable[[], CentralApi | None], *,
                 now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id, self._api = store, home_id, api
        self._now = now or store.server_now
        self.answer: HistoryAnswer | None = None
        self.fetched_at: datetime | None = None
        self.from_cache = False
        self.problem: str | None = None
        self._load_cached()

    def _load_cached(self) -> None:
        raw = self.store.get_meta(META_KEY)
        if not raw:
            return
        cached = json.loads(raw)
        if cached.get("home_id") != self.home_id:
            return
        self.answer = HistoryAnswer.model_validate(cached["answer"])
        self.fetched_at = datetime.fromisoformat(cached["fetched_at"])
        self.from_cache = True

    async def refresh(self) -> bool:
        """Ask the central API; keep its answer on the device. Offline: the kept one stays, with its date."""
        api = self._api()
        if api is None:
            self.problem = "Sign in again to update the vacancy history"
            return False
        try:
            answer = await api.home_history(self.home_id, DAYS)
        except Offline:
            self.problem = "Offline"
            return False
        except AuthExpired:
            self.problem = "Sign in again to update the vacancy history"
            return False
        except ApiError:
            self.problem = "The vacancy history is not available from the central API now"
            return False
        self.answer, self.fetched_at, self.from_cache, self.problem = answer, self._now(), False, None
        self.store.set_meta(META_KEY, json.dumps({"home_id": self.home_id, "fetched_at": self.fetched_at.isoformat(),
                                                  "answer": answer.model_dump(mode="json")}))
        return True

    @property
    def days(self) -> list[date]:
        return [point.day for point in self.answer.points] if self.answer else []

    @property
    def lines(self) -> list[HistoryLine]:
        """Per bed category the home has had in the period, in the usual category order."""
        if not self.answer or not self.answer.points:
            return []
        seen = {c for point in self.answer.points for c in point.max_capacity} | \
            {c for point in self.answer.points for c in point.vacant_accepting}
        return [HistoryLine(c, [point.vacant_accepting.get(c, 0) for point in self.answer.points])
                for c in BedCategory if c in seen]

    @property
    def totals(self) -> list[int]:
        """Vacant accepting admissions across categories, day by day (oldest first)."""
        return [sum(point.vacant_accepting.values()) for point in self.answer.points] if self.answer else []

    @property
    def status(self) -> str:
        """Where the history shown comes from: 'Updated 09:12', or offline 'as of 24 Nov 2026'."""
        if self.answer is None:
            if self.problem == "Offline":
                return "The vacancy history needs a connection; none has been loaded on this device yet"
            return self.problem or "Loading the vacancy history..."
        as_of = uk_day_and_time(self.fetched_at) if self.fetched_at else "an earlier day"
        if self.problem == "Offline" or (self.from_cache and self.problem is None):
            prefix = "Offline: " if self.problem == "Offline" else ""
            return f"{prefix}as of {as_of} (kept on this device)"
        if self.problem:
            return f"{self.problem} (showing the one from {as_of})"
        if not self.answer.points:
            return "No bed changes recorded in the last 30 days"
        return f"Updated {as_of}"
