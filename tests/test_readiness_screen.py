"""The readiness screen and the champion's home list, driven without any UI (real LocalStore)."""

from datetime import datetime, timedelta, timezone

import pytest

from client.state.home_list import BLOCKED, CLOCK_RUNNING, HomeList
from client.state.readiness import ReadinessScreen, changed_line, parse_users
from client.store import open_device_store
from client.sync.speedtest import Measurement
from domain.maturity import Band
from domain.nhsmail import Step
from domain.readiness import ChecklistItem
from protocol import Account
from tests.support.records import HOME_ID, care_home_record

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
OTHER_HOMES = ("1-8503184790", "1-127443456")
USERS = "Ann Smith, ann.smith@example.org, 07700 900001\nBob Jones, bob.jones@example.org, 07700900002, owner"


@pytest.fixture
def device_store(tmp_path):
    """The champion's device (conftest's store and sync fixtures take it): three homes pulled."""
    opened = open_device_store(tmp_path)
    records = [care_home_record(1)]
    for number, home_id in enumerate(OTHER_HOMES, start=2):
        record = care_home_record(number, home_id=home_id)
        record.data["cqc_location_id"] = home_id
        record.data["name"] = {"1-8503184790": "Beech Court", "1-127443456": "Cedar Lodge"}[home_id]
        records.append(record)
    opened.sync.apply_pull_page(records, 3)
    yield opened
    opened.store.close()


@pytest.fixture
def saves():
    return []


@pytest.fixture
def screen(store, saves):
    return ReadinessScreen(store, HOME_ID, "champion", lambda: NOW, on_saved=lambda: saves.append(1))


def test_a_new_home_shows_every_item_not_recorded_and_the_minimum_band(screen):
    rows = screen.checklist_rows
    assert [r.label for r in rows][:2] == ["Broadband", "WiFi where care happens"]
    assert all(not r.done for r in rows)
    assert rows[0].value == "Not recorded" and rows[0].changed == "Not recorded yet"
    assert screen.band is Band.MINIMUM and screen.band_text == "Digital maturity: Minimum"
    assert screen.next_band_text == "For Core the home needs:"
    assert "Broadband contracted" in [m.label for m in screen.what_next]
    assert screen.nhsmail_step_text == "Step 1 of 9: ODS site code (starts with V)"
    assert screen.flow_chart.current == "ods_code"
    assert screen.home_name == "Allingham House Care Centre"


def test_saving_broadband_stamps_who_and_when_and_queues_it(screen, sync, saves):
    assert screen.save_broadband("BT", "80", "20") is None
    [entry] = sync.pending(10)
    assert entry.kind == "broadband" and entry.data["changed_by"] == "champion"
    row = screen.checklist_rows[0]
    assert row.value == "BT, 80.0 Mbps down / 20.0 up" and row.done and row.pending
    local = NOW.astimezone()
    assert row.changed.startswith(f"changed by champion, {local:%d %b %H:%M}".lstrip("0"))
    assert row.changed.endswith("on this device, not sent yet")
    assert saves == [1] and screen.message == "Saved: broadband"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("", "80", ""), "Provider is required"),
        (("BT", "fast", ""), "Contracted download speed must be a number"),
        (("BT", "-1", ""), "must be more than 0"),
    ],
)
def test_bad_broadband_is_refused_with_a_message_and_nothing_is_stored(screen, store, saves, args, fragment):
    error = screen.save_broadband(*args)
    assert error is not None and fragment in error and error.startswith("Not saved: ")
    assert screen.message_is_error and store.pending_count() == 0 and saves == []


def test_dspt_from_export_text_or_level_and_year(screen, store):
    assert screen.save_dspt("24/25 Standards Met") is None
    assert store.record("dspt_status", f"{HOME_ID}/dspt").data["status"] == "Standards Met"
    assert "Entry Level" in screen.save_dspt("Entry Level")
    assert "Year is required" in screen.save_dspt(level="Approaching Standards")
    assert screen.save_dspt(level="Approaching Standards", year="25/26") is None
    assert screen.checklist_rows[3].value == "25/26 Approaching Standards - not yet met (needs Standards Met)"


