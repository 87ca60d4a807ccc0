"""Workforce, reported with the bed state (the national collection asks for both).

Headcounts on the day of the update: registered nurses, care workers and
non-care staff, each directly employed and from an agency, and how many staff
are absent today. One record per home; the newest save counts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.records import SyncedRecord

# The headcounts, in the order the form shows them (then ``absent_today``).
STAFF_FIELDS: tuple[str, ...] = (
    "nurses_employed", "nurses_agency", "care_workers_employed", "care_workers_agency",
    "non_care_employed", "non_care_agency",
)
WORKFORCE_FIELDS: tuple[str, ...] = (*STAFF_FIELDS, "absent_today")
WORKFORCE_LABELS: dict[str, str] = {
    "nurses_employed": "Registered nurses (employed)",
    "nurses_agency": "Registered nurses (agency)",
    "care_workers_employed": "Care workers (employed)",
    "care_workers_agency": "Care workers (agency)",
    "non_care_employed": "Non-care staff (employed)",
    "non_care_agency": "Non-care staff (agency)",
    "absent_today": "Staff absent today",
}
# A sanity ceiling: the largest English care homes employ a few hundred people.
MAX_STAFF_PER_COUNT = 2000


def _count() -> int:
    return Field(default=0, ge=0, le=MAX_STAFF_PER_COUNT)


class Headcounts(BaseModel):
    """The headcounts alone: what a form or another supplier's system sends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nurses_employed: int = _count()
    nurses_agency: int = _count()
    care_workers_employed: int = _count()
    care_workers_agency: int = _count()
    non_care_employed: int = _count()
    non_care_agency: int = _count()
    absent_today: int = _count()

    @field_validator("absent_today")
    @classmethod
    def _not_more_absent_than_staff(cls, absent: int, info: ValidationInfo) -> int:
        # Skipped when a headcount was already refused (it is then missing from info.data).
        if not all(name in info.data for name in STAFF_FIELDS):
            return absent
        staff = sum(info.data[name] for name in STAFF_FIELDS)
        if absent > staff:
            raise ValueError(f"staff absent today ({absent}) must not exceed the staff counted above ({staff})")
        return absent


class Workforce(SyncedRecord, Headcounts):
    """A home's staff headcounts (one synced record per home)."""

    @property
    def record_id(self) -> str:
        return workforce_record_id(self.home_id)

    @property
    def staff(self) -> int:
        return sum(getattr(self, name) for name in STAFF_FIELDS)


def workforce_record_id(home_id: str) -> str:
    return f"{home_id}/workforce"
