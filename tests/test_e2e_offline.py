"""Acceptance: offline saves reach the central API by themselves; a killed app loses and repeats nothing.

Real processes throughout: the central API and the app on loopback, the UI in
headless Chromium, the app killed with SIGKILL as an OS would.
"""

import json
import re
import sqlite3

import pytest

from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.fault_proxy import FaultProxy
from tests.support.timing import scaled_ms
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

CATEGORY = "nursing_dementia"  # the demo home has beds accepting admissions here


def signed_in(phone, app):
    phone.open(app.url)
    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")


def save_one_fewer_vacancy(phone):
    phone.tap_id(f"bed-{CATEGORY}-vacant_accepting-minus")
    phone.wait_enabled("bed-save")
    phone.tap_id("bed-save")


def applied_on_server(central_api) -> list[tuple[str, str]]:
    """(mutation id, status) of every change the central API has recorded, read from its database file."""
    with sqlite3.connect(f"file:{central_api.db_path}?mode=ro", uri=True) as db:
        return db.execute("SELECT mutation_id, json_extract(result, '$.status') FROM applied_mutations").fetchall()


def device_outbox(app) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{app.device_db()}?mode=ro", uri=True) as db:
        return db.execute("SELECT mutation_id, status FROM outbox ORDER BY seq").fetchall()


def test_offline_save_waits_then_arrives_by_itself(phone, make_app, central_api, api):
    app = make_app()
    signed_in(phone, app)
    before = api.beds(CATEGORY)["vacant_accepting"]

    central_api.stop()
    save_one_fewer_vacancy(phone)
    status = phone.wait_id_text("sync-status", "Waiting for the network since ")
    # One save (the count and the confirmation) is one change; since when, on the server's clock in UK time.
    assert re.fullmatch(r"Waiting for the network since \d\d:\d\d - saved on this device \(1 change waiting\)",
                        status), status

    central_api.start()  # returns once the API answers /health
    wait_until(lambda: api.beds(CATEGORY)["vacant_accepting"] == before - 1, timeout=10,
               what="the offline change on the central API, with no user action")
    phone.wait_id_text("sync-status", "Sent ")


def test_app_killed_right_after_an_offline_save_loses_nothing(phone, make_app, central_api, api):
    app = make_app()
    signed_in(phone, app)
    before = api.beds(CATEGORY)["vacant_accepting"]
    central_api.stop()
    save_one_fewer_vacancy(phone)
    phone.wait_id_text("sync-status", "waiting")
    app.kill()
    assert [status for _, status in device_outbox(app)] == ["pending", "pending"]

    central_api.start()
    app.start()
    phone.open(app.url)  # the browser returns: its device sends what waited, no sign-in asked
    wait_until(lambda: api.beds(CATEGORY)["vacant_accepting"] == before - 1, timeout=15,
               what="the change saved before the kill")
    wait_until(lambda: all(s == "applied" for _, s in device_outbox(app)), timeout=10, what="outbox drained")
    sent = {mutation_id for mutation_id, _ in device_outbox(app)}
    assert {m for m, s in applied_on_server(central_api) if s == "applied"} == sent
    assert len(applied_on_server(central_api)) == 2


def test_app_killed_while_sending_sends_nothing_twice(phone, make_app, central_api, api):
    app = make_app()
    signed_in(phone, app)
    before = api.beds(CATEGORY)["vacant_accepting"]
    save_one_fewer_vacancy(phone)
    phone.wait_id_text("save-message", "Saved 1 bed category")  # the user has seen it saved
    app.kill()  # at once: the push may be unsent, in flight, or answered but not yet recorded

    app.start()
    phone.open(app.url)  # the browser returns
    wait_until(lambda: device_outbox(app) and all(s == "applied" for _, s in device_outbox(app)), timeout=15,
               what="outbox drained after restart")
    assert api.beds(CATEGORY)["vacant_accepting"] == before - 1
    assert sorted(m for m, _ in applied_on_server(central_api)) == sorted(m for m, _ in device_outbox(app))
    assert len(applied_on_server(central_api)) == 2

    # The reopened app shows the saved value, and nothing is waiting.
    phone.open(app.url)
    phone.wait_id_text(f"bed-{CATEGORY}-vacant_accepting-value", f" {before - 1}")
    phone.wait_id_text("sync-status", "Sent ")


def server_records(central_api, home_id) -> dict[tuple[str, str], dict]:
    with sqlite3.connect(f"file:{central_api.db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT kind, id, data FROM records WHERE home_id = ? AND deleted = 0", (home_id,))
        return {(kind, record_id): json.loads(data) for kind, record_id, data in rows}


def device_records(app) -> dict[tuple[str, str], dict]:
    with sqlite3.connect(f"file:{app.device_db()}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT kind, id, data FROM records WHERE deleted = 0")
        return {(kind, record_id): json.loads(data) for kind, record_id, data in rows}


def device_cursor(app) -> int:
    try:
        with sqlite3.connect(f"file:{app.device_db()}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'pull_cursor'").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def test_app_killed_in_the_middle_of_a_multi_page_pull_resumes_and_matches_the_server(phone, make_app, central_api):
    # A slow link and pages of one record: the first sync takes several pages, so the kill lands between two.
    with FaultProxy.to(central_api.url) as slow_link:
        slow_link.latency = 0.4
        app = make_app(server_url=slow_link.url, extra_args=("--pull-page-size", "1"))
        phone.open(app.url)
        phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
        wait_until(lambda: device_cursor(app) > 0, timeout=20, interval=0.02, what="the first page stored")
        app.kill()
        partial = device_records(app)
        expected = server_records(central_api, DEMO_HOME)
        assert 0 < len(partial) < len(expected)  # killed mid-pull

        slow_link.latency = 0
        app.start()
        phone.open(app.url)  # the browser returns, no user action: it resumes by itself
        wait_until(lambda: device_records(app) == expected, timeout=20, what="the device equal to the server")
        requests = slow_link.requests(path_prefix="/sync/changes")
        # The restarted app carried on from its stored cursor instead of starting again from 0.
        assert [r.path for r in requests].count("/sync/changes?since=0&limit=1") == 1


def test_signing_out_offline_asks_before_discarding_unsent_changes(phone, make_app, central_api):
    app = make_app()
    signed_in(phone, app)
    central_api.stop()
    save_one_fewer_vacancy(phone)
    phone.wait_id_text("sync-status", "waiting")
    phone.tap_id("sign-out")
    phone.by_id("discard-and-sign-out").wait_for(timeout=scaled_ms(15_000))
    assert [s for _, s in device_outbox(app)] == ["pending", "pending"]  # nothing lost by asking
    phone.tap_id("discard-and-sign-out")
    phone.page.get_by_label("User name", exact=True).wait_for(timeout=scaled_ms(15_000))
    assert device_outbox(app) == [] and device_records(app) == {}


def test_signing_out_online_sends_first_then_removes_the_homes_data(phone, make_app, central_api, api):
    app = make_app()
    signed_in(phone, app)
    before = api.beds(CATEGORY)["vacant_accepting"]
    save_one_fewer_vacancy(phone)
    phone.tap_id("sign-out")
    phone.page.get_by_label("User name", exact=True).wait_for(timeout=scaled_ms(15_000))
    assert api.beds(CATEGORY)["vacant_accepting"] == before - 1  # sent before signing out
    assert device_records(app) == {}
    assert app.sealed_tokens(phone.browser_secret()).get_tokens(central_api.url, DEMO_USER) is None  # tokens gone
