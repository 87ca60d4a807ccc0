"""The area view's tables as CSV files: the same columns and cell rules on a device (its download) and on the
central API (``format=csv``), so a file from either reads the same in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from domain.area import Overview, csv_rows
from domain.beds import BedCategory
from protocol.area import HistoryAnswer, SearchAnswer, StaleAnswer

MEDIA_TYPE = "text/csv"
SEARCH_COLUMNS = ("home_id", "name", "local_authority", "icb", "postcode", "phone", "manager_name", "cqc_rating",
                  "cqc_rating_date", "distance_km", "confirmed_at", "freshness", "funding_accepted", "outbreak")
STALE_COLUMNS = ("home_id", "name", "local_authority", "manager_name", "phone", "confirmed_at", "days_since")
_FORMULA_STARTS = ("=", "@", "\t", "\r")  # a cell a spreadsheet would run as a formula is written as text
# ("+" and "-" stay: a phone number "+44 161 ..." must read as itself)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a number (a negative one too) stays a number
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True)
class CsvFile:
    name: str
    columns: tuple[str, ...]
    rows: list[dict]

    def content(self) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([csv_cell(row.get(column)) for column in self.columns])
        return out.getvalue().encode("utf-8")


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y%m%d-%H%M}"


def search_csv(answer: SearchAnswer, categories: Sequence[BedCategory]) -> CsvFile:
    """One row per home found, nearest first; a vacancies column per category asked for."""
    vacancy_columns = {category: f"{category.value}_vacant_accepting" for category in categories}
    rows = []
    for result in answer.results:
        row = {column: getattr(result, column) for column in SEARCH_COLUMNS}
        row["cqc_rating"] = result.cqc_rating.value if result.cqc_rating else None
        row["freshness"] = result.freshness.value
        row["funding_accepted"] = ";".join(funding.value for funding in result.funding_accepted)
        rows.append(row | {column: result.vacancies.get(category, 0) for category, column in vacancy_columns.items()})
    return CsvFile(f"bed-search-{_stamp(answer.as_of)}.csv", (*SEARCH_COLUMNS, *vacancy_columns.values()), rows)


def stale_csv(answer: StaleAnswer) -> CsvFile:
    """One row per home not updated, oldest first."""
    return CsvFile(f"not-updated-{_stamp(answer.as_of)}.csv", STALE_COLUMNS,
                   [home.model_dump() for home in answer.homes])


def _slug(key: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in key).strip("-").lower()


def overview_csv(overview: Overview, now: datetime) -> CsvFile:
    """One row per child area (or home), then the area's own total (domain.area.csv_rows)."""
    rows = csv_rows(overview)
    return CsvFile(f"overview-{_slug(overview.area.key)}-{_stamp(now)}.csv",
                   tuple(rows[0]) if rows else ("level", "code", "name"), rows)


def history_csv(answer: HistoryAnswer) -> CsvFile:
    """One row per day (or week): vacancies accepting admissions and beds, per category the area has."""
    present = [c for c in BedCategory if any(c in p.max_capacity or c in p.vacant_accepting for p in answer.points)]
    columns = ("day", *(f"{c.value}_vacant_accepting" for c in present), *(f"{c.value}_beds" for c in present))
    rows = [{"day": point.day,
             **{f"{c.value}_vacant_accepting": point.vacant_accepting.get(c, 0) for c in present},
             **{f"{c.value}_beds": point.max_capacity.get(c, 0) for c in present}} for point in answer.points]
    key = f"{answer.area.level}-{answer.area.code}" if answer.area.level != "england" else "england"
    return CsvFile(f"vacancy-history-{_slug(key)}-{answer.interval}-{_stamp(answer.as_of)}.csv", columns, rows)
