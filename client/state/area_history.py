"""Vacancies over time for an area: fetched from the central API (GET /area/history), the last answer kept.

History lives on the central API only (every applied bed change); the device
keeps the last answer per area and interval in its meta table, so with no
connection the chart still shows, saying when it was saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Literal

from pydantic import ValidationError

from client.state.area import HISTORY_META
from client.store import LocalStore
from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.area import AreaRef
from domain.beds import BedCategory
from domain.uk_time import uk_clock, uk_day_and_time, uk_local
from protocol.area import HistoryAnswer

Interval = Literal["day", "week"]
NEVER_FETCHED = "Vacancy history needs a connection once"


@dataclass(frozen=True)
class HistoryShown:
    answer: HistoryAnswer | None
    line: str  # where it came from, in plain words
    from_cache: bool = False

    def series(self) -> dict[BedCategory, list[tuple[date, int]]]:
        """Vacancies accepting admissions per category (those the area has beds in), oldest first."""
        if self.answer is None:
            return {}
        present = [c for c in BedCategory
                   if any(point.max_capacity.get(c) or point.vacant_accepting.get(c) for point in self.answer.points)]
        return {c: [(point.day, point.vacant_accepting.get(c, 0)) for point in self.answer.points] for c in present}




def _cache_key(area: AreaRef, interval: Interval, days: int) -> str:
    return f"{area.key}|{interval}|{days}"


def _clock(moment: datetime, now: datetime) -> str:
    same_day = uk_local(moment).date() == uk_local(now).date()
    return uk_clock(moment) if same_day else uk_day_and_time(moment, year=False)


class AreaHistory:
    def __init__(self, store: LocalStore, api: Callable[[], CentralApi | None], *,  # the session's client
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.store, self._api, self._now = store, api, now

    def cached(self, area: AreaRef, interval: Interval = "day", days: int = 30) -> tuple[HistoryAnswer, datetime] | None:
        try:
            kept = self._kept().get(_cache_key(area, interval, days))
            if kept is None:
                return None
            return HistoryAnswer.model_validate(kept["answer"]), datetime.fromisoformat(kept["saved_at"])
        except (ValueError, KeyError, ValidationError):
            return None  # written by another version: fetched again when there is a connection

    def _kept(self) -> dict:
        try:
            kept = json.loads(self.store.get_meta(HISTORY_META) or "{}")
        except ValueError:
            return {}
        return kept if isinstance(kept, dict) else {}

    def _offline(self, area: AreaRef, interval: Interval, days: int, why: str) -> HistoryShown:
        kept = self.cached(area, interval, days)
        if kept is None:
            return HistoryShown(None, f"{NEVER_FETCHED} ({why}).")
        answer, saved_at = kept
        return HistoryShown(answer, f"Saved {_clock(saved_at, self._now())} - {why}", from_cache=True)

    async def load(self, area: AreaRef, interval: Interval = "day", days: int = 30) -> HistoryShown:
        api = self._api()
        if api is None:
            return self._offline(area, interval, days, "sign in again to fetch it")
        try:
            answer = await api.area_history(area.key, interval, days)
        except Offline:
            return self._offline(area, interval, days, "no connection now")
        except AuthExpired:
            return self._offline(area, interval, days, "sign in again to fetch it")
        except ApiError as refused:
            return self._offline(area, interval, days, str(refused))
        saved_at = self._now()
        kept = self._kept()
        kept[_cache_key(area, interval, days)] = {"saved_at": saved_at.isoformat(),
                                                  "answer": answer.model_dump(mode="json")}
        self.store.set_meta(HISTORY_META, json.dumps(kept))
        return HistoryShown(answer, f"Vacancy history as of {_clock(saved_at, saved_at)}")
