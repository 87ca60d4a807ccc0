"""Digital Maturity Index bands of a home: minimum, core, enhanced, enhanced plus (design).

The London Care Homes Digital Dashboard bands homes this way but its rules
are not public, so the product defines them from the readiness checklist.
docs/digital-maturity.md is the page people read; ``RULES`` below is the same
table in code (tests/test_maturity_bands.py checks the two agree).

Bands are cumulative: a home is in the highest band whose requirements, and
those of every band below it, are all met. ``what_next`` lists what is
missing for the next band, each with a reason a manager can act on.

The checklist's ticks come from the same facts (``ITEM_DONE``, ``item_done``),
so a ticked item and a band can never disagree. ``Checklist`` gathers one
home's readiness records and gives those facts on a given day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.homes import CareHome
from domain.nhsmail import NhsmailProgress
from domain.readiness import (
    REQUIRED_CARE_AREAS,
    Broadband,
    CareArea,
    ChecklistItem,
    Coverage,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptLevel,
    DsptStatus,
    GpAccess,
    GpRecordAccess,
    WifiSurveyResult,
    laptops_and_tablets,
    summarise_wifi,
)


class Band(StrEnum):
    MINIMUM = "minimum"
    CORE = "core"
    ENHANCED = "enhanced"
    ENHANCED_PLUS = "enhanced_plus"

    @property
    def label(self) -> str:
        return {"minimum": "Minimum", "core": "Core", "enhanced": "Enhanced", "enhanced_plus": "Enhanced plus"}[
            self.value
        ]

    @property
    def rank(self) -> int:
        return _BAND_RANKS[self]

    @property
    def next(self) -> Band | None:
        bands = list(Band)
        return bands[self.rank + 1] if self.rank + 1 < len(bands) else None


_BAND_RANKS = {b: n for n, b in enumerate(Band)}  # a commissioner's device ranks bands for 15,000 homes


class ChecklistFacts(BaseModel):
    """What the maturity rules look at, distilled from one home's checklist (see ``facts_from_checklist``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    has_broadband: bool = False
    office_wifi: Coverage = Coverage.NOT_SURVEYED
    care_wifi: Coverage = Field(default=Coverage.NOT_SURVEYED, description="Worst over surveyed care locations")
    care_areas_missing: tuple[CareArea, ...] = REQUIRED_CARE_AREAS
    poor_locations: tuple[str, ...] = Field(default=(), description="Care locations with poor or no WiFi")
    laptops_or_tablets: int = Field(default=0, ge=0)
    dspt: DsptLevel = DsptLevel.NOT_PUBLISHED
    dspt_note: str = Field(default="", description="e.g. why a publication no longer counts")
    nhsmail_live: bool = False
    gp_access: GpAccess = GpAccess.NO
    dscr_in_use: bool = False


def facts_from_checklist(
    *,
    broadband: Broadband | None = None,
    wifi_results: Iterable[WifiSurveyResult] = (),
    devices: Iterable[DeviceProvision] = (),
    dspt: DsptStatus | None = None,
    gp: GpRecordAccess | None = None,
    dscr: DigitalSocialCareRecord | None = None,
    nhsmail: NhsmailProgress | bool | None = None,
    today: date | None = None,
) -> ChecklistFacts:
    """Facts from the home's checklist records. With ``today``, an expired DSPT publication counts as Not Published."""
    wifi = summarise_wifi(wifi_results)
    level, note = DsptLevel.NOT_PUBLISHED, ""
    if dspt is not None:
        level = dspt.status if today is None else dspt.effective_on(today)
        if level is not dspt.status:
            note = f"the {dspt.text} publication expired on {dspt.expires_on:%d %b %Y}"
    live = nhsmail.in_use if isinstance(nhsmail, NhsmailProgress) else bool(nhsmail)
    return ChecklistFacts(
        has_broadband=broadband is not None and broadband.has_broadband,
        office_wifi=wifi.office,
        care_wifi=wifi.where_care_happens,
        care_areas_missing=wifi.missing_areas,
        poor_locations=tuple(loc.location for loc in wifi.locations
                             if loc.area.is_care and loc.coverage is not Coverage.GOOD),
        laptops_or_tablets=laptops_and_tablets(devices),
        dspt=level,
        dspt_note=note,
        nhsmail_live=live,
        gp_access=gp.access if gp is not None else GpAccess.NO,
        dscr_in_use=dscr is not None and dscr.in_use,
    )


