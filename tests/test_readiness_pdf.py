"""The one-page readiness summary PDF: it renders, stays on one page, and its text (pdftotext) says what matters.

Reading the text back needs poppler-utils (pdftotext, pdfinfo; `python3 dev.py test` installs them from Debian).
Without pdftotext these tests are skipped; under CI=true they fail instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from client.reports import pdf_document
from client.reports.readiness_pdf import readiness_summary_pdf
from domain.homes import CareHome
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
    DeviceKind,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptLevel,
    DsptStatus,
    GpAccess,
    GpRecordAccess,
    GpSystem,
    WifiSurveyResult,
    stamp,
)
from tests.support.pdf_text import flat
from tests.support.records import HOME_ID, care_home_record

TODAY = date(2026, 11, 3)
T0 = datetime(2026, 10, 20, 9, 30, tzinfo=timezone.utc)


def trafford_home(**changes) -> CareHome:
    return CareHome.model_validate({**care_home_record().data, **changes})


def wifi(location: str, minutes: int = 0, *, down=40.0, up=8.0, latency=30.0, no_connection=False,
         home_id=HOME_ID) -> WifiSurveyResult:
    numbers = {} if no_connection else {"download_mbps": down, "upload_mbps": up, "latency_ms": latency}
    result = WifiSurveyResult(home_id=home_id, result_id=re.sub(r"[^A-Za-z0-9]+", "-", f"{minutes}-{location}")[:64],
                              location=location, measured_at=T0 + timedelta(minutes=minutes),
                              no_connection=no_connection, **numbers)
    return stamp(result, "bob.survey", T0 + timedelta(minutes=minutes))


def users():
    return [
        {"name": "Grace Okafor", "email": "grace.okafor@allingham.example", "mobile": "07700 900123", "role": "owner"},
        {"name": "Tom Byrne", "email": "tom.byrne@allingham.example", "mobile": "+44 7700 900456"},
    ]


def nhsmail_at_submit():
    progress = record_ods_code(start(HOME_ID), "VM4R7")
    progress = record_cqc_ids(progress, HOME_ID, "CT-12345")
    progress = record_dspt(progress, DsptLevel.STANDARDS_MET, "26/27")
    progress = set_users(choose_route(progress, 1), users())
    return stamp(progress, "alice", T0 + timedelta(days=2))


def nhsmail_live():
    progress = record_reply(submit(nhsmail_at_submit(), T0 + timedelta(days=3)), T0 + timedelta(days=4))
    for user in progress.users:
        progress = record_mfa(progress, user.email, T0 + timedelta(days=5))
        progress = record_first_login(progress, user.email, T0 + timedelta(days=5, hours=1))
    return progress


def checklist(**changes):
    """A Trafford home at core: good office and lounge WiFi, a poor bedroom and a dead spot, NHSmail at step 6."""
    by = "alice"
    fields = dict(
        broadband=stamp(Broadband(home_id=HOME_ID, provider="BT Business", contracted_down_mbps=80,
                                  contracted_up_mbps=20), by, T0),
        dspt=stamp(DsptStatus(home_id=HOME_ID, status=DsptLevel.STANDARDS_MET, year="26/27",
                              published_on=date(2026, 9, 30)), by, T0 + timedelta(hours=1)),
        gp=stamp(GpRecordAccess(home_id=HOME_ID, access=GpAccess.PARTIAL, system=GpSystem.EMIS,
                                note="two of three practices"), by, T0),
        dscr=stamp(DigitalSocialCareRecord(home_id=HOME_ID, in_use=True, supplier="Nourish"), by, T0),
        devices=[
            stamp(DeviceProvision(home_id=HOME_ID, provision_id="icb-1", kind=DeviceKind.LAPTOP, count=2,
                                  description="ICB digital programme", provided_on=date(2026, 9, 1)), by, T0),
            stamp(DeviceProvision(home_id=HOME_ID, provision_id="icb-2", kind=DeviceKind.TABLET,
                                  provided_on=date(2026, 10, 1)), "carol", T0 + timedelta(days=1)),
        ],
        wifi_results=[
            wifi("Office"),
            wifi("Main lounge", 5),
            wifi("Room 12", 10, down=4.5, up=1.0, latency=120),
            wifi("Bedroom corridor, first floor", 15, no_connection=True),
            wifi("Kitchen", 20, down=2, up=0.5, latency=200),
        ],
        nhsmail=nhsmail_at_submit(),
        prepared_by="alice",
        today=TODAY,
    )
    return {**fields, **changes}


NOTHING = dict(broadband=None, dspt=None, gp=None, dscr=None, devices=[], wifi_results=[], nhsmail=None,
               prepared_by="alice", today=TODAY)


def test_the_summary_names_the_home_its_band_and_its_nhsmail_step(read_pdf):
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **checklist())))

    assert "Digital readiness - Allingham House Care Centre" in text
    assert "Deansgate Lane, Timperley, Altrincham, WA15 6SQ" in text and "Trafford" in text
    assert "CQC location ID: 1-1938268568" in text and "ODS code: VM4R7" in text  # the ODS code from NHSmail
    assert "Prepared by alice on 3 Nov 2026" in text
    assert "Digital Maturity band Core" in text
    assert "To reach Enhanced:" in text
    assert "NHSmail in use" in text and "Good WiFi where care happens" in text  # what_next, with reasons
    assert "Step 6 of 9: Submit the form" in text
    assert "What to do next: Submit the form." in text
    assert "Generated offline by Care Home Connect" in text


def test_the_checklist_shows_each_item_and_who_changed_it(read_pdf):
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **checklist())))

    assert "BT Business, 80.0 Mbps down, 20.0 Mbps up" in text
    assert "26/27 Standards Met, published 30 Sep 2026" in text
    assert "3 laptops or tablets (2 laptops, 1 tablet)" in text
    assert "Partly (some practices or residents) - EMIS" in text
    assert "In use - Nourish" in text
    # Changed at 09:30 UTC: 10:30 on a UK clock in October (BST).
    assert "alice, 20 Oct 2026 10:30" in text and "carol, 21 Oct 2026 10:30" in text
    # WiFi per location, the worst first; a kitchen is not where care happens.
    assert "Good in 2 of 4 care" in text
    for location in ("Office", "Main lounge", "Room 12", "Bedroom corridor, first floor", "Kitchen"):
        assert location in text
    assert text.index("Bedroom corridor") < text.index("Room 12") < text.index("Main lounge")
    assert "Poor: 4.5 Mbps down, 1.0 up, 120 ms" in text
    assert "(not a care area)" in text and "bob.survey" in text


def test_a_home_with_nothing_recorded_still_renders(read_pdf):
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **NOTHING)))

    assert "Digital Maturity band Minimum" in text
    assert "To reach Core:" in text and "Broadband contracted" in text
    assert "Not started - Step 1 of 9: ODS site code (starts with V)" in text
    assert "ODS code: not recorded" in text
    assert "No WiFi survey yet where care happens" in text
    assert "Not recorded (counts as Not Published)" in text


def test_a_home_with_everything_is_at_the_top_band(read_pdf):
    everything = checklist(
        gp=GpRecordAccess(home_id=HOME_ID, access=GpAccess.YES, system=GpSystem.SYSTMONE),
        dspt=DsptStatus(home_id=HOME_ID, status=DsptLevel.STANDARDS_EXCEEDED, year="26/27"),
        wifi_results=[wifi("Office"), wifi("Main lounge"), wifi("Room 12")],
        nhsmail=nhsmail_live(),
    )
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **everything)))

    assert "Digital Maturity band Enhanced plus" in text and "Enhanced plus is the highest band" in text
    assert "NHSmail in use: every step done" in text
    assert "Shared mailbox: care.vm4r7@nhs.net" in text


def test_an_expired_dspt_says_so(read_pdf):
    old = DsptStatus(home_id=HOME_ID, status=DsptLevel.STANDARDS_MET, year="24/25")
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **checklist(dspt=old))))

    assert "Digital Maturity band Minimum" in text and "To reach Core:" in text
    assert "(the 24/25 Standards Met publication expired on 30 Jun 2026)" in text
    assert "24/25 Standards Met; expired 30 Jun 2026" in text


def test_many_wifi_locations_still_make_exactly_one_page(read_pdf):
    results = [wifi(f"Room {n}", n, down=5 if n % 7 == 0 else 40) for n in range(1, 151)]
    results += [wifi("Office"), wifi("Main lounge", no_connection=True)]
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **checklist(wifi_results=results))))

    more = re.search(r"and (\d+) more locations (\d+) poor, (\d+) good", text)
    assert more, text
    assert int(more[2]) + int(more[3]) == int(more[1]) and int(more[1]) > 100
    # The worst first, rooms in number order.
    assert text.index("Main lounge No connection") < text.index("Room 7 Poor") < text.index("Room 14 Poor")
    assert "Step 6 of 9: Submit the form" in text and "Generated offline by Care Home Connect" in text


def test_very_long_texts_are_cut_and_stay_on_one_page(read_pdf):
    long_name = ("The Very Long Name Of A Care Home With Nursing And Dementia Care " * 4)[:200]
    results = [wifi(f"Bedroom {n} in the new wing beside the garden " + "x" * 40, n, down=3) for n in range(60)]
    inputs = checklist(
        wifi_results=results,
        broadband=Broadband(home_id=HOME_ID, provider="P" * 100, contracted_down_mbps=80),
        gp=GpRecordAccess(home_id=HOME_ID, access=GpAccess.PARTIAL, system=GpSystem.OTHER, note="n " * 100),
        dscr=DigitalSocialCareRecord(home_id=HOME_ID, in_use=True, supplier="S" * 100),
        nhsmail=None,
    )
    home = trafford_home(name=long_name, address="A very long address line, " * 11, icb="NHS " + "G" * 110)
    text = flat(read_pdf(readiness_summary_pdf(home, **inputs)))

    assert "Digital readiness - The Very Long Name" in text and "..." in text
    assert "Generated offline by Care Home Connect" in text


@pytest.mark.parametrize("unicode_font", [True, False], ids=["dejavu", "core-fonts"])
def test_names_beyond_latin1_do_not_crash(read_pdf, monkeypatch, unicode_font):
    if not unicode_font:  # the shipped font files missing (a broken install): the core font still works
        monkeypatch.setattr(pdf_document, "UNICODE_FONT", Path("/nonexistent/DejaVuSans.ttf"))
    home = trafford_home(name="Café Zoë’s – Care \u8001\u4eba\u9662 \U0001f3e0 \u0141\u00f3d\u017a\u200b\x07")
    inputs = checklist(prepared_by="zoë", wifi_results=[wifi("Salle à manger – étage 1")])
    text = flat(read_pdf(readiness_summary_pdf(home, **inputs)))

    if unicode_font:
        assert "Digital readiness - Café Zoë’s – Care" in text and "Łódź" in text
    else:  # Latin-1 stays; typographic punctuation turns plain; accents dropped; the rest becomes "?"
        assert "Digital readiness - Café Zoë's - Care ??? ? Lódz" in text
    assert "Salle à manger" in text and "Prepared by zoë" in text


def test_the_same_inputs_give_the_same_bytes():
    first = readiness_summary_pdf(trafford_home(), **checklist())
    assert readiness_summary_pdf(trafford_home(), **checklist()) == first
    assert b"D:20261103000000Z" in first  # the creation date is fixed from `today`


def test_records_of_another_home_are_refused():
    other = Broadband(home_id="1-555555555", provider="BT", contracted_down_mbps=80)
    with pytest.raises(ValueError, match="Broadband of home 1-555555555 given for home 1-1938268568"):
        readiness_summary_pdf(trafford_home(), **checklist(broadband=other))


def test_typographic_characters_print_as_typed(read_pdf):
    home = trafford_home(name="Zoë’s – Care")
    broadband = Broadband(home_id=HOME_ID, provider="Fibre £25 – speeds ≥ 80", contracted_down_mbps=80)
    inputs = checklist(broadband=broadband)
    text = flat(read_pdf(readiness_summary_pdf(home, **inputs)))

    assert "Digital readiness - Zoë’s – Care" in text
    assert "Fibre £25 – speeds ≥ 80" in text
