from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.maturity import ITEM_DONE, Checklist, item_done
from domain.readiness import (
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
    dspt_year_on,
    guess_care_area,
    laptops_and_tablets,
    parse_dspt_export,
    stamp,
    summarise_wifi,
)

HOME = "1-1938268568"
T0 = datetime(2025, 5, 3, 9, 12, tzinfo=timezone.utc)


def error_fields(exc: ValidationError) -> set[str]:
    return {str(e["loc"][-1]) for e in exc.errors()}


def wifi(location, result_id=None, at=T0, down=50.0, up=10.0, latency=20.0, **extra):
    return WifiSurveyResult(home_id=HOME, result_id=result_id or location.replace(" ", "-").replace(",", ""),
                            location=location, measured_at=at, download_mbps=down, upload_mbps=up,
                            latency_ms=latency, **extra)


def dead_spot(location, result_id=None, at=T0):
    return WifiSurveyResult(home_id=HOME, result_id=result_id or "dead", location=location, measured_at=at,
                            no_connection=True)


# --- WiFi survey results ---


def test_no_connection_result_has_no_numbers():
    result = dead_spot("Bedroom corridor, first floor")
    assert result.coverage is Coverage.NONE
    assert result.area is CareArea.BEDROOM
    assert result.record_id == f"{HOME}/wifi/dead"


@pytest.mark.parametrize("field", ["latency_ms", "download_mbps", "upload_mbps"])
def test_no_connection_with_a_number_is_refused_naming_the_field(field):
    with pytest.raises(ValidationError) as exc:
        WifiSurveyResult(home_id=HOME, result_id="r1", location="Lounge", measured_at=T0, no_connection=True,
                         **{field: 5})
    assert error_fields(exc.value) == {field}
    assert "must be empty when there was no connection" in str(exc.value)


@pytest.mark.parametrize("field", ["latency_ms", "download_mbps", "upload_mbps"])
def test_a_connection_needs_every_number(field):
    numbers = {"latency_ms": 20, "download_mbps": 30, "upload_mbps": 5}
    del numbers[field]
    with pytest.raises(ValidationError) as exc:
        WifiSurveyResult(home_id=HOME, result_id="r1", location="Lounge", measured_at=T0, **numbers)
    assert error_fields(exc.value) == {field}
    assert "is required unless there was no connection" in str(exc.value)


def test_measured_at_needs_a_timezone_and_numbers_are_not_negative():
    with pytest.raises(ValidationError) as exc:
        wifi("Office", at=datetime(2025, 5, 3, 9, 12))
    assert error_fields(exc.value) == {"measured_at"}
    with pytest.raises(ValidationError) as exc:
        wifi("Office", down=-1)
    assert error_fields(exc.value) == {"download_mbps"}


def test_blank_location_is_refused():
    with pytest.raises(ValidationError) as exc:
        wifi("   ", result_id="r1")
    assert "location" in error_fields(exc.value)


@pytest.mark.parametrize(
    ("name", "area"),
    [("Office", CareArea.OFFICE), ("Main lounge", CareArea.COMMUNAL), ("Dining room", CareArea.COMMUNAL),
     ("Bedroom corridor, first floor", CareArea.BEDROOM), ("Room 12", CareArea.BEDROOM), ("Treatment room 2", CareArea.OTHER_CARE),
     ("Kitchen", CareArea.NOT_CARE), ("Treatment room", CareArea.OTHER_CARE), ("Nurses station", CareArea.OFFICE)],
)
def test_care_area_is_guessed_from_the_location(name, area):
    assert guess_care_area(name) is area


def test_an_explicit_area_wins_over_the_guess():
    assert wifi("Garden room", area="communal").area is CareArea.COMMUNAL


@pytest.mark.parametrize(
    ("down", "up", "latency", "coverage"),
    [(10, 2, 99.9, Coverage.GOOD), (9.9, 2, 20, Coverage.POOR), (50, 1.9, 20, Coverage.POOR),
     (50, 10, 100, Coverage.POOR), (0, 0, 20, Coverage.POOR)],
)
def test_good_wifi_thresholds(down, up, latency, coverage):
    assert wifi("Office", down=down, up=up, latency=latency).coverage is coverage


def test_poor_result_says_why():
    assert wifi("Lounge", down=4, latency=150).shortfalls == (
        "download 4.0 Mbps is below 10 Mbps", "latency 150 ms is not below 100 ms")


