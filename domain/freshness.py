"""How recently a home confirmed its bed state (design: fresh < 24 h, ageing <= 7 days, stale after)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

FRESH_FOR = timedelta(hours=24)
AGEING_FOR = timedelta(days=7)


class Freshness(StrEnum):
    FRESH = "fresh"
    AGEING = "ageing"
    STALE = "stale"
    NEVER = "never confirmed"


def freshness(confirmed_at: datetime | None, now: datetime) -> Freshness:
    if confirmed_at is None:
        return Freshness.NEVER
    age = now - confirmed_at
    if age < FRESH_FOR:
        return Freshness.FRESH
    if age <= AGEING_FOR:
        return Freshness.AGEING
    return Freshness.STALE
