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


def confirmation_time(claimed: datetime | None, arrived: datetime, last_contact: datetime | None) -> datetime:
    """When a confirmation counts as made: when the manager confirmed (the device's clock corrected by its
    measured offset: ``claimed``), but never after it reached the central API (``arrived``: no confirmation from
    the future) and never before the device's last contact with it before then (``last_contact``: a device
    that spoke to the server at 10:00 had sent anything confirmed before 10:00). A device that sends no time
    (an older app, or one that never measured its clock), or whose last contact the server does not know (so
    its claim cannot be bounded), confirmed when it arrived."""
    if claimed is None or claimed.tzinfo is None or last_contact is None:
        return arrived
    return min(max(claimed, last_contact), arrived)