def test_why_a_result_is_poor_prints_measured_numbers_as_people_read_them():
    # A survey measures 4.56789 Mbps and 123.456 ms: the words say 4.6 and 123, as the screen and the PDF do.
    assert wifi("Lounge", down=4.56789, up=1.23456, latency=123.456).shortfalls == (
        "download 4.6 Mbps is below 10 Mbps", "upload 1.2 Mbps is below 2 Mbps", "latency 123 ms is not below 100 ms")
    assert wifi("Lounge", down=9.96).shortfalls == ("download is just under 10 Mbps",)  # never "10.0 is below 10"


def test_summary_uses_the_latest_result_per_location():
    results = [
        dead_spot("Lounge", result_id="old", at=T0),
        wifi("lounge ", result_id="new", at=T0 + timedelta(hours=1)),  # same place after a booster was fitted
        wifi("Office", down=3),
        wifi("Bedroom corridor, first floor", result_id="b1", at=T0 + timedelta(days=1)),
        dead_spot("Bedroom corridor, first floor", result_id="b0", at=T0),
    ]
    summary = summarise_wifi(results)
    by_location = {loc.location: loc for loc in summary.locations}
    assert set(by_location) == {"lounge", "Office", "Bedroom corridor, first floor"}
    assert by_location["lounge"].coverage is Coverage.GOOD and by_location["lounge"].latest.result_id == "new"
    assert by_location["Office"].coverage is Coverage.POOR
    assert by_location["Office"].reasons == ("download 3.0 Mbps is below 10 Mbps",)
    assert summary.office is Coverage.POOR
    assert summary.by_area[CareArea.COMMUNAL] is Coverage.GOOD
    assert summary.where_care_happens is Coverage.POOR
    assert summary.complete and not summary.all_care_locations_good
    assert summary.text == "Good in 2 of 3 care locations; poor: Office"


def test_one_dead_spot_makes_where_care_happens_none_and_missing_areas_are_named():
    summary = summarise_wifi([wifi("Office"), dead_spot("Room 4"), wifi("Kitchen", down=1)])
    assert summary.where_care_happens is Coverage.NONE  # the kitchen is not a care area
    assert summary.missing_areas == (CareArea.COMMUNAL,)
    assert summary.by_area[CareArea.COMMUNAL] is Coverage.NOT_SURVEYED
    assert summary.text == "Good in 1 of 2 care locations; no connection: Room 4; not surveyed: lounges and dining rooms"


def test_empty_survey_and_all_good():
    empty = summarise_wifi([])
    assert empty.where_care_happens is Coverage.NOT_SURVEYED and empty.office is Coverage.NOT_SURVEYED
    assert empty.text == "No WiFi survey yet where care happens"
    good = summarise_wifi([wifi("Office"), wifi("Lounge"), wifi("Bedroom 3")])
    assert good.all_care_locations_good


def test_summary_takes_one_home():
    other = WifiSurveyResult(home_id="1-999999", result_id="x", location="Office", measured_at=T0, no_connection=True)
    with pytest.raises(ValueError, match="one home's results"):
        summarise_wifi([wifi("Office"), other])


# --- DSPT ---


@pytest.mark.parametrize(
    ("text", "year", "level"),
    [("22/23 Standards Met", "22/23", DsptLevel.STANDARDS_MET),
     ("24/25 Standards Exceeded", "24/25", DsptLevel.STANDARDS_EXCEEDED),
     ("  23/24   approaching standards ", "23/24", DsptLevel.APPROACHING_STANDARDS),
     ("21/22 Standards Not Met", "21/22", DsptLevel.STANDARDS_NOT_MET),
     ("Not Published", None, DsptLevel.NOT_PUBLISHED),
     ("99/00 Standards Met", "99/00", DsptLevel.STANDARDS_MET),
     ("2022/23 Standards Met", "22/23", DsptLevel.STANDARDS_MET)],
)
def test_dspt_export_strings_are_parsed(text, year, level):
    assert parse_dspt_export(text) == (year, level)


@pytest.mark.parametrize(
    ("text", "message"),
    [("22/23 Standards Mostly Met", "unknown DSPT status"), ("22/24 Standards Met", "two consecutive years"),
     ("19/20 Entry Level", "replaced by Approaching Standards in March 2021"), ("", "unknown DSPT status")],
)
def test_bad_dspt_export_strings_are_refused_with_the_rule(text, message):
    with pytest.raises(ValueError, match=message):
        parse_dspt_export(text)