@dataclass
class Checklist:
    """One home's readiness records (on a device: its unsent edits included)."""

    home: CareHome | None = None
    broadband: Broadband | None = None
    wifi_results: list[WifiSurveyResult] = field(default_factory=list)
    devices: list[DeviceProvision] = field(default_factory=list)
    dspt: DsptStatus | None = None
    gp: GpRecordAccess | None = None
    dscr: DigitalSocialCareRecord | None = None
    nhsmail: NhsmailProgress | None = None
    pending: set[str] = field(default_factory=set)  # record kinds with edits not sent yet

    def facts(self, today: date) -> ChecklistFacts:
        """What the rules look at, on ``today`` (a DSPT publication may have expired)."""
        return facts_from_checklist(broadband=self.broadband, wifi_results=self.wifi_results, devices=self.devices,
                                    dspt=self.dspt, gp=self.gp, dscr=self.dscr, nhsmail=self.nhsmail, today=today)


# --- the checklist's ticks: when each item counts as done (docs/digital-maturity.md) ------------------------------

ITEM_DONE: dict[ChecklistItem, Callable[[ChecklistFacts], bool]] = {
    ChecklistItem.BROADBAND: lambda f: f.has_broadband,
    ChecklistItem.WIFI: lambda f: not f.care_areas_missing and f.care_wifi is Coverage.GOOD,
    ChecklistItem.DEVICES: lambda f: f.laptops_or_tablets >= 1,
    ChecklistItem.DSPT: lambda f: f.dspt.met,  # domain.readiness decides: Approaching Standards is not yet met
    ChecklistItem.NHSMAIL: lambda f: f.nhsmail_live,
    ChecklistItem.GP_RECORD_ACCESS: lambda f: f.gp_access is not GpAccess.NO,
    ChecklistItem.DSCR: lambda f: f.dscr_in_use,
}


def item_done(item: ChecklistItem, facts: ChecklistFacts) -> bool:
    return ITEM_DONE[item](facts)


# --- the bands -----------------------------------------------------------------------------------------------------


class Requirement(StrEnum):
    BROADBAND = "broadband"
    OFFICE_WIFI = "office_wifi"
    DEVICE = "device"
    DSPT_APPROACHING = "dspt_approaching"
    NHSMAIL_LIVE = "nhsmail_live"
    DSPT_MET = "dspt_met"
    WIFI_WHERE_CARE_HAPPENS = "wifi_where_care_happens"
    GP_RECORD_ACCESS = "gp_record_access"
    DSCR_IN_USE = "dscr_in_use"
    GP_RECORD_FULL = "gp_record_full"
    DSPT_EXCEEDED = "dspt_exceeded"

    @property
    def rule(self) -> Rule:
        return next(r for r in RULES if r.requirement is self)

    @property
    def label(self) -> str:
        return self.rule.label


@dataclass(frozen=True)
class Rule:
    requirement: Requirement
    band: Band
    label: str
    met: Callable[[ChecklistFacts], bool]
    reason: Callable[[ChecklistFacts], str]


def _dspt_reason(needed: str, extra: str = "") -> Callable[[ChecklistFacts], str]:
    def reason(f: ChecklistFacts) -> str:
        now = f"DSPT is '{f.dspt.value}'" + (f" ({f.dspt_note})" if f.dspt_note else "")
        return f"{now}; this band needs {needed}{extra}"
    return reason


def _care_wifi_reason(f: ChecklistFacts) -> str:
    parts = []
    if f.care_areas_missing:
        parts.append("survey the WiFi in " + ", ".join(a.label.lower() for a in f.care_areas_missing))
    if f.poor_locations:
        parts.append("improve the WiFi at " + ", ".join(f.poor_locations)
                     + " (good: at least 10 Mbps down, 2 Mbps up, latency under 100 ms)")
    return "; ".join(parts) or "good WiFi is needed at every care location"


