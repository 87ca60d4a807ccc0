"""A home's bed state as the central API holds it (GET /homes/{home_id}/bed-state)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.beds import BedCount, HomeStatus
from domain.homes import CareHome


class BedStateResponse(BaseModel):
    home: CareHome
    status: HomeStatus | None  # None: the home has never confirmed its bed state
    beds: list[BedCount]
    versions: dict[str, int]  # "care_home", "home_status", each category -> server version (a base_version)
