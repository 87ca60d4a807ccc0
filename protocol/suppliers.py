"""The supplier API (PUT /supplier/homes/{id}/beds) and an administrator's suppliers (/admin/suppliers).

A supplier is another digital care record system that sends its homes' bed states for them. Its counts
are checked by the same rule as a device's (domain.beds: the four counts, the capacity invariant).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.beds import MAX_BEDS_PER_CATEGORY, BedCategory, check_capacity
from domain.workforce import Headcounts

HOME_ID_PATTERN = r"^1-\d{5,12}$"
MAX_HOMES_PER_SUPPLIER = 20_000
# Beyond these a time is a mistake (and near the ends of the calendar it cannot even change time zone).
EARLIEST_AS_AT = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_AS_AT = datetime(2100, 1, 1, tzinfo=timezone.utc)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- what a supplier sends --------------------------------------------------------------------------------

class SupplierBedCount(_Wire):
    """One category's four counts (a device's bed_count record without the home, which the path names)."""

    category: BedCategory
    max_capacity: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    occupied: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    vacant_reserved: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)
    vacant_accepting: int = Field(ge=0, le=MAX_BEDS_PER_CATEGORY)

    @field_validator("vacant_accepting")
    @classmethod
    def _fits_capacity(cls, vacant_accepting: int, info: ValidationInfo) -> int:
        return check_capacity(vacant_accepting, info)


class BedStateUpdate(_Wire):
    """A home's bed counts as the supplier's system held them at ``as_at``."""

    as_at: AwareDatetime = Field(description="When the supplier's system says these counts were true "
                                             "(with a time zone, e.g. 2026-11-25T09:05:00Z)")
    beds: list[SupplierBedCount] = Field(min_length=1, max_length=len(BedCategory),
                                         description="One entry per bed category updated; others are left as they are")
    workforce: Headcounts | None = Field(None, description=(
        "Optional: the home's staff headcounts today (registered nurses, care workers and non-care staff, each "
        "employed and agency, and staff absent today), checked as the app checks them"))

    @field_validator("as_at")
    @classmethod
    def _this_century(cls, as_at: datetime) -> datetime:
        if not EARLIEST_AS_AT <= as_at < LATEST_AS_AT:
            raise ValueError("as_at must be a time between 2000 and 2100")
        return as_at.astimezone(timezone.utc)

    @field_validator("beds")
    @classmethod
    def _one_entry_per_category(cls, beds: list[SupplierBedCount]) -> list[SupplierBedCount]:
        categories = [count.category for count in beds]
        if len(set(categories)) != len(categories):
            raise ValueError("each bed category may appear only once")
        return beds

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "as_at": "2026-11-25T09:05:00Z",
        "beds": [{"category": "nursing", "max_capacity": 30, "occupied": 26, "vacant_reserved": 1,
                  "vacant_accepting": 3}],
        "workforce": {"nurses_employed": 6, "nurses_agency": 1, "care_workers_employed": 24, "care_workers_agency": 3,
                      "non_care_employed": 8, "non_care_agency": 0, "absent_today": 2},
    }]})


class BedStateApplied(_Wire):
    """The answer to an applied update (a retry under the same Idempotency-Key gets it again, unchanged)."""

    home_id: str
    supplier: str = Field(description="The supplier's name, as the home's devices show it ('Updated by ...')")
    as_at: datetime
    applied_at: datetime = Field(description="When the central API applied it (its clock)")
    versions: dict[str, int] = Field(description=(
        "The new version of each category's record, by category (and of the workforce record, when sent)"))

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "home_id": "1-10000302982", "supplier": "Example Care Records", "as_at": "2026-11-25T09:05:00Z",
        "applied_at": "2026-11-25T09:05:02.120000Z", "versions": {"nursing": 1842},
    }]})


# --- what an administrator sends and reads ------------------------------------------------------------------

def _check_homes(homes: list[str]) -> list[str]:
    bad = [home for home in homes if not re.fullmatch(HOME_ID_PATTERN, home)]
    if bad:
        raise ValueError(f"not a CQC location ID (like 1-10000302982): {', '.join(bad[:5])}")
    return sorted(set(homes))


class SupplierRegistration(_Wire):
    name: str = Field(min_length=2, max_length=100, pattern=r"^\S(.*\S)?$",
                      description="The system's name, shown to the homes' staff ('Updated by <name>')")
    homes: list[str] = Field(max_length=MAX_HOMES_PER_SUPPLIER,
                             description="CQC location IDs of the homes it may send bed states for")

    @field_validator("homes")
    @classmethod
    def _cqc_location_ids(cls, homes: list[str]) -> list[str]:
        return _check_homes(homes)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Example Care Records", "homes": ["1-10000302982"]}]})


class SupplierHomes(_Wire):
    homes: list[str] = Field(max_length=MAX_HOMES_PER_SUPPLIER,
                             description="The complete new list of CQC location IDs it may send bed states for")

    @field_validator("homes")
    @classmethod
    def _cqc_location_ids(cls, homes: list[str]) -> list[str]:
        return _check_homes(homes)


class Supplier(_Wire):
    id: int
    name: str
    homes: list[str]
    registered_at: datetime
    registered_by: str
    key_issued_at: datetime | None = Field(description="When its current API key was issued; none: it has no key "
                                                       "(revoked), so it cannot send anything")


class SupplierKey(_Wire):
    """A new API key: shown this once, never again (the central API keeps only its digest)."""

    supplier: Supplier
    api_key: str = Field(description="Send it as the X-Api-Key header. Shown once: keep it safe")


# --- many homes in one request (POST /supplier/beds, and the CSV upload) ------------------------------------

MAX_HOMES_PER_REQUEST = 500


class HomeBedStateUpdate(BedStateUpdate):
    """One home's bed state in a bulk request."""

    home_id: str = Field(pattern=HOME_ID_PATTERN, description="The home's CQC location ID")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "home_id": "1-10000302982", "as_at": "2026-11-25T09:05:00Z",
        "beds": [{"category": "nursing", "max_capacity": 30, "occupied": 26, "vacant_reserved": 1,
                  "vacant_accepting": 3}],
    }]})


class BulkBedStateUpdate(_Wire):
    homes: list[HomeBedStateUpdate] = Field(min_length=1, max_length=MAX_HOMES_PER_REQUEST)

    @field_validator("homes")
    @classmethod
    def _each_home_once(cls, homes: list[HomeBedStateUpdate]) -> list[HomeBedStateUpdate]:
        ids = [home.home_id for home in homes]
        if len(set(ids)) != len(ids):
            raise ValueError("each home may appear only once")
        return homes


class HomeOutcome(StrEnum):
    APPLIED = "applied"
    NOT_YOUR_HOME = "not_your_home"
    UNKNOWN_HOME = "unknown_home"
    STALE = "stale"
    INVALID = "invalid"


class HomeResult(_Wire):
    """One home's answer in a bulk request: what a PUT for that home alone would answer."""

    home_id: str
    status: HomeOutcome = Field(description="applied; not_your_home (a PUT would answer 403); unknown_home (404); "
                                            "stale: its bed state changed after as_at (409); invalid: breaks a "
                                            "rule (422)")
    applied: BedStateApplied | None = None
    detail: str | None = Field(default=None, description="Why it was not applied, in plain words")


class BulkBedStateAnswer(_Wire):
    applied: int
    not_applied: int
    results: list[HomeResult]
