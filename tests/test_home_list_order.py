"""A champion's homes in the order they need attention (domain.home_list), no store, no screen."""

from datetime import datetime, timedelta, timezone

from domain import nhsmail
from domain.home_list import BLOCKED, CLOCK_RUNNING, OTHER, home_row, in_attention_order
from domain.homes import CareHome
from domain.maturity import Band, Checklist
from domain.readiness import Broadband, DeviceProvision, DsptStatus, WifiSurveyResult

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
USERS = [{"name": "Ann Owner", "email": "ann@example.org", "mobile": "07700900001", "role": "owner"},
         {"name": "Bob Member", "email": "bob@example.org", "mobile": "07700900002"}]


def home(home_id: str, name: str) -> CareHome:
    return CareHome(cqc_location_id=home_id, name=name, address="1 High Street", postcode="AB1 2CD",
                    local_authority="Somewhere", with_nursing=False, bed_categories=("residential",))


def submitted(home_id: str, at: datetime) -> nhsmail.NhsmailProgress:
    p = nhsmail.record_ods_code(nhsmail.start(home_id), "VM4R7")
    p = nhsmail.record_cqc_ids(p, home_id, "CT-12345")
    p = nhsmail.record_dspt(p, "Standards Met", "26/27")
    p = nhsmail.choose_route(p, 1)
    return nhsmail.submit(nhsmail.set_users(p, USERS), at)


def at_core(home_id: str) -> dict:
    """The records that put a home in the Core band."""
    return dict(
        broadband=Broadband(home_id=home_id, provider="BT", contracted_down_mbps=80),
        wifi_results=[WifiSurveyResult(home_id=home_id, result_id="w1", location="Office", measured_at=NOW,
                                       latency_ms=20, download_mbps=50, upload_mbps=10)],
        devices=[DeviceProvision(home_id=home_id, provision_id="d1", kind="laptop", provided_on=NOW.date())],
        dspt=DsptStatus(home_id=home_id, status="Approaching Standards", year="26/27"),
    )


def row(home_id: str, name: str, **records):
    return home_row(Checklist(home=home(home_id, name), **records), home_id, NOW)


def test_blocked_first_then_the_running_clocks_then_the_rest():
    rest = row("1-100000001", "Aspen House")
    blocked = row("1-100000002", "Birch House",
                  nhsmail=nhsmail.record_no_ods_code(nhsmail.start("1-100000002"), "wrong_code"))
    waiting = row("1-100000003", "Cedar House", nhsmail=submitted("1-100000003", NOW - timedelta(hours=1)))
    assert [r.group for r in (blocked, waiting, rest)] == [BLOCKED, CLOCK_RUNNING, OTHER]
    assert in_attention_order([rest, waiting, blocked]) == [blocked, waiting, rest]
    assert blocked.attention == "NHSmail blocked: Wrong ODS code: corrected through CQC"
    assert waiting.attention.startswith("NHSmail reply expected by ") and waiting.deadline is not None
    assert waiting.nhsmail_step.startswith(f"Step 7 of {nhsmail.STEP_COUNT}: ")
    assert rest.attention == "For Core: Broadband contracted" and rest.nhsmail_step == "NHSmail not started"


def test_the_earliest_deadline_comes_first_while_clocks_run():
    later = row("1-100000001", "Aspen House", nhsmail=submitted("1-100000001", NOW - timedelta(hours=1)))
    sooner = row("1-100000002", "Birch House", nhsmail=submitted("1-100000002", NOW - timedelta(hours=40)))
    assert sooner.deadline < later.deadline
    assert in_attention_order([later, sooner]) == [sooner, later]


def test_no_reply_after_48_hours_is_blocked_not_waiting():
    late = row("1-100000001", "Aspen House", nhsmail=submitted("1-100000001", NOW - timedelta(hours=49)))
    assert late.group is BLOCKED and late.attention.startswith("NHSmail blocked: ")


def test_among_the_rest_the_lowest_band_first_then_the_name():
    core = row("1-100000001", "Aspen House", **at_core("1-100000001"))
    zed = row("1-100000002", "zed house")
    bay = row("1-100000003", "Bay House")
    assert core.band is Band.CORE and zed.band is Band.MINIMUM
    assert in_attention_order([core, zed, bay]) == [bay, zed, core]  # name ignores case
    assert core.attention == "For Enhanced: NHSmail in use"


def test_a_home_not_on_the_device_yet_is_listed_by_its_id():
    waiting = home_row(Checklist(), "1-100000009", NOW)
    assert (waiting.name, waiting.postcode, waiting.band) == ("1-100000009", "", Band.MINIMUM)