def test_dspt_status_from_export_and_its_record():
    status = DsptStatus.from_export(HOME, "22/23 Standards Met", published_on=date(2023, 6, 20))
    assert (status.year, status.status, status.text) == ("22/23", DsptLevel.STANDARDS_MET, "22/23 Standards Met")
    assert status.record_id == f"{HOME}/dspt"
    assert status.expires_on == date(2024, 6, 30)
    assert status.effective_on(date(2024, 6, 30)) is DsptLevel.STANDARDS_MET
    assert status.effective_on(date(2024, 7, 1)) is DsptLevel.NOT_PUBLISHED


def test_dspt_year_rules():
    with pytest.raises(ValidationError) as exc:
        DsptStatus(home_id=HOME, status="Standards Met")
    assert error_fields(exc.value) == {"year"} and "year is required" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        DsptStatus(home_id=HOME, status="Standards Met", year="2024")
    assert error_fields(exc.value) == {"year"} and '"24/25"' in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        DsptStatus(home_id=HOME, status="Not Published", published_on=date(2024, 1, 1))
    assert error_fields(exc.value) == {"published_on"}
    with pytest.raises(ValidationError) as exc:
        DsptStatus(home_id=HOME, status="Entry Level", year="20/21")
    assert error_fields(exc.value) == {"status"}
    assert DsptStatus(home_id=HOME, status="Not Published").expires_on is None


def test_dspt_levels_are_the_five_published_and_ordered():
    assert [level.value for level in sorted(DsptLevel, key=lambda level: level.rank)] == [
        "Not Published", "Standards Not Met", "Approaching Standards", "Standards Met", "Standards Exceeded"]
    assert DsptLevel.STANDARDS_MET.at_least(DsptLevel.APPROACHING_STANDARDS)
    assert not DsptLevel.STANDARDS_NOT_MET.at_least(DsptLevel.APPROACHING_STANDARDS)


@pytest.mark.parametrize(("day", "year"), [(date(2025, 6, 30), "24/25"), (date(2025, 7, 1), "25/26"),
                                           (date(2099, 12, 1), "99/00")])
def test_dspt_year_on(day, year):
    assert dspt_year_on(day) == year


# --- broadband, devices, GP record, DSCR ---


def test_broadband_with_provider_or_none():
    assert Broadband(home_id=HOME, provider="BT", contracted_down_mbps=80, contracted_up_mbps=20).has_broadband
    none = Broadband(home_id=HOME, no_broadband=True)
    assert not none.has_broadband and none.record_id == f"{HOME}/broadband"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [({"contracted_down_mbps": 80}, "provider", "provider is required unless"),
     ({"provider": "BT"}, "contracted_down_mbps", "contracted_down_mbps is required unless"),
     ({"no_broadband": True, "provider": "BT"}, "provider", "must be empty when the home has no broadband"),
     ({"no_broadband": True, "contracted_up_mbps": 5}, "contracted_up_mbps", "must be empty"),
     ({"provider": "BT", "contracted_down_mbps": 0}, "contracted_down_mbps", "greater than 0")],
)
def test_broadband_rules_name_the_field(fields, field, message):
    with pytest.raises(ValidationError) as exc:
        Broadband(home_id=HOME, **fields)
    assert error_fields(exc.value) == {field}
    assert message in str(exc.value)


def test_devices():
    laptop = DeviceProvision(home_id=HOME, provision_id="d1", kind="laptop", provided_on=date(2024, 3, 1), count=2)
    other = DeviceProvision(home_id=HOME, provision_id="d2", kind="other", description="Smart speaker",
                            provided_on=date(2024, 3, 1))
    assert laptop.record_id == f"{HOME}/device/d1"
    assert laptops_and_tablets([laptop, other]) == 2
    with pytest.raises(ValidationError) as exc:
        DeviceProvision(home_id=HOME, provision_id="d3", kind="other", provided_on=date(2024, 3, 1))
    assert error_fields(exc.value) == {"description"}
    with pytest.raises(ValidationError) as exc:
        DeviceProvision(home_id=HOME, provision_id="d3", kind="tablet", provided_on=date(2024, 3, 1), count=0)
    assert error_fields(exc.value) == {"count"}


def test_gp_record_access_needs_a_system_when_there_is_access():
    assert GpRecordAccess(home_id=HOME, access="yes", system="systmone").system.label == "SystmOne"
    assert GpRecordAccess(home_id=HOME, access="no").record_id == f"{HOME}/gp_record_access"
    with pytest.raises(ValidationError) as exc:
        GpRecordAccess(home_id=HOME, access="partial")
    assert error_fields(exc.value) == {"system"} and "e.g. SystmOne or EMIS" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        GpRecordAccess(home_id=HOME, access="no", system="emis")
    assert error_fields(exc.value) == {"system"}


