"""Digital maturity bands at every boundary, and docs/digital-maturity.md agreeing with the code."""

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.maturity import RULES, Band, ChecklistFacts, Requirement, band, facts_from_checklist, what_next
from domain.nhsmail import (
    choose_route,
    record_cqc_ids,
    record_dspt,
    record_first_login,
    record_mfa,
    record_ods_code,
    record_reply,
    set_users,
    start,
    submit,
)
from domain.readiness import (
    Broadband,
    Coverage,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptLevel,
    DsptStatus,
    GpAccess,
    GpRecordAccess,
    WifiSurveyResult,
)

ROOT = Path(__file__).resolve().parents[1]
HOME = "1-1938268568"
T0 = datetime(2025, 5, 3, 9, 0, tzinfo=timezone.utc)

# The smallest change to the facts that meets each requirement (applied in table order, so a higher
# DSPT or GP level replaces a lower one).
MEETS: dict[Requirement, dict] = {
    Requirement.BROADBAND: {"has_broadband": True},
    Requirement.OFFICE_WIFI: {"office_wifi": Coverage.POOR},
    Requirement.DEVICE: {"laptops_or_tablets": 1},
    Requirement.DSPT_APPROACHING: {"dspt": DsptLevel.APPROACHING_STANDARDS},
    Requirement.NHSMAIL_LIVE: {"nhsmail_live": True},
    Requirement.DSPT_MET: {"dspt": DsptLevel.STANDARDS_MET},
    Requirement.WIFI_WHERE_CARE_HAPPENS: {"care_wifi": Coverage.GOOD, "care_areas_missing": ()},
    Requirement.GP_RECORD_ACCESS: {"gp_access": GpAccess.PARTIAL},
    Requirement.DSCR_IN_USE: {"dscr_in_use": True},
    Requirement.GP_RECORD_FULL: {"gp_access": GpAccess.YES},
    Requirement.DSPT_EXCEEDED: {"dspt": DsptLevel.STANDARDS_EXCEEDED},
}
# The smallest change that takes each requirement away from a home that has everything.
BREAKS: dict[Requirement, dict] = {
    Requirement.BROADBAND: {"has_broadband": False},
    Requirement.OFFICE_WIFI: {"office_wifi": Coverage.NONE},
    Requirement.DEVICE: {"laptops_or_tablets": 0},
    Requirement.DSPT_APPROACHING: {"dspt": DsptLevel.STANDARDS_NOT_MET},
    Requirement.NHSMAIL_LIVE: {"nhsmail_live": False},
    Requirement.DSPT_MET: {"dspt": DsptLevel.APPROACHING_STANDARDS},
    Requirement.WIFI_WHERE_CARE_HAPPENS: {"care_wifi": Coverage.POOR},
    Requirement.GP_RECORD_ACCESS: {"gp_access": GpAccess.NO},
    Requirement.DSCR_IN_USE: {"dscr_in_use": False},
    Requirement.GP_RECORD_FULL: {"gp_access": GpAccess.PARTIAL},
    Requirement.DSPT_EXCEEDED: {"dspt": DsptLevel.STANDARDS_MET},
}
BANDS = list(Band)


def facts_meeting(requirements) -> ChecklistFacts:
    fields: dict = {}
    for rule in RULES:
        if rule.requirement in requirements:
            fields.update(MEETS[rule.requirement])
    return ChecklistFacts(**fields)


def up_to(band_: Band) -> set[Requirement]:
    return {r.requirement for r in RULES if r.band.rank <= band_.rank}


def test_every_requirement_has_a_boundary_case():
    assert set(MEETS) == set(BREAKS) == set(Requirement) == {r.requirement for r in RULES}


@pytest.mark.parametrize("band_", BANDS)
def test_exactly_the_requirements_of_a_band_reach_it(band_):
    assert band(facts_meeting(up_to(band_))) is band_


def test_a_home_with_nothing_is_minimum_and_is_told_the_core_requirements():
    facts = ChecklistFacts()
    assert band(facts) is Band.MINIMUM
    assert [m.requirement for m in what_next(facts)] == [
        Requirement.BROADBAND, Requirement.OFFICE_WIFI, Requirement.DEVICE, Requirement.DSPT_APPROACHING]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.requirement.value)
def test_each_requirement_missing_drops_the_band_below_its_own(rule):
    everything = facts_meeting(set(Requirement))
    assert band(everything) is Band.ENHANCED_PLUS and what_next(everything) == []
    broken = everything.model_copy(update=BREAKS[rule.requirement])
    assert band(broken) is BANDS[rule.band.rank - 1]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.requirement.value)
def test_each_requirement_is_what_next_names_and_adding_it_lifts_the_band(rule):
    below = BANDS[rule.band.rank - 1]
    facts = facts_meeting(up_to(rule.band) - {rule.requirement})
    assert band(facts) is below
    missing = what_next(facts)
    assert [m.requirement for m in missing] == [rule.requirement]
    assert missing[0].band is rule.band and missing[0].reason and missing[0].label == rule.label
    assert band(facts_meeting(up_to(rule.band))) is rule.band


