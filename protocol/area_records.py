"""A home's records (grouped by kind) as the area view's ``HomeSnapshot``: one reading for both sides.

A commissioner's device builds snapshots from the records it pulled; the central API builds the same snapshot
when a record of the home changes and keeps it in its homes index. Reading them the same way is what makes a
search offline answer exactly as ``GET /area/search`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from domain.area import HomeSnapshot, nhsmail_stage, snapshot
from domain.beds import COUNT_FIELDS, BedCategory, BedCount, HomeStatus
from domain.home_settings import HomeSettings
from domain.homes import CareHome
from domain.maturity import Checklist, band
from domain.nhsmail import NhsmailProgress
from domain.outbreak import Outbreak, current_outbreak
from domain.readiness import (
    Broadband,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptStatus,
    GpRecordAccess,
    WifiSurveyResult,
)
from domain.sharing import SharingChoices
from domain.workforce import Workforce

READINESS_KINDS = ("broadband", "wifi_result", "device_provision", "dspt_status", "gp_record_access",
                   "social_care_record", "nhsmail_progress")
# "sharing" rides along so the central API's index row carries the home's choices (the snapshot ignores it).
AREA_KINDS = ("care_home", "home_settings", "home_status", "bed_count", "workforce", "outbreak", "sharing",
              *READINESS_KINDS)

M = TypeVar("M", bound=BaseModel)


class HasData(Protocol):
    """A stored record, on a device or on the central API: only its data is read here."""

    data: dict[str, Any]


def read_as(model: type[M], row: HasData | None) -> M | None:
    """The record as ``model``; None when there is none or this version cannot read it (never a crash)."""
    if row is None:
        return None
    try:
        return model.model_validate(row.data)
    except ValidationError:
        return None


def all_read_as(model: type[M], rows: Iterable[HasData]) -> list[M]:
    return [found for found in (read_as(model, row) for row in rows) if found is not None]


def checklist(home: CareHome, rows: Mapping[str, Sequence[HasData]]) -> Checklist:
    def one(kind, model):
        found = rows.get(kind)
        return read_as(model, found[0]) if found else None

    return Checklist(home=home, broadband=one("broadband", Broadband),
                     wifi_results=all_read_as(WifiSurveyResult, rows.get("wifi_result", ())),
                     devices=all_read_as(DeviceProvision, rows.get("device_provision", ())),
                     dspt=one("dspt_status", DsptStatus), gp=one("gp_record_access", GpRecordAccess),
                     dscr=one("social_care_record", DigitalSocialCareRecord),
                     nhsmail=one("nhsmail_progress", NhsmailProgress))


def bed_counts(rows: Iterable[HasData]) -> list[BedCount]:
    """A home's bed counts, read without re-running their validators (checked when they were saved: 45,000 of
    them would cost seconds); one this version cannot read is left out."""
    counts = []
    for row in rows:
        data = row.data
        try:
            counts.append(BedCount.model_construct(
                home_id=data["home_id"], category=BedCategory(data["category"]),
                **{name: int(data[name]) for name in COUNT_FIELDS}))
        except (KeyError, ValueError, TypeError):
            continue
    return counts


def sharing_choices(rows: Mapping[str, Sequence[HasData]]) -> SharingChoices | None:
    """The home's sharing choices; None: it has not chosen (the national defaults)."""
    return read_as(SharingChoices, rows["sharing"][0]) if rows.get("sharing") else None


def home_snapshot(rows: Mapping[str, Sequence[HasData]], today: date,
                  confirmed_at: datetime | None) -> HomeSnapshot | None:
    """One home's snapshot from its records (grouped by kind); None without a readable directory record.

    ``confirmed_at`` is when the home last confirmed its bed state (the server's stamp); ``today`` decides
    whether a DSPT publication has expired and whether an outbreak is over.
    """
    home = read_as(CareHome, rows["care_home"][0]) if rows.get("care_home") else None
    if home is None:
        return None
    settings = read_as(HomeSettings, rows["home_settings"][0]) if rows.get("home_settings") else None
    status = read_as(HomeStatus, rows["home_status"][0]) if rows.get("home_status") else None
    workforce = read_as(Workforce, rows["workforce"][0]) if rows.get("workforce") else None
    outbreak = read_as(Outbreak, rows["outbreak"][0]) if rows.get("outbreak") else None
    found = checklist(home, rows) if any(kind in rows for kind in READINESS_KINDS) else None
    facts = found.facts(today) if found else None
    return snapshot(
        home, settings=settings, status=status, beds=bed_counts(rows.get("bed_count", ())),
        confirmed_at=confirmed_at,
        # An expired DSPT publication counts as Not Published (domain.maturity); None: nothing recorded.
        dspt=facts.dspt if found and found.dspt else None,
        nhsmail=nhsmail_stage(found.nhsmail if found else None),
        **({"band": band(facts)} if facts else {}),
        # An outbreak 28 days past its last new case is over: ``today`` decides, like a DSPT publication.
        workforce=workforce, outbreak=current_outbreak(outbreak, today),
    )