def test_digital_social_care_record():
    assert DigitalSocialCareRecord(home_id=HOME, in_use=True, supplier="  ").supplier is None
    assert DigitalSocialCareRecord(home_id=HOME, in_use=False).record_id == f"{HOME}/dscr"


# --- who changed it and when ---


def test_stamp_records_who_and_when_and_is_validated():
    item = GpRecordAccess(home_id=HOME, access="no")
    assert item.changed_text == "Not saved yet"
    saved = stamp(item, "alice", T0)
    assert (saved.changed_by, saved.changed_at) == ("alice", T0)
    assert saved.changed_text == "Changed by alice, 3 May 2025 10:12"  # UK time (BST)
    assert item.changed_by is None  # records are frozen: stamping makes a copy
    with pytest.raises(ValidationError) as exc:
        stamp(item, "alice", datetime(2025, 5, 3, 9, 12))
    assert error_fields(exc.value) == {"changed_at"}
    with pytest.raises(ValidationError) as exc:
        stamp(item, "not a username", T0)
    assert error_fields(exc.value) == {"changed_by"}


def test_records_round_trip_through_json_and_refuse_unknown_fields():
    for record in (Broadband(home_id=HOME, provider="BT", contracted_down_mbps=80), wifi("Office"), dead_spot("Room 2"),
                   DsptStatus.from_export(HOME, "24/25 Standards Met")):
        again = type(record).model_validate_json(stamp(record, "bob", T0).model_dump_json())
        assert again == stamp(record, "bob", T0)
    with pytest.raises(ValidationError) as exc:
        DigitalSocialCareRecord(home_id=HOME, in_use=True, colour="blue")
    assert error_fields(exc.value) == {"colour"}


# --- the checklist as a whole: which items are done ---


def test_every_checklist_item_has_a_done_rule():
    assert set(ITEM_DONE) == set(ChecklistItem)


def test_nothing_recorded_is_nothing_done():
    facts = Checklist().facts(today=T0.date())
    assert [item for item in ChecklistItem if item_done(item, facts)] == []


def test_items_are_done_by_the_same_facts_the_bands_use():
    checklist = Checklist(
        broadband=Broadband(home_id=HOME, provider="BT", contracted_down_mbps=80),
        wifi_results=[wifi("Office"), wifi("Lounge"), wifi("Bedroom 1")],
        devices=[DeviceProvision(home_id=HOME, provision_id="d1", kind="other", description="Printer",
                                 provided_on=T0.date())],
        dspt=DsptStatus.from_export(HOME, "24/25 Approaching Standards"),
        gp=GpRecordAccess(home_id=HOME, access=GpAccess.PARTIAL, system="emis"),
        dscr=DigitalSocialCareRecord(home_id=HOME, in_use=False),
    )
    facts = checklist.facts(today=T0.date())
    done = {item for item in ChecklistItem if item_done(item, facts)}
    # A printer is not a laptop or tablet; Approaching Standards is not yet met; NHSmail is not started; the
    # records are kept on paper.
    assert done == {ChecklistItem.BROADBAND, ChecklistItem.WIFI, ChecklistItem.GP_RECORD_ACCESS}


@pytest.mark.parametrize("export, met", [
    ("24/25 Standards Exceeded", True), ("24/25 Standards Met", True), ("24/25 Approaching Standards", False),
    ("24/25 Standards Not Met", False), ("Not Published", False)])
def test_dspt_is_met_from_standards_met_so_approaching_standards_gets_no_tick(export, met):
    dspt = DsptStatus.from_export(HOME, export)
    assert dspt.status.met is met
    assert item_done(ChecklistItem.DSPT, Checklist(dspt=dspt).facts(today=T0.date())) is met


def test_wifi_is_done_only_when_every_required_area_is_surveyed_and_good():
    office_only = Checklist(wifi_results=[wifi("Office")]).facts(today=T0.date())
    assert not item_done(ChecklistItem.WIFI, office_only)
    one_poor = Checklist(wifi_results=[wifi("Office"), wifi("Lounge"), wifi("Bedroom 1", down=2.0)])
    assert not item_done(ChecklistItem.WIFI, one_poor.facts(today=T0.date()))


def test_an_expired_dspt_publication_is_not_done_on_the_day_after():
    checklist = Checklist(dspt=DsptStatus.from_export(HOME, "23/24 Standards Met"))
    assert item_done(ChecklistItem.DSPT, checklist.facts(today=date(2025, 6, 30)))
    assert not item_done(ChecklistItem.DSPT, checklist.facts(today=date(2025, 7, 1)))
