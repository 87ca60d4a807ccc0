"""The CQC directory import and the ICB decisions an administrator makes (GET/PUT /admin/...)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.homes import IcbChoice


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HomeChangeKind(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    DEREGISTERED = "deregistered"
    RESTORED = "restored"


class HomeChange(_Wire):
    home_id: str
    name: str
    change: HomeChangeKind
    fields: list[str] = Field(default_factory=list, description="What changed (updated): name, provider, address, beds, ...")


class BadRow(_Wire):
    line: int = Field(description="Line number in the file (1 is the first line, preamble included)")
    reason: str


class ImportSummary(_Wire):
    file_name: str
    file_format: Literal["hsca", "directory"] = Field(description="hsca: CQC HSCA Active Locations; directory: the "
                                                                  "CQC-directory-derived format (Trafford Data Lab)")
    at: datetime
    by: str | None = Field(default=None, description="Who ran it (command line: None)")
    dry_run: bool
    areas: list[str] = Field(description="Local authorities the file covers (a home missing from them is deregistered)")
    added: int
    updated: int
    deregistered: int
    restored: int
    unchanged: int
    awaiting_icb: int = Field(description="Homes whose ICB an administrator must choose")
    changes: list[HomeChange]
    bad_rows: list[BadRow]


class IcbDecisionNeeded(_Wire):
    home_id: str
    name: str
    local_authority: str
    postcode: str
    candidates: list[IcbChoice]


class IcbDecisionRequest(_Wire):
    icb_code: str = Field(min_length=2, max_length=10, description="One of the home's candidate ICBs' ODS codes")
