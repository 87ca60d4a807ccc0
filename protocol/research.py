"""The research export (GET /admin/research-export): aggregated tables, never a home's name or id.

Only the registered homes whose manager chose research for that kind of data (domain.sharing) are counted,
and a row over fewer than domain.research.SMALLEST_GROUP homes is left out. As JSON, or each table as a CSV
file (the same columns and cell rules as the area CSVs, protocol.area_csv).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.area import NOT_RECORDED, NhsmailStage
from domain.beds import COUNT_FIELDS, BedCategory
from domain.maturity import Band
from domain.readiness import DsptLevel
from domain.research import SMALLEST_GROUP
from protocol.area_csv import CsvFile

DSPT_KEYS = (*(level.value for level in DsptLevel), NOT_RECORDED)  # every key of a row's dspt, in this order
ResearchTable = Literal["beds", "digital_readiness"]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResearchBeds(_Wire):
    local_authority: str
    category: BedCategory
    homes: int = Field(description="Homes counted: those offering the category that chose research for their beds")
    max_capacity: int
    occupied: int
    vacant_reserved: int
    vacant_accepting: int


class ResearchReadiness(_Wire):
    local_authority: str
    homes: int = Field(description="Homes counted: those that chose research for their digital readiness")
    dspt: dict[str, int] = Field(description="Homes per DSPT status (the published wording, or Not recorded)")
    nhsmail: dict[NhsmailStage, int] = Field(description="Homes per NHSmail stage")
    bands: dict[Band, int] = Field(description="Homes per Digital Maturity band")


class ResearchExport(_Wire):
    as_of: datetime
    beds: list[ResearchBeds] = Field(description="Per local authority and bed category")
    digital_readiness: list[ResearchReadiness] = Field(description="Per local authority")
    beds_left_out: int = Field(description=f"Rows left out for counting fewer than {SMALLEST_GROUP} homes")
    digital_readiness_left_out: int = Field(description=f"Rows left out for counting fewer than {SMALLEST_GROUP} homes")
    note: str = Field(description="What the tables are, in plain words")


RESEARCH_NOTE = (f"Totals for research, counted only over the registered care homes that chose to be included in "
                 f"research exports (bed numbers and digital readiness are chosen separately). Homes are never "
                 f"named. A row counting fewer than {SMALLEST_GROUP} homes is left out, as in published "
                 f"statistics, so no single home can be picked out.")

BEDS_COLUMNS = ("local_authority", "category", "homes", *COUNT_FIELDS)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower())


def readiness_columns() -> tuple[str, ...]:
    return ("local_authority", "homes", *(f"dspt_{_slug(key)}" for key in DSPT_KEYS),
            *(f"nhsmail_{_slug(stage.value)}" for stage in NhsmailStage), *(f"band_{band.value}" for band in Band))


def research_csv(export: ResearchExport, table: ResearchTable) -> CsvFile:
    """One table of the export as a CSV file: a row per JSON row, each count its own column."""
    stamp = f"{export.as_of.astimezone(timezone.utc):%Y%m%d-%H%M}"
    if table == "beds":
        rows = [row.model_dump(mode="json") for row in export.beds]
        return CsvFile(f"research-beds-{stamp}.csv", BEDS_COLUMNS, rows)
    rows = []
    for row in export.digital_readiness:
        line: dict[str, str | int] = {"local_authority": row.local_authority, "homes": row.homes}
        line |= {f"dspt_{_slug(key)}": row.dspt.get(key, 0) for key in DSPT_KEYS}
        line |= {f"nhsmail_{_slug(stage.value)}": row.nhsmail.get(stage, 0) for stage in NhsmailStage}
        line |= {f"band_{band.value}": row.bands.get(band, 0) for band in Band}
        rows.append(line)
    return CsvFile(f"research-digital-readiness-{stamp}.csv", readiness_columns(), rows)