def test_approaching_standards_shows_as_not_yet_met_on_the_checklist(screen):
    assert screen.save_dspt("26/27 Approaching Standards") is None
    row = next(r for r in screen.checklist_rows if r.item is ChecklistItem.DSPT)
    assert not row.done and "not yet met" in row.value
    assert screen.save_dspt("26/27 Standards Met") is None
    row = next(r for r in screen.checklist_rows if r.item is ChecklistItem.DSPT)
    assert row.done and row.value == "26/27 Standards Met"


def test_gp_dscr_and_devices(screen, store):
    assert "System is required" in screen.save_gp("yes")
    assert screen.save_gp("partial", "emis") is None
    assert screen.save_dscr(True, "Nourish") is None
    assert "must be a number" in screen.add_device("tablet", "two")
    assert "whole number" in screen.add_device("tablet", "1.5")
    assert "Description is required" in screen.add_device("other", 1)
    assert screen.add_device("tablet", "2") is None
    values = {r.label: r.value for r in screen.checklist_rows}
    assert values["Access to the GP record"] == "Partly (some practices or residents) (EMIS)"
    assert values["Digital social care records in use"] == "In use (Nourish)"
    assert values["Laptop or tablet provided"] == "2 laptops or tablets (1 delivery)"


def test_wifi_results_with_and_without_a_connection(screen, store):
    assert "Type where you are" in screen.record_wifi("  ", Measurement.offline("no network"))
    assert screen.record_wifi("Office", Measurement(latency_ms=20, download_mbps=50, upload_mbps=10)) is None
    assert screen.record_wifi("Room 12", Measurement.offline("no network")) is None
    assert screen.message == "Saved: no connection at Room 12"
    results = {r.data["location"]: r.data for r in store.records("wifi_result", HOME_ID)}
    assert results["Room 12"]["no_connection"] is True and results["Room 12"]["area"] == "bedroom"
    assert results["Office"]["download_mbps"] == 50
    assert screen.wifi_text == "Good in 1 of 2 care locations; no connection: Room 12; not surveyed: lounges and dining rooms"
    assert [(r.location, r.coverage) for r in screen.wifi_rows] == [("Office", "Good"), ("Room 12", "No connection")]


def test_the_wifi_rows_print_the_numbers_the_summary_pdf_prints(screen):
    """One rule (domain/numbers.py): the screen said '652 Mbps' where the PDF said '651.8', and a poor result's
    reason '4.56789 Mbps', '123.456 ms'."""
    assert screen.record_wifi("Office", Measurement(latency_ms=12.4, download_mbps=651.8321, upload_mbps=410.26)) \
        is None
    assert screen.message.startswith("Saved: Office - 651.8 Mbps down, 410.3 up, 12 ms")
    assert screen.record_wifi("Room 12", Measurement(latency_ms=123.456, download_mbps=4.56789, upload_mbps=0.98765)) \
        is None
    details = {row.location: row.detail for row in screen.wifi_rows}
    assert details["Office"].startswith("651.8 Mbps down, 410.3 up, 12 ms (")
    assert details["Room 12"].startswith("4.6 Mbps down, 1.0 up, 123 ms - download 4.6 Mbps is below 10 Mbps; "
                                         "upload 1.0 Mbps is below 2 Mbps; latency 123 ms is not below 100 ms (")


def test_band_and_what_next_follow_the_checklist(screen):
    screen.save_broadband("BT", "80")
    screen.record_wifi("Office", Measurement(latency_ms=20, download_mbps=50, upload_mbps=10))
    screen.add_device("laptop", 1)
    screen.save_dspt("26/27 Approaching Standards")
    assert screen.band is Band.CORE
    assert screen.next_band_text == "For Enhanced the home needs:"
    assert "NHSmail in use" in [m.label for m in screen.what_next]


