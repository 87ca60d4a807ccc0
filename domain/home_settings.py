"""What a home's manager keeps about her home beyond the CQC directory: funding accepted, bed categories."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from domain.beds import BedCategory
from domain.homes import CareHome
from domain.records import SyncedRecord


class Funding(StrEnum):
    SELF_FUNDED = "self_funded"
    LOCAL_AUTHORITY = "local_authority"
    NHS_CHC = "nhs_chc"

    @property
    def label(self) -> str:
        return FUNDING_LABELS[self]


FUNDING_LABELS: dict[Funding, str] = {
    Funding.SELF_FUNDED: "Self-funded",
    Funding.LOCAL_AUTHORITY: "Local authority",
    Funding.NHS_CHC: "NHS continuing healthcare",
}


class HomeSettings(SyncedRecord):
    """One record per home (its manager edits it; the last save counts)."""

    funding_accepted: tuple[Funding, ...] = Field(default=(), description="Empty: not said yet")
    # None: the categories the CQC registration implies (CareHome.bed_categories); the manager corrects them here.
    bed_categories: tuple[BedCategory, ...] | None = Field(default=None, min_length=1)
    manager_name: str | None = Field(default=None, max_length=200, description="Who discharge teams ask for")
    contact_phone: str | None = Field(default=None, max_length=30, description="Overrides the CQC telephone number")

    @property
    def record_id(self) -> str:
        return home_settings_record_id(self.home_id)


def home_settings_record_id(home_id: str) -> str:
    return f"{home_id}/settings"


def offered_categories(home: CareHome, settings: HomeSettings | None) -> tuple[BedCategory, ...]:
    """The bed categories a home offers: its manager's correction, else what its registration implies."""
    if settings is not None and settings.bed_categories:
        return settings.bed_categories
    return home.bed_categories