RULES: tuple[Rule, ...] = (
    Rule(Requirement.BROADBAND, Band.CORE, "Broadband contracted",
         lambda f: f.has_broadband,
         lambda f: "the home has no broadband recorded: record the provider and contracted speed"),
    Rule(Requirement.OFFICE_WIFI, Band.CORE, "WiFi connection in the office",
         lambda f: f.office_wifi.has_connection,
         lambda f: ("the office has not been surveyed: run a WiFi check there"
                    if f.office_wifi is Coverage.NOT_SURVEYED else "there is no WiFi connection in the office")),
    Rule(Requirement.DEVICE, Band.CORE, "A laptop or tablet provided",
         lambda f: f.laptops_or_tablets >= 1,
         lambda f: "no laptop or tablet has been recorded for the home"),
    Rule(Requirement.DSPT_APPROACHING, Band.CORE, "DSPT at Approaching Standards or better",
         lambda f: f.dspt.at_least(DsptLevel.APPROACHING_STANDARDS),
         _dspt_reason("Approaching Standards or better", " (26 questions and an action plan)")),
    Rule(Requirement.NHSMAIL_LIVE, Band.ENHANCED, "NHSmail in use",
         lambda f: f.nhsmail_live,
         lambda f: "NHSmail is not in use yet: finish the NHSmail registration guide"),
    Rule(Requirement.DSPT_MET, Band.ENHANCED, "DSPT Standards Met or better",
         lambda f: f.dspt.at_least(DsptLevel.STANDARDS_MET),
         _dspt_reason("Standards Met or better", " (about 42 questions)")),
    Rule(Requirement.WIFI_WHERE_CARE_HAPPENS, Band.ENHANCED,
         "Good WiFi where care happens (office, lounges and bedrooms surveyed, every care location good)",
         lambda f: not f.care_areas_missing and f.care_wifi is Coverage.GOOD,
         _care_wifi_reason),
    Rule(Requirement.GP_RECORD_ACCESS, Band.ENHANCED, "Access to the GP record (full or partial)",
         lambda f: f.gp_access in (GpAccess.YES, GpAccess.PARTIAL),
         lambda f: "care staff have no access to residents' GP records (e.g. through SystmOne or EMIS)"),
    Rule(Requirement.DSCR_IN_USE, Band.ENHANCED_PLUS, "Digital social care records in use",
         lambda f: f.dscr_in_use,
         lambda f: "care records are not kept digitally: choose a digital social care record supplier"),
    Rule(Requirement.GP_RECORD_FULL, Band.ENHANCED_PLUS, "Full access to the GP record",
         lambda f: f.gp_access is GpAccess.YES,
         lambda f: f"access to GP records is '{f.gp_access.label}'; this band needs access for all residents"),
    Rule(Requirement.DSPT_EXCEEDED, Band.ENHANCED_PLUS, "DSPT Standards Exceeded",
         lambda f: f.dspt is DsptLevel.STANDARDS_EXCEEDED,
         _dspt_reason("Standards Exceeded", " (Standards Met plus Cyber Essentials Plus)")),
)


class Missing(BaseModel):
    """A requirement a home does not meet yet, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: Requirement
    band: Band
    label: str
    reason: str


def requirements_for(band_: Band) -> tuple[Rule, ...]:
    """The rules a home must meet to be in ``band_`` (including every lower band's)."""
    return tuple(r for r in RULES if r.band.rank <= band_.rank)


def missing_for(facts: ChecklistFacts, band_: Band) -> list[Missing]:
    return [Missing(requirement=r.requirement, band=r.band, label=r.label, reason=r.reason(facts))
            for r in requirements_for(band_) if not r.met(facts)]


def band(facts: ChecklistFacts) -> Band:
    """The highest band whose requirements (and all lower bands') the home meets."""
    # Rules are checked without writing their reasons (what_next does): this runs for every home of a nation.
    reached = Band.MINIMUM
    for candidate in list(Band)[1:]:
        if not all(rule.met(facts) for rule in requirements_for(candidate)):
            break
        reached = candidate
    return reached


def what_next(facts: ChecklistFacts) -> list[Missing]:
    """What the home lacks for the next band up (empty at enhanced plus)."""
    upcoming = band(facts).next
    return missing_for(facts, upcoming) if upcoming is not None else []