def test_nhsmail_moves_step_by_step_and_refuses_a_missing_prerequisite(screen, store):
    assert "not an ODS site code" in screen.record_ods_code("12345")
    assert screen.record_ods_code("vm4r7") is None
    assert screen.nhsmail_step is Step.CQC_IDS
    assert "contact ID" in screen.record_cqc_ids(HOME_ID)
    assert screen.record_cqc_ids(one_time_passcode=True) is None
    assert screen.nhsmail_step_text.startswith("Step 3 of 9")
    # No DSPT recorded in the checklist: using it is refused, with what to do.
    assert "record the home's DSPT status first" in screen.record_dspt()
    screen.save_dspt("26/27 Standards Not Met")
    assert screen.record_dspt() is None  # saved, but the home stops here
    assert screen.nhsmail_step is Step.DSPT and screen.flow_chart.current == "dspt_first"
    assert "Complete the DSPT first" in screen.nhsmail_blocked
    assert "not yet at 'Choose the registration route'" in screen.choose_route(1)
    screen.save_dspt("26/27 Standards Met")
    assert screen.record_dspt() is None and screen.nhsmail_step is Step.ROUTE
    assert "single-site home" in screen.choose_route("1", self_manage=True)
    assert "Number of sites is required" in screen.choose_route("")
    assert "Number of sites is required" in screen.choose_route(None)
    assert "Number of sites must be a whole number" in screen.choose_route("two")
    assert screen.nhsmail_step is Step.ROUTE
    assert screen.choose_route("1") is None
    assert "user 1" in screen.set_users("Ann Smith")
    assert screen.set_users(USERS) is None
    assert screen.submit() is None and screen.nhsmail_step is Step.AWAIT_REPLY
    assert "expect it by" in screen.nhsmail_what_to_do
    assert screen.record_reply(accepted=True, at=NOW + timedelta(hours=1)) is None
    for email in ("ann.smith@example.org", "bob.jones@example.org"):
        assert screen.record_mfa(email, NOW + timedelta(hours=2)) is None
    assert screen.record_first_login("ann.smith@example.org", NOW + timedelta(hours=3)) is None
    assert screen.record_first_login("bob.jones@example.org", NOW + timedelta(hours=3)) is None
    assert screen.nhsmail_step_text == "NHSmail in use"
    progress = store.record("nhsmail_progress", f"{HOME_ID}/nhsmail")
    assert progress.pending and progress.data["changed_by"] == "champion"


def test_no_ods_code_stops_the_home_with_advice(screen):
    assert "choose why" in screen.record_no_ods_code(None)
    assert screen.record_no_ods_code("no_code") is None
    assert screen.flow_chart.current == "ods_from_cqc"
    assert "CQC registration" in screen.nhsmail_blocked


def test_parse_users_marks_the_first_as_owner_when_none_is():
    users = parse_users("A B, a.b@example.org, 07700900001\nC D, c.d@example.org, 07700900002")
    assert [u["role"].value for u in users] == ["owner", "member"]


def test_changed_line_shows_the_year_only_when_it_is_not_this_year():
    assert changed_line(None, None) == "Not recorded yet"
    old = datetime(2024, 3, 5, 12, 0, tzinfo=timezone.utc)
    assert "2024" in changed_line("alice", old, NOW)


def champion() -> Account:
    return Account(username="champion", display_name="Champion", role="digital_champion",
                   assigned_homes=[HOME_ID, *OTHER_HOMES, "1-999999999"])


