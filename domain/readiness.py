"""The digital readiness checklist of one home (after LLR Digital Care Homes and the London dashboard).

Each checklist item is its own small record, so that two people can update
different items of the same home offline without touching each other's work:

========================  ===========================  ==================================
model                     record id                    how many per home
========================  ===========================  ==================================
Broadband                 ``<home>/broadband``         one
WifiSurveyResult          ``<home>/wifi/<result_id>``  one per measurement (history kept)
DeviceProvision           ``<home>/device/<id>``       one per delivery of devices
DsptStatus                ``<home>/dspt``              one
GpRecordAccess            ``<home>/gp_record_access``  one
DigitalSocialCareRecord   ``<home>/dscr``              one
========================  ===========================  ==================================

"NHSmail live" is not a record here: it is the end of the registration flow
(``domain.nhsmail``).

Who changed it and when (design): every item carries ``changed_by`` (the
username) and ``changed_at`` (the saving device's clock, timezone-aware),
stamped by the app on save with :func:`stamp`. They live in the record itself
rather than only in sync metadata so the screen can show "changed by alice,
3 May 2025 09:12" on a device that has not synced yet. They are for people to
read; ordering and conflicts use the server's versions, never these clocks.

WiFi coverage (design), from the latest result per location:

* **good**: download >= 10 Mbps, upload >= 2 Mbps and latency < 100 ms
  (enough for a video call with a GP practice or a remote ward round);
* **poor**: a connection, but below any of those;
* **none**: no connection at that spot.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.numbers import mbps, ms
from domain.records import USERNAME_PATTERN, SyncedRecord, stamp  # noqa: F401 - stamp is re-exported


class ChecklistItem(StrEnum):
    BROADBAND = "broadband"
    WIFI = "wifi"
    DEVICES = "devices"
    DSPT = "dspt"
    NHSMAIL = "nhsmail"
    GP_RECORD_ACCESS = "gp_record_access"
    DSCR = "dscr"

    @property
    def label(self) -> str:
        return CHECKLIST_LABELS[self]


CHECKLIST_LABELS: dict[ChecklistItem, str] = {
    ChecklistItem.BROADBAND: "Broadband",
    ChecklistItem.WIFI: "WiFi where care happens",
    ChecklistItem.DEVICES: "Laptop or tablet provided",
    ChecklistItem.DSPT: "DSPT published",
    ChecklistItem.NHSMAIL: "NHSmail live",
    ChecklistItem.GP_RECORD_ACCESS: "Access to the GP record",
    ChecklistItem.DSCR: "Digital social care records in use",
}


# Every checklist record: its home, and who saved it when.
_Item = SyncedRecord


# --- broadband -------------------------------------------------------------------------------------------------


class Broadband(_Item):
    """The home's contracted broadband, or that it has none."""

    no_broadband: bool = Field(default=False, description="True: the home has no broadband contract")
    provider: str | None = Field(default=None, max_length=100, validate_default=True)
    contracted_down_mbps: float | None = Field(default=None, gt=0, le=10_000, validate_default=True)
    contracted_up_mbps: float | None = Field(default=None, gt=0, le=10_000, validate_default=True)

    @field_validator("provider")
    @classmethod
    def _provider_unless_none(cls, provider: str | None, info: ValidationInfo) -> str | None:
        provider = provider.strip() if provider else None
        if info.data.get("no_broadband"):
            if provider is not None:
                raise ValueError("provider must be empty when the home has no broadband (no_broadband)")
        elif provider is None:
            raise ValueError("provider is required unless the home has no broadband (no_broadband)")
        return provider

    @field_validator("contracted_down_mbps", "contracted_up_mbps")
    @classmethod
    def _speeds_unless_none(cls, speed: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("no_broadband"):
            if speed is not None:
                raise ValueError(f"{info.field_name} must be empty when the home has no broadband (no_broadband)")
        elif speed is None and info.field_name == "contracted_down_mbps":
            raise ValueError("contracted_down_mbps is required unless the home has no broadband (no_broadband)")
        return speed

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/{ChecklistItem.BROADBAND.value}"

    @property
    def has_broadband(self) -> bool:
        return not self.no_broadband


# --- WiFi survey -----------------------------------------------------------------------------------------------

# Thresholds for "good" WiFi (design, see the module docstring and docs/digital-maturity.md).
GOOD_DOWNLOAD_MBPS = 10.0
GOOD_UPLOAD_MBPS = 2.0
GOOD_LATENCY_BELOW_MS = 100.0


class CareArea(StrEnum):
    """What kind of place a surveyed location is."""

    OFFICE = "office"
    COMMUNAL = "communal"
    BEDROOM = "bedroom"
    OTHER_CARE = "other_care"
    NOT_CARE = "not_care"

    @property
    def label(self) -> str:
        return CARE_AREA_LABELS[self]

    @property
    def is_care(self) -> bool:
        return self is not CareArea.NOT_CARE


CARE_AREA_LABELS: dict[CareArea, str] = {
    CareArea.OFFICE: "Office",
    CareArea.COMMUNAL: "Lounges and dining rooms",
    CareArea.BEDROOM: "Bedrooms",
    CareArea.OTHER_CARE: "Other places where care happens",
    CareArea.NOT_CARE: "Not a care area (kitchen, garden, ...)",
}
# A survey of "where care happens" is complete when each of these has at least one result.
REQUIRED_CARE_AREAS: tuple[CareArea, ...] = (CareArea.OFFICE, CareArea.COMMUNAL, CareArea.BEDROOM)

_AREA_PATTERNS: tuple[tuple[CareArea, re.Pattern[str]], ...] = (
    (CareArea.NOT_CARE, re.compile(r"\b(kitchen|laundry|garden|car park|staff room|plant room|boiler)")),
    (CareArea.BEDROOM, re.compile(r"\bbed ?rooms?\b|^(room|flat|suite) ?\d")),
    (CareArea.OFFICE, re.compile(r"\b(office|nurses'? station|nurse station|reception)")),
    (CareArea.COMMUNAL, re.compile(r"\b(lounge|dining|day ?room|conservatory|communal|activit|sitting room)")),
)


def guess_care_area(location: str) -> CareArea:
    """The area a location name suggests ('Bedroom corridor, first floor' -> bedroom); other_care if unsure."""
    name = " ".join(location.casefold().split())
    for area, pattern in _AREA_PATTERNS:
        if pattern.search(name):
            return area
    return CareArea.OTHER_CARE


def location_key(location: str) -> str:
    """Locations are the same place whatever the case or spacing ('Lounge ' == 'lounge')."""
    return " ".join(location.casefold().split())


class WifiSurveyResult(_Item):
    """One speed test at one spot in the home, or a note that there was no connection there."""

    result_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="e.g. a UUID")
    location: str = Field(min_length=1, max_length=100, description='e.g. "Office", "Bedroom corridor, first floor"')
    area: CareArea | None = Field(default=None, validate_default=True, description="Guessed from location if not given")
    measured_at: AwareDatetime
    no_connection: bool = Field(default=False, description="True: no WiFi at this spot; all numbers stay empty")
    latency_ms: float | None = Field(default=None, ge=0, le=60_000, validate_default=True)
    download_mbps: float | None = Field(default=None, ge=0, le=10_000, validate_default=True)
    upload_mbps: float | None = Field(default=None, ge=0, le=10_000, validate_default=True)

    @field_validator("location")
    @classmethod
    def _location_not_blank(cls, location: str) -> str:
        location = " ".join(location.split())
        if not location:
            raise ValueError("location must name the place, e.g. Office or Lounge")
        return location

    @field_validator("area")
    @classmethod
    def _area_from_location(cls, area: CareArea | None, info: ValidationInfo) -> CareArea | None:
        if area is None and "location" in info.data:
            return guess_care_area(info.data["location"])
        return area

    @field_validator("latency_ms", "download_mbps", "upload_mbps")
    @classmethod
    def _numbers_match_connection(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("no_connection"):
            if value is not None:
                raise ValueError(f"{info.field_name} must be empty when there was no connection (no_connection)")
        elif value is None:
            raise ValueError(f"{info.field_name} is required unless there was no connection (no_connection)")
        return value

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/{ChecklistItem.WIFI.value}/{self.result_id}"

    @property
    def coverage(self) -> Coverage:
        return coverage_of(self)

    @property
    def shortfalls(self) -> tuple[str, ...]:
        """Why this result is not good, in words ('download 4 Mbps is below 10 Mbps')."""
        if self.no_connection:
            return ("no connection",)
        assert self.download_mbps is not None and self.upload_mbps is not None and self.latency_ms is not None
        found = []
        # Measured numbers as people read them (4.6, not 4.56789); 9.96 rounds to 10.0, so "just under".
        if self.download_mbps < GOOD_DOWNLOAD_MBPS:
            found.append(_below("download", self.download_mbps, GOOD_DOWNLOAD_MBPS))
        if self.upload_mbps < GOOD_UPLOAD_MBPS:
            found.append(_below("upload", self.upload_mbps, GOOD_UPLOAD_MBPS))
        if self.latency_ms >= GOOD_LATENCY_BELOW_MS:
            found.append(f"latency {ms(self.latency_ms)} ms is not below {GOOD_LATENCY_BELOW_MS:g} ms")
        return tuple(found)


def _below(what: str, speed: float, limit: float) -> str:
    """'download 4.6 Mbps is below 10 Mbps'; a speed that rounds to the limit is 'just under' it."""
    shown = mbps(speed)
    if float(shown) < limit:
        return f"{what} {shown} Mbps is below {limit:g} Mbps"
    return f"{what} is just under {limit:g} Mbps"


class Coverage(StrEnum):
    """WiFi at a location or across an area; ordered worst first by ``rank``."""

    NONE = "none"
    POOR = "poor"
    GOOD = "good"
    NOT_SURVEYED = "not_surveyed"

    @property
    def label(self) -> str:
        return COVERAGE_LABELS[self]

    @property
    def has_connection(self) -> bool:
        return self in (Coverage.POOR, Coverage.GOOD)


COVERAGE_LABELS: dict[Coverage, str] = {
    Coverage.NONE: "No connection",
    Coverage.POOR: "Poor",
    Coverage.GOOD: "Good",
    Coverage.NOT_SURVEYED: "Not surveyed",
}
_COVERAGE_RANK = {Coverage.NONE: 0, Coverage.POOR: 1, Coverage.GOOD: 2}


def coverage_of(result: WifiSurveyResult) -> Coverage:
    if result.no_connection:
        return Coverage.NONE
    return Coverage.POOR if result.shortfalls else Coverage.GOOD


def worst(coverages: Iterable[Coverage]) -> Coverage:
    """The worst surveyed coverage; not_surveyed when there is none."""
    surveyed = [c for c in coverages if c is not Coverage.NOT_SURVEYED]
    return min(surveyed, key=_COVERAGE_RANK.__getitem__) if surveyed else Coverage.NOT_SURVEYED


class LocationCoverage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str
    area: CareArea
    coverage: Coverage
    latest: WifiSurveyResult
    reasons: tuple[str, ...] = ()


class WifiSummary(BaseModel):
    """Coverage per location (latest result each) and across the places where care happens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locations: tuple[LocationCoverage, ...]
    by_area: dict[CareArea, Coverage]
    where_care_happens: Coverage = Field(description="Worst coverage over surveyed care locations")
    missing_areas: tuple[CareArea, ...] = Field(description="Required care areas with no result yet")

    @property
    def office(self) -> Coverage:
        return self.by_area[CareArea.OFFICE]

    @property
    def complete(self) -> bool:
        return not self.missing_areas

    @property
    def all_care_locations_good(self) -> bool:
        return self.complete and self.where_care_happens is Coverage.GOOD

    @property
    def text(self) -> str:
        """One line for the checklist, e.g. 'Good in 3 of 4 care locations; no connection: Room 12; not surveyed: bedrooms'."""
        care = [loc for loc in self.locations if loc.area.is_care]
        if not care:
            return "No WiFi survey yet where care happens"
        good = sum(1 for loc in care if loc.coverage is Coverage.GOOD)
        parts = [f"Good in {good} of {len(care)} care locations"]
        for coverage, label in ((Coverage.NONE, "no connection"), (Coverage.POOR, "poor")):
            names = [loc.location for loc in care if loc.coverage is coverage]
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        if self.missing_areas:
            parts.append("not surveyed: " + ", ".join(a.label.lower() for a in self.missing_areas))
        return "; ".join(parts)


def summarise_wifi(results: Iterable[WifiSurveyResult]) -> WifiSummary:
    """Coverage of one home from its survey results: the latest result per location counts.

    Locations are matched ignoring case and spacing. Areas with no result are
    ``not_surveyed``; ``where_care_happens`` is the worst coverage over the
    surveyed care locations (a single dead spot in a bedroom makes it ``none``).
    """
    results = list(results)
    if not results:  # most homes of a nation have no survey yet: one answer for all of them
        return _nothing_surveyed()
    homes = {r.home_id for r in results}
    if len(homes) > 1:
        raise ValueError(f"summarise_wifi takes one home's results, got {len(homes)} homes: {sorted(homes)}")
    latest: dict[str, WifiSurveyResult] = {}
    for result in results:
        key = location_key(result.location)
        current = latest.get(key)
        if current is None or (result.measured_at, result.result_id) > (current.measured_at, current.result_id):
            latest[key] = result
    locations = tuple(
        LocationCoverage(location=r.location, area=r.area or guess_care_area(r.location), coverage=r.coverage,
                         latest=r, reasons=() if r.coverage is Coverage.GOOD else r.shortfalls)
        for r in sorted(latest.values(), key=lambda r: location_key(r.location))
    )
    by_area = {area: worst(loc.coverage for loc in locations if loc.area is area) for area in CareArea}
    return WifiSummary(
        locations=locations,
        by_area=by_area,
        where_care_happens=worst(loc.coverage for loc in locations if loc.area.is_care),
        missing_areas=tuple(a for a in REQUIRED_CARE_AREAS if by_area[a] is Coverage.NOT_SURVEYED),
    )


@functools.cache
def _nothing_surveyed() -> WifiSummary:
    nothing = Coverage.NOT_SURVEYED
    return WifiSummary(locations=(), by_area={area: nothing for area in CareArea}, where_care_happens=nothing,
                       missing_areas=REQUIRED_CARE_AREAS)


# --- devices ---------------------------------------------------------------------------------------------------


class DeviceKind(StrEnum):
    LAPTOP = "laptop"
    TABLET = "tablet"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeviceProvision(_Item):
    """Devices given to the home (one record per delivery)."""

    provision_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="e.g. a UUID")
    kind: DeviceKind
    description: str = Field(default="", max_length=200, validate_default=True,
                              description='e.g. "Lenovo laptop from the ICB digital programme"')
    provided_on: date
    count: int = Field(default=1, ge=1, le=500)

    @field_validator("description")
    @classmethod
    def _describe_other(cls, description: str, info: ValidationInfo) -> str:
        description = description.strip()
        if info.data.get("kind") is DeviceKind.OTHER and not description:
            raise ValueError("description is required when kind is other (say what the device is)")
        return description

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/device/{self.provision_id}"

    @property
    def is_laptop_or_tablet(self) -> bool:
        return self.kind in (DeviceKind.LAPTOP, DeviceKind.TABLET)


def laptops_and_tablets(devices: Iterable[DeviceProvision]) -> int:
    return sum(d.count for d in devices if d.is_laptop_or_tablet)


# --- DSPT ------------------------------------------------------------------------------------------------------


class DsptLevel(StrEnum):
    """The five published DSPT statuses (values are the published wording)."""

    STANDARDS_EXCEEDED = "Standards Exceeded"
    STANDARDS_MET = "Standards Met"
    APPROACHING_STANDARDS = "Approaching Standards"
    STANDARDS_NOT_MET = "Standards Not Met"
    NOT_PUBLISHED = "Not Published"

    @property
    def label(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        return _DSPT_RANK[self]

    def at_least(self, other: DsptLevel) -> bool:
        return self.rank >= other.rank

    @property
    def met(self) -> bool:
        """The checklist's tick: Standards Met or better. Approaching Standards is published but not yet met
        (it is a one-off step with an action plan; the next year needs Standards Met), so it gets no tick."""
        return self.at_least(DSPT_MET_FROM)


_DSPT_RANK = {
    DsptLevel.NOT_PUBLISHED: 0,
    DsptLevel.STANDARDS_NOT_MET: 1,
    DsptLevel.APPROACHING_STANDARDS: 2,
    DsptLevel.STANDARDS_MET: 3,
    DsptLevel.STANDARDS_EXCEEDED: 4,
}
# The lowest status that counts as met on the checklist (Approaching Standards is "not yet met").
DSPT_MET_FROM = DsptLevel.STANDARDS_MET
_DSPT_YEAR = re.compile(r"^(\d{2})/(\d{2})$")
_DSPT_EXPORT = re.compile(r"^\s*(?:(?:20)?(\d{2})\s*[/-]\s*(\d{2}))?\s*(.*?)\s*$")


def check_dspt_year(year: str) -> str:
    match = _DSPT_YEAR.match(year)
    if match is None:
        raise ValueError(f'year must look like "24/25", got {year!r}')
    first, second = (int(g) for g in match.groups())
    if second != (first + 1) % 100:
        raise ValueError(f'year must be two consecutive years like "24/25", got {year!r}')
    return year


def dspt_year_on(day: date) -> str:
    """The DSPT year whose 30 June deadline is next on ``day`` (1 July 2024 to 30 June 2025 -> "24/25")."""
    start = day.year if (day.month, day.day) > (6, 30) else day.year - 1
    return f"{start % 100:02d}/{(start + 1) % 100:02d}"


class DsptStatus(_Item):
    """The home's DSPT publication, as the DSPT site or its export shows it."""

    status: DsptLevel
    year: str | None = Field(default=None, validate_default=True, description='e.g. "24/25"')
    published_on: date | None = Field(default=None, validate_default=True)

    @field_validator("year")
    @classmethod
    def _year_when_published(cls, year: str | None, info: ValidationInfo) -> str | None:
        if year is not None:
            return check_dspt_year(year.strip())
        if info.data.get("status") not in (None, DsptLevel.NOT_PUBLISHED):
            raise ValueError(f"year is required for a published status ({info.data['status']}), e.g. \"24/25\"")
        return None

    @field_validator("published_on")
    @classmethod
    def _no_date_unless_published(cls, published_on: date | None, info: ValidationInfo) -> date | None:
        if published_on is not None and info.data.get("status") is DsptLevel.NOT_PUBLISHED:
            raise ValueError("published_on must be empty when the status is Not Published")
        return published_on

    @classmethod
    def from_export(cls, home_id: str, text: str, **fields: Any) -> DsptStatus:
        """From an export string such as "22/23 Standards Met" (or just "Not Published")."""
        year, status = parse_dspt_export(text)
        return cls(home_id=home_id, status=status, year=year, **fields)

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/{ChecklistItem.DSPT.value}"

    @property
    def expires_on(self) -> date | None:
        """A publication for "23/24" (deadline 30 June 2024) holds until the next deadline, 30 June 2025 (design)."""
        if self.year is None or self.status is DsptLevel.NOT_PUBLISHED:
            return None
        return date(2000 + int(self.year[3:]) + 1, 6, 30)

    def effective_on(self, day: date) -> DsptLevel:
        """The status that counts on ``day``: Not Published once the publication has expired."""
        expires = self.expires_on
        if expires is not None and day > expires:
            return DsptLevel.NOT_PUBLISHED
        return self.status

    @property
    def text(self) -> str:
        return f"{self.year} {self.status.value}" if self.year else self.status.value


def parse_dspt_export(text: str) -> tuple[str | None, DsptLevel]:
    """'22/23 Standards Met' -> ('22/23', STANDARDS_MET). Case and spacing do not matter.

    Raises ValueError naming the rule: unknown status, a bad year, or the
    retired "Entry Level" (replaced by Approaching Standards in March 2021).
    """
    match = _DSPT_EXPORT.match(text)
    assert match is not None  # the pattern matches any string
    first, second, rest = match.groups()
    wording = " ".join(rest.split()).casefold()
    if wording == "entry level":
        raise ValueError('"Entry Level" was replaced by Approaching Standards in March 2021; '
                         "ask the home for its current DSPT status")
    by_wording = {level.value.casefold(): level for level in DsptLevel}
    if wording not in by_wording:
        known = ", ".join(level.value for level in DsptLevel)
        raise ValueError(f"unknown DSPT status {rest!r} in {text!r}; expected one of: {known}")
    year = check_dspt_year(f"{first}/{second}") if first is not None else None
    return year, by_wording[wording]


# --- GP record, digital social care records ---------------------------------------------------------------------


class GpAccess(StrEnum):
    YES = "yes"
    PARTIAL = "partial"
    NO = "no"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "partial": "Partly (some practices or residents)", "no": "No"}[self.value]