def test_bands_are_cumulative():
    # Everything above core but no laptop: still minimum.
    facts = facts_meeting(set(Requirement) - {Requirement.DEVICE})
    assert band(facts) is Band.MINIMUM
    assert [m.requirement for m in what_next(facts)] == [Requirement.DEVICE]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"dspt": DsptLevel.APPROACHING_STANDARDS}, "DSPT is 'Approaching Standards'; this band needs Standards Met or "
                                                 "better (about 42 questions)"),
     ({"care_wifi": Coverage.NONE, "poor_locations": ("Room 4",), "care_areas_missing": ()},
      "improve the WiFi at Room 4 (good: at least 10 Mbps down, 2 Mbps up, latency under 100 ms)"),
     ({"care_areas_missing": (), "care_wifi": Coverage.NOT_SURVEYED}, "good WiFi is needed at every care location")],
)
def test_reasons_say_what_to_do(changes, reason):
    facts = facts_meeting(up_to(Band.ENHANCED)).model_copy(update=changes)
    assert band(facts) is Band.CORE
    assert reason in [m.reason for m in what_next(facts)]


# --- from the checklist records ---


def wifi(location, down=50.0):
    return WifiSurveyResult(home_id=HOME, result_id=location.replace(" ", ""), location=location, measured_at=T0,
                            download_mbps=down, upload_mbps=10, latency_ms=20)


def live_nhsmail():
    p = record_ods_code(start(HOME), "VM4R7")
    p = record_dspt(record_cqc_ids(p, HOME, "CT-1"), "Standards Met", "24/25")
    p = set_users(choose_route(p, 1), [
        dict(name="Ann", email="ann@example.org", mobile="07700900001", role="owner"),
        dict(name="Bob", email="bob@example.org", mobile="07700900002")])
    p = record_reply(submit(p, T0), T0 + timedelta(hours=10))
    for email in ("ann@example.org", "bob@example.org"):
        p = record_first_login(record_mfa(p, email, T0 + timedelta(days=1)), email, T0 + timedelta(days=1))
    assert p.in_use
    return p


def test_facts_from_checklist_records_at_each_band():
    laptop = DeviceProvision(home_id=HOME, provision_id="d1", kind="laptop", provided_on=date(2024, 3, 1))
    broadband = Broadband(home_id=HOME, provider="BT", contracted_down_mbps=80)
    core = dict(broadband=broadband, wifi_results=[wifi("Office", down=4)], devices=[laptop],
                dspt=DsptStatus.from_export(HOME, "24/25 Approaching Standards"))
    assert band(facts_from_checklist()) is Band.MINIMUM
    assert band(facts_from_checklist(**core)) is Band.CORE
    enhanced = {**core, "wifi_results": [wifi("Office"), wifi("Lounge"), wifi("Bedroom 1")],
                "dspt": DsptStatus.from_export(HOME, "24/25 Standards Met"), "nhsmail": live_nhsmail(),
                "gp": GpRecordAccess(home_id=HOME, access="partial", system="emis")}
    assert band(facts_from_checklist(**enhanced)) is Band.ENHANCED
    assert band(facts_from_checklist(**{**enhanced, "nhsmail": start(HOME)})) is Band.CORE
    plus = {**enhanced, "dspt": DsptStatus.from_export(HOME, "24/25 Standards Exceeded"),
            "gp": GpRecordAccess(home_id=HOME, access="yes", system="systmone"),
            "dscr": DigitalSocialCareRecord(home_id=HOME, in_use=True, supplier="Acme Care")}
    assert band(facts_from_checklist(**plus)) is Band.ENHANCED_PLUS
    no_bedrooms = facts_from_checklist(**{**plus, "wifi_results": [wifi("Office"), wifi("Lounge")]})
    assert band(no_bedrooms) is Band.CORE
    assert "survey the WiFi in bedrooms" in what_next(no_bedrooms)[0].reason
    no_broadband = facts_from_checklist(**{**plus, "broadband": Broadband(home_id=HOME, no_broadband=True)})
    assert band(no_broadband) is Band.MINIMUM


def test_an_expired_dspt_counts_as_not_published_and_says_so():
    records = dict(broadband=Broadband(home_id=HOME, provider="BT", contracted_down_mbps=80),
                   wifi_results=[wifi("Office")],
                   devices=[DeviceProvision(home_id=HOME, provision_id="d1", kind="tablet", provided_on=date(2024, 3, 1))],
                   dspt=DsptStatus.from_export(HOME, "22/23 Standards Met"))
    assert band(facts_from_checklist(**records)) is Band.CORE
    assert band(facts_from_checklist(**records, today=date(2024, 6, 30))) is Band.CORE
    expired = facts_from_checklist(**records, today=date(2024, 7, 1))
    assert band(expired) is Band.MINIMUM
    assert [m.reason for m in what_next(expired)] == [
        "DSPT is 'Not Published' (the 22/23 Standards Met publication expired on 30 Jun 2024); this band needs "
        "Approaching Standards or better (26 questions and an action plan)"]


# --- the page is the same table ---


def test_docs_table_matches_the_rules():
    text = (ROOT / "docs" / "digital-maturity.md").read_text()
    rows = re.findall(r"^\| (core|enhanced|enhanced plus) \| `([a-z_]+)` \| ([^|]+) \|", text, flags=re.M)
    documented = [(Band(b.replace(" ", "_")), Requirement(req), label.strip()) for b, req, label in rows]
    in_code = [(r.band, r.requirement, r.label) for r in RULES]
    assert [(b, req) for b, req, _ in documented] == [(b, req) for b, req, _ in in_code]
    for (_, req, doc_label), (_, _, code_label) in zip(documented, in_code, strict=True):
        assert code_label.startswith(doc_label), req
    for threshold in (">= 10 Mbps", ">= 2 Mbps", "< 100 ms"):
        assert threshold in text
