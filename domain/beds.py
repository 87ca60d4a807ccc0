"""Bed state, after the NHS Capacity Tracker.

A home reports, for each bed category it offers, four mandatory counts. The
invariant (all >= 0, occupied + vacant reserved + vacant accepting <= maximum
capacity) is checked here so that the UI, the client store and the central API
refuse exactly the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class BedCategory(StrEnum):
    RESIDENTIAL = "residential"
    RESIDENTIAL_DEMENTIA = "residential_dementia"
    NURSING = "nursing"
    NURSING_DEMENTIA = "nursing_dementia"
    LEARNING_DISABILITY = "learning_disability"
    MENTAL_HEALTH = "mental_health"
    YOUNG_PHYSICALLY_DISABLED = "young_physically_disabled"
    SHORT_STAY = "short_stay"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[BedCategory, str] = {
    BedCategory.RESIDENTIAL: "Residential",
    BedCategory.RESIDENTIAL_DEMENTIA: "Residential dementia",
    BedCategory.NURSING: "Nursing",
    BedCategory.NURSING_DEMENTIA: "Nursing dementia",
    BedCategory.LEARNING_DISABILITY: "Learning disability",
    BedCategory.MENTAL_HEALTH: "Mental health",
    BedCategory.YOUNG_PHYSICALLY_DISABLED: "Young physically disabled (18-65)",
    BedCategory.SHORT_STAY: "Short stay (D2A, respite, reablement)",
}


class ClosureReason(StrEnum):
    INFECTION_OUTBREAK = "infection_outbreak"
    STAFFING = "staffing"
    REFURBISHMENT = "refurbishment"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The four mandatory counts, in the order a form shows them.
COUNT_FIELDS: tuple[str, ...] = ("max_capacity", "occupied", "vacant_reserved", "vacant_accepting")
COUNT_LABELS: dict[str, str] = {
    "max_capacity": "Maximum capacity",
    "occupied": "Occupied",
    "vacant_reserved": "Vacant reserved",
    "vacant_accepting": "Vacant accepting admissions",
}
# A sanity ceiling: the largest English care homes have about 200 beds.
MAX_BEDS_PER_CATEGORY = 1000
# Who saved a record (stamped by the central API: an account's user name, or a supplier's name).
CHANGED_BY_DESCRIPTION = "Who saved it, stamped by the central API: a user name, or the name of a supplier's system"
AS_AT_DESCRIPTION = ("Set only by a supplier's update (docs/sync.md): the time its system says the counts were "
                     "true; none for a save in the app")


def check_capacity(vacant_accepting: int, info: ValidationInfo) -> int:
    """The invariant occupied + vacant reserved + vacant accepting <= maximum capacity, as a validator of the
    last count (so the error names a field); skipped when an earlier count was already refused."""
    data = info.data
    if not all(name in data for name in COUNT_FIELDS[:3]):
        return vacant_accepting
    used = data["occupied"] + data["vacant_reserved"] + vacant_accepting
    if used > data["max_capacity"]:
        raise ValueError(
            f"Occupied, vacant reserved and vacant accepting beds together ({used}) "
            f"can't be more than the maximum capacity ({data['max_capacity']})"
        )
    return vacant_accepting


class BedCount(BaseModel):
    """One category's counts for one home (one synced record)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home_id: str = Field(min_length=1, max_length=64, description="CQC location ID of the home")
    category: BedCategory
    max_capacity: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    occupied: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    vacant_reserved: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    vacant_accepting: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    changed_by: str | None = Field(default=None, min_length=1, max_length=100, description=CHANGED_BY_DESCRIPTION)
    as_at: AwareDatetime | None = Field(default=None, description=AS_AT_DESCRIPTION)

    @field_validator("vacant_accepting")
    @classmethod
    def _fits_capacity(cls, vacant_accepting: int, info: ValidationInfo) -> int:
        # Attached to the last count so the error names a field; skipped when an
        # earlier count was already refused (it is then missing from info.data).
        return check_capacity(vacant_accepting, info)

    @property
    def record_id(self) -> str:
        return bed_count_record_id(self.home_id, self.category)

    @property
    def vacant(self) -> int:
        return self.vacant_reserved + self.vacant_accepting


def bed_count_record_id(home_id: str, category: BedCategory | str) -> str:
    return f"{home_id}/{BedCategory(category).value}"


def category_not_offered(count: BedCount, home_name: str, offered: Collection[BedCategory | str]) -> str | None:
    """Why ``count`` cannot be kept for a home offering ``offered``, or None: a home reports only its own categories."""
    if count.category.value in {str(category) for category in offered}:
        return None
    return f"{home_name} does not offer {count.category.label} beds"


class HomeStatus(BaseModel):
    """Home-level bed state flags; every save of it is a confirmation.

    ``confirmed_at`` is when the manager confirmed: the device sends its clock
    corrected by its measured offset from the server's, and the central API
    keeps it between the device's last contact and the arrival (an older
    device sends none: the arrival). ``received_at`` is the arrival, stamped by
    the central API. Freshness is measured from ``confirmed_at``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    home_id: str = Field(min_length=1, max_length=64)
    closed_to_admissions: bool = False
    closed_reason: ClosureReason | None = Field(default=None, validate_default=True)
    closed_note: str | None = Field(default=None, max_length=500)
    confirmed_at: str | None = Field(default=None, description="ISO time the manager confirmed (bounded by the server)")
    received_at: str | None = Field(default=None, description="ISO time the confirmation reached the central API")
    changed_by: str | None = Field(default=None, min_length=1, max_length=100, description=CHANGED_BY_DESCRIPTION)
    as_at: AwareDatetime | None = Field(default=None, description=AS_AT_DESCRIPTION)

    @property
    def from_supplier(self) -> bool:
        """Saved by a supplier's system through the supplier API (only those carry ``as_at``)."""
        return self.as_at is not None

    @field_validator("closed_reason")
    @classmethod
    def _reason_when_closed(cls, reason: ClosureReason | None, info: ValidationInfo) -> ClosureReason | None:
        if info.data.get("closed_to_admissions") and reason is None:
            raise ValueError("a reason is required when the home is closed to admissions")
        return reason