class GpSystem(StrEnum):
    SYSTMONE = "systmone"
    EMIS = "emis"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"systmone": "SystmOne", "emis": "EMIS", "other": "Other"}[self.value]


class GpRecordAccess(_Item):
    """Whether care staff can see residents' GP records, and through which system."""

    access: GpAccess
    system: GpSystem | None = Field(default=None, validate_default=True)
    note: str = Field(default="", max_length=200, description="e.g. which practices, or the other system's name")

    @field_validator("system")
    @classmethod
    def _system_when_access(cls, system: GpSystem | None, info: ValidationInfo) -> GpSystem | None:
        access = info.data.get("access")
        if access is GpAccess.NO and system is not None:
            raise ValueError("system must be empty when access is no")
        if access in (GpAccess.YES, GpAccess.PARTIAL) and system is None:
            raise ValueError(f"system is required when access is {access.value} (e.g. SystmOne or EMIS)")
        return system

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/{ChecklistItem.GP_RECORD_ACCESS.value}"


class DigitalSocialCareRecord(_Item):
    """Whether the home keeps care records digitally, and with whom."""

    in_use: bool
    supplier: str | None = Field(default=None, max_length=100)

    @field_validator("supplier")
    @classmethod
    def _blank_is_none(cls, supplier: str | None) -> str | None:
        return supplier.strip() or None if supplier else None

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/{ChecklistItem.DSCR.value}"
