"""The open, aggregated vacancy counts (GET /public/vacancies): no sign-in, no home named.

Only homes whose manager chose to be counted publicly (domain.sharing) contribute; the rest add nothing.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.beds import BedCategory


class PublicVacancyCount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_authority: str
    category: BedCategory
    homes: int = Field(description="Homes counted: those offering the category that chose to be counted publicly")
    vacant_accepting: int = Field(description="Their vacant beds accepting admissions (a closed home's count 0)")


class PublicVacancies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: datetime
    counts: list[PublicVacancyCount]
    note: str = Field(description="What the counts are, in plain words")


PUBLIC_NOTE = ("Vacant beds accepting admissions, by local authority and bed category, counted only for the care "
               "homes that chose to share them publicly. Homes are never named.")
