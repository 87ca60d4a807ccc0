"""An infection outbreak at a home: what, since when, the last new case, and when it is over.

The rule (UKHSA guidance for care homes): an outbreak is over when the manager
closes it, or 28 days after the last new case recorded (the start day counts as
the first case). The day is passed in; nothing here reads a clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from domain.records import SyncedRecord

OVER_AFTER = timedelta(days=28)


class OutbreakKind(StrEnum):
    NOROVIRUS = "norovirus"
    COVID_19 = "covid_19"
    INFLUENZA = "influenza"
    OTHER = "other"

    @property
    def label(self) -> str:
        return OUTBREAK_LABELS[self]


OUTBREAK_LABELS: dict[OutbreakKind, str] = {
    OutbreakKind.NOROVIRUS: "Norovirus",
    OutbreakKind.COVID_19: "COVID-19",
    OutbreakKind.INFLUENZA: "Influenza",
    OutbreakKind.OTHER: "Other infection",
}


class Outbreak(SyncedRecord):
    """A home's current (or last) outbreak: one record per home; the newest save counts."""

    kind: OutbreakKind
    started_on: date
    last_case_on: date | None = Field(default=None, description="The last new case recorded; None: only the first")
    closed_on: date | None = Field(default=None, description="The day the manager closed it; None: not closed")

    @field_validator("last_case_on", "closed_on")
    @classmethod
    def _not_before_start(cls, day: date | None, info: ValidationInfo) -> date | None:
        started = info.data.get("started_on")
        if day is not None and started is not None and day < started:
            raise ValueError(f"must not be before the outbreak started ({started.day} {started:%b %Y})")
        return day

    @property
    def record_id(self) -> str:
        return outbreak_record_id(self.home_id)

    @property
    def over_on(self) -> date:
        """The day it is over by itself: 28 days after the last new case (or the start)."""
        return (self.last_case_on or self.started_on) + OVER_AFTER

    def active_on(self, today: date) -> bool:
        if self.closed_on is not None and self.closed_on <= today:
            return False
        return self.started_on <= today < self.over_on


def outbreak_record_id(home_id: str) -> str:
    return f"{home_id}/outbreak"


def current_outbreak(outbreak: Outbreak | None, today: date) -> OutbreakKind | None:
    """What the home has an outbreak of today, or None (never had one, closed, or 28 days without a case)."""
    return outbreak.kind if outbreak is not None and outbreak.active_on(today) else None
