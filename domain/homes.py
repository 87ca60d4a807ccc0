"""A care home as the CQC directory describes it, and where it is."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.beds import BedCategory


class CqcRating(StrEnum):
    """The CQC's overall rating of a location (its latest inspection)."""

    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"


class IcbChoice(BaseModel):
    """One ICB a home could belong to (its local authority spans several): for an administrator to choose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(max_length=10, description="ICB ODS code, e.g. QOP")
    name: str = Field(max_length=120)
    region: str = Field(max_length=60, description="NHS England region")


class CareHome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cqc_location_id: str = Field(pattern=r"^1-\d{5,12}$", description="CQC location ID, e.g. 1-1938268568")
    ods_code: str | None = Field(default=None, pattern=r"^V[A-Z0-9]{4,5}$", description="ODS site code (starts with V)")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(max_length=300)
    postcode: str = Field(max_length=10)
    local_authority: str = Field(max_length=100)
    icb: str | None = Field(default=None, max_length=120, description="ICB name (from the LA lookup)")
    icb_code: str | None = None
    icb_code_year: int | None = Field(default=None, description="ICB codes change between years")
    region: str | None = None
    registered_beds: int | None = Field(default=None, ge=0, description="None: unknown (a blank in CQC data)")
    with_nursing: bool
    bed_categories: tuple[BedCategory, ...] = Field(min_length=1, description="Bed categories the home offers")
    provider: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30, description="The home's telephone number (CQC)")
    registered_manager: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    cqc_rating: CqcRating | None = Field(default=None, description="Latest overall rating; None: not yet rated")
    cqc_rating_date: date | None = Field(default=None, description="When that rating was published")
    # Non-empty: the local authority spans several ICBs and the file could not say which; an
    # administrator chooses (the home has no ICB until then, never a guess).
    icb_candidates: tuple[IcbChoice, ...] = ()
    # Set when a later directory file no longer lists the home: never deleted (its history, bed states
    # and accounts stay), out of search and counts until a file lists it again.
    deregistered_on: date | None = None

    @property
    def id(self) -> str:
        return self.cqc_location_id

    @property
    def registered(self) -> bool:
        return self.deregistered_on is None

    @property
    def awaiting_icb_decision(self) -> bool:
        return self.icb_code is None and bool(self.icb_candidates)

    @property
    def postcode_district(self) -> str | None:
        return postcode_district(self.postcode)


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})?$")


def postcode_district(postcode: str) -> str | None:
    """The outward code of a UK postcode ("WA15 6SQ" -> "WA15"), or None if it is not one."""
    match = _POSTCODE.match(postcode.strip().upper())
    return match.group(1) if match else None
