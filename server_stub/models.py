"""Response bodies of the central API beyond the sync contract (protocol/sync.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from domain.beds import BedCount, HomeStatus
from domain.homes import CareHome


class HealthResponse(BaseModel):
    status: Literal["ok"]
    schema_version: int
    database: str


class BedStateResponse(BaseModel):
    home: CareHome
    status: HomeStatus | None  # None: the home has never confirmed its bed state
    beds: list[BedCount]
    versions: dict[str, int]  # "care_home", "home_status", each category -> server version (a base_version)


class ErrorResponse(BaseModel):
    """Every error answer: a message for a person (a list of field errors for a 422)."""

    detail: str | list[dict[str, Any]]
