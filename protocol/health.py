"""The central API's health answer (GET /health)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class HealthResponse(BaseModel):
    status: Literal["ok"]
    schema_version: int
    database: str