def test_home_list_shows_only_the_assigned_homes_on_the_device_sorted_by_attention(store):
    listed = HomeList(store, champion(), lambda: NOW)
    assert [r.name for r in listed.rows] == ["Allingham House Care Centre", "Beech Court", "Cedar Lodge"]
    assert listed.rows[0].attention == "For Core: Broadband contracted"
    assert listed.rows[0].band_label == "Minimum" and listed.rows[0].nhsmail_step == "NHSmail not started"

    # Cedar Lodge submitted its NHSmail form (clock running), Beech Court is blocked: both come first.
    cedar = ReadinessScreen(store, "1-127443456", "champion", lambda: NOW)
    cedar.record_ods_code("VX123")
    cedar.record_cqc_ids(one_time_passcode=True)
    cedar.save_dspt("26/27 Standards Met")
    cedar.record_dspt()
    cedar.choose_route(1)
    cedar.set_users(USERS)
    cedar.submit()
    beech = ReadinessScreen(store, "1-8503184790", "champion", lambda: NOW)
    beech.record_no_ods_code("wrong_code")
    # Allingham reaches Core: still after the others (they need attention), but it has the higher band.
    listed.reload()
    assert [(r.name, r.group) for r in listed.rows] == [
        ("Beech Court", BLOCKED), ("Cedar Lodge", CLOCK_RUNNING), ("Allingham House Care Centre", 2)]
    assert listed.rows[0].attention == "NHSmail blocked: Wrong ODS code: corrected through CQC"
    assert listed.rows[1].attention.startswith("NHSmail reply expected by ")
    assert listed.rows[1].nhsmail_step.startswith("Step 7 of 9")


def test_home_list_lowest_band_first_then_name(store):
    ReadinessScreen(store, "1-8503184790", "champion", lambda: NOW).save_broadband("BT", "80")
    screen = ReadinessScreen(store, "1-127443456", "champion", lambda: NOW)
    screen.save_broadband("BT", "80")
    screen.record_wifi("Office", Measurement(latency_ms=20, download_mbps=50, upload_mbps=10))
    screen.add_device("laptop", 1)
    screen.save_dspt("26/27 Standards Met")
    listed = HomeList(store, champion(), lambda: NOW)
    assert [(r.name, r.band_label) for r in listed.rows] == [
        ("Allingham House Care Centre", "Minimum"), ("Beech Court", "Minimum"), ("Cedar Lodge", "Core")]


def test_the_summary_pdf_is_sealed_on_the_document_shelf_one_at_a_time(screen, store):
    pytest.importorskip("client.reports.readiness_pdf")
    screen.save_broadband("BT", "80")
    first = screen.put_summary_pdf(store.documents)
    document = screen.put_summary_pdf(store.documents)
    assert document.name == f"readiness-{HOME_ID}-2026-11-25.pdf" and document.media_type == "application/pdf"
    assert store.documents.read(document.id)[1].startswith(b"%PDF")
    assert store.documents.documents(document.group) == [document] and first != document


def test_the_wifi_survey_in_web_mode_says_it_measured_from_the_computer_running_the_app(store):
    web = ReadinessScreen(store, HOME_ID, "champion", lambda: NOW, web_mode=True)
    assert "measures from the computer running the app" in web.wifi_instructions
    assert web.record_wifi("Office", Measurement(latency_ms=20, download_mbps=50, upload_mbps=10)) is None
    assert web.message.endswith("(measured from the computer running the app, not from this device)")
    desktop = ReadinessScreen(store, HOME_ID, "champion", lambda: NOW)
    assert "computer running the app" not in desktop.wifi_instructions
    assert desktop.record_wifi("Lounge", Measurement(latency_ms=20, download_mbps=50, upload_mbps=10)) is None
    assert "computer running the app" not in desktop.message


def test_the_composition_root_tells_a_browser_context_it_is_web_mode(tmp_path):
    from client.context import build_browser_context, build_context, new_browser_secret

    web = build_browser_context(tmp_path / "web", new_browser_secret(), "http://127.0.0.1:9")
    desktop = build_context("http://127.0.0.1:9", tmp_path / "desktop")
    try:
        assert web.web_mode is True and desktop.web_mode is False
    finally:
        web.close()
        desktop.close()


def test_a_message_about_one_section_goes_when_the_person_opens_another(screen):
    assert screen.save_broadband("", "80") is not None and screen.message_is_error
    screen.moved_on()
    assert screen.message is None and not screen.message_is_error
