"""A care home as the CQC directory describes it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.beds import BedCategory


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

    @property
    def id(self) -> str:
        return self.cqc_location_id
