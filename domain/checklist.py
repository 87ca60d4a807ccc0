"""One home's readiness checklist as a whole: its records, and which items are done.

``Checklist`` gathers a home's readiness records (``domain.readiness``,
``domain.nhsmail``); ``item_done`` says whether an item of the checklist is
done, from the same facts the maturity bands look at (``domain.maturity``),
so a ticked item and a band can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from domain.homes import CareHome
from domain.maturity import ChecklistFacts, facts_from_checklist
from domain.nhsmail import NhsmailProgress
from domain.readiness import (
    Broadband,
    ChecklistItem,
    Coverage,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptLevel,
    DsptStatus,
    GpAccess,
    GpRecordAccess,
    WifiSurveyResult,
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


# When each item counts as done.
ITEM_DONE: dict[ChecklistItem, Callable[[ChecklistFacts], bool]] = {
    ChecklistItem.BROADBAND: lambda f: f.has_broadband,
    ChecklistItem.WIFI: lambda f: not f.care_areas_missing and f.care_wifi is Coverage.GOOD,
    ChecklistItem.DEVICES: lambda f: f.laptops_or_tablets >= 1,
    ChecklistItem.DSPT: lambda f: f.dspt.at_least(DsptLevel.APPROACHING_STANDARDS),
    ChecklistItem.NHSMAIL: lambda f: f.nhsmail_live,
    ChecklistItem.GP_RECORD_ACCESS: lambda f: f.gp_access is not GpAccess.NO,
    ChecklistItem.DSCR: lambda f: f.dscr_in_use,
}


def item_done(item: ChecklistItem, facts: ChecklistFacts) -> bool:
    return ITEM_DONE[item](facts)
